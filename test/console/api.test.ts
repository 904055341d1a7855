// The console's HTTP side on a real server: its static files, the routes it reads (stream,
// bulk retry, agent runs, stats), and who may read them (token, GitHub login with an allow-list).
import { randomUUID } from "node:crypto";
import Fastify from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Hookyard } from "../../src/app/index.js";
import { consoleRoutes } from "../../src/http/console/index.js";
import { UnrecoverableError } from "../../src/steering/steer.js";
import { createFakeGitHub, type FakeGitHub } from "../../src/testing/index.js";
import { api, example, nextOutcome, post, startApp, stopApps, type StartedApp } from "../support/app.js";
import { Browser } from "../identity/support/browser.js";
import { logIn, startLoginApp } from "../identity/support/login.js";
import { dropRedisKeys, REDIS_URL } from "../support/redis.js";
import { removeTempDirs, tempDir } from "../support/store.js";

const TOKEN = "console-api-token-0123456789";
const auth = { authorization: `Bearer ${TOKEN}` };
let s: StartedApp;

beforeAll(async () => {
  s = await startApp((app) => {
    app.on("issues.labeled", async () => {
      throw new UnrecoverableError("no");
    }, { name: "doomed", retries: 0 });
  }, { apiToken: TOKEN });
});
afterAll(stopApps);

/** Reads server-sent events from `res` until `stop` holds for one of them. */
async function readEvents(res: Response, stop: (event: string, data: any) => boolean): Promise<{ event: string; data: any }[]> {
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  const seen: { event: string; data: any }[] = [];
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) throw new Error("the stream ended");
    buffer += value;
    let at: number;
    while ((at = buffer.indexOf("\n\n")) >= 0) {
      const frame = buffer.slice(0, at);
      buffer = buffer.slice(at + 2);
      const event = /^event: (.*)$/m.exec(frame)?.[1];
      const data = /^data: (.*)$/m.exec(frame)?.[1];
      if (!event || !data) continue;
      seen.push({ event, data: JSON.parse(data) });
      if (stop(event, seen.at(-1)!.data)) {
        await reader.cancel();
        return seen;
      }
    }
  }
}

describe("console files", () => {
  it("serves the page and its assets with a strict content policy, publicly", async () => {
    const redirect = await fetch(`${s.base}/console`, { redirect: "manual" });
    expect(redirect.status).toBe(302);
    expect(redirect.headers.get("location")).toBe("/console/");
    const page = await fetch(`${s.base}/console/`);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(page.headers.get("content-security-policy")).toContain("script-src 'self'");
    expect(await page.text()).toContain('<script type="module" src="/console/assets/app.js">');
    const js = await fetch(`${s.base}/console/assets/app.js`);
    expect(js.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect((await js.text()).length).toBeGreaterThan(1000);
    expect((await api(s.base, "/console/assets/nope.js")).body.error.code).toBe("HOOKYARD_ERR_API_NOT_FOUND");
    expect((await api(s.base, "/console/config.json")).body).toEqual({ githubLogin: false, loginUrl: "/auth/github/login?return_to=%2Fconsole%2F", tokenConfigured: true });
  });

  it("says the console is not built when its files are missing", async () => {
    const bare = Fastify();
    await bare.register(consoleRoutes, { githubLogin: false, tokenConfigured: false, dir: `${tempDir()}/` });
    for (const url of ["/console/", "/console/assets/app.js"]) {
      const res = await bare.inject({ url });
      expect([url, res.statusCode, res.json().error.code]).toEqual([url, 503, "HOOKYARD_ERR_CONSOLE_NOT_BUILT"]);
    }
    await bare.close();
    removeTempDirs();
  });
});

describe("console routes", () => {
  it("need the token like the rest of the API", async () => {
    for (const path of ["/api/v1/stats", "/api/v1/agent-runs", "/api/v1/stream"]) {
      const res = await api(s.base, path);
      expect([path, res.status, res.body.error.code]).toEqual([path, 401, "HOOKYARD_ERR_API_UNAUTHORIZED"]);
    }
    expect((await api(s.base, "/api/v1/tasks/retry", { method: "POST", headers: { "content-type": "application/json" }, body: "{}" })).status).toBe(401);
  });

  it("stream task and delivery changes as server-sent events", async () => {
    const res = await fetch(`${s.base}/api/v1/stream`, { headers: auth });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
    const d = example("issues.labeled", { secret: s.secret });
    const reading = readEvents(res, (event, data) => event === "task" && data.state === "failed" && data.deliveryId === d.id);
    expect((await post(s.url, d)).status).toBe(202);
    const events = await reading;
    expect(events.find((e) => e.event === "delivery")?.data).toMatchObject({ type: "delivery", id: d.id, event: "issues", action: "labeled", status: "accepted", tasks: 1 });
    expect(events.at(-1)?.data).toMatchObject({ type: "task", name: "doomed", state: "failed", attempt: 1, error: "no" });
    expect(events.some((e) => e.event === "task" && e.data.state === "running" && e.data.deliveryId === d.id)).toBe(true);
  });

  it("end their streams when the server stops, so that a stop does not wait for open consoles", async () => {
    const other = await startApp();
    const res = await fetch(`${other.base}/api/v1/stream`);
    expect(res.status).toBe(200);
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    expect((await reader.read()).value).toContain(": connected");
    await other.app.stop();
    let text = "";
    for (let r = await reader.read(); !r.done; r = await reader.read()) text += r.value;
    expect(text).not.toContain("error");
  });

  it("retry failed tasks in bulk, and refuse a body they do not understand", async () => {
    const d = example("issues.labeled", { secret: s.secret });
    const failed = nextOutcome(s.app, (t) => t.deliveryId === d.id);
    await post(s.url, d);
    await failed;
    const send = (body: unknown) => api(s.base, "/api/v1/tasks/retry", { method: "POST", headers: { ...auth, "content-type": "application/json" }, body: JSON.stringify(body) });
    for (const bad of [{ state: "completed" }, { state: "failed", since: "yesterday" }, { state: "failed", extra: 1 }, {}]) {
      const res = await send(bad);
      expect([res.status, res.body.error.code]).toEqual([400, "HOOKYARD_ERR_API_BAD_REQUEST"]);
    }
    expect((await send({ state: "failed", name: "someone-else" })).body).toEqual({ retried: 0, skipped: 0, more: false });
    const again = nextOutcome(s.app, (t) => t.deliveryId === d.id);
    const res = await send({ state: "failed", name: "doomed" });
    expect(res.status).toBe(200);
    expect(res.body.retried).toBeGreaterThanOrEqual(1); // this one, and the stream test's
    expect((await again).kind).toBe("failed"); // it ran again (and failed again: the handler always does)
  });

  it("list agent runs with links to their issue and pull request", async () => {
    const run = { repo: "acme/widgets", issue: 12, branch: "agent/issue-12", stage: "pr-open", prNumber: 31, fixAttempts: 1, costUsd: 0.5, lastError: null, taskId: "t1", history: [{ at: 1_700_000_000_000, stage: "pr-open", note: "opened #31" }], startedAt: 1_700_000_000_000 };
    await s.app.store.putRecord("agent-run", "acme/widgets#12", run, 0);
    const res = await api(s.base, "/api/v1/agent-runs", { headers: auth });
    expect(res.status).toBe(200);
    expect(res.body.items).toEqual([expect.objectContaining({
      key: "acme/widgets#12", repo: "acme/widgets", issue: 12, stage: "pr-open", prNumber: 31, fixAttempts: 1,
      prUrl: "https://github.com/acme/widgets/pull/31", issueUrl: "https://github.com/acme/widgets/issues/12",
      history: [{ at: "2023-11-14T22:13:20.000Z", stage: "pr-open", note: "opened #31" }],
    })]);
    expect((await api(s.base, "/api/v1/agent-runs?limit=0", { headers: auth })).status).toBe(400);
  });

  it("give the overview's figures", async () => {
    const res = await api(s.base, "/api/v1/stats", { headers: auth });
    expect(res.status).toBe(200);
    expect(res.body.deliveriesPerMinute).toHaveLength(60);
    expect(res.body.deliveriesLastHour).toBe(2);
    expect(res.body.tasksByState.failed).toBe(2);
    expect(res.body.failuresLastHour).toBe(2);
  });
});

describe("console on an ingress process of a shared store", () => {
  it("hears about tasks a worker process ran, through the store", async () => {
    const prefix = `hytest-${randomUUID()}`;
    const store = `${REDIS_URL}?prefix=${prefix}`;
    const apps: Hookyard[] = [];
    try {
      const setup = (app: Hookyard) => app.on("issues.opened", async () => undefined, { name: "elsewhere" });
      const ingress = await startApp(setup, { store, role: "ingress" });
      const worker = await startApp(setup, { store, role: "worker", webhookSecret: ingress.secret });
      apps.push(ingress.app, worker.app);
      const res = await fetch(`${ingress.base}/api/v1/stream`);
      const d = example("issues.opened", { secret: ingress.secret });
      const done = nextOutcome(worker.app, (t) => t.deliveryId === d.id);
      const reading = readEvents(res, (event, data) => event === "counts" && data.counts.completed === 1);
      expect((await post(ingress.url, d)).status).toBe(202);
      expect((await done).kind).toBe("complete");
      const events = await reading;
      expect(events.some((e) => e.event === "delivery" && e.data.id === d.id)).toBe(true); // its own event
      expect(events.some((e) => e.event === "task")).toBe(false); // the worker's events stay in the worker
    } finally {
      for (const app of apps) await app.stop(); // before their keys go (stopApps stops them again: a no-op)
      await dropRedisKeys(`${prefix}:*`);
    }
  });
});

describe("console access through GitHub login", () => {
  let fake: FakeGitHub;
  let login: StartedApp;
  beforeAll(async () => {
    fake = await createFakeGitHub();
    fake.addTeamMember("acme/ops", "carol");
    login = await startLoginApp(fake, undefined, { apiToken: TOKEN, consoleUsers: "alice", consoleTeams: "acme/ops" });
  });
  afterAll(async () => {
    await stopApps();
    await fake.close();
  });

  it("admits listed users and team members, refuses other users, and refuses cross-site writes", async () => {
    expect((await api(login.base, "/console/config.json")).body.githubLogin).toBe(true);
    const as = async (who: string) => {
      const browser = new Browser(login.base);
      expect((await logIn(browser, fake, who, "/console/")).status).toBe(302);
      return browser;
    };
    const alice = await as("alice");
    expect((await alice.fetch("/api/v1/stats")).status).toBe(200);
    const carol = await as("carol");
    expect((await carol.fetch("/api/v1/tasks")).status).toBe(200);
    const bob = await as("bob");
    const refused = await bob.fetch("/api/v1/stats");
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as any).error.code).toBe("HOOKYARD_ERR_CONSOLE_FORBIDDEN");

    const retry = (origin: string) => alice.fetch("/api/v1/tasks/retry", { method: "POST", headers: { origin, "content-type": "application/json" }, body: JSON.stringify({ state: "failed" }) });
    const cross = await retry("https://evil.example");
    expect(cross.status).toBe(403);
    expect(((await cross.json()) as any).error.code).toBe("HOOKYARD_ERR_OAUTH_CROSS_ORIGIN");
    expect((await retry(login.base)).status).toBe(200);
    // no session, no token: refused as before
    expect((await api(login.base, "/api/v1/stats")).status).toBe(401);
  });
});
