import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { afterEach, describe, expect, it } from "vitest";
import type { Backend } from "../../src/store/backend.js";
import { openRedisBackend, type BullmqBackend, type RedisBackendOptions } from "../../src/store/backends/bullmq/index.js";
import { describeBackend } from "./conformance.js";

const REDIS_URL = process.env.HOOKYARD_TEST_REDIS_URL ?? "redis://127.0.0.1:6379/0";

/** Deletes every key under a test's own prefix (BullMQ's queue keys and Hookyard's records alike). */
async function dropPrefix(prefix: string): Promise<void> {
  const redis = new Redis(REDIS_URL, { lazyConnect: true });
  await redis.connect();
  try {
    let cursor = "0";
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}:*`, "COUNT", 1000);
      if (keys.length) await redis.del(...keys);
      cursor = next;
    } while (cursor !== "0");
  } finally {
    await redis.quit();
  }
}

/** The backend, with `close()` also removing the test's keys (the conformance suite closes every store it opens). */
function withCleanup<T extends Backend>(store: T, cleanup: () => Promise<void>): T {
  let cleaned: Promise<void> | undefined;
  return new Proxy(store, {
    get(target, prop) {
      if (prop === "close") return () => target.close().then(() => (cleaned ??= cleanup()));
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

export async function openTestStore(options: RedisBackendOptions = {}): Promise<{ store: BullmqBackend; prefix: string }> {
  const prefix = options.prefix ?? `hytest-${randomUUID()}`;
  const store = await openRedisBackend({ url: REDIS_URL, ...options, prefix });
  return { store: withCleanup(store, () => dropPrefix(prefix)), prefix };
}

describeBackend("bullmq-redis", async () => (await openTestStore()).store);
