/**
 * Issue 16, defect 9: on BullMQ (Redis and Postgres), a task an acknowledged delivery created is
 * run again within HOOKYARD_LEASE + HOOKYARD_POLL_INTERVAL after the process holding it died, even
 * when the process died between fetching the task's job and recording its claim (the job is
 * `active` in BullMQ, locked by the dead process, while the record says `queued`). Such a job used
 * to wait for BullMQ's stalled-job check: its 30 s lock, then two 30 s check rounds (the first one
 * only marks the job), delayed further by the check lock another process took: 60 s and more.
 * Now the lock is the lease and the check runs every poll interval.
 *
 * The dead process is played by a BullMQ worker fetching the job exactly as Hookyard's claim does
 * (manual `getNextJob` under a lock of the lease's length), then going away without a claim.
 */
import { randomUUID } from "node:crypto";
import { createPostgresBackend, Worker, type Job } from "bullmq";
import { Redis } from "ioredis";
import { afterEach, describe, expect, it } from "vitest";
import { Hookyard } from "../../src/app/index.js";
import { dropPgSchema, PG_URL } from "../support/postgres.js";
import { dropRedisKeys, REDIS_URL } from "../support/redis.js";

const LEASE = { lease: "1s", pollInterval: "100ms" } as const;

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

interface Store {
  url: string;
  /** Fetches the queue's next job the way Hookyard's claim does, in a worker that then goes away. */
  fetchAndDie(): Promise<Job>;
}

function redisStore(): Store {
  const prefix = `hyrec${randomUUID().slice(0, 8)}`;
  cleanups.push(() => dropRedisKeys(`${prefix}*`));
  return {
    url: `${REDIS_URL}?prefix=${prefix}`,
    async fetchAndDie() {
      const connection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
      const worker = new Worker("tasks", null, { connection, prefix, lockDuration: 1_000, autorun: false });
      const job = await worker.getNextJob("dead-process-token", { block: false });
      await worker.close(true);
      connection.disconnect();
      return job as Job;
    },
  };
}

function postgresStore(): Store {
  const schema = `hyrec${randomUUID().slice(0, 8)}`;
  const queue = `q${schema}`;
  cleanups.push(() => dropPgSchema(schema));
  return {
    url: `${PG_URL}?schema=${schema}&queue=${queue}&pool=3`,
    async fetchAndDie() {
      const worker = new Worker(queue, null, { connection: { connectionString: PG_URL, schema, max: 2 }, lockDuration: 1_000, autorun: false }, createPostgresBackend);
      const job = await worker.getNextJob("dead-process-token", { block: false });
      await worker.close(true);
      return job as Job;
    },
  };
}

describe.each([
  ["BullMQ on Redis", redisStore],
  ["BullMQ on Postgres", postgresStore],
])("%s: crash recovery within lease + poll interval", (_name, makeStore) => {
  it("a job fetched by a process that died before recording its claim is run by the next claim once the lease has lapsed", { timeout: 30_000 }, async () => {
    const store = makeStore();
    const settings = { store: store.url, webhookSecret: "s", logLevel: "silent" as const, env: {}, ...LEASE };
    // an ingress process of the fleet accepts the delivery, and stays up (as ingress processes do)
    const ingress = new Hookyard({ ...settings, workers: false });
    ingress.on("issues", async () => undefined);
    cleanups.push(() => ingress.stop());
    await ingress.open();
    const id = randomUUID();
    expect(await ingress.receive({ id, name: "issues", payload: { action: "opened" } })).toBe("accepted");
    const [task] = (await ingress.store.listTasks({ deliveryId: id })).items;

    const orphan = await store.fetchAndDie();
    expect(orphan.id).toBe(task!.id);
    expect(await ingress.store.getTask(task!.id)).toMatchObject({ state: "queued", attempts: 0 }); // the claim was never recorded

    const worker = new Hookyard(settings);
    const ran: string[] = [];
    worker.on("issues", async (ctx) => void ran.push(ctx.task));
    cleanups.push(() => worker.stop());
    const completed = worker.events.once("task:complete", ({ task: t }) => t.id === task!.id);
    await worker.open();
    await completed;
    expect(ran).toEqual([task!.id]);
    expect((await worker.store.getTask(task!.id))?.attemptLog.map((a) => [a.attempt, a.outcome])).toEqual([[1, "completed"]]);
  });
});
