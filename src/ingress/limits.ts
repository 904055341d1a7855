import type { HookyardConfig } from "../config/index.js";
import { HookyardError } from "../errors.js";
import { RateLimiter } from "./limits-rate.js";
import { sourceAllowList } from "./limits-sources.js";

/** The webhook route's source checks, both off by default: an allow-list and a per-source rate limit. */
export interface IngressLimits {
  allowSource?: (ip: string) => boolean;
  rateLimiter?: Pick<RateLimiter, "take">;
}

/**
 * The limits HOOKYARD_ALLOWED_CIDRS and HOOKYARD_RATE_LIMIT ask for.
 *
 * @example
 * ```ts
 * const limits = ingressLimits(config); // {} when neither is set
 * ```
 */
export function ingressLimits(config: Pick<HookyardConfig, "allowedCidrs" | "rateLimit">): IngressLimits {
  const allowSource = sourceAllowList(config.allowedCidrs);
  return {
    ...(allowSource ? { allowSource } : {}),
    ...(config.rateLimit ? { rateLimiter: new RateLimiter(config.rateLimit) } : {}),
  };
}

/**
 * Why a request from `ip` is refused before its body is read (403 not allowed, 429 over its rate
 * with `retryAfterS`), or undefined when it may go on.
 *
 * @example
 * ```ts
 * const refusal = checkSource(limits, req.ip);
 * ```
 */
export function checkSource(limits: IngressLimits, ip: string): { error: HookyardError; retryAfterS?: number } | undefined {
  if (limits.allowSource && !limits.allowSource(ip)) {
    return { error: new HookyardError("HOOKYARD_ERR_INGRESS_SOURCE_FORBIDDEN", "this address may not send webhooks here (HOOKYARD_ALLOWED_CIDRS)") };
  }
  const decision = limits.rateLimiter?.take(ip);
  if (decision && !decision.ok) {
    return { error: new HookyardError("HOOKYARD_ERR_INGRESS_RATE_LIMITED", `too many webhook requests from this address; retry in ${decision.retryAfterS} s`), retryAfterS: decision.retryAfterS };
  }
  return undefined;
}
