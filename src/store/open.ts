import { HookyardError } from "../errors.js";
import type { Backend } from "./backend.js";
import { MemoryBackend } from "./backends/memory/index.js";
import { SqliteBackend } from "./backends/sqlite/index.js";
import { parsePostgresUrl, parseRedisUrl } from "./backends/bullmq/url.js";
import { requirePeers } from "./peers.js";

const FORMS =
  "sqlite:<path>, memory:, redis://host:6379/0?prefix=hookyard&queue=tasks (or rediss://), " +
  "postgres://user@host/database?schema=hookyard&queue=tasks (or postgresql://)";

/** How the process that opens a store uses it. */
export interface OpenOptions {
  /** SQLite: reads only (a tool beside a running server). */
  readOnly?: boolean;
  /** HOOKYARD_LEASE (ms). BullMQ: the lock its jobs are fetched with, so that a job a dead process fetched is free again when its lease would have lapsed. */
  leaseMs?: number;
  /** HOOKYARD_POLL_INTERVAL (ms). BullMQ: how often its stalled-job check runs (at least every 100 ms). */
  pollIntervalMs?: number;
}

/** BullMQ's timings from Hookyard's: lock = lease, stalled-job check every poll interval. */
function bullmqTimings(o: OpenOptions): { lockDurationMs?: number; stalledIntervalMs?: number } {
  return {
    ...(o.leaseMs !== undefined ? { lockDurationMs: o.leaseMs } : {}),
    ...(o.pollIntervalMs !== undefined ? { stalledIntervalMs: Math.max(100, o.pollIntervalMs) } : {}),
  };
}

/**
 * Opens the store a `HOOKYARD_STORE` value names: `sqlite:<path>`, `memory:`, `redis://…` /
 * `rediss://…` (BullMQ on Redis) or `postgres://…` / `postgresql://…` (BullMQ on Postgres, beta).
 * The BullMQ store and its drivers (optional peers: `bullmq` with `ioredis` or `pg`) are loaded only
 * when asked for; a missing one is `HOOKYARD_ERR_STORE_DRIVER_MISSING`.
 *
 * @example
 * ```ts
 * const store = await openStore("sqlite:.hookyard/hookyard.db");
 * const shared = await openStore("redis://127.0.0.1:6379/0?prefix=hookyard");
 * ```
 */
export async function openStore(url: string, options: OpenOptions = {}): Promise<Backend> {
  if (url === "memory:" || url === "memory") return new MemoryBackend();
  if (url.startsWith("sqlite:")) {
    const path = url.slice("sqlite:".length).replace(/^\/\/(?=\/)/, "");
    if (path === "") throw new HookyardError("HOOKYARD_ERR_STORE_INVALID_URL", "HOOKYARD_STORE=sqlite: needs a file path, e.g. sqlite:.hookyard/hookyard.db");
    return SqliteBackend.open(path, { readOnly: options.readOnly ?? false });
  }
  const scheme = (/^[a-z][a-z0-9+.-]*:/i.exec(url)?.[0] ?? "").toLowerCase();
  if (scheme === "redis:" || scheme === "rediss:") {
    await requirePeers(["bullmq", "ioredis"], "HOOKYARD_STORE=redis://…");
    const { openRedisBackend } = await import("./backends/bullmq/redis.js");
    return openRedisBackend({ url, ...bullmqTimings(options) });
  }
  if (scheme === "postgres:" || scheme === "postgresql:") {
    await requirePeers(["bullmq", "pg"], "HOOKYARD_STORE=postgres://…");
    const { openPostgresBackend } = await import("./backends/bullmq/postgres.js");
    return openPostgresBackend({ url, ...bullmqTimings(options) });
  }
  throw new HookyardError(
    "HOOKYARD_ERR_STORE_INVALID_URL",
    `unsupported HOOKYARD_STORE scheme "${scheme || url.split(/[/?]/)[0]}": use one of ${FORMS}`,
  );
}

/**
 * Checks a `HOOKYARD_STORE` value without opening anything (the CLI checks `--store` this way):
 * throws `HOOKYARD_ERR_STORE_INVALID_URL` for a form {@link openStore} does not take.
 *
 * @example
 * ```ts
 * checkStoreUrl("mysql://localhost"); // throws HOOKYARD_ERR_STORE_INVALID_URL
 * ```
 */
export function checkStoreUrl(url: string): void {
  if (url === "memory:" || url === "memory") return;
  if (url.startsWith("sqlite:")) {
    if (url.slice("sqlite:".length) === "") throw new HookyardError("HOOKYARD_ERR_STORE_INVALID_URL", "HOOKYARD_STORE=sqlite: needs a file path, e.g. sqlite:.hookyard/hookyard.db");
    return;
  }
  const scheme = (/^[a-z][a-z0-9+.-]*:/i.exec(url)?.[0] ?? "").toLowerCase();
  if (scheme === "redis:" || scheme === "rediss:") parseRedisUrl(url);
  else if (scheme === "postgres:" || scheme === "postgresql:") parsePostgresUrl(url);
  else throw new HookyardError("HOOKYARD_ERR_STORE_INVALID_URL", `unsupported HOOKYARD_STORE scheme "${scheme || url.split(/[/?]/)[0]}": use one of ${FORMS}`);
}
