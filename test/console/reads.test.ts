// The console's reads over the store interface (stats, bulk retry, the change feed) on every
// backend: memory, SQLite, BullMQ on Redis and on PostgreSQL.
import { randomUUID } from "node:crypto";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { retryTasks } from "../../src/http/api/bulk-retry.js";
import { ChangeFeed, type Change } from "../../src/http/api/change-feed.js";
import { computeStats } from "../../src/http/api/stats.js";
import { Lifecycle } from "../../src/observability/lifecycle.js";
import type { Backend } from "../../src/store/backend.js";
import { openPostgresBackend, openRedisBackend } from "../../src/store/backends/bullmq/index.js";
import { MemoryBackend } from "../../src/store/backends/memory/index.js";
import { SqliteBackend } from "../../src/store/backends/sqlite/index.js";
import { dropPgSchema, PG_URL } from "../support/postgres.js";
import { dropRedisKeys, REDIS_URL } from "../support/redis.js";
import { newDelivery, newTask, removeTempDirs, tempDir, withCleanup } from "../support/store.js";

const MIN = 60_000;
const stores: Backend[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
  removeTempDirs();
});

const BACKENDS: [string, () => Promise<Backend>][] = [
  ["memory", async () => new MemoryBackend()],
  ["sqlite", () => SqliteBackend.open(join(tempDir(), "h.db"))],
  ["bullmq-redis", async () => {
    const prefix = `hytest-${randomUUID()}`;
    return withCleanup(await openRedisBackend({ url: REDIS_URL, prefix }), () => dropRedisKeys(`${prefix}:*`));
  }],
  ["bullmq-postgres", async () => {
    const schema = `hytest_${randomUUID().replaceAll("-", "")}`;
    return withCleanup(await openPostgresBackend({ url: PG_URL, schema, queue: `q${schema}`, poolSize: 2 }), () => dropPgSchema(schema));
  }],
];

describe.each(BACKENDS)("console reads on %s", (_name, open) => {
  it("counts the last hour per minute and failures by when they failed, retries failed tasks in bulk, and polls the counts for changes", async () => {
    const store = await open();
    stores.push(store);
    const now = Date.now();
    const old = newTask({ name: "a" });
    const [b, c, d] = [newTask({ name: "b" }), newTask({ name: "c" }), newTask({ name: "d" })];
    // oldest first, as ingress stores them
    await store.accept(newDelivery({ receivedAt: now - 120 * MIN }), [old]);
    await store.accept(newDelivery({ receivedAt: now - 30 * MIN }), [b, c]);
    await store.accept(newDelivery({ receivedAt: now - 30_000 }), [d]);
    const claimed = await store.claim("w", 10, 30_000);
    expect(claimed.map((t) => t.id).sort()).toEqual([old.id, b.id, c.id, d.id].sort());
    const error = { message: "boom" };
    await store.finish("w", old.id, { outcome: "failed", error });
    await store.finish("w", b.id, { outcome: "failed", error });
    await store.finish("w", c.id, { outcome: "completed" });

    const stats = await computeStats(store, Date.now());
    expect(stats.deliveriesLastHour).toBe(2);
    expect(stats.deliveriesPerMinute).toHaveLength(60);
    expect(stats.deliveriesPerMinute.reduce((x, y) => x + y, 0)).toBe(2);
    expect(stats.deliveriesPerMinute[59]).toBe(1);
    expect((stats.deliveriesPerMinute[29] ?? 0) + (stats.deliveriesPerMinute[30] ?? 0)).toBe(1); // 30 minutes ago (the clock moved a little)
    expect(stats.failuresLastHour).toBe(2); // the task of the two-hour-old delivery failed just now
    expect(stats.failuresPerMinute[59]).toBe(2);
    expect(stats.tasksByState).toMatchObject({ failed: 2, completed: 1, running: 1, queued: 0 });
    expect(stats.queueDepth).toBe(0);
    expect(stats.partial).toBe(false);

    expect(await retryTasks(store, { state: "failed", since: Date.now() + MIN })).toEqual({ retried: 0, skipped: 0, more: false });
    expect(await retryTasks(store, { state: "failed", name: "b" })).toEqual({ retried: 1, skipped: 0, more: false });
    expect((await store.getTask(b.id))?.state).toBe("queued");
    expect((await store.getTask(old.id))?.state).toBe("failed");
    expect(await retryTasks(store, { state: "failed", since: new Date(now - MIN).toISOString() })).toEqual({ retried: 1, skipped: 0, more: false });
    expect((await computeStats(store, Date.now())).queueDepth).toBe(2);

    // the change feed: another process's write (no lifecycle event here, only the store changed)
    const feed = new ChangeFeed(store, undefined, 20);
    const seen: Change[] = [];
    const off = feed.subscribe((change) => seen.push(change));
    try {
      await expect.poll(() => seen.find((x) => x.type === "counts" && x.counts.queued === 2), { timeout: 10_000 }).toBeTruthy(); // the first poll
      await store.accept(newDelivery({ receivedAt: Date.now() }), [newTask()]);
      await expect.poll(() => seen.find((x) => x.type === "counts" && x.counts.queued === 3), { timeout: 10_000 }).toBeTruthy();
    } finally {
      off();
    }
  });
});

describe("change feed", () => {
  it("forwards this process's lifecycle events as task and delivery changes, and stops when nobody listens", async () => {
    const store = new MemoryBackend();
    const lifecycle = new Lifecycle();
    const feed = new ChangeFeed(store, lifecycle, 60_000);
    const seen: Change[] = [];
    const off = feed.subscribe((c) => seen.push(c));
    const task = { id: "t1", name: "triage", deliveryId: "d1", event: "issues", action: "opened", attempt: 2, maxAttempts: 3, backoff: { type: "fixed" as const, delay: 1, maxDelay: 1, jitter: "none" as const }, timeoutMs: 1000 };
    lifecycle.emit("task:failed", { task, error: { message: "boom" } });
    lifecycle.emit("delivery:accepted", { id: "d2", event: "push", action: null, status: "accepted", tasks: 1 });
    off();
    lifecycle.emit("task:complete", { task, durationMs: 1 });
    expect(seen).toEqual([
      { type: "task", id: "t1", name: "triage", deliveryId: "d1", state: "failed", attempt: 2, error: "boom" },
      { type: "delivery", id: "d2", event: "push", action: null, status: "accepted", tasks: 1 },
    ]);
    await store.close();
  });
});
