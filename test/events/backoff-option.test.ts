import { describe, expect, it } from "vitest";
import { Hookyard } from "../../src/app/index.js";
import { DEFAULT_BACKOFF, resolveBackoff } from "../../src/events/backoff-option.js";

describe("resolveBackoff", () => {
  it("defaults to exponential, 1 s base, 1 h cap, full jitter", () => {
    expect(resolveBackoff(undefined)).toEqual({ type: "exponential", delay: 1000, maxDelay: 3_600_000, jitter: "full" });
    expect(DEFAULT_BACKOFF).toEqual(resolveBackoff(undefined));
  });

  it("accepts a strategy name or a partial policy, filling in the defaults", () => {
    expect(resolveBackoff("linear")).toEqual({ type: "linear", delay: 1000, maxDelay: 3_600_000, jitter: "full" });
    expect(resolveBackoff({ type: "fibonacci", delay: 5, jitter: "none" })).toEqual({ type: "fibonacci", delay: 5, maxDelay: 3_600_000, jitter: "none" });
    expect(resolveBackoff({ type: "fixed", maxDelay: 0 })).toEqual({ type: "fixed", delay: 1000, maxDelay: 0, jitter: "full" });
  });

  it("returns a copy: changing the result does not change the defaults", () => {
    const p = resolveBackoff(undefined);
    p.delay = 1;
    expect(DEFAULT_BACKOFF.delay).toBe(1000);
  });

  it.each([
    ["an unknown strategy name", "quadratic"],
    ["an unknown type in a policy", { type: "random" }],
    ["a negative delay", { type: "fixed", delay: -1 }],
    ["a NaN delay", { type: "fixed", delay: Number.NaN }],
    ["a negative maxDelay", { type: "linear", maxDelay: -5 }],
    ["an unknown jitter", { type: "exponential", jitter: "half" }],
  ])("rejects %s with HOOKYARD_ERR_HANDLER_OPTIONS_INVALID", (_what, option) => {
    expect(() => resolveBackoff(option as never)).toThrow(expect.objectContaining({ code: "HOOKYARD_ERR_HANDLER_OPTIONS_INVALID" }));
  });

  it("app.on() rejects an invalid backoff at registration", () => {
    const app = new Hookyard({ store: "memory:", logLevel: "silent", env: {} });
    expect(() => app.on("issues", async () => undefined, { backoff: { type: "linear", delay: -10 } })).toThrow(
      expect.objectContaining({ code: "HOOKYARD_ERR_HANDLER_OPTIONS_INVALID" }),
    );
    expect(() => app.on("issues", async () => undefined, { backoff: "sometimes" as never })).toThrow(
      expect.objectContaining({ code: "HOOKYARD_ERR_HANDLER_OPTIONS_INVALID" }),
    );
  });
});
