import type { BackoffPolicy } from "../store/backend.js";

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
