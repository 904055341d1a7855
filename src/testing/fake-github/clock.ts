/**
 * The fake's clock. Everything the fake decides by time (token expiry, JWT checks, rate-limit
 * windows, `Date` headers, timestamps in bodies) reads {@link FakeClock.now}, never `Date.now()`.
 */
export interface FakeClock {
  /** The fake GitHub's time in ms: the base clock, plus every `advance`, plus the skew. */
  now(): number;
  /** Moves the fake's time forward (or back, with a negative value). */
  advance(ms: number): void;
  /** How far the fake runs from the caller's clock (positive: GitHub is ahead). */
  readonly skewMs: number;
  /** Changes the skew, e.g. to test a client's clock-skew correction mid-test. */
  setSkew(ms: number): void;
}

/** A clock over `base` (default `Date.now`), moved by `advance` and offset by `skewMs`. */
export function createClock(base: () => number = Date.now, skewMs = 0): FakeClock {
  let offset = 0;
  let skew = skewMs;
  return {
    now: () => base() + offset + skew,
    advance(ms: number) {
      offset += ms;
    },
    get skewMs() {
      return skew;
    },
    setSkew(ms: number) {
      skew = ms;
    },
  };
}

/** `2024-05-01T12:00:00Z`: GitHub's timestamps have no milliseconds. */
export function isoSeconds(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(".000Z", "Z");
}
