import { randomUUID } from "node:crypto";
import { Queue, Worker } from "bullmq";
import { Redis } from "ioredis";
import { afterEach, describe, expect, it } from "vitest";
import { Hookyard } from "../../src/app/index.js";
import { BullmqBackend, openRedisBackend, type RedisBackendOptions } from "../../src/store/backends/bullmq/index.js";
import { PAGE } from "../../src/store/backends/bullmq/redis-page.js";
import { closeKeepingData, descriptionParam, newDelivery, newTask, pollUntil, seed, withCleanup } from "../support/store.js";
import { ingressThenWorker } from "../support/shared-store.js";
import { REDIS_URL, dropRedisKeys } from "../support/redis.js";
import { describeBackend } from "./conformance.js";
import { describePrune } from "./conformance-prune.js";

const LONG = 60_000;

/** Deletes every key under a test's own prefix (BullMQ's queue keys and Hookyard's records alike). */
const dropPrefix = (prefix: string): Promise<void> => dropRedisKeys(`${prefix}:*`);

export async function openTestStore(options: RedisBackendOptions = {}): Promise<{ store: BullmqBackend; prefix: string }> {
  const prefix = options.prefix ?? `hytest-${randomUUID()}`;
  const store = await openRedisBackend({ url: REDIS_URL, ...options, prefix });
  return { store: withCleanup(store, () => dropPrefix(prefix)), prefix };
}

describeBackend("bullmq-redis", async () => (await openTestStore()).store, {
  holds: false,
  reopen: async (store) => {
    await closeKeepingData(store);
    return (await openTestStore({ prefix: descriptionParam(store, "prefix") })).store;
  },
});

describePrune("bullmq-redis", async () => (await openTestStore()).store);

/** A BullMQ queue on a test's prefix with its own connection, to look at the jobs from outside. */
async function bullmqView(prefix: string): Promise<{ queue: Queue; close: () => Promise<void> }> {
  const connection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const queue = new Queue("tasks", { connection, prefix });
  await queue.waitUntilReady();
  return { queue, close: async () => { await queue.close(); await connection.quit(); } };
}

describe("BullMQ store on Redis", () => {
  const cleanups: (() => Promise<unknown>)[] = [];
  const open = async (options: RedisBackendOptions = {}) => {
    const opened = await openTestStore(options);
    cleanups.push(() => opened.store.close());
    return opened;
  };
  const view = async (prefix: string) => {
    const v = await bullmqView(prefix);
    cleanups.unshift(v.close);
    return v.queue;
  };
  afterEach(async () => {
    for (const c of cleanups.splice(0)) await c();
  });

  it("keeps each open task as a BullMQ job (job id = task id), gone from BullMQ once the task settles", async () => {
    const { store, prefix } = await open();
    const queue = await view(prefix);
    const d = newDelivery();
    const [done, later] = [newTask({ name: "issues:triage" }), newTask()];
    await store.accept(d, [done!, later!]);
    const job = await queue.getJob(done!.id);
    expect(job).toMatchObject({ id: done!.id, name: "issues:triage", data: { deliveryId: d.id }, opts: { attempts: 1 } });
    expect(await queue.getJobState(done!.id)).toBe("waiting");
    await store.claim("a", 2, LONG);
    expect(await queue.getJobState(done!.id)).toBe("active");
    await store.finish("a", done!.id, { outcome: "completed" });
    await store.finish("a", later!.id, { outcome: "retrying", runAt: Date.now() + LONG, error: { message: "x" } });
    expect(await queue.getJobState(done!.id)).toBe("unknown");
    expect(await queue.getJobState(later!.id)).toBe("delayed");
    await store.cancelTask(later!.id);
    expect(await queue.getJobState(later!.id)).toBe("unknown");
    expect(await queue.getJobCounts("waiting", "active", "delayed", "completed", "failed")).toEqual({ waiting: 0, active: 0, delayed: 0, completed: 0, failed: 0 });
  });

  it("an inline-claimed task's job waits delayed until its lease ends", async () => {
    const { store, prefix } = await open();
    const queue = await view(prefix);
    const t = newTask();
    const before = Date.now();
    await store.accept(newDelivery(), [t], { owner: "me", leaseMs: LONG, claim: [t.id] });
    const job = await queue.getJob(t.id);
    expect(await queue.getJobState(t.id)).toBe("delayed");
    expect(job!.timestamp + job!.delay).toBeGreaterThanOrEqual(before + LONG);
    await store.finish("me", t.id, { outcome: "completed" });
    expect(await queue.getJobState(t.id)).toBe("unknown");
  });

  it("deduplicates on the delivery id after the job is gone (even the whole queue), with a key that never expires", async () => {
    const { store, prefix } = await open();
    const queue = await view(prefix);
    const d = newDelivery();
    await store.accept(d, [newTask()]);
    const [claimed] = await store.claim("a", 1, LONG);
    await store.finish("a", claimed!.id, { outcome: "completed" });
    await queue.obliterate({ force: true });
    const again = newTask();
    expect(await store.accept({ ...d, body: Buffer.from("{}") }, [again])).toBe("duplicate");
    expect(await store.getTask(again.id)).toBeNull();
    expect(await queue.getJobState(again.id)).toBe("unknown");
    const redis = new Redis(REDIS_URL);
    cleanups.push(() => redis.quit());
    expect(await redis.pttl(`${prefix}:tasks:rec:dedup:${d.id}`)).toBe(-1);
  });

  it("of two concurrent accepts of one delivery id, one is stored and the other leaves no job behind", async () => {
    const { store, prefix } = await open();
    const queue = await view(prefix);
    const d = newDelivery();
    const [a, b] = [newTask(), newTask()];
    const statuses = await Promise.all([store.accept(d, [a]), store.accept({ ...d }, [b])]);
    expect([...statuses].sort()).toEqual(["accepted", "duplicate"]);
    const [winner, loser] = statuses[0] === "accepted" ? [a, b] : [b, a];
    expect(await queue.getJobState(winner.id)).toBe("waiting");
    expect(await queue.getJobState(loser.id)).toBe("unknown");
    expect((await store.getDelivery(d.id))?.tasks.map((t) => t.id)).toEqual([winner.id]);
  });

  it("a job that BullMQ's own stalled-job check put back is recorded as a lost attempt and runs again", async () => {
    const { store, prefix } = await open();
    const [id] = await seed(store);
    await store.claim("a", 1, LONG);
    const connection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
    const checker = new Worker("tasks", null, { connection, prefix, autorun: false, stalledInterval: 1, maxStalledCount: 1_000_000_000 });
    cleanups.unshift(async () => { await checker.close(true); await connection.quit(); });
    // the process holding the lease dies and its BullMQ lock lapses (shortened here to 1 ms)
    const token = await connection.hget(`${prefix}:tasks:rec:t:${id}`, "token");
    expect(await checker.backend.extendLocks([id!], [token!], 1)).toEqual([]);
    // BullMQ runs the check once per stalledInterval across workers (a throttle key): clear it, then
    // check until the job, marked by one pass, is found without a lock by the next
    await pollUntil("BullMQ's stalled check to put the job back", async () => {
      await connection.del(`${prefix}:tasks:stalled-check`);
      return (await checker.backend.moveStalledJobsToWait()).includes(id!);
    });
    expect(await store.claim("b", 1, LONG)).toMatchObject([{ id, attempt: 2 }]);
    const task = await store.getTask(id!);
    expect(task?.attemptLog.map((a) => a.outcome)).toEqual(["lost", "running"]);
    expect(task?.lastError?.code).toBe("HOOKYARD_ERR_TASK_LEASE_EXPIRED");
    expect(await store.extendLeases("a", [id!], LONG)).toEqual([id]);
  });

  it("a job without a task record is discarded by the claim that fetches it", async () => {
    const { store, prefix } = await open();
    const queue = await view(prefix);
    await queue.add("stray", { deliveryId: "none" }, { jobId: "no-such-task" });
    expect(await store.claim("a", 10, LONG)).toEqual([]);
    expect(await queue.getJobState("no-such-task")).toBe("unknown");
  });

  it("repair() re-creates the job of an open task that lost it", async () => {
    const { store, prefix } = await open();
    const queue = await view(prefix);
    const [id] = await seed(store);
    await queue.remove(id!);
    expect(await store.claim("a", 10, LONG)).toEqual([]);
    expect(await store.repair(0)).toBe(1);
    expect(await store.repair(0)).toBe(0);
    expect((await store.claim("a", 10, LONG)).map((c) => c.id)).toEqual([id]);
  });

  it("wakes listeners in another process when a task is queued there (BullMQ's blocking wait)", async () => {
    const { store: a, prefix } = await open();
    const { store: b } = await open({ prefix });
    const woken = new Promise<void>((resolve) => b.onTasksQueued(resolve));
    const [id] = await seed(a);
    await woken;
    expect((await b.claim("b", 10, LONG)).map((c) => c.id)).toEqual([id]);
  });

  it("the paging script examines a bounded number of members per call and says where to resume", async () => {
    const prefix = `hytest-${randomUUID()}`;
    const redis = new Redis(REDIS_URL);
    cleanups.push(async () => { await dropPrefix(prefix); await redis.quit(); });
    redis.defineCommand("hookyardPageTest", { numberOfKeys: 0, lua: PAGE });
    const base = `${prefix}:`;
    // 250 members in each set; only the 3 oldest are in both, so the walk must cross 247 non-matches
    for (let i = 1; i <= 250; i++) {
      await redis.zadd(`${base}a`, i, `id${i}`);
      await redis.zadd(`${base}b`, i <= 3 ? i : i + 1000, i <= 3 ? `id${i}` : `other${i}`);
    }
    const call = (cursor: string, want: number) =>
      (redis as unknown as Record<string, (...args: (string | number)[]) => Promise<string[]>>).hookyardPageTest!(base, cursor, want, 100, "a", "b");
    const calls: string[][] = [];
    let cursor = "";
    for (let i = 0; i < 10; i++) {
      const reply = await call(cursor, 10);
      calls.push(reply);
      if (reply[0] === "") break;
      cursor = reply[0]!;
    }
    // 100 examined per call: 250…151, then 150…51 (each reply resumes below the last examined), then the rest
    expect(calls.map((r) => r[0])).toEqual(["151", "51", ""]);
    expect(calls.flatMap((r) => r.slice(1))).toEqual(["id3", "3", "id2", "2", "id1", "1"]);
  });

  it("two Hookyard processes share one store: an ingress-only one accepts, a worker one runs the handler (with a retry)", async () => {
    const { store: ingressStore, prefix } = await open();
    const { store: workerStore } = await open({ prefix });
    expect(await ingressThenWorker(ingressStore, workerStore, (stop) => cleanups.unshift(stop))).toEqual([1, 2]);
  });

  it("one Hookyard process runs a delivery's tasks (an inline one claimed at creation, the other claimed), and BullMQ's queue ends empty", async () => {
    const { store, prefix } = await open();
    const queue = await view(prefix);
    const app = new Hookyard({ logLevel: "silent", env: {}, webhookSecret: "s", store });
    cleanups.unshift(() => app.stop());
    let ran = 0;
    let done!: () => void;
    const finished = new Promise<void>((resolve) => (done = resolve));
    app.on("issues.opened", async function first() { if (++ran === 2) done(); }, { inline: true });
    app.on("issues.opened", async function second() { if (++ran === 2) done(); });
    await app.open();
    expect(await app.receive({ id: "delivery-2", name: "issues", payload: { action: "opened" } })).toBe("accepted");
    await finished;
    await app.stop();
    expect(await store.countTasks()).toMatchObject({ completed: 2, running: 0, queued: 0 });
    expect(await queue.getJobCounts("waiting", "active", "delayed", "completed", "failed")).toEqual({ waiting: 0, active: 0, delayed: 0, completed: 0, failed: 0 });
  });

  it("runs on one command connection plus BullMQ's blocking one, however many calls are in flight", async () => {
    const { store, prefix } = await open();
    store.onTasksQueued(() => undefined);
    await Promise.all(Array.from({ length: 50 }, () => seed(store)));
    const claimed = (await Promise.all([store.claim("a", 25, LONG), store.claim("a", 25, LONG)])).flat();
    expect(claimed).toHaveLength(50);
    await Promise.all(claimed.map((c) => store.finish("a", c.id, { outcome: "completed" })));
    expect((await store.countTasks()).completed).toBe(50);
    const redis = new Redis(REDIS_URL);
    cleanups.push(() => redis.quit());
    const names = String(await redis.client("LIST")).split("\n").map((line: string) => /\bname=(\S*)/.exec(line)?.[1] ?? "").filter((n: string) => n.startsWith(`${prefix}:`));
    expect(names.sort()).toEqual([`${prefix}:${Buffer.from("tasks").toString("base64")}`, `${prefix}:tasks:hookyard`].sort());
  });
});
