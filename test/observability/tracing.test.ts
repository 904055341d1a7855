/**
 * Traces and GitHub request lines in one process: the ingress span of a delivery, the span of its
 * task's attempt (child of it, through the trace context stored with the delivery), and a client
 * span plus one log line per GitHub request the handler makes (child of the attempt).
 */
import { context, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import type { ReadableSpan } from "@opentelemetry/sdk-trace-node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { Git } from "../../src/agent/git/git.js";
import { runAgent } from "../../src/agent/process/agent.js";
import { TRACEPARENT_HEADER, tracer, tracingOn } from "../../src/observability/tracing.js";
import { installTestTracing, signedDelivery, type TestTracing } from "../../src/testing/index.js";
import { nextOutcome, post, startApp, stopApps } from "../support/app.js";
import { cleanupGitHub, fakeWithRepo, issuePayload } from "../github/support.js";
import { removeTempDirs, tempDir } from "../support/store.js";
import { captureLog } from "./support.js";

let tracing: TestTracing;
beforeAll(async () => {
  tracing = await installTestTracing();
});
afterEach(async () => {
  await stopApps();
  await cleanupGitHub();
  removeTempDirs();
});
afterAll(() => tracing.shutdown());

const ISSUE_ROUTE = "/repos/{owner}/{repo}/issues/{issue_number}";

describe("traces and GitHub request lines", () => {
  it("ingress span → task attempt span → GitHub request spans, one trace; one log line per request with the delivery id", async () => {
    expect(tracingOn()).toBe(true);
    const { fake, installation } = await fakeWithRepo();
    const { log, lines, raw } = captureLog("debug");
    const { app, url, secret } = await startApp((app) => {
      app.on("issues.opened", async (ctx) => {
        await ctx.octokit.rest.issues.get(ctx.issue());
        await ctx.octokit.rest.issues.get({ ...ctx.issue(), issue_number: 999 }).catch(() => undefined); // 404
      }, { name: "look-up", retries: 0 });
    }, { logger: log, appId: fake.appId, privateKey: fake.privateKey, githubApiUrl: fake.url, github: { throttle: false, now: () => fake.clock.now() } });
    tracing.exporter.reset();
    const d = signedDelivery("issues", issuePayload(installation.id), { secret });
    const done = nextOutcome(app, (t) => t.deliveryId === d.id);
    expect((await post(url, d)).status).toBe(202);
    expect((await done).kind).toBe("complete");

    // log lines: one per request of the handler, at debug for 200 and warn for 404, with the delivery id and no token
    const gh = lines().filter((l) => l.github?.route === ISSUE_ROUTE);
    expect(gh.map((l) => [l.level, l.github.method, l.github.status, l.delivery, l.handler])).toEqual([
      [20, "GET", 200, d.id, "look-up"],
      [40, "GET", 404, d.id, "look-up"],
    ]);
    for (const l of gh) {
      expect(l.msg).toBe(`GitHub GET ${ISSUE_ROUTE} ${l.github.status}`);
      expect(l.github.durationMs).toBeGreaterThanOrEqual(0);
      expect(l.github.rateLimitRemaining).toEqual(expect.any(Number));
    }
    const tokens = fake.tokensIssued.map((t) => t.token);
    expect(tokens.length).toBeGreaterThan(0);
    for (const token of tokens) expect(raw.join("")).not.toContain(token);
    expect(raw.join("")).not.toMatch(/ghs_|authorization/i);

    // spans: same trace, parent links as described
    const spans = tracing.spans();
    const byName = (name: string) => spans.filter((s) => s.name === name);
    const [ingress] = byName("webhook issues");
    const [attempt] = byName("look-up");
    const requests = byName(`GET ${ISSUE_ROUTE}`);
    expect(ingress && attempt && requests.length === 2, spans.map((s) => s.name).join(", ")).toBe(true);
    expect(ingress!.kind).toBe(SpanKind.SERVER);
    expect(ingress!.attributes).toMatchObject({ "github.event": "issues", "github.action": "opened", "github.delivery": d.id, "hookyard.outcome": "accepted", "http.response.status_code": 202 });
    const traceId = ingress!.spanContext().traceId;
    const parentOf = (s: ReadableSpan) => s.parentSpanContext?.spanId;
    expect(attempt!.spanContext().traceId).toBe(traceId);
    expect(parentOf(attempt!)).toBe(ingress!.spanContext().spanId);
    expect(attempt!.attributes).toMatchObject({ "hookyard.task.name": "look-up", "hookyard.task.attempt": 1, "github.delivery": d.id, "hookyard.outcome": "completed" });
    for (const r of requests) {
      expect(r.spanContext().traceId).toBe(traceId);
      expect(parentOf(r)).toBe(attempt!.spanContext().spanId);
      expect(r.kind).toBe(SpanKind.CLIENT);
    }
    expect(requests.map((r) => [r.attributes["http.response.status_code"], r.status.code])).toEqual([[200, SpanStatusCode.UNSET], [404, SpanStatusCode.ERROR]]);
    // the installation token was fetched inside the attempt: its request span is in the trace too
    const token = byName("POST /app/installations/{installation_id}/access_tokens");
    expect(token.map((s) => [s.spanContext().traceId, parentOf(s)])).toEqual([[traceId, attempt!.spanContext().spanId]]);

    // the trace context is stored with the delivery: a later attempt in any process finds it there
    const stored = await app.store.getDelivery(d.id);
    expect(stored?.headers[TRACEPARENT_HEADER]).toBe(`00-${traceId}-${ingress!.spanContext().spanId}-01`);
  });

  it("a rejected delivery's ingress span carries the rejection's code, and continues the sender's traceparent", async () => {
    const { url } = await startApp();
    tracing.exporter.reset();
    const signed = signedDelivery("issues", issuePayload(null), { secret: "not-the-secret" });
    const sender = { traceId: "0af7651916cd43dd8448eb211c80319c", spanId: "b7ad6b7169203331" };
    const d = { ...signed, headers: { ...signed.headers, traceparent: `00-${sender.traceId}-${sender.spanId}-01` } };
    expect((await post(url, d)).status).toBe(401);
    const [span] = tracing.spans().filter((s) => s.name === "webhook");
    expect(span?.attributes).toMatchObject({ "hookyard.outcome": "HOOKYARD_ERR_INGRESS_SIGNATURE_INVALID", "http.response.status_code": 401 });
    expect(span?.status.code).toBe(SpanStatusCode.ERROR);
    expect([span?.spanContext().traceId, span?.parentSpanContext?.spanId]).toEqual([sender.traceId, sender.spanId]);
  });

  it("git commands and the agent process are child spans of the active span, and log lines with the task's logger", async () => {
    const { log, lines } = captureLog("debug");
    const dir = tempDir();
    const git = new Git({ git: "git", origin: "http://127.0.0.1:1", dir, home: dir, identity: { name: "bot", email: "bot@example.com" }, log: log.child({ delivery: "d-1" }) });
    tracing.exporter.reset();
    const parent = tracer().startSpan("attempt");
    await context.with(trace.setSpan(context.active(), parent), async () => {
      await git.run(["init", "--quiet", "--", dir], { cwd: dir });
      await expect(git.run(["rev-parse", "--verify", "nothing-here"])).rejects.toMatchObject({ code: "HOOKYARD_ERR_AGENT_GIT_FAILED" });
      const exit = await runAgent({ argv: [process.execPath, "-e", "console.log('agent says hi')"], cwd: dir, env: {}, timeoutMs: 30_000, signal: new AbortController().signal, log: log.child({ delivery: "d-1" }) });
      expect(exit.code).toBe(0);
    });
    parent.end();
    const spans = tracing.spans().filter((s) => s.name !== "attempt");
    expect(spans.map((s) => [s.name, s.parentSpanContext?.spanId, s.attributes["process.exit.code"]])).toEqual([
      ["git init", parent.spanContext().spanId, 0],
      ["git rev-parse", parent.spanContext().spanId, 128],
      ["agent", parent.spanContext().spanId, 0],
    ]);
    const mine = lines().filter((l) => l.git !== undefined || l.agent !== undefined || l.msg === "agent exited");
    expect(mine.map((l) => [l.level, l.msg, l.delivery])).toEqual([
      [20, "git init", "d-1"], [40, "git rev-parse failed", "d-1"], [30, "agent says hi", "d-1"], [30, "agent exited", "d-1"],
    ]);
  });
});
