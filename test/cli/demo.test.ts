import { execFile } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const MAIN = join(process.cwd(), "dist", "cli", "main.js");

describe("npm run demo", () => {
  it("shows the agent story offline: labelled issue → pull request with its diff → failing check → fix commit, and exits 0 leaving nothing behind", { timeout: 120_000 }, async () => {
    const { code, stdout } = await new Promise<{ code: number; stdout: string }>((resolve) => {
      execFile(process.execPath, [MAIN, "demo"], { env: { PATH: process.env.PATH }, timeout: 110_000 }, (err, out) => resolve({ code: err ? Number(err.code ?? 1) : 0, stdout: out }));
    });
    expect(code, stdout).toBe(0);
    for (const step of [
      /delivery \w+ issues\.labeled stored → 1 task/,
      /agent │ changed 1 file\(s\): \.\/README\.md/,
      /pull request #\d+ opened/,
      /\+Prints a friendly greeting for every name it is given\./,
      /issue comment: ✅ Pull request #\d+ is open\./,
      /CI reports a failing check "test"/,
      /agent │ changed 1 file\(s\): \.\/src\/greet\.js/,
      /fix commit [0-9a-f]{7} on pull request #\d+/,
      /0 workspaces left behind/,
    ]) expect(stdout).toMatch(step);
    expect(stdout.indexOf("pull request #")).toBeLessThan(stdout.indexOf("fix commit"));
  });
});
