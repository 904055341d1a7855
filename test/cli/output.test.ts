/** The CLI's tables and colour: aligned with or without colour, colour only on a TTY and without NO_COLOR. */
import { describe, expect, it } from "vitest";
import { colourOn, table } from "../../src/cli/output.js";

const strip = (s: string) => s.replace(/\u001b\[\d+m/g, "");

describe("CLI output", () => {
  const rows = [["t-1", { text: "failed", colour: "red" as const }, "triage"], ["task-22", { text: "completed", colour: "green" as const }, "x"]];

  it("aligns columns, and colour does not move them", () => {
    const plain = table(["ID", "STATE", "HANDLER"], rows, false);
    expect(plain.split("\n")).toEqual(["ID       STATE      HANDLER", "t-1      failed     triage", "task-22  completed  x"]);
    const coloured = table(["ID", "STATE", "HANDLER"], rows, true);
    expect(coloured).toContain("\u001b[31mfailed\u001b[0m");
    expect(strip(coloured)).toBe(plain);
  });

  it("colours only a TTY, and never with NO_COLOR or TERM=dumb", () => {
    const tty = { isTTY: true } as NodeJS.WriteStream;
    const pipe = { isTTY: false } as NodeJS.WriteStream;
    expect(colourOn(tty, {})).toBe(true);
    expect(colourOn(pipe, {})).toBe(false);
    expect(colourOn(tty, { NO_COLOR: "1" })).toBe(false);
    expect(colourOn(tty, { TERM: "dumb" })).toBe(false);
  });
});
