import { HookyardError } from "../errors.js";
import type { BackoffPolicy } from "../store/backend.js";

/** Backoff as handlers may write it: a strategy name, or a full policy. */
export type BackoffOption = BackoffPolicy["type"] | Partial<BackoffPolicy> & { type: BackoffPolicy["type"] };

export const DEFAULT_BACKOFF: BackoffPolicy = { type: "exponential", delay: 1000, maxDelay: 3_600_000, jitter: "full" };

/**
 * Normalises a handler's `backoff` option into a stored policy (1 s base, 1 h cap, full jitter by default).
 *
 * @example
 * ```ts
 * resolveBackoff("linear"); // { type: "linear", delay: 1000, maxDelay: 3600000, jitter: "full" }
 * ```
 */
export function resolveBackoff(option: BackoffOption | undefined): BackoffPolicy {
  const policy: BackoffPolicy = typeof option === "string" ? { ...DEFAULT_BACKOFF, type: option } : { ...DEFAULT_BACKOFF, ...option };
  if (!["exponential", "linear", "fixed", "fibonacci"].includes(policy.type)) {
    throw new HookyardError("HOOKYARD_ERR_HANDLER_OPTIONS_INVALID", `unknown backoff type "${String(policy.type)}" (exponential, linear, fixed or fibonacci)`);
  }
  if (!(policy.delay >= 0) || !(policy.maxDelay >= 0) || !["full", "none"].includes(policy.jitter)) {
    throw new HookyardError("HOOKYARD_ERR_HANDLER_OPTIONS_INVALID", "backoff delay and maxDelay must be ≥ 0 ms and jitter \"full\" or \"none\"");
  }
  return policy;
}
