import { describe, expect, it } from "vitest";
import type { BackoffPolicy } from "../../src/store/backend.js";
import { backoffDelay, baseDelay } from "../../src/tasks/backoff.js";

const policy = (type: BackoffPolicy["type"], extra: Partial<BackoffPolicy> = {}): BackoffPolicy => ({
  type, delay: 100, maxDelay: 1_000_000, jitter: "none", ...extra,
});
const seq = (p: BackoffPolicy, n: number) => Array.from({ length: n }, (_, i) => baseDelay(p, i + 1));

describe("baseDelay", () => {
  it.each([
    ["exponential", [100, 200, 400, 800, 1600, 3200]],
    ["linear", [100, 200, 300, 400, 500, 600]],
    ["fixed", [100, 100, 100, 100, 100, 100]],
    ["fibonacci", [100, 100, 200, 300, 500, 800]],
  ] as const)("%s gives the documented sequence", (type, expected) => {
    expect(seq(policy(type), 6)).toEqual(expected);
  });

  it("treats retry numbers below 1 as the first retry", () => {
    for (const type of ["exponential", "linear", "fixed", "fibonacci"] as const) {
      expect(baseDelay(policy(type), 0)).toBe(100);
      expect(baseDelay(policy(type), -3)).toBe(100);
    }
  });

  it("caps every strategy at maxDelay, even for huge retry numbers", () => {
    expect(seq(policy("exponential", { maxDelay: 500 }), 6)).toEqual([100, 200, 400, 500, 500, 500]);
    expect(seq(policy("linear", { maxDelay: 250 }), 4)).toEqual([100, 200, 250, 250]);
    expect(seq(policy("fibonacci", { maxDelay: 250 }), 5)).toEqual([100, 100, 200, 250, 250]);
    expect(baseDelay(policy("fixed", { maxDelay: 40 }), 1)).toBe(40);
    for (const type of ["exponential", "linear", "fibonacci"] as const) {
      expect(baseDelay(policy(type, { maxDelay: 3_600_000 }), 100_000)).toBe(3_600_000);
    }
  });

  it("a zero delay stays zero", () => {
    expect(seq(policy("exponential", { delay: 0 }), 3)).toEqual([0, 0, 0]);
  });
});

describe("backoffDelay", () => {
  it("without jitter is exactly the base delay and never asks for randomness", () => {
    const random = () => {
      throw new Error("random must not be called");
    };
    expect(backoffDelay(policy("exponential"), 3, random)).toBe(400);
  });

  it("full jitter stays within [0, base]: the lowest and highest random values hit the bounds", () => {
    const p = policy("exponential", { jitter: "full" });
    for (let retry = 1; retry <= 8; retry++) {
      const base = baseDelay(p, retry);
      expect(backoffDelay(p, retry, () => 0)).toBe(0);
      expect(backoffDelay(p, retry, () => 0.9999999999)).toBe(base);
      expect(backoffDelay(p, retry, () => 0.5)).toBe(Math.floor(0.5 * (base + 1)));
    }
  });

  it("full jitter with the real random source never leaves [0, base] and is a whole number", () => {
    const p = policy("linear", { jitter: "full", delay: 7 });
    for (let i = 0; i < 2000; i++) {
      const retry = 1 + (i % 10);
      const d = backoffDelay(p, retry);
      expect(Number.isInteger(d)).toBe(true);
      expect(d).toBeGreaterThanOrEqual(0);
      expect(d).toBeLessThanOrEqual(baseDelay(p, retry));
    }
  });

  it("full jitter respects the cap", () => {
    const p = policy("exponential", { jitter: "full", maxDelay: 300 });
    expect(backoffDelay(p, 10, () => 0.9999999999)).toBe(300);
  });
});
