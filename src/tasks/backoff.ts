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

function fibonacci(n: number): number {
  let a = 1;
  let b = 1;
  for (let i = 2; i < n; i++) [a, b] = [b, a + b];
  return b;
}

/**
 * The delay before retry number `retry` (1 for the first retry), before jitter:
 * exponential `delay·2^(retry-1)`, linear `delay·retry`, fixed `delay`, fibonacci `delay·F(retry)`
 * (1, 1, 2, 3, 5, …), each capped at `maxDelay`.
 */
export function baseDelay(policy: BackoffPolicy, retry: number): number {
  const n = Math.max(1, retry);
  const raw =
    policy.type === "exponential" ? policy.delay * 2 ** (n - 1)
    : policy.type === "linear" ? policy.delay * n
    : policy.type === "fibonacci" ? policy.delay * fibonacci(n)
    : policy.delay;
  return Math.min(raw, policy.maxDelay);
}

/**
 * The delay before retry number `retry`, with the policy's jitter applied.
 *
 * @example
 * ```ts
 * backoffDelay({ type: "fixed", delay: 500, maxDelay: 1000, jitter: "none" }, 3); // 500
 * ```
 */
export function backoffDelay(policy: BackoffPolicy, retry: number, random: () => number = Math.random): number {
  const base = baseDelay(policy, retry);
  return policy.jitter === "full" ? Math.floor(random() * (base + 1)) : base;
}
