import { afterEach, describe, expect, it } from "vitest";
import { api, example, nextOutcome, post, startApp, stopApps } from "../support/app.js";
import { cleanupGitHub, fakeWithRepo, issuePayload } from "../github/support.js";
import { signedDelivery } from "../../src/testing/index.js";
import { captureLog, scrape, valueOf } from "./support.js";

afterEach(async () => {
  await stopApps();
  await cleanupGitHub();
});

describe("secrets never reach the log", () => {
  it("a full run at trace level: webhook secret, private key, API token and installation tokens appear in no line", async () => {
    const { fake, installation } = await fakeWithRepo();
    const { log, raw } = captureLog("trace");
    const webhookSecret = "whsec-0123456789abcdef-known";
    const apiToken = "api-token-fedcba9876543210-known";
    const { app, url, base } = await startApp((app) => {
      app.on("issues.opened", async (ctx) => {
        ctx.log.trace({ installation: ctx.payload.installation }, "commenting");
        await ctx.octokit.rest.issues.createComment({ owner: "acme", repo: "widgets", issue_number: 1, body: "hello" });
        // a careless handler: every value sits under a key the logger redacts
        const token = fake.tokensIssued[0]?.token;
        ctx.log.debug({ token, headers: { authorization: `token ${token}`, cookie: `s=${apiToken}` }, config: { webhookSecret, apiToken, privateKey: fake.privateKey } }, "careless");
        await ctx.octokit.rest.issues.get({ owner: "acme", repo: "widgets", issue_number: 404 }).catch((err: unknown) => ctx.log.warn({ err }, "expected 404"));
      }, { name: "comment" });
    }, {
      logger: log, webhookSecret, apiToken, appId: fake.appId, privateKey: fake.privateKey, githubApiUrl: fake.url,
      github: { throttle: false, now: () => fake.clock.now() },
    });
    const before = await scrape(base, { authorization: `Bearer ${apiToken}` });
    const d = signedDelivery("issues", issuePayload(installation.id), { secret: webhookSecret });
    const done = nextOutcome(app, (t) => t.deliveryId === d.id);
    expect((await post(url, d)).status).toBe(202);
    expect((await done).kind).toBe("complete");
    expect((await post(url, example("issues.opened", { secret: "wrong-secret" }))).status).toBe(401);
    expect((await api(base, `/api/v1/deliveries/${d.id}`, { headers: { authorization: `Bearer ${apiToken}` } })).status).toBe(200);
    expect((await api(base, "/api/v1/tasks", { headers: { authorization: "Bearer not-the-token-at-all" } })).status).toBe(401);

    const tokens = fake.tokensIssued.map((t) => t.token);
    expect(tokens.length).toBeGreaterThan(0);
    const keyLines = fake.privateKey.split("\n").filter((l) => l.length > 20 && !l.startsWith("-----"));
    const secrets = [webhookSecret, apiToken, ...tokens, ...keyLines, fake.privateKey];
    expect(raw.length).toBeGreaterThan(5);
    expect(raw.find((l) => l.includes('"careless"'))).toContain("[redacted]");
    for (const line of raw) for (const secret of secrets) expect(line.includes(secret), `a log line holds a secret: ${line.slice(0, 200)}`).toBe(false);

    // the run's GitHub requests were counted, and the installation's remaining rate limit seen
    const after = await scrape(base, { authorization: `Bearer ${apiToken}` });
    const delta = (labels: Record<string, string>) => valueOf(after, "hookyard_github_requests_total", labels) - valueOf(before, "hookyard_github_requests_total", labels);
    expect(delta({ status: "201" })).toBeGreaterThanOrEqual(2); // the token and the comment
    expect(delta({ status: "404" })).toBe(1);
    expect(after.some((s) => s.name === "hookyard_github_rate_limit_remaining" && s.labels.installation === String(installation.id))).toBe(true);
  });
});

describe("/ready", () => {
  it("names its checks; no path or host for a caller without the token", async () => {
    const token = "r".repeat(32);
    const { base, dbFile } = await startApp(undefined, { apiToken: token });
    const anonymous = await api(base, "/ready");
    expect(anonymous).toEqual({ status: 200, body: { status: "ready", checks: { store: { ok: true, required: true }, workers: { ok: true, required: true }, draining: { ok: true, required: true }, github: { ok: true, required: false, state: "closed" } } } });
    expect(JSON.stringify(anonymous.body)).not.toContain(dbFile);
    expect((await api(base, "/ready", { headers: { authorization: `Bearer ${token}` } })).body.store).toBe(`sqlite:${dbFile}`);
  });

  it("without workers in this process, the workers check is not required", async () => {
    const { base } = await startApp(undefined, { workers: false });
    expect((await api(base, "/ready")).body).toMatchObject({ status: "ready", checks: { workers: { ok: true, required: false } } });
  });
});
