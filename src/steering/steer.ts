import { HookyardError } from "../errors.js";

/**
 * Throw from a handler to fail the task at once, without further retries (it goes to `failed`).
 *
 * @example
 * ```ts
 * app.on("issues.labeled", async (ctx) => {
 *   if (!ctx.payload.label) throw new UnrecoverableError("no label in payload");
 * });
 * ```
 */
export class UnrecoverableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "UnrecoverableError";
  }
}

/**
 * Throw from a handler to retry after `delayMs` instead of the backoff policy's delay. It still
 * counts as an attempt.
 *
 * @example
 * ```ts
 * throw new RetryLaterError(60_000, "the CI run is not finished yet");
 * ```
 */
export class RetryLaterError extends Error {
  readonly delayMs: number;

  constructor(delayMs: number, message = `retry in ${delayMs} ms`, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "RetryLaterError";
    this.delayMs = Math.max(0, delayMs);
  }
}

/**
 * Turns anything thrown into an Error, keeping the original as `cause` when it was not one.
 *
 * @example
 * ```ts
 * coerceError("boom").message; // "boom"
 * ```
 */
export function coerceError(thrown: unknown): Error {
  if (thrown instanceof Error) return thrown;
  const text = typeof thrown === "string" ? thrown : safeStringify(thrown);
  return new HookyardError("HOOKYARD_ERR_TASK_NON_ERROR_THROWN", `handler threw a non-Error value: ${text}`, { cause: thrown });
}

function safeStringify(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
