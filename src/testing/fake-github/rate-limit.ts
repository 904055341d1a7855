import type { FakeClock } from "./clock.js";

const WINDOW_MS = 3600_000;

/** One rate-limit budget: per installation, per user, or per App (JWT requests). */
export interface RateBucket {
  key: string;
  limit: number;
  used: number;
  /** When the window resets, ms by the fake's clock. */
  resetAt: number;
}

/** Overrides for {@link RateLimiter.set}. */
export interface RateOverride {
  remaining?: number;
  limit?: number;
  /** ms since the epoch, by the fake's clock. */
  resetAt?: number;
}

/** A queued secondary-limit answer. */
export interface SecondaryLimit {
  status: 403 | 429;
  retryAfterSeconds: number;
  requests: number;
  key: string | undefined;
}

/** Primary (per hour) and secondary rate limits, by bucket key (`installation:42`, `user:7`, `app:1`). */
export class RateLimiter {
  private readonly buckets = new Map<string, RateBucket>();
  private globalOverride: RateOverride | undefined;
  private readonly secondary: SecondaryLimit[] = [];

  constructor(private readonly clock: FakeClock, private defaultLimit: number) {}

  /** The bucket for `key`, created or rolled over into a fresh window as the clock demands. */
  bucket(key: string): RateBucket {
    const now = this.clock.now();
    let b = this.buckets.get(key);
    if (!b) {
      b = { key, limit: this.defaultLimit, used: 0, resetAt: now + WINDOW_MS };
      this.buckets.set(key, b);
      if (this.globalOverride) this.apply(b, this.globalOverride);
    } else if (now >= b.resetAt) {
      b.used = 0;
      b.resetAt = now + WINDOW_MS;
    }
    return b;
  }

  /** Counts one request; false (and nothing counted) when the budget is spent. */
  take(key: string): boolean {
    const b = this.bucket(key);
    if (b.used >= b.limit) return false;
    b.used++;
    return true;
  }

  /** Gives one request back (a `304` does not count). */
  refund(key: string): void {
    const b = this.bucket(key);
    if (b.used > 0) b.used--;
  }

  /** Overrides one bucket, or (no key) every bucket now and those created later. */
  set(key: string | undefined, o: RateOverride): void {
    if (key !== undefined) {
      this.apply(this.bucket(key), o);
      return;
    }
    if (o.limit !== undefined) this.defaultLimit = o.limit;
    this.globalOverride = o;
    for (const b of this.buckets.values()) this.apply(b, o);
  }

  private apply(b: RateBucket, o: RateOverride): void {
    if (o.limit !== undefined) b.limit = o.limit;
    if (o.resetAt !== undefined) b.resetAt = o.resetAt;
    if (o.remaining !== undefined) b.used = Math.max(0, b.limit - o.remaining);
  }

  /** Queues secondary-limit answers for the next `requests` requests (of `key`, or any). */
  triggerSecondary(limit: SecondaryLimit): void {
    this.secondary.push({ ...limit });
  }

  /** The secondary limit that applies to this request, if any (and counts it down). */
  takeSecondary(key: string): SecondaryLimit | undefined {
    const i = this.secondary.findIndex((s) => s.key === undefined || s.key === key);
    const s = i === -1 ? undefined : this.secondary[i];
    if (!s) return undefined;
    s.requests--;
    if (s.requests <= 0) this.secondary.splice(i, 1);
    return s;
  }
}

/** The `x-ratelimit-*` headers for a bucket. */
export function rateHeaders(b: RateBucket): Record<string, string> {
  return {
    "x-ratelimit-limit": String(b.limit),
    "x-ratelimit-remaining": String(Math.max(0, b.limit - b.used)),
    "x-ratelimit-used": String(b.used),
    "x-ratelimit-reset": String(Math.ceil(b.resetAt / 1000)),
    "x-ratelimit-resource": "core",
  };
}
