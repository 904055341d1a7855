/**
 * Issue 16, defect 2: while the store cannot commit (Redis killed), a webhook request is answered
 * 503 HOOKYARD_ERR_STORE_UNAVAILABLE within HOOKYARD_ACCEPT_TIMEOUT instead of hanging past
 * GitHub's 10 s; the outage is logged once, and once more when it ends. A write that could not
 * commit in time may still land later: GitHub's redelivery of the same id then answers
 * `200 duplicate`, and either way each delivery's handler runs exactly once (none lost, none twice).
 */
import { randomUUID } from "node:crypto";
import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { Hookyard } from "../../src/app/index.js";
import { example, post, startApp, stopApps, until } from "../support/app.js";
import { startOwnRedis, type OwnRedis } from "../support/redis-server.js";

const redises: OwnRedis[] = [];
afterEach(async () => {
  await stopApps();
  for (const r of redises.splice(0)) await r.stop();
});

/** A logger whose JSON lines land in `lines`. */
function capture(): { logger: pino.Logger; lines: () => { msg: string; [k: string]: unknown }[] } {
  const raw: string[] = [];
  const logger = pino({ level: "info" }, { write: (s: string) => void raw.push(s) });
  return { logger, lines: () => raw.map((l) => JSON.parse(l) as { msg: string }) };
}

describe("the store is down", () => {
  it("webhook requests get 503 HOOKYARD_ERR_STORE_UNAVAILABLE in time, the outage is logged once; after it, each delivery runs exactly once", { timeout: 60_000 }, async () => {
    const redis = await startOwnRedis();
    redises.push(redis);
    const { logger, lines } = capture();
    const runs = new Map<string, number>();
    const { app, url, secret } = await startApp((app) => app.on("issues", async (ctx) => void runs.set(ctx.id, (runs.get(ctx.id) ?? 0) + 1)), {
      store: `${redis.url}?prefix=outage-${randomUUID().slice(0, 8)}`, acceptTimeout: "500ms", logger, pollInterval: "100ms", shutdownTimeout: "1s",
    });
    const before = example("issues.opened", { secret });
    expect((await post(url, before)).status).toBe(202);
    await until(app, () => runs.get(before.id) === 1);

    await redis.kill();
    const during = [example("issues.opened", { secret }), example("issues.reopened", { secret }), example("issues.labeled", { secret })];
    for (const d of during) {
      expect(await post(url, d)).toMatchObject({ status: 503, body: { error: { code: "HOOKYARD_ERR_STORE_UNAVAILABLE", message: expect.any(String) } } });
    }
    const outage = () => lines().filter((l) => l.msg.startsWith("store unavailable"));
    expect(outage()).toHaveLength(1);
    expect(outage()[0]).toMatchObject({ level: 50, error: { code: "HOOKYARD_ERR_STORE_UNAVAILABLE" } });

    await redis.restart();
    // GitHub redelivers each failed delivery with the same id (or the missed-delivery recovery asks it to)
    const again = await Promise.all(during.map((d) => post(url, d)));
    for (const [i, res] of again.entries()) {
      expect([200, 202], JSON.stringify(res.body)).toContain(res.status);
      expect(res.body).toEqual({ delivery: during[i]!.id, status: res.status === 200 ? "duplicate" : "accepted" });
    }
    await until(app, () => during.every((d) => runs.get(d.id) !== undefined));
    expect(during.map((d) => runs.get(d.id))).toEqual([1, 1, 1]);
    expect(lines().filter((l) => l.msg === "store available again")).toHaveLength(1);
    expect(outage()).toHaveLength(1);
    for (const d of during) expect((await app.store.listTasks({ deliveryId: d.id })).items).toHaveLength(1);
  });

  it("app.stop() ends while the store is down (bounded by HOOKYARD_SHUTDOWN_TIMEOUT + HOOKYARD_ACCEPT_TIMEOUT)", { timeout: 60_000 }, async () => {
    const redis = await startOwnRedis();
    redises.push(redis);
    const app = new Hookyard({
      store: `${redis.url}?prefix=outage-${randomUUID().slice(0, 8)}`, webhookSecret: "s", port: 0, host: "127.0.0.1",
      logLevel: "silent", env: {}, shutdownTimeout: "500ms", acceptTimeout: "500ms", pollInterval: "100ms",
    });
    let release!: () => void;
    const blocked = new Promise<void>((r) => (release = r));
    app.on("issues", async () => blocked); // a task still running when the drain ends
    await app.start();
    const started = app.events.once("task:start");
    expect(await app.receive({ id: randomUUID(), name: "issues", payload: { action: "opened" } })).toBe("accepted");
    await started;
    await redis.kill();
    await app.stop(); // its claims, heartbeats, the aborted attempt's record and the close all wait on the dead store
    release();
    expect(app.isDraining).toBe(true);
  });
});
