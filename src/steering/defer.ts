import { HookyardError, type ErrorCode } from "../errors.js";

/**
 * The base of every error that defers a task instead of failing an attempt: the runner queues the
 * task for `retryAt` (epoch ms) without counting the attempt, emits `task:deferred` and counts it
 * in `hookyard_task_deferrals_total`. GitHub's spent rate limit (`RateLimitedError`) and an open
 * circuit breaker (`CircuitOpenError`) extend it.
 *
 * @example
 * ```ts
 * if (err instanceof DeferError) console.log(`runs again at ${new Date(err.retryAt).toISOString()}`);
 * ```
 */
export class DeferError extends HookyardError {
  readonly retryAt: number;

  constructor(code: ErrorCode, retryAt: number, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = "DeferError";
    this.retryAt = retryAt;
  }
}
