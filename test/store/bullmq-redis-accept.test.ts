import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { afterEach, describe, expect, it } from "vitest";
import type { AcceptStatus } from "../../src/store/backend.js";
import { AcceptBatcher } from "../../src/store/backends/bullmq/redis-accept.js";
import { recordKeys } from "../../src/store/backends/bullmq/redis-keys.js";
import { RedisPipe, type Cmd } from "../../src/store/backends/bullmq/redis-pipe.js";
import { defineScripts } from "../../src/store/backends/bullmq/redis-scripts.js";
import { REDIS_URL, dropRedisKeys } from "../support/redis.js";
import { newDelivery } from "../support/store.js";

/**
 * The group commit on its own, on the real Redis: deliveries without tasks (no BullMQ jobs), so the
 * batches carry only Hookyard's records. What is checked is what the store-level tests cannot see:
 * how deliveries are cut into batches and when each batch goes out.
 */
describe("AcceptBatcher (BullMQ-Redis group commit)", () => {
  const opened: { redis: Redis; prefix: string }[] = [];
  afterEach(async () => {
    for (const { redis, prefix } of opened.splice(0)) {
      await dropRedisKeys(`${prefix}:*`, redis);
      await redis.quit();
    }
  });

  /** A batcher on its own connection; `log` records each batch sent (its delivery count) and each answer. */
  async function batcher(): Promise<{ accepts: AcceptBatcher; log: string[]; removed: string[][]; redis: Redis; base: string }> {
    const redis = new Redis(REDIS_URL);
    const prefix = `hytest-accept-${randomUUID()}`;
    opened.push({ redis, prefix });
    defineScripts(redis);
    const keys = recordKeys(prefix, "tasks");
    const pipe = new RedisPipe(redis);
    const log: string[] = [];
    const send = pipe.send.bind(pipe);
    pipe.send = (cmds: Cmd[], order) => {
      log.push(`send ${cmds.filter((c) => c[0] === "set").length}`);
      return send(cmds, order);
    };
    const removed: string[][] = [];
    const accepts = new AcceptBatcher(pipe, keys, async () => undefined, async (ids) => void removed.push(ids));
    return { accepts, log, removed, redis, base: keys.base };
  }

  it("sends the next batch before the callers of the answered one resume, 32 deliveries at most per batch", async () => {
    const { accepts, log } = await batcher();
    const answers = Array.from({ length: 40 }, () =>
      accepts.accept(newDelivery(), [], Date.now()).then((status: AcceptStatus) => void log.push(`answer ${status}`)));
    await Promise.all(answers);
    expect(log).toEqual(["send 32", "send 8", ...Array<string>(40).fill("answer ignored")]);
  });

  it("stores every delivery of a batch, and answers a delivery repeated within the batch as a duplicate", async () => {
    const { accepts, removed, redis, base } = await batcher();
    const first = newDelivery();
    const others = [newDelivery(), newDelivery()];
    const statuses = await Promise.all([first, ...others, { ...first, body: Buffer.from("{}") }].map((d) => accepts.accept(d, [], Date.now())));
    expect(statuses).toEqual(["ignored", "ignored", "ignored", "duplicate"]);
    expect(removed).toEqual([[]]);
    // the duplicate's body did not replace the first one's (SET NX)
    expect(await redis.getBuffer(`${base}body:${first.id}`)).toEqual(Buffer.from(first.body));
    for (const d of [first, ...others]) expect(await redis.hget(`${base}d:${d.id}`, "status")).toBe("ignored");
  });

  it("rejects every delivery of a batch Redis refused with HOOKYARD_ERR_STORE_UNAVAILABLE, and the next batch goes on", async () => {
    const { accepts, redis, base } = await batcher();
    // a sequence counter that is not a number: the record script fails, and with it the batch
    await redis.set(`${base}seq`, "not-a-number");
    const refused = await Promise.allSettled([newDelivery(), newDelivery()].map((d) => accepts.accept(d, [], Date.now())));
    for (const r of refused) {
      expect(r.status).toBe("rejected");
      expect((r as PromiseRejectedResult).reason).toMatchObject({ code: "HOOKYARD_ERR_STORE_UNAVAILABLE" });
    }
    await redis.del(`${base}seq`);
    expect(await accepts.accept(newDelivery(), [], Date.now())).toBe("ignored");
  });
});
