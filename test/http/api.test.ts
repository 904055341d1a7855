import type { FastifyRequest } from "fastify";
import { afterEach, describe, expect, it } from "vitest";
import { authorized } from "../../src/http/api/index.js";
import { RetryLaterError, UnrecoverableError } from "../../src/steering/steer.js";
import { api, example, nextOutcome, post, startApp, stopApps, until, type StartedApp } from "../support/app.js";

afterEach(stopApps);

const TOKEN = "test-api-token-0123456789";

function expectError(res: { status: number; body: any }, status: number, code: string): void {
  expect(res.status).toBe(status);
  expect(res.body).toEqual({ error: { code, message: expect.any(String) } });
}

/** POSTs a signed real example and waits until its tasks (if any) have all completed. */
async function deliver(s: StartedApp, name: string, tasks = 1) {
  const d = example(name, { secret: s.secret });
  const done: string[] = [];
  const off = s.app.events.on("task:complete", ({ task }) => task.deliveryId === d.id && done.push(task.id));
  const res = await post(s.url, d);
  expect(res.status).toBe(202);
  await until(s.app, () => done.length === tasks);
  off();
  return d;
}

describe("management API auth", () => {
  it("with a token: no header or a wrong token is 401, the right token is 200", async () => {
    const { base } = await startApp(undefined, { apiToken: TOKEN });
    expectError(await api(base, "/api/v1/tasks"), 401, "HOOKYARD_ERR_API_UNAUTHORIZED");
    expectError(await api(base, "/api/v1/tasks", { headers: { authorization: `Bearer ${TOKEN}x` } }), 401, "HOOKYARD_ERR_API_UNAUTHORIZED");
    expectError(await api(base, "/api/v1/deliveries", { headers: { authorization: TOKEN } }), 401, "HOOKYARD_ERR_API_UNAUTHORIZED");
    const ok = await api(base, "/api/v1/tasks", { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(ok).toEqual({ status: 200, body: { items: [], nextCursor: null } });
    // health stays open
    expect((await api(base, "/health")).status).toBe(200);
  });

  it("without a token: loopback callers are answered, others are not", async () => {
    const { base } = await startApp();
    expect((await api(base, "/api/v1/deliveries")).status).toBe(200);
    const fake = (remoteAddress: string, authorization?: string) =>
      ({ socket: { remoteAddress }, headers: authorization ? { authorization } : {} }) as unknown as FastifyRequest;
    expect(authorized(fake("10.1.2.3"), undefined)).toBe(false);
    expect(authorized(fake("192.168.0.127"), undefined)).toBe(false);
    expect(authorized(fake("127.0.0.1"), undefined)).toBe(true);
    expect(authorized(fake("::1"), undefined)).toBe(true);
    expect(authorized(fake("::ffff:127.0.0.1"), undefined)).toBe(true);
    // with a token, loopback alone is not enough
    expect(authorized(fake("127.0.0.1"), TOKEN)).toBe(false);
    expect(authorized(fake("10.1.2.3", `Bearer ${TOKEN}`), TOKEN)).toBe(true);
  });
});

describe("deliveries", () => {
  it("lists with filters and walks every page by cursor without duplicates or gaps", async () => {
    const s = await startApp((app) => app.on("issues", async () => undefined));
    const names = ["issues.opened", "issues.labeled", "issues.transferred", "pull_request.opened", "star.created", "issues.edited"];
    const sent: Record<string, string> = {};
    for (const n of names) sent[n] = (await deliver(s, n, n.startsWith("issues") ? 1 : 0)).id;
    const list = async (q: string) => (await api(s.base, `/api/v1/deliveries?${q}`)).body.items.map((d: { id: string }) => d.id);

    expect(await list("event=issues")).toEqual([sent["issues.edited"], sent["issues.transferred"], sent["issues.labeled"], sent["issues.opened"]]);
    expect(await list("event=issues&action=labeled")).toEqual([sent["issues.labeled"]]);
    expect(await list("repository=octo-org%2Focto-repo")).toEqual([sent["issues.transferred"]]);
    expect(await list("status=ignored")).toEqual([sent["star.created"], sent["pull_request.opened"]]);
    expect(await list("status=accepted&event=pull_request")).toEqual([]);

    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await api(s.base, `/api/v1/deliveries?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
      expect(res.status).toBe(200);
      expect(res.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...res.body.items.map((d: { id: string }) => d.id));
      cursor = res.body.nextCursor;
      pages++;
    } while (cursor !== null && pages < 10);
    expect(pages).toBe(3);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual(Object.values(sent).reverse());
  });

  it("shows one delivery with headers, payload and tasks; unknown ids are 404", async () => {
    const s = await startApp((app) => app.on("issues.labeled", async () => undefined, { name: "triage" }));
    const d = await deliver(s, "issues.labeled");
    const res = await api(s.base, `/api/v1/deliveries/${d.id}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      id: d.id, event: "issues", action: "labeled", repository: "Codertocat/Hello-World", status: "accepted",
      contentType: "application/json", size: Buffer.byteLength(d.body), payload: d.payload,
      tasks: [{ name: "triage", deliveryId: d.id, state: "completed", attempts: 1 }],
    });
    expect(res.body.headers).toMatchObject({ "x-github-event": "issues", "x-github-delivery": d.id, "x-hub-signature-256": "[redacted]" });
    expect(new Date(res.body.receivedAt).toISOString()).toBe(res.body.receivedAt);
    expectError(await api(s.base, "/api/v1/deliveries/no-such-delivery"), 404, "HOOKYARD_ERR_STORE_NOT_FOUND");
    expectError(await api(s.base, "/api/v1/deliveries/no-such-delivery/replay", { method: "POST" }), 404, "HOOKYARD_ERR_STORE_NOT_FOUND");
    expectError(await api(s.base, "/api/v1/tasks/no-such-task"), 404, "HOOKYARD_ERR_STORE_NOT_FOUND");
    expectError(await api(s.base, "/api/v1/nothing-here"), 404, "HOOKYARD_ERR_API_NOT_FOUND");
  });

  it("replay creates new tasks that run with the stored payload", async () => {
    const payloads: unknown[] = [];
    const s = await startApp((app) => app.on("issues.labeled", async (ctx) => void payloads.push(ctx.payload)));
    const d = await deliver(s, "issues.labeled");
    const res = await api(s.base, `/api/v1/deliveries/${d.id}/replay`, { method: "POST" });
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ delivery: d.id, tasks: [expect.any(String)] });
    const replayed = res.body.tasks[0] as string;
    await until(s.app, async () => (await s.app.store.getTask(replayed))?.state === "completed");
    expect(payloads).toEqual([d.payload, d.payload]);
    const detail = await api(s.base, `/api/v1/deliveries/${d.id}`);
    expect(detail.body.tasks.map((t: { state: string }) => t.state)).toEqual(["completed", "completed"]);
  });
});

describe("tasks", () => {
  it("lists with filters state, name, event and repository", async () => {
    const s = await startApp((app) => {
      app.on("issues", async () => undefined, { name: "ok" });
      app.on("issues.labeled", async () => {
        throw new UnrecoverableError("label is not wanted");
      }, { name: "bad" });
    });
    await deliver(s, "issues.opened");
    const transferred = await deliver(s, "issues.transferred");
    const failed = nextOutcome(s.app, (t) => t.name === "bad");
    await deliver(s, "issues.labeled");
    expect((await failed).kind).toBe("failed");
    const names = async (q: string) => (await api(s.base, `/api/v1/tasks?${q}`)).body.items.map((t: { name: string }) => t.name).sort();
    expect(await names("state=failed")).toEqual(["bad"]);
    expect(await names("state=completed")).toEqual(["ok", "ok", "ok"]);
    expect(await names("name=ok")).toEqual(["ok", "ok", "ok"]);
    expect(await names("event=issues")).toEqual(["bad", "ok", "ok", "ok"]);
    expect(await names("event=pull_request")).toEqual([]);
    const byRepo = await api(s.base, "/api/v1/tasks?repository=octo-org%2Focto-repo");
    expect(byRepo.body.items).toMatchObject([{ name: "ok", deliveryId: transferred.id, repository: "octo-org/octo-repo" }]);
    const list = (await api(s.base, "/api/v1/tasks?state=failed")).body.items[0];
    expect(list.lastError).toEqual({ message: "label is not wanted" }); // lists carry no stacks
  });

  it("shows a task's attempt log with each failed attempt's message and stack", async () => {
    let n = 0;
    const s = await startApp((app) => app.on("issues.labeled", async () => {
      n++;
      if (n === 1) throw new RetryLaterError(0, "first try: GitHub answered 502");
      throw new UnrecoverableError("second try: give up");
    }, { retries: 3 }));
    const d = example("issues.labeled", { secret: s.secret });
    const failed = nextOutcome(s.app, (t) => t.deliveryId === d.id && t.attempt === 2);
    await post(s.url, d);
    expect((await failed).kind).toBe("failed");
    const [task] = (await s.app.store.listTasks({ deliveryId: d.id })).items;
    const res = await api(s.base, `/api/v1/tasks/${task?.id}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: task?.id, state: "failed", attempts: 2, maxAttempts: 4, lastError: { message: "second try: give up" } });
    expect(res.body.attemptLog).toMatchObject([
      { attempt: 1, outcome: "retrying", error: { message: "first try: GitHub answered 502", stack: expect.stringContaining("RetryLaterError") } },
      { attempt: 2, outcome: "failed", error: { message: "second try: give up", stack: expect.stringContaining("UnrecoverableError") } },
    ]);
    expect(res.body.lastError.stack).toContain("second try: give up");
    for (const a of res.body.attemptLog) expect(Date.parse(a.endedAt)).toBeGreaterThanOrEqual(Date.parse(a.startedAt));
  });

  it("retry re-runs a failed task; retrying a completed task is 409", async () => {
    let fail = true;
    const s = await startApp((app) => app.on("issues.labeled", async () => {
      if (fail) throw new UnrecoverableError("broken config");
    }));
    const d = example("issues.labeled", { secret: s.secret });
    const failed = nextOutcome(s.app, (t) => t.deliveryId === d.id);
    await post(s.url, d);
    const { task } = await failed;
    expect((await api(s.base, `/api/v1/tasks/${task.id}`)).body.state).toBe("failed");
    fail = false;
    const completed = nextOutcome(s.app, (t) => t.id === task.id);
    const res = await api(s.base, `/api/v1/tasks/${task.id}/retry`, { method: "POST" });
    expect(res.status).toBe(200);
    expect(res.body.id).toBe(task.id);
    // "queued" with a fresh budget; with SQLite a worker may already have claimed it (see report)
    expect(["queued", "running"]).toContain(res.body.state);
    expect(res.body.attempts).toBe(res.body.state === "queued" ? 0 : 1);
    expect((await completed).kind).toBe("complete");
    const detail = (await api(s.base, `/api/v1/tasks/${task.id}`)).body;
    expect(detail).toMatchObject({ state: "completed", attempts: 1 });
    expect(detail.attemptLog.map((a: { outcome: string }) => a.outcome)).toEqual(["failed", "completed"]);
    expectError(await api(s.base, `/api/v1/tasks/${task.id}/retry`, { method: "POST" }), 409, "HOOKYARD_ERR_TASK_STATE_CONFLICT");
    expectError(await api(s.base, `/api/v1/tasks/${task.id}/cancel`, { method: "POST" }), 409, "HOOKYARD_ERR_TASK_STATE_CONFLICT");
  });

  it("cancels a task waiting to retry", async () => {
    let runs = 0;
    const s = await startApp((app) => app.on("issues.labeled", async () => {
      runs++;
      throw new RetryLaterError(3_600_000, "not yet");
    }));
    const d = example("issues.labeled", { secret: s.secret });
    const retry = nextOutcome(s.app, (t) => t.deliveryId === d.id);
    await post(s.url, d);
    const { kind, task } = await retry;
    expect(kind).toBe("retry");
    const before = (await api(s.base, `/api/v1/tasks/${task.id}`)).body;
    expect(before.state).toBe("retrying");
    expect(Date.parse(before.runAt)).toBeGreaterThan(Date.now() + 3_000_000);
    const res = await api(s.base, `/api/v1/tasks/${task.id}/cancel`, { method: "POST" });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: task.id, state: "cancelled" });
    expect((await api(s.base, "/api/v1/tasks?state=cancelled")).body.items.map((t: { id: string }) => t.id)).toEqual([task.id]);
    expectError(await api(s.base, `/api/v1/tasks/${task.id}/cancel`, { method: "POST" }), 409, "HOOKYARD_ERR_TASK_STATE_CONFLICT");
    expect(runs).toBe(1);
  });

  it("rejects bad queries with 400", async () => {
    const { base } = await startApp();
    for (const path of [
      "/api/v1/tasks?state=bogus", "/api/v1/tasks?limit=0", "/api/v1/tasks?limit=abc", "/api/v1/tasks?limit=501",
      "/api/v1/tasks?cursor=garbage", "/api/v1/deliveries?cursor=garbage", "/api/v1/deliveries?status=done",
      "/api/v1/deliveries?limit=-1", "/api/v1/deliveries?event=",
    ]) {
      const res = await api(base, path);
      expect(res.status, path).toBe(400);
      // the API checks its query; an opaque cursor is the store's to refuse
      const code = path.includes("cursor=") ? "HOOKYARD_ERR_STORE_QUERY_INVALID" : "HOOKYARD_ERR_API_BAD_REQUEST";
      expect(res.body, path).toEqual({ error: { code, message: expect.any(String) } });
    }
  });
});

describe("health", () => {
  it("answers /health and /ready, and /ready is 503 while draining", async () => {
    let release!: () => void;
    const blocked = new Promise<void>((r) => (release = r));
    const s = await startApp((app) => app.on("ping", async () => blocked));
    expect(await api(s.base, "/health")).toEqual({ status: 200, body: { status: "ok" } });
    const passing = { ok: true, required: true };
    const github = { ok: true, required: false, state: "closed" };
    const checks = { store: passing, workers: passing, draining: passing, github };
    const circuits = [{ name: "github:api.github.com", state: "closed" }];
    expect(await api(s.base, "/ready")).toEqual({ status: 200, body: { status: "ready", checks, store: `sqlite:${s.dbFile}`, circuits } });
    const started = s.app.events.once("task:start");
    await post(s.url, example("ping", { secret: s.secret }));
    await started;
    const stopping = s.app.stop();
    const failing = { ok: false, required: true };
    expect(await api(s.base, "/ready")).toEqual({ status: 503, body: { status: "draining", checks: { store: passing, workers: failing, draining: failing, github }, store: `sqlite:${s.dbFile}`, circuits } });
    expect((await api(s.base, "/health")).status).toBe(200);
    release();
    await stopping;
  });
});
