import { afterAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/index.js";
import { RateLimiter } from "../../src/ingress/limits-rate.js";
import { sourceAllowList } from "../../src/ingress/limits-sources.js";
import { example, startApp, stopApps } from "../support/app.js";
import { captureLog, scrape, valueOf } from "../observability/support.js";

afterAll(stopApps);

const postRaw = async (url: string, secret: string) => {
  const d = example("ping", { secret });
  const res = await fetch(url, { method: "POST", headers: d.headers, body: d.body });
  return { status: res.status, retryAfter: res.headers.get("retry-after"), body: (await res.json()) as { error?: { code: string } } };
};

describe("ingress limits (both off by default)", () => {
  it("HOOKYARD_RATE_LIMIT: past a source's bucket, 429 with Retry-After, counted and logged as a rejection (source inside HOOKYARD_ALLOWED_CIDRS)", async () => {
    const { log, lines } = captureLog("info");
    const { url, base, secret } = await startApp(undefined, { rateLimit: "2/1m", allowedCidrs: "192.0.2.0/24, 127.0.0.0/8", logger: log });
    expect((await postRaw(url, secret)).status).toBe(202);
    expect((await postRaw(url, secret)).status).toBe(202);
    const refused = await postRaw(url, secret);
    expect(refused).toMatchObject({ status: 429, retryAfter: "30", body: { error: { code: "HOOKYARD_ERR_INGRESS_RATE_LIMITED" } } });
    const samples = await scrape(base);
    expect(valueOf(samples, "hookyard_deliveries_total", { event: "", action: "", outcome: "HOOKYARD_ERR_INGRESS_RATE_LIMITED" })).toBe(1);
    expect(valueOf(samples, "hookyard_deliveries_total", { event: "ping", action: "", outcome: "ignored" })).toBe(2);
    expect(lines().filter((l) => l.msg === "webhook delivery rejected")).toMatchObject([{ code: "HOOKYARD_ERR_INGRESS_RATE_LIMITED", status: 429, source: "127.0.0.1" }]);
    // other routes are not limited
    expect((await fetch(`${base}/health`)).status).toBe(200);
  });

  it("HOOKYARD_ALLOWED_CIDRS: a source outside every network gets 403 before its body is read", async () => {
    // a body over HOOKYARD_MAX_BODY would get 413 if it were read first
    const outside = await startApp(undefined, { allowedCidrs: "192.0.2.0/24,2001:db8::/32", maxBody: 16 });
    expect(await postRaw(outside.url, outside.secret)).toMatchObject({ status: 403, body: { error: { code: "HOOKYARD_ERR_INGRESS_SOURCE_FORBIDDEN" } } });
    expect(valueOf(await scrape(outside.base), "hookyard_deliveries_total", { event: "", action: "", outcome: "HOOKYARD_ERR_INGRESS_SOURCE_FORBIDDEN" })).toBe(1);
  });

  it("the allow-list matches v4, v6 and v4-mapped v6 addresses; invalid CIDRs stop the start", () => {
    const allow = sourceAllowList(["140.82.112.0/20", "2a0a:a440::/29", "10.1.2.3"])!;
    expect(["140.82.112.1", "140.82.127.254", "::ffff:140.82.115.9", "2a0a:a440::1", "10.1.2.3"].map(allow)).toEqual([true, true, true, true, true]);
    expect(["140.82.128.1", "::ffff:140.83.0.1", "2a0b::1", "10.1.2.4", "127.0.0.1"].map(allow)).toEqual([false, false, false, false, false]);
    expect(sourceAllowList([])).toBeUndefined();
    for (const bad of ["10.0.0.0/33", "nope", "::1/129", "1.2.3.4/8/1"]) {
      expect(() => loadConfig({ allowedCidrs: bad }, {})).toThrow(/HOOKYARD_ALLOWED_CIDRS/);
    }
    expect(() => loadConfig({ rateLimit: "fast" }, {})).toThrow(/HOOKYARD_RATE_LIMIT/);
  });

  it("the token bucket refills over time, per source, and says how long to wait", () => {
    let now = 0;
    const limiter = new RateLimiter({ tokens: 3, perMs: 3_000 }, () => now);
    expect([1, 2, 3, 4].map(() => limiter.take("a").ok)).toEqual([true, true, true, false]);
    expect(limiter.take("a")).toEqual({ ok: false, retryAfterS: 1 });
    expect(limiter.take("b").ok).toBe(true); // another source has its own bucket
    now += 1_000; // one token back
    expect([limiter.take("a").ok, limiter.take("a").ok]).toEqual([true, false]);
  });
});
