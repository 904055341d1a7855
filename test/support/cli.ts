/** Running the built CLI (`dist/cli/main.js`) in tests, and the documented form of its errors. */
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { expect } from "vitest";

export const CLI_MAIN = fileURLToPath(new URL("../../dist/cli/main.js", import.meta.url));

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI in `cwd` with only PATH and `env`, so nothing from the developer's environment leaks in. */
export function runCli(args: string[], cwd: string, env: Record<string, string> = {}, timeoutMs = 60_000): Promise<Run> {
  return new Promise((done) => {
    execFile(process.execPath, [CLI_MAIN, ...args], { cwd, env: { PATH: process.env.PATH ?? "", ...env }, timeout: timeoutMs }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === "number" ? err.code : -1) : 0;
      done({ code, stdout, stderr });
    });
  });
}

/** Asserts the documented error form: exit `exit`, exactly one line `hookyard: <message> (<code>)` on stderr. */
export function expectErrorLine(run: Run, exit: number, code: string): void {
  expect(run.code, run.stderr).toBe(exit);
  const lines = run.stderr.trimEnd().split("\n");
  expect(lines, run.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^hookyard: .+ \(HOOKYARD_ERR_[A-Z_]+\)$/);
  expect(lines[0]?.endsWith(`(${code})`), lines[0]).toBe(true);
}
