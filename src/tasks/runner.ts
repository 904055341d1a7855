import { context } from "@opentelemetry/api";
import type { Logger } from "pino";
import type { HookyardOctokit } from "../github/octokit.js";
import { HookyardError } from "../errors.js";
import { deliveryMeta, type DeliveryMeta } from "../ingress/delivery-meta.js";
import { createContext, type ConfigReader, type Context } from "../events/context.js";
import type { HandlerRegistry } from "../events/registry.js";
import type { Lifecycle } from "../observability/lifecycle.js";
import { tracingOn } from "../observability/tracing.js";
import { attemptSpan, type AttemptSpan } from "../observability/tracing-task.js";
import type { AttemptResult, ClaimedTask, ErrorRecord } from "../store/backend.js";
import { backoffDelay } from "./backoff.js";
import { DeferError } from "../steering/defer.js";
import { outlast } from "./overrun.js";
import { coerceError, RetryLaterError, UnrecoverableError } from "../steering/steer.js";
import { Stopper } from "./stopper.js";

/** Called for every failed attempt (after the outcome is decided), like Probot's `app.onError`. */
export type ErrorHandler = (error: Error, info: { ctx: Context | undefined; task: ClaimedTask; willRetry: boolean }) => unknown;

export interface RunnerDeps {
  registry: HandlerRegistry;
  /** The parsed payload of a delivery. */
  loadPayload: (deliveryId: string) => Promise<unknown>;
  log: Logger;
  lifecycle: Lifecycle;
  defaultTimeoutMs: number;
  errorHandlers: readonly ErrorHandler[];
  /** The Octokit of a handler of this task's delivery (its installation is in `meta`). */
  octokit: (task: ClaimedTask, meta: DeliveryMeta, log: () => Logger) => HookyardOctokit;
  /** Where handlers' `ctx.config()` reads repository config files (the app's cache). */
  repoConfig: ConfigReader;
  /** The W3C `traceparent` of a task's delivery (its ingress span), when tracing is on. */
  traceparent?: (task: ClaimedTask) => Promise<string | undefined>;
  /** How long after its signal aborted a handler still running is reported as overrunning (default 1 s). */
  overrunGraceMs?: number;
  now?: () => number;
  random?: () => number;
}

/** Why a run's signal was aborted from outside the runner. */
export type StopReason = "shutdown" | "lost";

/**
 * Runs one attempt of a claimed task and decides its outcome: completed, retrying at a time chosen
 * by the backoff policy (or a `RetryLaterError`), failed (retries spent, `UnrecoverableError`, no
 * handler), or interrupted (shutdown; or a `DeferError`: queued for its `retryAt`, attempt not counted). Never throws. Lifecycle events and `onError` handlers run
 * when the caller calls `settled()`, after the outcome is stored.
 *
 * A handler whose signal was aborted (its timeout, or a lost lease) keeps the attempt until it
 * actually returns: the runner waits for it (reporting `task:overrun` if it is still running after
 * a grace period), so its pool slot stays taken and the task's lease renewed, and the next attempt
 * cannot start while this one's handler still runs. Only a shutdown (`stop` aborted with
 * "shutdown") makes the runner return at once, whatever the handler does.
 */
export async function runAttempt(task: ClaimedTask, stop: Stopper, deps: RunnerDeps): Promise<AttemptRun> {
  const now = deps.now ?? Date.now;
  const started = now();
  // the child logger is made on first use: most attempts of a quiet handler never log
  let child: Logger | undefined;
  const log = (): Logger => (child ??= deps.log.child({ delivery: task.deliveryId, task: task.id, handler: task.name, attempt: task.attempt }));
  deps.lifecycle.emit("task:start", { task });
  const handler = deps.registry.get(task.name);
  let ctx: Context | undefined;
  let outcome: AttemptResult;
  let error: Error | undefined;
  // the attempt's own stopper: fired by its timeout or by `stop`; ctx.signal is made from it on first use
  const own = new Stopper();
  const unlink = stop.onAbort((reason) => own.abort(reason));
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> | undefined;
  let span: AttemptSpan | undefined;
  try {
    if (tracingOn()) span = await attemptSpan(task, deps.traceparent);
    if (!handler) throw new UnrecoverableError(`no handler named "${task.name}" is registered in this process`, { cause: "HOOKYARD_ERR_TASK_NO_HANDLER" });
    const payload = await deps.loadPayload(task.deliveryId);
    const meta = deliveryMeta(task.event, payload);
    ctx = createContext({
      id: task.deliveryId, meta, payload, log, signal: () => own.signal, attempt: task.attempt, task: task.id,
      octokit: () => deps.octokit(task, meta, log), config: deps.repoConfig,
    });
    const timeoutMs = task.timeoutMs > 0 ? task.timeoutMs : deps.defaultTimeoutMs;
    const aborted = new Promise<never>((_, reject) => own.onAbort((reason) => reject(abortError(reason, timeoutMs))));
    timer = setTimeout(() => own.abort("timeout"), timeoutMs);
    const run = () => Promise.resolve().then(() => handler.fn(ctx as Context));
    running = span ? context.with(span.context, run) : run();
    running.catch(() => undefined); // a handler that rejects after its timeout must not crash the process
    await Promise.race([running, aborted]);
    outcome = { outcome: "completed" };
  } catch (thrown) {
    error = coerceError(thrown);
    // aborted while its handler runs: the attempt lasts until the handler returns (not at shutdown)
    if (running && own.aborted) await outlast(running, own.reason === "timeout" ? "timeout" : "lost", stop, { task, started, log, deps });
    outcome = decide(task, error, stop.aborted ? (stop.reason as StopReason) : undefined, now(), deps.random);
  } finally {
    clearTimeout(timer);
    unlink();
  }
  const durationMs = now() - started;
  span?.end(outcome, error);
  const settled = async () => {
    report(task, outcome, durationMs, log, deps);
    if (error && outcome.outcome !== "interrupted") {
      await callErrorHandlers(deps, error, { ctx, task, willRetry: outcome.outcome === "retrying" }, log);
    }
  };
  return { result: outcome, settled };
}

/** What one attempt produced: its result for the store, and what to announce once it is stored. */
export interface AttemptRun {
  result: AttemptResult;
  /** Emits the lifecycle event and calls `onError` handlers; call after the store recorded `result`. */
  settled: () => Promise<void>;
}

function abortError(reason: unknown, timeoutMs: number): Error {
  if (reason === "timeout") return new HookyardError("HOOKYARD_ERR_TASK_TIMEOUT", `handler timed out after ${timeoutMs} ms`);
  if (reason === "shutdown") return new HookyardError("HOOKYARD_ERR_TASK_INTERRUPTED", "aborted by shutdown; the task is queued again");
  return new HookyardError("HOOKYARD_ERR_TASK_INTERRUPTED", "the task was cancelled or taken over by another worker");
}

/** The outcome of a failed attempt. */
function decide(task: ClaimedTask, error: Error, stopped: StopReason | undefined, now: number, random?: () => number): AttemptResult {
  const record = toRecord(error);
  if (stopped === "shutdown") return { outcome: "interrupted", error: record };
  // deferred (GitHub's rate limit spent, a circuit open): run again then, without counting this attempt
  if (error instanceof DeferError) return { outcome: "interrupted", runAt: error.retryAt, error: record };
  const noHandler = error instanceof UnrecoverableError && error.cause === "HOOKYARD_ERR_TASK_NO_HANDLER";
  if (noHandler) record.code = "HOOKYARD_ERR_TASK_NO_HANDLER";
  if (error instanceof UnrecoverableError || task.attempt >= task.maxAttempts) return { outcome: "failed", error: record };
  const delay = error instanceof RetryLaterError ? error.delayMs : backoffDelay(task.backoff, task.attempt, random);
  return { outcome: "retrying", runAt: now + delay, error: record };
}

/** What is stored of an error: message, stable code when it has one, stack. */
export function toRecord(error: Error): ErrorRecord {
  const code = (error as { code?: unknown }).code;
  return { message: error.message, ...(typeof code === "string" ? { code } : {}), ...(error.stack ? { stack: error.stack } : {}) };
}

function report(task: ClaimedTask, result: AttemptResult, durationMs: number, log: () => Logger, deps: RunnerDeps): void {
  switch (result.outcome) {
    case "completed":
      // a child logger costs more than a no-op task (pino's bindings and redaction): none for a line not written
      if (deps.log.isLevelEnabled("info")) log().info({ durationMs }, "task completed");
      deps.lifecycle.emit("task:complete", { task, durationMs });
      break;
    case "retrying":
      log().warn({ durationMs, error: result.error, runAt: new Date(result.runAt).toISOString() }, "task attempt failed; will retry");
      deps.lifecycle.emit("task:retry", { task, error: result.error, runAt: result.runAt, durationMs });
      break;
    case "failed":
      log().error({ durationMs, error: result.error }, "task failed");
      deps.lifecycle.emit("task:failed", { task, error: result.error, durationMs });
      break;
    case "interrupted":
      if (result.runAt !== undefined) {
        log().warn({ durationMs, code: result.error.code, runAt: new Date(result.runAt).toISOString() }, "task deferred (GitHub rate limit spent or a circuit open); queued again, attempt not counted");
        deps.lifecycle.emit("task:deferred", { task, runAt: result.runAt, error: result.error });
      } else {
        log().info({ durationMs }, "task interrupted by shutdown; queued again");
        deps.lifecycle.emit("task:interrupted", { task });
      }
      break;
  }
}

async function callErrorHandlers(deps: RunnerDeps, error: Error, info: Parameters<ErrorHandler>[1], log: () => Logger): Promise<void> {
  for (const h of deps.errorHandlers) {
    try {
      await h(error, info);
    } catch (err) {
      log().warn({ err }, "onError handler threw");
    }
  }
}
