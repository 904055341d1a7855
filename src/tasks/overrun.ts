import type { Logger } from "pino";
import type { Lifecycle } from "../observability/lifecycle.js";
import type { ClaimedTask } from "../store/backend.js";
import type { Stopper } from "./stopper.js";

/** How long a handler may take to return after its signal aborted before it is reported as overrunning. */
export const OVERRUN_GRACE_MS = 1_000;

interface Attempt {
  task: ClaimedTask;
  /** When the attempt started (ms, the runner's clock). */
  started: number;
  log: () => Logger;
  deps: { lifecycle: Lifecycle; overrunGraceMs?: number; now?: () => number };
}

/**
 * Waits for a handler whose signal was aborted (`reason`) to return, so that the attempt, its pool
 * slot and its lease last as long as the handler really runs. A handler still running after the
 * grace period is reported once (warning log, `task:overrun`), and its return is logged. A shutdown
 * (`stop` aborted with "shutdown") ends the wait at once: the process is about to exit.
 *
 * @example
 * ```ts
 * if (own.aborted) await outlast(running, "timeout", stop, { task, started, log, deps });
 * ```
 */
export async function outlast(running: Promise<unknown>, reason: "timeout" | "lost", stop: Stopper, a: Attempt): Promise<void> {
  const now = a.deps.now ?? Date.now;
  let returned = false;
  const settled = running.then(() => (returned = true), () => (returned = true));
  let offStop: () => void = () => undefined;
  const shutdown = new Promise<void>((resolve) => (offStop = stop.onAbort((why) => why === "shutdown" && resolve())));
  const ended = Promise.race([settled, shutdown]);
  let timer: NodeJS.Timeout | undefined;
  const grace = new Promise<"grace">((resolve) => (timer = setTimeout(() => resolve("grace"), a.deps.overrunGraceMs ?? OVERRUN_GRACE_MS)));
  const first = await Promise.race([ended, grace]);
  clearTimeout(timer);
  if (first === "grace") {
    const elapsedMs = now() - a.started;
    a.log().warn({ reason, elapsedMs }, "handler still running after its signal was aborted; it keeps its slot and the task until it returns");
    a.deps.lifecycle.emit("task:overrun", { task: a.task, reason, elapsedMs });
    await ended;
    if (returned) a.log().info({ durationMs: now() - a.started }, "overrunning handler returned");
  }
  offStop();
}
