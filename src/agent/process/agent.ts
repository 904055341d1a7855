import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import type { Logger } from "pino";
import { inSpan } from "../../observability/tracing.js";

/** How one agent run ended. */
export interface AgentExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The run's own timeout killed it. */
  timedOut: boolean;
  /** `signal` (task timeout, cancellation, shutdown) killed it. */
  aborted: boolean;
  /** The last lines it printed (stdout and stderr), for the report. */
  tail: string[];
  durationMs: number;
}

export interface AgentSpawn {
  /** The program and its arguments (after placeholders; with the sandbox, bwrap's argv first). */
  argv: readonly string[];
  cwd: string;
  env: Record<string, string>;
  timeoutMs: number;
  signal: AbortSignal;
  log: Logger;
  /** Called with the process group id once started (recorded so a later start can kill it). */
  onStart?: (pgid: number) => void | Promise<void>;
  /** Called with every output line, whole (also past the log cap). */
  onLine?: (line: string, stream: "stdout" | "stderr") => void;
  /** Lines logged per run; the rest are counted (default 2,000). */
  maxLogLines?: number;
  /** Grace between SIGTERM and SIGKILL of the group (default 5 s). */
  killGraceMs?: number;
}

const TAIL = 20;
const MAX_LINE = 2_000;

/**
 * Runs the agent: no shell, stdin closed, in its own process group (killed whole on timeout,
 * cancellation or shutdown: SIGTERM, then SIGKILL after a grace period). Its stdout and stderr go
 * to the task's log line by line (capped), bound to the delivery's correlation id.
 *
 * @example
 * ```ts
 * const exit = await runAgent({ argv: ["claude", "-p", prompt], cwd: ws.repo, env, timeoutMs: 1_800_000, signal: ctx.signal, log: ctx.log });
 * ```
 */
export async function runAgent(o: AgentSpawn): Promise<AgentExit> {
  const exit = await inSpan("agent", { "process.executable.name": o.argv[0] ?? "" }, () => spawnAgent(o), (span, e) => {
    span.setAttributes({ "process.exit.code": e.code ?? -1, "hookyard.agent.timed_out": e.timedOut, "hookyard.agent.aborted": e.aborted });
  });
  o.log.info({ code: exit.code, signal: exit.signal, timedOut: exit.timedOut, aborted: exit.aborted, durationMs: exit.durationMs }, "agent exited");
  return exit;
}

function spawnAgent(o: AgentSpawn): Promise<AgentExit> {
  const started = Date.now();
  const [file, ...args] = o.argv;
  if (file === undefined) throw new Error("runAgent: empty argv");
  const maxLines = o.maxLogLines ?? 2_000;
  const grace = o.killGraceMs ?? 5_000;
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { cwd: o.cwd, env: o.env, stdio: ["ignore", "pipe", "pipe"], detached: true, shell: false });
    const tail: string[] = [];
    let lines = 0;
    let timedOut = false;
    let aborted = false;
    let killTimer: NodeJS.Timeout | undefined;
    const killGroup = (sig: NodeJS.Signals) => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, sig);
      } catch {
        // the group is gone
      }
    };
    const stop = () => {
      killGroup("SIGTERM");
      killTimer ??= setTimeout(() => killGroup("SIGKILL"), grace);
      killTimer.unref();
    };
    const timer = setTimeout(() => {
      timedOut = true;
      o.log.warn({ timeoutMs: o.timeoutMs }, "agent timed out: stopping its process group");
      stop();
    }, o.timeoutMs);
    const onAbort = () => {
      aborted = true;
      o.log.warn("agent run aborted (task timeout, cancellation or shutdown): stopping its process group");
      stop();
    };
    if (o.signal.aborted) onAbort();
    else o.signal.addEventListener("abort", onAbort, { once: true });
    const read = (stream: NodeJS.ReadableStream, name: "stdout" | "stderr") => {
      createInterface({ input: stream, crlfDelay: Infinity }).on("line", (raw: string) => {
        const line = raw.length > MAX_LINE ? `${raw.slice(0, MAX_LINE)}…` : raw;
        tail.push(line);
        if (tail.length > TAIL) tail.shift();
        o.onLine?.(raw, name);
        if (++lines <= maxLines) o.log.info({ agent: name }, line);
        else if (lines === maxLines + 1) o.log.warn({ maxLines }, "agent output: further lines are not logged");
      });
    };
    read(child.stdout, "stdout");
    read(child.stderr, "stderr");
    child.once("spawn", () => {
      if (child.pid !== undefined) void Promise.resolve(o.onStart?.(child.pid)).catch(() => undefined);
    });
    child.once("error", (err) => {
      clearTimeout(timer);
      o.signal.removeEventListener("abort", onAbort);
      reject(err);
    });
    // the leader is done: no member of its group outlives it (they would hold the pipes open)
    child.once("exit", () => killGroup("SIGKILL"));
    child.once("close", (code, signal) => {
      clearTimeout(timer);
      o.signal.removeEventListener("abort", onAbort);
      if (killTimer) clearTimeout(killTimer);
      resolve({ code, signal, timedOut, aborted, tail, durationMs: Date.now() - started });
    });
  });
}
