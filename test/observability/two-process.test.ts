/**
 * The issue's proof with real processes on the real Redis (BullMQ): an ingress process stores a
 * delivery, a worker process runs its task, whose handler reads an issue from the fake GitHub.
 * The delivery id is on every line the worker logs for the task, and one trace holds
 * ingress span (ingress process) → task attempt span → GitHub request span (worker process).
 */
import { randomUUID } from "node:crypto";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { postDelivery, signedDelivery, type SpanLine } from "../../src/testing/index.js";
import { fileLines, fixture, killServers, SECRET, startServer } from "../fixtures/server.js";
import { cleanupGitHub, fakeWithRepo, issuePayload } from "../github/support.js";
import { dropRedisKeys, REDIS_URL } from "../support/redis.js";
import { removeTempDirs, tempDir } from "../support/store.js";

const prefix = `hytrace${randomUUID().slice(0, 8)}`;
afterEach(async () => {
  await killServers();
  await cleanupGitHub();
  removeTempDirs();
});
afterAll(() => dropRedisKeys(`${prefix}*`));

/** The spans in `file` once `ready` holds for them (bounded: the spans of a process are written as they end). */
async function spansWhen(file: string, ready: (spans: SpanLine[]) => boolean): Promise<SpanLine[]> {
  const until = Date.now() + 20_000;
  for (;;) {
    const spans = fileLines(file).map((l) => JSON.parse(l) as SpanLine);
    if (ready(spans)) return spans;
    if (Date.now() > until) throw new Error(`spans in ${file} never complete: ${JSON.stringify(spans)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("one delivery across an ingress and a worker process", () => {
  it("carries its correlation id on every worker line of its task, and one trace: ingress → attempt → GitHub request", { timeout: 90_000 }, async () => {
    const { fake, installation } = await fakeWithRepo();
    const dir = tempDir();
    const env = (role: string) => ({
      HOOKYARD_ROLE: role, HOOKYARD_STORE: `${REDIS_URL}?prefix=${prefix}`, LOG_LEVEL: "debug",
      APP_ID: String(fake.appId), PRIVATE_KEY: fake.privateKey, HOOKYARD_GITHUB_API_URL: fake.url,
      NODE_OPTIONS: `--import ${fixture("tracing-preload.mjs")}`, SPANS_FILE: join(dir, `${role}.spans`),
    });
    const app = fixture("lookup-app.mjs");
    const [ingress, worker] = await Promise.all([startServer(app, dir, env("ingress")), startServer(app, dir, env("worker"))]);

    const d = signedDelivery("issues", issuePayload(installation.id), { secret: SECRET });
    expect((await postDelivery(`${ingress.base}/api/github/webhooks`, d)).status).toBe(202);
    await worker.waitForLine(new RegExp(`"delivery":"${d.id}".*"msg":"task completed"`), 30_000);

    // logs: every worker line bound to the task carries the delivery id; the GitHub request is one of them
    const json = worker.lines.filter((l) => l.startsWith("{")).map((l) => JSON.parse(l) as Record<string, any>);
    const taskLines = json.filter((l) => l.task !== undefined);
    expect(taskLines.map((l) => l.msg)).toEqual(expect.arrayContaining([
      "GitHub GET /repos/{owner}/{repo}/issues/{issue_number} 200", "looked up", "task completed",
    ]));
    for (const l of taskLines) expect(l.delivery, JSON.stringify(l)).toBe(d.id);
    expect(taskLines.find((l) => l.github)?.github).toMatchObject({ method: "GET", status: 200, rateLimitRemaining: expect.any(Number) });
    expect(ingress.lines.some((l) => l.includes('"msg":"task completed"'))).toBe(false); // the ingress ran nothing

    // spans: written by each process to its own file
    const [ingressSpan] = (await spansWhen(env("ingress").SPANS_FILE, (s) => s.some((x) => x.name === "webhook issues"))).filter((s) => s.name === "webhook issues");
    const workerSpans = await spansWhen(env("worker").SPANS_FILE, (s) => s.some((x) => x.name === "look-up"));
    const attempt = workerSpans.find((s) => s.name === "look-up")!;
    const request = workerSpans.find((s) => s.name === "GET /repos/{owner}/{repo}/issues/{issue_number}")!;
    expect(ingressSpan!.attributes).toMatchObject({ "github.delivery": d.id, "github.event": "issues", "github.action": "opened", "hookyard.outcome": "accepted" });
    expect(ingressSpan!.pid).toBe(ingress.child.pid);
    expect(attempt.pid).toBe(worker.child.pid);
    expect(attempt.attributes).toMatchObject({ "github.delivery": d.id, "hookyard.outcome": "completed" });
    expect([attempt.traceId, attempt.parentSpanId]).toEqual([ingressSpan!.traceId, ingressSpan!.spanId]);
    expect([request.traceId, request.parentSpanId]).toEqual([ingressSpan!.traceId, attempt.spanId]);
    expect(request.attributes["http.response.status_code"]).toBe(200);
  });
});
