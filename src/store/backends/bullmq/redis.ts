import { Job, Queue, Worker, type ConnectionOptions, type IQueueBackend } from "bullmq";
import { Redis, type RedisOptions } from "ioredis";
import { HookyardError } from "../../../errors.js";
import { BullmqBackend } from "./bullmq-backend.js";
import { checkRedisServer } from "./checks.js";
import { BullmqJobs, jobOptions, type JobData } from "./jobs.js";
import { RedisFinisher } from "./redis-finish.js";
import { recordKeys } from "./redis-keys.js";
import { RedisPipe } from "./redis-pipe.js";
import { RedisRecords, type AddJobsToTransaction } from "./redis-records.js";
import { RedisRecordTable } from "./redis-stored-records.js";
import { parseRedisUrl } from "./url.js";

/** Options of {@link openRedisBackend}. */
export interface RedisBackendOptions {
  /** `redis://[user:password@]host[:port][/db][?prefix=…&queue=…]` or `rediss://…`. Default `redis://127.0.0.1:6379/0`. */
  url?: string;
  /** ioredis options applied over the URL's (e.g. `path` for a unix socket, `tls`). */
  redis?: RedisOptions;
  /** Key prefix of the queue and of Hookyard's records (`{hookyard}` for Redis Cluster). Default from the URL, else `hookyard`. */
  prefix?: string;
  /** BullMQ queue name. Default from the URL, else `tasks`. */
  queue?: string;
  /** Lock duration the worker fetches jobs with; match `HOOKYARD_LEASE` to save a round trip per claim. Default 30 s. */
  lockDurationMs?: number;
  /** How often BullMQ's stalled-job check runs (a safety net; claims recover lapsed leases themselves). Default 30 s. */
  stalledIntervalMs?: number;
  /** How often a claim also re-creates jobs missing for open tasks. Default 60 s. */
  repairIntervalMs?: number;
  /** Called with errors nobody awaits (connection errors, background repair). */
  onError?: (err: unknown) => void;
}

/**
 * Opens the BullMQ store on Redis: one ioredis connection for commands (shared by BullMQ's queue
 * and worker and by Hookyard's records) plus the worker's dedicated blocking connection. Refuses a
 * server whose `maxmemory-policy` is not `noeviction` (`HOOKYARD_ERR_STORE_REDIS_EVICTION`); the
 * returned backend's `warnings` say when `appendonly` is off.
 *
 * @example
 * ```ts
 * const store = await openRedisBackend({ url: "redis://127.0.0.1:6379/0?prefix=hookyard" });
 * for (const w of store.warnings) console.warn(w);
 * ```
 */
export async function openRedisBackend(options: RedisBackendOptions = {}): Promise<BullmqBackend> {
  const parsed = parseRedisUrl(options.url ?? "redis://127.0.0.1:6379/0");
  const prefix = options.prefix ?? parsed.prefix;
  const queueName = options.queue ?? parsed.queue;
  if (prefix === "" || queueName === "" || queueName.includes(":")) {
    throw new HookyardError("HOOKYARD_ERR_CONFIG_INVALID", `invalid Redis store names: prefix "${prefix}", queue "${queueName}" (no ":" in a queue name)`);
  }
  const lockDuration = options.lockDurationMs ?? 30_000;
  const onError = options.onError ?? (() => undefined);
  const redis = new Redis(parsed.url, {
    // BullMQ's requirement for connections its worker blocks on (the blocking one is a duplicate of this)
    maxRetriesPerRequest: null,
    connectionName: `${prefix}:${queueName}:hookyard`,
    lazyConnect: true,
    ...options.redis,
  });
  let lastError: Error | undefined;
  redis.on("error", (err: Error) => {
    lastError = err;
    onError(err);
  });
  const where = `Redis at ${parsed.safe}`;
  try {
    await redis.connect();
  } catch (err) {
    redis.disconnect();
    const reason = lastError?.message ?? (err as Error).message;
    throw new HookyardError("HOOKYARD_ERR_STORE_UNAVAILABLE", `cannot connect to ${where}: ${reason}`, { cause: lastError ?? err });
  }
  let worker: Worker<JobData, null, string> | undefined;
  try {
    const { warnings } = await checkRedisServer(redis);
    worker = new Worker<JobData, null, string>(queueName, null, {
      connection: redis, prefix, autorun: false, lockDuration, stalledInterval: options.stalledIntervalMs ?? 30_000,
      // Hookyard records lost attempts and fails tasks itself; BullMQ must only put stalled jobs back
      maxStalledCount: 1_000_000_000,
    });
    worker.on("error", onError);
    const backend = worker.backend;
    const queue = new Queue<JobData, null, string, JobData, null, string, IQueueBackend, ConnectionOptions>(
      queueName, { connection: redis, prefix }, (name) => backend.forQueue(name, prefix));
    queue.on("error", onError);
    await worker.waitUntilReady();
    await queue.waitUntilReady();
    worker.startStalledCheckTimer().catch(onError);

    const addJobs: AddJobsToTransaction = async (multi, specs, now) => {
      for (const s of specs) {
        const job = new Job(queue, s.name, { deliveryId: s.deliveryId }, jobOptions(s.runAt, now), s.id);
        await backend.addJobToTransaction(multi, job.asJSON(), s.id);
      }
    };
    const removeJobs = async (ids: string[]) => {
      for (const id of ids) await queue.remove(id);
    };
    const keys = recordKeys(prefix, queueName);
    const pipe = new RedisPipe(redis);
    const records = new RedisRecords(redis, await backend.client, keys, addJobs, removeJobs, pipe);
    const safe = new URL(parsed.safe);
    safe.searchParams.set("prefix", prefix);
    safe.searchParams.set("queue", queueName);
    return new BullmqBackend({
      description: `bullmq:${safe.toString()}`,
      records,
      storedRecords: new RedisRecordTable(redis, pipe, keys),
      jobs: new BullmqJobs(worker, queue, lockDuration),
      warnings,
      closeConnections: async () => {
        // QUIT waits for the replies still due; a connection that is down would wait for ever
        if (redis.status === "ready") await redis.quit().catch(() => redis.disconnect());
        else redis.disconnect();
      },
      repairIntervalMs: options.repairIntervalMs ?? 60_000,
      onError,
      finishNext: new RedisFinisher(pipe, backend, keys),
    });
  } catch (err) {
    await worker?.close(true).catch(() => undefined);
    redis.disconnect();
    if (err instanceof HookyardError) throw err;
    throw new HookyardError("HOOKYARD_ERR_STORE_UNAVAILABLE", `cannot open the BullMQ store on ${where}: ${(err as Error).message}`, { cause: err });
  }
}
