/**
 * The Redis store's round-trip savers: accepts as group commits, finishes that end the record and
 * move the job in one transaction and claim the queue's next job ahead for a listening worker.
 */
import { randomUUID } from "node:crypto";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { afterEach, describe, expect, it } from "vitest";
import { openRedisBackend, type BullmqBackend } from "../../src/store/backends/bullmq/index.js";
import { RECOVER } from "../../src/store/backends/bullmq/redis-scripts.js";
import { LEASE_EXPIRED_ERROR } from "../../src/store/transitions.js";
import { REDIS_URL, dropRedisKeys } from "../support/redis.js";
import { delay, newDelivery, newTask, seed } from "../support/store.js";

const LONG = 60_000;

describe("BullMQ store on Redis: round trips spared", () => {
  const cleanups: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0)) await c();
  });

  /** A BullMQ queue on the test's prefix, with its own connection, to look at the jobs from outside. */
  const view = (prefix: string): Queue => {
    const connection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
    const queue = new Queue("tasks", { connection, prefix });
    cleanups.unshift(async () => { await queue.close(); await connection.quit(); });
    return queue;
  };

  const open = async (prefix = `hytest-${randomUUID()}`): Promise<{ store: BullmqBackend; prefix: string; redis: Redis }> => {
    const store = await openRedisBackend({ url: REDIS_URL, prefix });
    const redis = new Redis(REDIS_URL);
    cleanups.push(async () => {
      await store.close();
      await dropRedisKeys(`${prefix}:*`, redis);
      await redis.quit();
    });
    return { store, prefix, redis };
  };

  it("a listening worker's finish claims the next job for it: the next claim needs no fetch, and the body read with it is exact", async () => {
    const { store, prefix } = await open();
    store.onTasksQueued(() => undefined);
    const body = Buffer.from([0x7b, 0x00, 0xff, 0xfe, 0x80, 0x0a, 0xc3, 0x28, 0x7d]);
    const first = newTask();
    const second = newTask();
    await store.accept(newDelivery(), [first]);
    const d2 = newDelivery({ body, contentType: "application/x-www-form-urlencoded" });
    await store.accept(d2, [second]);
    expect((await store.claim("w", 1, LONG)).map((c) => c.id)).toEqual([first.id]);
    await store.getBody("unknown-delivery"); // this process reads bodies: the finish reads the next one's with it
    await store.finish("w", first.id, { outcome: "completed" });
    // claimed in the finish's transaction: running for "w" before its next claim
    expect(await store.getTask(second.id)).toMatchObject({ state: "running", attempts: 1 });
    const queue = view(prefix);
    expect(await queue.getJobState(second.id)).toBe("active");
    expect(await store.claim("w", 1, LONG)).toMatchObject([{ id: second.id, attempt: 1, deliveryId: d2.id }]);
    const got = await store.getBody(d2.id);
    expect(got?.contentType).toBe("application/x-www-form-urlencoded");
    expect([...got!.body]).toEqual([...body]);
    expect([...(await store.getBody(d2.id))!.body]).toEqual([...body]); // read again: from Redis
    await store.finish("w", second.id, { outcome: "failed", error: { message: "x" } });
    expect(await store.getTask(second.id)).toMatchObject({ state: "failed", lastError: { message: "x" } });
    expect(await queue.getJobCounts("waiting", "active", "delayed", "completed", "failed")).toEqual({ waiting: 0, active: 0, delayed: 0, completed: 0, failed: 0 });
  });

  it("tasks claimed ahead go back to the queue, the attempt not counted, when the worker stops listening", async () => {
    const { store } = await open();
    const stop = store.onTasksQueued(() => undefined);
    const [a, b] = await seed(store, 2);
    const [claimed] = await store.claim("w", 1, LONG);
    const other = claimed!.id === a ? b! : a!;
    await store.finish("w", claimed!.id, { outcome: "completed" });
    expect(await store.getTask(other)).toMatchObject({ state: "running" });
    stop();
    for (let i = 0; i < 100 && (await store.getTask(other))?.state === "running"; i++) await delay(10);
    expect(await store.getTask(other)).toMatchObject({ state: "queued", attempts: 0, attemptLog: [{ outcome: "interrupted" }] });
    expect(await store.claim("x", 10, LONG)).toMatchObject([{ id: other, attempt: 1 }]);
  });

  it("a claim ahead of another owner's is not handed to it; the store closing puts it back", async () => {
    const { store, prefix } = await open();
    store.onTasksQueued(() => undefined);
    const [a, b] = await seed(store, 2);
    const [claimed] = await store.claim("w", 1, LONG);
    const other = claimed!.id === a ? b! : a!;
    await store.finish("w", claimed!.id, { outcome: "completed" });
    expect(await store.claim("someone-else", 10, LONG)).toEqual([]);
    await store.close();
    const { store: again } = await open(prefix);
    expect(await again.getTask(other)).toMatchObject({ state: "queued", attempts: 0 });
    expect(await again.claim("x", 10, LONG)).toMatchObject([{ id: other, attempt: 1 }]);
  });

  it("a lapsed lease's recovery deletes its lock, so the late finish of its holder moves nothing", async () => {
    const { store, prefix, redis } = await open();
    const [id] = await seed(store);
    await store.claim("a", 1, LONG);
    // the lease lapses (moved into the past here) while the job's lock is still there
    await redis.zadd(`${prefix}:tasks:rec:leases`, 1, id!);
    expect(await redis.exists(`${prefix}:tasks:${id}:lock`)).toBe(1);
    // another process's recovery (the script alone: its putting the job back in line comes after)
    redis.defineCommand("hookyardRecoverTest", { numberOfKeys: 0, lua: RECOVER });
    const scripts = redis as unknown as { hookyardRecoverTest: (...args: (string | number)[]) => Promise<unknown> };
    await scripts.hookyardRecoverTest(`${prefix}:tasks:rec:`, Date.now(), 10, JSON.stringify(LEASE_EXPIRED_ERROR), `${prefix}:tasks:`);
    expect(await redis.exists(`${prefix}:tasks:${id}:lock`)).toBe(0);
    await store.finish("a", id!, { outcome: "completed" });
    expect(await store.getTask(id!)).toMatchObject({ state: "queued", attemptLog: [{ outcome: "lost" }] });
    // the job was not completed: back in line, it is claimed as the next attempt
    const queue = view(prefix);
    expect(await queue.getJobState(id!)).toBe("active");
    await (await queue.getJob(id!))!.moveToDelayed(Date.now(), "0");
    expect(await store.claim("b", 10, LONG)).toMatchObject([{ id, attempt: 2 }]);
  });

  it("accepts arriving together go in one transaction, each with its own answer", async () => {
    const { store } = await open();
    const d = newDelivery();
    const deliveries = [d, ...Array.from({ length: 40 }, () => newDelivery()), { ...d }];
    const statuses = await Promise.all(deliveries.map((x, i) => store.accept(x, i % 5 === 4 ? [] : [newTask()])));
    expect(statuses[0]).toBe("accepted");
    expect(statuses.at(-1)).toBe("duplicate");
    expect(statuses.filter((s) => s === "ignored")).toHaveLength(8);
    expect((await store.countTasks()).queued).toBe(33);
    expect((await store.listDeliveries({ limit: 500 })).items).toHaveLength(41);
  });
});
