import type { RateSetting } from "../config/limits.js";

/** What {@link RateLimiter.take} says: go ahead, or wait `retryAfterS` seconds. */
export type RateDecision = { ok: true } | { ok: false; retryAfterS: number };

interface Bucket {
  tokens: number;
  at: number;
}

/** Sources tracked before idle ones (whose buckets have refilled) are forgotten. */
const SWEEP_AT = 10_000;

/**
 * A token bucket per source: each holds up to `tokens` requests and refills at `tokens` per
 * `perMs`. A source whose bucket is empty is told how long until one more request is allowed.
 * Memory stays bounded: past 10,000 sources, those whose buckets are full again are dropped.
 *
 * @example
 * ```ts
 * const limiter = new RateLimiter({ tokens: 100, perMs: 1000 });
 * const d = limiter.take(req.ip);
 * if (!d.ok) reply.header("retry-after", String(d.retryAfterS)).code(429);
 * ```
 */
export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly perToken: number;

  constructor(private readonly rate: RateSetting, private readonly now: () => number = Date.now) {
    this.perToken = rate.perMs / rate.tokens;
  }

  /** Takes one request's token for `source`. */
  take(source: string): RateDecision {
    const at = this.now();
    if (this.buckets.size >= SWEEP_AT) this.sweep(at);
    const bucket = this.buckets.get(source) ?? { tokens: this.rate.tokens, at };
    bucket.tokens = Math.min(this.rate.tokens, bucket.tokens + (at - bucket.at) / this.perToken);
    bucket.at = at;
    this.buckets.set(source, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { ok: true };
    }
    return { ok: false, retryAfterS: Math.max(1, Math.ceil(((1 - bucket.tokens) * this.perToken) / 1000)) };
  }

  /** Sources currently tracked. */
  get size(): number {
    return this.buckets.size;
  }

  private sweep(at: number): void {
    for (const [source, b] of this.buckets) {
      if (b.tokens + (at - b.at) / this.perToken >= this.rate.tokens) this.buckets.delete(source);
    }
  }
}
