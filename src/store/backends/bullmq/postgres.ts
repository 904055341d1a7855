import {
  createPostgresBackend, Job, Queue, SchemaMigrationRequiredError, Worker, type IQueueBackend, type JobProgress, type PostgresConnectionOptions,
  type PostgresQueueBackend,
} from "bullmq";
import { HookyardError } from "../../../errors.js";
import { BullmqBackend } from "./bullmq-backend.js";
import { BullmqJobs, jobOptions, type JobData } from "./jobs.js";
import { assertMigrated, migrate } from "./pg-schema.js";
import { PgRecords, type JobEntries } from "./pg-records.js";
import { PgRecordTable } from "./pg-stored-records.js";
import { parsePostgresUrl } from "./url.js";

export { migrate, type MigrateResult } from "./pg-schema.js";

/** Options of {@link openPostgresBackend}. */
export interface PostgresBackendOptions {
  /** `postgres://user[:password]@host[:port]/database[?schema=…&queue=…&migrate=…]` (or `postgresql://`). */
  url: string;
  /** Schema holding BullMQ's tables and Hookyard's. Default from the URL, else `hookyard`. */
  schema?: string;
  /** BullMQ queue name. Default from the URL, else `tasks`. */
  queue?: string;
  /** Run {@link migrate} before opening. Default from the URL, else true. */
  migrate?: boolean;
  /** Size of the connection pool shared by BullMQ and Hookyard's records. Default 10. */
  poolSize?: number;
  /** Lock duration the worker fetches jobs with; match `HOOKYARD_LEASE`. Default 30 s. */
  lockDurationMs?: number;
  /** How often BullMQ's stalled-job check runs (a safety net). Default 30 s. */
  stalledIntervalMs?: number;
  /** How often a claim also re-creates jobs missing for open tasks. Default 60 s. */
  repairIntervalMs?: number;
  /** Called with errors nobody awaits. */
  onError?: (err: unknown) => void;
}

/**
 * Opens the BullMQ store on BullMQ's Postgres backend (**beta**): BullMQ's job tables and SQL
 * functions and Hookyard's tables in one schema, one connection pool (BullMQ's, shared by the
 * worker, the queue and the records) plus the worker's `LISTEN` connection.
 *
 * @example
 * ```ts
 * const store = await openPostgresBackend({ url: "postgres://app@db/hookyard?schema=hookyard" });
 * ```
 */
export async function openPostgresBackend(options: PostgresBackendOptions): Promise<BullmqBackend> {
  const parsed = parsePostgresUrl(options.url);
  const schema = options.schema ?? parsed.schema;
  const queueName = options.queue ?? parsed.queue;
  const lockDuration = options.lockDurationMs ?? 30_000;
  const onError = options.onError ?? (() => undefined);
  if (options.migrate ?? parsed.migrate) await migrate(parsed.url, { schema });

  // a bounded connect: an unreachable server makes calls (and /ready) fail instead of hang
  const connection: PostgresConnectionOptions = { connectionString: parsed.url, schema, max: options.poolSize ?? parsed.poolSize ?? 10, connectionTimeoutMillis: 5_000 };
  const worker = new Worker<JobData, null, string, PostgresQueueBackend, JobProgress, PostgresConnectionOptions>(queueName, null, {
    connection, autorun: false, lockDuration, stalledInterval: options.stalledIntervalMs ?? 30_000, maxStalledCount: 1_000_000_000,
  }, createPostgresBackend);
  worker.on("error", onError);
  try {
    const backend = worker.backend;
    const queue = new Queue<JobData, null, string, JobData, null, string, IQueueBackend, PostgresConnectionOptions>(
      queueName, { connection }, (name) => backend.forQueue(name));
    queue.on("error", onError);
    await worker.waitUntilReady();
    await queue.waitUntilReady();
    const pool = backend.connection.pool;
    await assertMigrated(pool, schema);
    worker.startStalledCheckTimer().catch(onError);

    // the entries BullMQ's add_jobs_bulk takes, built from a Job as BullMQ's own addBulk does
    const entries: JobEntries = (specs, now) => JSON.stringify(specs.map((s) => {
      const json = new Job(queue, s.name, { deliveryId: s.deliveryId }, jobOptions(s.runAt, now), s.id).asJSON();
      const delay = json.opts.delay ?? 0;
      return {
        queue: queueName, id: s.id, name: json.name, data: json.data, opts: json.opts, priority: 0, delay, timestamp: json.timestamp,
        attempts: json.opts.attempts ?? 1, parentQueue: null, parentId: null, parentKey: null, dedupId: null, schedulerId: null,
        lifo: false, addToWaitingChildren: false,
      };
    }));
    const safe = new URL(parsed.safe);
    safe.searchParams.set("schema", schema);
    safe.searchParams.set("queue", queueName);
    return new BullmqBackend({
      description: `bullmq:${safe.toString()}`,
      records: new PgRecords(pool, queueName, entries),
      storedRecords: new PgRecordTable(pool),
      jobs: new BullmqJobs(worker, queue, lockDuration),
      warnings: [],
      closeConnections: async () => undefined, // the pool is BullMQ's: closed with the worker
      repairIntervalMs: options.repairIntervalMs ?? 60_000,
      onError,
    });
  } catch (err) {
    await worker.close(true).catch(() => undefined);
    if (err instanceof HookyardError) throw err;
    if (err instanceof SchemaMigrationRequiredError) {
      throw new HookyardError("HOOKYARD_ERR_STORE_MIGRATION_REQUIRED", `${err.message} (Hookyard: run \`hookyard migrate\` or open the store with migrate=true)`, { cause: err });
    }
    throw new HookyardError("HOOKYARD_ERR_STORE_UNAVAILABLE", `cannot open the BullMQ store on Postgres at ${parsed.safe}: ${(err as Error).message}`, { cause: err });
  }
}
