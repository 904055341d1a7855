import { DeferError } from "../steering/defer.js";

/**
 * GitHub's rate limit is spent until `resetAt`. Thrown out of `ctx.octokit`; as a {@link DeferError}
 * the runner queues the task for `resetAt` without counting the attempt (nothing waits in memory).
 *
 * @example
 * ```ts
 * if (err instanceof RateLimitedError) console.log(new Date(err.resetAt));
 * ```
 */
export class RateLimitedError extends DeferError {
  constructor(readonly resetAt: number, detail: string, options?: { cause?: unknown }) {
    super("HOOKYARD_ERR_GITHUB_RATE_LIMITED", resetAt, `GitHub rate limit: ${detail}; the task runs again at ${new Date(resetAt).toISOString()}`, options);
    this.name = "RateLimitedError";
  }
}

interface ErrorWithResponse {
  status?: number;
  response?: { headers?: Record<string, string | number | undefined> };
  message?: string;
}

/**
 * When a failed request is GitHub saying "rate limited", the time it may be tried again (epoch ms):
 * a primary limit (`x-ratelimit-remaining: 0`, until `x-ratelimit-reset`) or a secondary one
 * (`retry-after` seconds, or a minute when GitHub gives no time).
 *
 * @example
 * ```ts
 * const at = rateLimitedUntil(err, Date.now()); // undefined for other errors
 * ```
 */
export function rateLimitedUntil(error: unknown, now: number): number | undefined {
  const e = error as ErrorWithResponse;
  if (e.status !== 403 && e.status !== 429) return undefined;
  const headers = e.response?.headers ?? {};
  const retryAfter = Number(headers["retry-after"]);
  if (Number.isFinite(retryAfter) && headers["retry-after"] !== undefined) return now + retryAfter * 1000;
  if (String(headers["x-ratelimit-remaining"]) === "0") {
    const reset = Number(headers["x-ratelimit-reset"]);
    return Number.isFinite(reset) ? Math.max(now, reset * 1000) : now + 60_000;
  }
  if (/secondary rate limit|abuse detection/i.test(e.message ?? "")) return now + 60_000;
  return undefined;
}
