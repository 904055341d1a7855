import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { openRedisBackend } from "../../src/store/backends/bullmq/index.js";
import { newDelivery, newTask } from "../support/store.js";
import { dropRedisKeys, REDIS_URL } from "../support/redis.js";

const DAY = 86_400_000;

describe("BullMQ store on Redis: retention", () => {
  const redis = new Redis(REDIS_URL);
  afterAll(() => redis.quit());

  it("leaves no key of a pruned delivery but its dedup tombstone; a redelivery of it stores no body", async () => {
    const prefix = `hytest-${randomUUID()}`;
    const store = await openRedisBackend({ url: REDIS_URL, prefix });
    try {
      const t = newTask();
      const d = newDelivery({ receivedAt: Date.now() - 40 * DAY, repository: "octo/pruned" });
      await store.accept(d, [t]);
      await store.claim("w", 10, 60_000);
      await store.finish("w", t.id, { outcome: "completed" });
      const future = Date.now() + 60_000;
      expect(await store.prune({ before: future, failedBefore: future, tombstonesBefore: 0, limit: 10 })).toMatchObject({ deliveries: 1, tasks: 1 });
      const left = (await redis.keys(`${prefix}:*`)).filter((k) => k.includes(d.id) || k.includes(t.id) || k.includes("octo/pruned"));
      expect(left).toEqual([`${prefix}:tasks:rec:dedup:${d.id}`]);
      expect(await redis.zscore(`${prefix}:tasks:rec:tomb`, d.id)).toBe(String(d.receivedAt));
      expect(await store.accept(d, [newTask()])).toBe("duplicate");
      expect(await redis.exists(`${prefix}:tasks:rec:body:${d.id}`)).toBe(0);
    } finally {
      await store.close();
      await dropRedisKeys(`${prefix}:*`);
    }
  });
});
