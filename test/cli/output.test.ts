/** The CLI's tables and colour: aligned with or without colour, colour only on a TTY and without NO_COLOR. */
import { describe, expect, it } from "vitest";
import { progress } from "../../src/cli/commands/progress.js";
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

  it("draws a progress bar in place on a TTY, one count line elsewhere", () => {
    const stream = (isTTY: boolean) => {
      const out: string[] = [];
      return { out, s: { isTTY, write: (t: string) => out.push(t) } as unknown as NodeJS.WriteStream };
    };
    const tty = stream(true);
    const bar = progress("retrying", tty.s);
    bar.start(2);
    bar.step();
    bar.step();
    bar.end();
    expect(tty.out).toEqual([
      `\r[${"-".repeat(24)}] 0/2 retrying`, `\r[${"#".repeat(12)}${"-".repeat(12)}] 1/2 retrying`, `\r[${"#".repeat(24)}] 2/2 retrying`, "\n",
    ]);
    const pipe = stream(false);
    const line = progress("retrying", pipe.s);
    line.start(2);
    line.step();
    line.end();
    expect(pipe.out).toEqual(["retrying: 2\n"]);
  });
});
