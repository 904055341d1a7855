import { afterEach, describe, expect, it } from "vitest";
import { appFor, cleanupGitHub, fakeWithRepo, send } from "./support.js";

afterEach(cleanupGitHub);

describe("ctx.octokit", () => {
  it("is authenticated as the delivery's installation, tags requests with the delivery id, and has both REST styles", async () => {
    const { fake, installation } = await fakeWithRepo();
    const app = appFor(fake);
    app.on("issues.opened", async (ctx) => {
      const { data: issue } = await ctx.octokit.rest.issues.get(ctx.issue());
      await ctx.octokit.issues.createComment(ctx.issue({ body: `seen: ${issue.title}` })); // Probot 12–13 style
    });
    await app.open();
    const done = app.events.once("task:complete");
    const id = await send(app, installation.id);
    await done;
    expect(fake.state.comments("acme/widgets", 1).map((c) => c.body)).toEqual(["seen: First"]);
    const mine = fake.requests.filter((r) => r.path.startsWith("/repos/acme/widgets/issues/1"));
    expect(mine).toHaveLength(2);
    for (const r of mine) expect(r).toMatchObject({ auth: "installation", authenticated: true, installationId: installation.id, headers: { "x-hookyard-delivery": id } });
  });

  it("fetches one token for 50 concurrent handlers of one installation", async () => {
    const { fake, installation } = await fakeWithRepo();
    const app = appFor(fake, { concurrency: 50 });
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    app.on("issues.opened", async (ctx) => {
      await gate; // all 50 start before any asks for a token
      await ctx.octokit.rest.issues.get(ctx.issue());
    });
    await app.open();
    let completed = 0;
    const all = new Promise<void>((resolve) => app.events.on("task:complete", () => ++completed === 50 && resolve()));
    let started = 0;
    const allStarted = new Promise<void>((resolve) => app.events.on("task:start", () => ++started === 50 && resolve()));
    await Promise.all(Array.from({ length: 50 }, () => send(app, installation.id)));
    await allStarted;
    release();
    await all;
    expect(fake.tokensIssued).toHaveLength(1);
    expect(fake.requests.filter((r) => r.path === "/repos/acme/widgets/issues/1")).toHaveLength(50);
  });

  it("replaces a token ahead of its expires_at, not by its age", async () => {
    // tokens that live 10 minutes: a cache that keeps tokens for 59 minutes of age would use a dead one
    const { fake, installation } = await fakeWithRepo({ tokenTtlMs: 10 * 60_000 });
    const app = appFor(fake);
    const octokit = await app.auth(installation.id);
    const get = () => octokit.rest.issues.get({ owner: "acme", repo: "widgets", issue_number: 1 });
    await get();
    fake.clock.advance(4 * 60_000); // 6 minutes left: still fresh
    await get();
    expect(fake.tokensIssued).toHaveLength(1);
    fake.clock.advance(2 * 60_000); // 4 minutes left: inside the 5-minute margin, replaced
    await get();
    expect(fake.tokensIssued).toHaveLength(2);
    expect(fake.requests.filter((r) => r.status === 401)).toEqual([]);
  });

  it("signs App JWTs on GitHub's clock when ours is off (learned from the Date header)", async () => {
    const { fake, installation } = await fakeWithRepo({ clockSkewMs: -5 * 60_000 }); // GitHub five minutes behind us
    const app = appFor(fake, { github: { throttle: false } }); // our own clock
    const octokit = await app.auth(installation.id);
    await octokit.rest.issues.get({ owner: "acme", repo: "widgets", issue_number: 1 });
    const tokenCalls = fake.requests.filter((r) => r.path.endsWith("/access_tokens"));
    expect(tokenCalls.map((r) => r.status)).toEqual([401, 201]);
    expect(Math.round(app.github.app.jwt.skew / 60_000)).toBe(-5);
  });

  it("is unauthenticated, saying why, when the delivery names no installation", async () => {
    const { fake } = await fakeWithRepo();
    const app = appFor(fake);
    let status: number | undefined;
    app.on("issues.opened", async (ctx) => {
      status = await ctx.octokit.rest.issues.get(ctx.issue()).then((r) => r.status, (e: { status?: number }) => e.status);
    });
    await app.open();
    const done = app.events.once("task:complete");
    await send(app, null);
    await done;
    expect(status).toBe(401); // the fake, like GitHub for a private repository, wants credentials
    expect(fake.requests.at(-1)).toMatchObject({ path: "/repos/acme/widgets/issues/1", auth: "none" });
    expect(fake.tokensIssued).toHaveLength(0);
  });

  it("a spent rate limit queues the task for the reset time without counting the attempt", async () => {
    const { fake, installation } = await fakeWithRepo();
    const app = appFor(fake);
    const resetAt = Math.ceil((fake.clock.now() + 3_600_000) / 1000) * 1000;
    let runs = 0;
    app.on("issues.opened", async (ctx) => {
      runs++;
      await ctx.octokit.rest.issues.get(ctx.issue());
    }, { retries: 0 });
    await app.open();
    fake.setRateLimit({ installationId: installation.id, remaining: 0, resetAt });
    const deferred = app.events.once("task:deferred");
    const id = await send(app, installation.id);
    const { runAt, error } = await deferred;
    expect(runAt).toBe(resetAt);
    expect(error.code).toBe("HOOKYARD_ERR_GITHUB_RATE_LIMITED");
    const [task] = (await app.store.listTasks({ deliveryId: id })).items;
    expect(task).toMatchObject({ state: "queued", attempts: 0, runAt: resetAt });
    expect(runs).toBe(1);
  });
});
