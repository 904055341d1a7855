import { spawn } from "node:child_process";

export interface RunOptions {
  cwd: string;
  env: Record<string, string>;
  /** Written to stdin, which is then closed; without it stdin is closed at once. */
  input?: string;
  signal?: AbortSignal;
  /** Bytes of stdout / stderr kept (the rest is counted and dropped). Default 1 MB each. */
  maxOutput?: number;
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs a program without a shell and collects its output (capped). Rejects only when it cannot
 * be started; a non-zero exit is the caller's to judge.
 *
 * @example
 * ```ts
 * const { code, stdout } = await runProgram("git", ["rev-parse", "HEAD"], { cwd, env });
 * ```
 */
export function runProgram(file: string, args: readonly string[], o: RunOptions): Promise<RunResult> {
  const max = o.maxOutput ?? 1024 * 1024;
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { cwd: o.cwd, env: o.env, stdio: ["pipe", "pipe", "pipe"], shell: false, signal: o.signal, killSignal: "SIGKILL" });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let outBytes = 0;
    let errBytes = 0;
    child.stdout.on("data", (c: Buffer) => {
      if (outBytes < max) out.push(c.subarray(0, max - outBytes));
      outBytes += c.length;
    });
    child.stderr.on("data", (c: Buffer) => {
      if (errBytes < max) err.push(c.subarray(0, max - errBytes));
      errBytes += c.length;
    });
    child.stdin.on("error", () => undefined);
    child.stdin.end(o.input ?? "");
    child.once("error", (e) => {
      if ((e as NodeJS.ErrnoException).code === "ABORT_ERR") return; // the close event reports it
      reject(e);
    });
    child.once("close", (code, signal) => resolve({ code, signal, stdout: Buffer.concat(out).toString("utf8"), stderr: Buffer.concat(err).toString("utf8") }));
  });
}
