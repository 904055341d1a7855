import { createServer } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { RejectionLog } from "../../src/observability/rejections.js";
import { RetryLaterError } from "../../src/steering/steer.js";
import { api, example, nextOutcome, post, startApp, stopApps } from "../support/app.js";
import { captureLog, parseMetrics } from "./support.js";

afterEach(stopApps);

describe("request ids", () => {
  it("a caller's x-request-id is echoed and on the API's log line; without one a new id is", async () => {
    const { log, lines } = captureLog("info");
    const { base } = await startApp(undefined, { logger: log });
    const given = await fetch(`${base}/api/v1/tasks`, { headers: { "x-request-id": "req-abc-123" } });
    expect(given.status).toBe(200);
    expect(given.headers.get("x-request-id")).toBe("req-abc-123");
    const fresh = await fetch(`${base}/api/v1/deliveries`);
    const generated = fresh.headers.get("x-request-id");
    expect(generated).toMatch(/^[0-9a-f-]{36}$/);
    const apiLines = lines().filter((l) => l.msg === "api request");
    expect(apiLines.map((l) => [l.requestId, l.route, l.status])).toEqual([
      ["req-abc-123", "/api/v1/tasks", 200],
      [generated, "/api/v1/deliveries", 200],
    ]);
  });
});

describe("correlation id", () => {
  it("every line logged while a delivery is handled carries its X-GitHub-Delivery", async () => {
    const { log, lines } = captureLog("trace");
    const { app, url, secret } = await startApp((app) => {
      app.on("issues.labeled", async (ctx) => {
        ctx.log.info({ step: 1 }, "handler says hello");
        ctx.log.debug("handler detail");
        if (ctx.attempt === 1) throw new RetryLaterError(1, "once more");
      }, { name: "chatty", retries: 2 });
    }, { logger: log });
    const from = lines().length;
    const d = example("issues.labeled", { secret });
    const done = nextOutcome(app, (t) => t.attempt === 2);
    expect((await post(url, d)).status).toBe(202);
    expect((await done).kind).toBe("complete");
    const during = lines().slice(from);
    expect(during.length).toBeGreaterThanOrEqual(6);
    for (const line of during) expect(line.delivery ?? line.requestId, JSON.stringify(line)).toBe(d.id);
    expect(during.find((l) => l.msg === "delivery accepted")).toMatchObject({ level: 30, event: "issues", action: "labeled", tasks: 1 });
    expect(during.filter((l) => l.msg === "handler says hello").map((l) => l.attempt)).toEqual([1, 2]);
    const completed = during.filter((l) => l.msg === "task completed");
    expect(completed).toHaveLength(1);
    expect(completed[0]).toMatchObject({ level: 30, handler: "chatty", attempt: 2, task: expect.any(String), durationMs: expect.any(Number) });
  });
});

describe("rejected deliveries", () => {
  it("log one warn line each with the code and source address", async () => {
    const { log, lines } = captureLog("info");
    const { url } = await startApp(undefined, { logger: log });
    const d = example("issues.labeled", { secret: "not-the-secret" });
    expect((await post(url, d)).status).toBe(401);
    const warns = lines().filter((l) => l.msg === "webhook delivery rejected");
    expect(warns).toEqual([expect.objectContaining({ level: 40, code: "HOOKYARD_ERR_INGRESS_SIGNATURE_INVALID", status: 401, source: "127.0.0.1", delivery: d.id })]);
  });

  it("are rate-limited: past the limit per window they are counted and summed up in one line", () => {
    const { log, lines } = captureLog("info");
    let now = 1_000;
    let suppressedCount = 0;
    const rejections = new RejectionLog(log, { limit: 3, windowMs: 1_000, now: () => now, onSuppressed: () => suppressedCount++ });
    for (let i = 0; i < 10; i++) rejections.note({ code: "HOOKYARD_ERR_INGRESS_SIGNATURE_INVALID", status: 401, source: "203.0.113.9" });
    expect(lines().map((l) => l.msg)).toEqual(Array(3).fill("webhook delivery rejected"));
    expect(suppressedCount).toBe(7);
    now += 1_000; // the next window: the summary, then the new line
    rejections.note({ code: "HOOKYARD_ERR_INGRESS_SIGNATURE_MISSING", status: 401, source: "203.0.113.9" });
    expect(lines().slice(3)).toEqual([
      expect.objectContaining({ level: 40, suppressed: 7, msg: "more webhook deliveries rejected; their warnings were suppressed" }),
      expect.objectContaining({ level: 40, code: "HOOKYARD_ERR_INGRESS_SIGNATURE_MISSING", source: "203.0.113.9" }),
    ]);
    for (let i = 0; i < 5; i++) rejections.note({ code: "HOOKYARD_ERR_INGRESS_SIGNATURE_MISSING", status: 401 });
    rejections.flush(); // on close (or at the window's end) the rest is summed up
    expect(lines().slice(5).map((l) => [l.msg, l.suppressed])).toEqual([
      ["webhook delivery rejected", undefined], ["webhook delivery rejected", undefined],
      ["more webhook deliveries rejected; their warnings were suppressed", 3],
    ]);
  });
});

/** A port nothing listens on now. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe("HOOKYARD_METRICS_PORT", () => {
  it("serves /metrics there without auth, and not on the main port", async () => {
    const port = await freePort();
    const { base } = await startApp(undefined, { apiToken: "t".repeat(32), metricsPort: port });
    expect((await api(base, "/metrics", { headers: { authorization: `Bearer ${"t".repeat(32)}` } })).status).toBe(404);
    const res = await fetch(`http://127.0.0.1:${port}/metrics`);
    expect(res.status).toBe(200);
    expect(parseMetrics(await res.text()).some((s) => s.name === "hookyard_deliveries_total" || s.name === "hookyard_queue_tasks")).toBe(true);
  });
});
