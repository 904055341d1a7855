/**
 * Missed-delivery recovery against the fake GitHub: deliveries GitHub could not deliver (every
 * attempt failed, not in the store) are redelivered once, with the same guid, and handled once.
 */
import { createServer, type Server, type ServerResponse } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import type { Hookyard } from "../../src/app/index.js";
import { MemoryRecoveryState, recoverMissedDeliveries } from "../../src/github/redelivery/index.js";
import type { FakeGitHub } from "../../src/testing/index.js";
import { freePort } from "../fixtures/server.js";
import { appFor, cleanupGitHub, fakeWithRepo, issuePayload } from "./support.js";

const servers: Server[] = [];
afterEach(async () => {
  await cleanupGitHub();
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

const UNREACHED = "http://127.0.0.1:9/api/github/webhooks";
const sorted = (xs: readonly string[]) => [...xs].sort();
const attemptsOf = (fake: FakeGitHub, guid: string) => fake.deliveries.filter((d) => d.guid === guid).map((d) => ({ redelivery: d.redelivery, status: d.status_code }));
const redeliveryRequests = (fake: FakeGitHub) => fake.requests.filter((r) => r.method === "POST" && /^\/app\/hook\/deliveries\/\d+\/attempts$/.test(r.path));

/** Opens and labels `n` issues through the fake's API as the installation; returns the guids of the deliveries that caused. */
async function labelIssues(fake: FakeGitHub, helper: Hookyard, installationId: number, n: number): Promise<string[]> {
  const before = new Set(fake.deliveries.map((d) => d.guid));
  const gh = await helper.auth(installationId);
  for (let i = 0; i < n; i++) {
    const { data } = await gh.rest.issues.create({ owner: "acme", repo: "widgets", title: `Broken ${i}` });
    await gh.rest.issues.addLabels({ owner: "acme", repo: "widgets", issue_number: data.number, labels: ["bug"] });
  }
  await fake.idle();
  return [...new Set(fake.deliveries.map((d) => d.guid))].filter((g) => !before.has(g));
}

/**
 * A fake GitHub whose webhooks reach no server (each send fails, or succeeds as failWebhooks()
 * says), an open app on it, the App's Octokit, and a sender of `issues` deliveries.
 */
async function offline() {
  const { fake, installation } = await fakeWithRepo();
  fake.setWebhookUrl(UNREACHED);
  const app = appFor(fake);
  await app.open();
  const gh = await app.auth();
  const sendIssue = () => fake.sendWebhook("issues", issuePayload(installation.id), { installationId: installation.id });
  return { fake, installation, app, gh, sendIssue };
}

/** A webhook receiver that holds every request until told how to answer. */
async function holdingReceiver() {
  const held: ServerResponse[] = [];
  let waiting: (() => void) | undefined;
  const server = createServer((req, res) => {
    req.resume();
    held.push(res);
    waiting?.();
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/hook`,
    /** Resolves once `n` requests have arrived in all. */
    arrived: (n: number) => new Promise<void>((resolve) => {
      const check = () => held.length >= n && resolve();
      waiting = check;
      check();
    }),
    answerAll: (status: number) => {
      for (const res of held) if (!res.writableEnded) res.writeHead(status).end();
    },
  };
}

describe("missed-delivery recovery", () => {
  it("deliveries sent while the server was down are redelivered when it starts and handled exactly once; a second run redelivers nothing", async () => {
    const { fake, installation } = await fakeWithRepo();
    const port = await freePort(); // nothing listens there yet: the server is down
    fake.setWebhookUrl(`http://127.0.0.1:${port}/api/github/webhooks`);
    const missed = await labelIssues(fake, appFor(fake), installation.id, 5);
    expect(missed.length).toBeGreaterThanOrEqual(10); // opened + labeled for each issue
    for (const guid of missed) expect(attemptsOf(fake, guid)).toEqual([{ redelivery: false, status: 0 }]);

    const app = appFor(fake, { port, host: "127.0.0.1", webhookSecret: fake.webhookSecret });
    const handled: string[] = [];
    app.onAny(async (ctx) => void handled.push(ctx.id));
    let completed = 0;
    const allHandled = new Promise<void>((resolve) => app.events.on("task:complete", () => ++completed === missed.length && resolve()));
    const firstRun = app.redelivery!.nextRun();
    await app.start();

    const report = await firstRun;
    expect(sorted(report.redelivered)).toEqual(sorted(missed));
    expect(report).toMatchObject({ missed: missed.length, alreadyStored: [], failedToRequest: [], pending: [] });
    await allHandled;
    await fake.idle();

    const second = await app.redelivery!.runNow();
    expect(second).toMatchObject({ redelivered: [], missed: 0, failedToRequest: [] });
    await fake.idle();
    expect(sorted(handled)).toEqual(sorted(missed)); // each delivery once
    for (const guid of missed) expect(attemptsOf(fake, guid)).toEqual([{ redelivery: false, status: 0 }, { redelivery: true, status: 202 }]);
    expect(redeliveryRequests(fake)).toHaveLength(missed.length);
    expect(app.redelivery!.totals).toMatchObject({ runs: 2, redelivered: missed.length, errors: 0 });
  });

  it("redelivers only deliveries every attempt of which failed and that are not in the store", async () => {
    const { fake, installation, app, gh, sendIssue } = await offline();
    fake.failWebhooks(true);
    const laterOk = await sendIssue();
    const stored = await sendIssue();
    const lost = await sendIssue();
    // the first one failed, then a redelivery (asked for by hand) reached a receiver
    fake.failWebhooks(200);
    await gh.request("POST /app/hook/deliveries/{delivery_id}/attempts", { delivery_id: laterOk.id });
    await fake.idle();
    fake.failWebhooks(true);
    // the second one failed at GitHub, yet it is in the store (received some other way)
    await app.receive({ id: stored.guid, name: "issues", payload: issuePayload(installation.id) });

    const report = await recoverMissedDeliveries({ github: gh, store: app.store });
    expect(report).toMatchObject({ missed: 2, redelivered: [lost.guid], alreadyStored: [stored.guid], deliveries: 3, scanned: 4 });
    expect(redeliveryRequests(fake).map((r) => r.path)).toEqual([
      `/app/hook/deliveries/${laterOk.id}/attempts`, // the one by hand
      `/app/hook/deliveries/${lost.id}/attempts`,
    ]);
  });

  it("does not ask again while a redelivery is pending; asks again after it failed, at most maxRequests times", async () => {
    const { fake, app, gh, sendIssue } = await offline();
    const state = new MemoryRecoveryState();
    const recover = () => recoverMissedDeliveries({ github: gh, store: app.store, state, maxRequests: 3 });
    fake.failWebhooks(true);
    const d = await sendIssue();
    fake.failWebhooks(false);
    const receiver = await holdingReceiver();
    fake.setWebhookUrl(receiver.url);

    expect((await recover()).redelivered).toEqual([d.guid]);
    await receiver.arrived(1); // GitHub is delivering it: not in its log yet
    expect(await recover()).toMatchObject({ redelivered: [], pending: [d.guid] });
    receiver.answerAll(500);
    await fake.idle();

    expect((await recover()).redelivered).toEqual([d.guid]); // the redelivery failed: ask again
    await receiver.arrived(2);
    receiver.answerAll(503);
    await fake.idle();
    expect((await recover()).redelivered).toEqual([d.guid]);
    await receiver.arrived(3);
    receiver.answerAll(500);
    await fake.idle();
    expect(await recover()).toMatchObject({ redelivered: [], gaveUp: [d.guid] });
    expect(redeliveryRequests(fake)).toHaveLength(3);
    expect((await state.load()).requested[d.guid]).toMatchObject({ count: 3 });
  });

  it("stops at a spent rate limit and the next run resumes where it stopped", async () => {
    const { fake, app, gh, sendIssue } = await offline();
    const state = new MemoryRecoveryState();
    fake.failWebhooks(true);
    const sent = [];
    for (let i = 0; i < 3; i++) sent.push(await sendIssue());
    fake.failWebhooks(200); // redeliveries reach a receiver

    // a secondary limit on the first request: nothing read, nothing asked, nothing remembered
    fake.triggerSecondaryRateLimit({ retryAfterSeconds: 60 });
    const limited = await recoverMissedDeliveries({ github: gh, store: app.store, state });
    expect(limited).toMatchObject({ stopped: "rate-limited", scanned: 0, redelivered: [], checkpoint: null });
    expect(limited.rateLimitedUntil).toBeGreaterThan(Date.now() + 30_000);

    // two requests left: the log page and one redelivery
    const resetAt = fake.clock.now() + 3_600_000;
    fake.setRateLimit({ remaining: 2, resetAt });
    const first = await recoverMissedDeliveries({ github: gh, store: app.store, state });
    expect(first).toMatchObject({ stopped: "rate-limited", missed: 3, redelivered: [sent[0]!.guid], rateLimitedUntil: Math.ceil(resetAt / 1000) * 1000 });
    await fake.idle();

    fake.setRateLimit({ remaining: 5000 });
    const second = await recoverMissedDeliveries({ github: gh, store: app.store, state });
    expect(second.stopped).toBeUndefined();
    expect(second).toMatchObject({ missed: 2, redelivered: [sent[1]!.guid, sent[2]!.guid] });
    await fake.idle();
    for (const d of sent) expect(attemptsOf(fake, d.guid)).toEqual([{ redelivery: false, status: 0 }, { redelivery: true, status: 200 }]);
  });

  it("keeps a checkpoint: the next run reads the log only back to where the last one stopped", async () => {
    const { fake, app, gh, sendIssue } = await offline();
    const state = new MemoryRecoveryState();
    const recover = () => recoverMissedDeliveries({ github: gh, store: app.store, state, now: () => fake.clock.now() });
    fake.failWebhooks(200);
    for (let i = 0; i < 250; i++) await fake.sendWebhook("ping", { zen: `${i}` });
    fake.clock.advance(3_600_000);
    fake.failWebhooks(true);
    const lost = await sendIssue();
    fake.failWebhooks(200);

    const first = await recover();
    expect(first).toMatchObject({ pages: 3, scanned: 251, redelivered: [lost.guid] });
    expect(first.checkpoint).toBe(Date.parse(lost.delivered_at));
    await fake.idle();

    fake.clock.advance(3_600_000);
    await fake.sendWebhook("ping", { zen: "later" });
    const second = await recover();
    // the lost delivery, its redelivery and the new ping; nothing of the 250 older ones
    expect(second).toMatchObject({ pages: 1, scanned: 3, missed: 0, redelivered: [] });
    expect(second.from).toBe(first.checkpoint! - 5 * 60_000);
  });

  it("is not started without an App, or with HOOKYARD_REDELIVERY_INTERVAL=0", async () => {
    const { fake } = await fakeWithRepo();
    expect(appFor(fake, { redeliveryInterval: "0" }).redelivery).toBeUndefined();
    expect(appFor(fake, { appId: undefined, privateKey: undefined }).redelivery).toBeUndefined();
    expect(appFor(fake).redelivery).toBeDefined();
  });
});
