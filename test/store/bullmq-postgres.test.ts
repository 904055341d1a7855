import { randomUUID } from "node:crypto";
import { createPostgresBackend, Worker } from "bullmq";
import pg from "pg";
import { afterEach, describe, expect, it } from "vitest";
import { BullmqBackend, migrate, openPostgresBackend, type PostgresBackendOptions } from "../../src/store/backends/bullmq/index.js";
import { pageQuery } from "../../src/store/backends/bullmq/pg-reads.js";
import { openStore } from "../../src/store/open.js";
import { ingressThenWorker } from "../support/shared-store.js";
import { closeKeepingData, descriptionParam, expectCode, newDelivery, newTask, pollUntil, seed, withCleanup } from "../support/store.js";
import { describeBackend } from "./conformance.js";
import { describePrune } from "./conformance-prune.js";

const PG_URL = process.env.HOOKYARD_TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const LONG = 60_000;

async function withClient<T>(use: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

const dropSchema = (schema: string) => withClient((c) => c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)).then(() => undefined);

const newSchema = () => `hytest_${randomUUID().replaceAll("-", "")}`;

async function openTestStore(options: Partial<PostgresBackendOptions> = {}): Promise<{ store: BullmqBackend; schema: string }> {
  const schema = options.schema ?? newSchema();
  // a queue name of its own too: BullMQ's NOTIFY channel is shared by every schema of the database
  const store = await openPostgresBackend({ url: PG_URL, queue: `q${schema}`, poolSize: 4, ...options, schema });
  return { store: withCleanup(store, () => dropSchema(schema)), schema };
}

describeBackend("bullmq-postgres", async () => (await openTestStore()).store, {
  holds: false,
  reopen: async (store) => {
    await closeKeepingData(store);
    const schema = descriptionParam(store, "schema");
    return (await openTestStore({ schema, queue: `q${schema}`, migrate: false })).store;
  },
});

describePrune("bullmq-postgres", async () => (await openTestStore()).store);

describe("BullMQ store on Postgres (beta)", () => {
  const cleanups: (() => Promise<unknown>)[] = [];
  const open = async (options: Partial<PostgresBackendOptions> = {}) => {
    const opened = await openTestStore(options);
    cleanups.push(() => opened.store.close());
    return opened;
  };
  afterEach(async () => {
    for (const c of cleanups.splice(0)) await c();
  });
  const inSchema = <T>(schema: string, use: (c: pg.Client) => Promise<T>) => withClient(async (c) => {
    await c.query(`SET search_path TO "${schema}"`);
    return use(c);
  });

  it("migrate() creates BullMQ's schema and Hookyard's tables, and is safe to run again; an unmigrated schema is refused", async () => {
    const schema = newSchema();
    cleanups.push(() => dropSchema(schema));
    await expectCode(openPostgresBackend({ url: PG_URL, schema, migrate: false }), "HOOKYARD_ERR_STORE_MIGRATION_REQUIRED");
    const first = await migrate(`${PG_URL}?schema=${schema}`);
    expect(first).toMatchObject({ schema, hookyardVersion: 3 });
    expect(first.bullmqVersion).toBeGreaterThan(0);
    expect(await migrate(PG_URL, { schema })).toEqual(first);
    const tables = await inSchema(schema, async (c) => (await c.query<{ t: string }>(
      "SELECT table_name AS t FROM information_schema.tables WHERE table_schema = $1 ORDER BY 1", [schema])).rows.map((r) => r.t));
    expect(tables).toEqual(expect.arrayContaining(["job", "migration", "hookyard_delivery", "hookyard_task", "hookyard_attempt", "hookyard_record", "hookyard_tombstone", "hookyard_migration"]));
    const store = await openPostgresBackend({ url: PG_URL, schema, migrate: false, queue: `q${schema}` });
    cleanups.unshift(() => store.close());
    await store.ping();
  });

  it("a schema at Hookyard version 1 (before records) is refused until migrated, and migrating keeps its data", async () => {
    const { store, schema } = await open();
    const [id] = await seed(store);
    await closeKeepingData(store);
    // what a schema migrated by the previous release looks like: no record table, version 1
    await inSchema(schema, (c) => c.query("DROP TABLE hookyard_record; DELETE FROM hookyard_migration WHERE version > 1"));
    const err = await openPostgresBackend({ url: PG_URL, schema, queue: `q${schema}`, migrate: false }).catch((e: Error & { code?: string }) => e);
    expect(err).toMatchObject({ code: "HOOKYARD_ERR_STORE_MIGRATION_REQUIRED" });
    expect((err as Error).message).toContain("found 1");
    expect(await migrate(PG_URL, { schema })).toMatchObject({ hookyardVersion: 3 });
    const { store: after } = await open({ schema, queue: `q${schema}`, migrate: false });
    expect((await after.getTask(id!))?.state).toBe("queued");
    expect((await after.putRecord("agent-run", "k", { ok: true }, 0)).version).toBe(1);
  });

  it("keeps each open task as a row of BullMQ's job table (job id = task id), gone once the task settles", async () => {
    const { store, schema } = await open();
    const jobState = (id: string) => inSchema(schema, async (c) => (await c.query<{ state: string }>("SELECT state FROM job WHERE id = $1", [id])).rows[0]?.state ?? "none");
    const [t] = [newTask({ name: "push:deploy" })];
    await store.accept(newDelivery(), [t!]);
    expect(await jobState(t!.id)).toBe("waiting");
    await store.claim("a", 1, LONG);
    expect(await jobState(t!.id)).toBe("active");
    await store.finish("a", t!.id, { outcome: "retrying", runAt: Date.now() + LONG, error: { message: "x" } });
    expect(await jobState(t!.id)).toBe("delayed");
    await store.cancelTask(t!.id);
    expect(await jobState(t!.id)).toBe("none");
    await store.retryTask(t!.id);
    expect(await jobState(t!.id)).toBe("waiting");
  });

  it("accept is one transaction: when BullMQ's job insert fails, neither the delivery nor its tasks are stored", async () => {
    const { store, schema } = await open();
    await inSchema(schema, (c) => c.query("ALTER FUNCTION add_jobs_bulk(text, jsonb) RENAME TO add_jobs_bulk_hidden"));
    const d = newDelivery();
    const t = newTask();
    await expectCode(store.accept(d, [t]), "HOOKYARD_ERR_STORE_UNAVAILABLE");
    await inSchema(schema, (c) => c.query("ALTER FUNCTION add_jobs_bulk_hidden(text, jsonb) RENAME TO add_jobs_bulk"));
    expect(await store.getDelivery(d.id)).toBeNull();
    expect(await store.getTask(t.id)).toBeNull();
    expect(await store.accept(d, [t])).toBe("accepted");
  });

  it("a job that BullMQ's own stalled-job check put back is recorded as a lost attempt and runs again", async () => {
    const { store, schema } = await open();
    const [id] = await seed(store);
    await store.claim("a", 1, LONG);
    const checker = new Worker(`q${schema}`, null, { connection: { connectionString: PG_URL, schema, max: 1 }, autorun: false, stalledInterval: 1 }, createPostgresBackend);
    cleanups.unshift(() => checker.close(true));
    // the process holding the lease dies and its BullMQ lock lapses (shortened here to 1 ms)
    const token = await inSchema(schema, async (c) => (await c.query<{ token: string }>("SELECT token FROM hookyard_task WHERE id = $1", [id])).rows[0]!.token);
    expect(await checker.backend.extendLocks([id!], [token], 1)).toEqual([]);
    // BullMQ runs the check once per stalledInterval across workers (a throttle row): clear it, then
    // check until the job, marked by one pass, is found without a live lock by the next
    await pollUntil("BullMQ's stalled check to put the job back", async () => {
      await inSchema(schema, (c) => c.query("DELETE FROM meta WHERE field = 'stalled-check'"));
      return (await checker.backend.moveStalledJobsToWait()).includes(id!);
    });
    expect(await store.claim("b", 1, LONG)).toMatchObject([{ id, attempt: 2 }]);
    const task = await store.getTask(id!);
    expect(task?.attemptLog.map((a) => a.outcome)).toEqual(["lost", "running"]);
    expect(task?.lastError?.code).toBe("HOOKYARD_ERR_TASK_LEASE_EXPIRED");
    expect(await store.extendLeases("a", [id!], LONG)).toEqual([id]);
  });

  it("deduplicates on the delivery id (a primary key) after the task's job is gone", async () => {
    const { store, schema } = await open();
    const d = newDelivery();
    await store.accept(d, [newTask()]);
    const [c] = await store.claim("a", 1, LONG);
    await store.finish("a", c!.id, { outcome: "completed" });
    await inSchema(schema, (client) => client.query("DELETE FROM job"));
    expect(await store.accept(d, [newTask()])).toBe("duplicate");
  });

  it("every list filter and the cursor are served by an index", async () => {
    const { store, schema } = await open();
    await seed(store, 2);
    const cursor = (await store.listTasks({ limit: 1 })).nextCursor ?? undefined;
    const queries = [
      ...[{ event: "e" }, { action: "a" }, { repository: "r" }, { status: "ignored" as const }].map((f) =>
        pageQuery("hookyard_delivery", Object.entries(f) as [string, string][], { cursor })),
      ...[{ state: "queued" }, { name: "n" }, { event: "e" }, { repository: "r" }, { delivery_id: "d" }].map((f) =>
        pageQuery("hookyard_task", Object.entries(f) as [string, string][], { cursor })),
    ];
    await inSchema(schema, async (c) => {
      const indexes = (await c.query<{ def: string }>("SELECT indexdef AS def FROM pg_indexes WHERE schemaname = $1", [schema])).rows.map((r) => r.def);
      for (const [table, columns] of [["hookyard_delivery", ["event", "action", "repository", "status"]], ["hookyard_task", ["state", "name", "event", "repository", "delivery_id"]]] as const) {
        for (const column of columns) expect(indexes.some((d) => d.includes(`ON ${schema}.${table} USING btree (${column}, seq)`)), `${table}.${column}`).toBe(true);
      }
      await c.query("SET enable_seqscan = off");
      for (const q of queries) {
        const plan = (await c.query<{ "QUERY PLAN": string }>(`EXPLAIN ${q.text}`, q.values)).rows.map((r) => r["QUERY PLAN"]).join("\n");
        expect(plan, q.text).toMatch(/Index/);
        expect(plan, q.text).not.toMatch(/Seq Scan/);
      }
    });
  });

  it("wakes listeners in another process when a task is queued there (LISTEN/NOTIFY)", async () => {
    const { store: a, schema } = await open();
    const { store: b } = await open({ schema, queue: `q${schema}`, migrate: false });
    const woken = new Promise<void>((resolve) => b.onTasksQueued(resolve));
    const [id] = await seed(a);
    await woken;
    expect((await b.claim("b", 10, LONG)).map((c) => c.id)).toEqual([id]);
  });

  it("an unreachable server fails to open with HOOKYARD_ERR_STORE_UNAVAILABLE and the reason", async () => {
    const err = await openStore("postgres://postgres@127.0.0.1:1/test").catch((e: Error & { code?: string }) => e);
    expect(err).toMatchObject({ code: "HOOKYARD_ERR_STORE_UNAVAILABLE" });
    expect((err as Error).message).toContain("ECONNREFUSED");
  });

  it("two Hookyard processes share one store: an ingress-only one accepts, a worker one runs the handler (with a retry)", async () => {
    const { store: ingressStore, schema } = await open();
    const { store: workerStore } = await open({ schema, queue: `q${schema}`, migrate: false });
    expect(await ingressThenWorker(ingressStore, workerStore, (stop) => cleanups.unshift(stop))).toEqual([1, 2]);
  });

  it("openStore takes postgres:// and postgresql:// URLs with schema and queue", async () => {
    const schema = newSchema();
    cleanups.push(() => dropSchema(schema));
    const store = await openStore(`${PG_URL.replace("postgres://", "postgresql://")}?schema=${schema}&queue=q${schema}`);
    cleanups.unshift(() => store.close());
    expect(store).toBeInstanceOf(BullmqBackend);
    expect(store.description).toContain(`schema=${schema}`);
    await seed(store);
    expect((await store.countTasks()).queued).toBe(1);
  });
});
