import { HookyardError } from "../errors.js";
import type { Backend } from "./backend.js";
import { MemoryBackend } from "./backends/memory/index.js";
import { SqliteBackend } from "./backends/sqlite/index.js";

const FORMS =
  "sqlite:<path>, memory:, redis://host:6379/0?prefix=hookyard&queue=tasks (or rediss://), " +
  "postgres://user@host/database?schema=hookyard&queue=tasks (or postgresql://)";

/**
 * Opens the store a `HOOKYARD_STORE` value names: `sqlite:<path>`, `memory:`, `redis://…` /
 * `rediss://…` (BullMQ on Redis) or `postgres://…` / `postgresql://…` (BullMQ on Postgres, beta).
 * The BullMQ store is loaded only when asked for.
 *
 * @example
 * ```ts
 * const store = await openStore("sqlite:.hookyard/hookyard.db");
 * const shared = await openStore("redis://127.0.0.1:6379/0?prefix=hookyard");
 * ```
 */
export async function openStore(url: string, options: { readOnly?: boolean } = {}): Promise<Backend> {
  if (url === "memory:" || url === "memory") return new MemoryBackend();
  if (url.startsWith("sqlite:")) {
    const path = url.slice("sqlite:".length).replace(/^\/\/(?=\/)/, "");
    if (path === "") throw new HookyardError("HOOKYARD_ERR_STORE_INVALID_URL", "HOOKYARD_STORE=sqlite: needs a file path, e.g. sqlite:.hookyard/hookyard.db");
    return SqliteBackend.open(path, { readOnly: options.readOnly ?? false });
  }
  const scheme = (/^[a-z][a-z0-9+.-]*:/i.exec(url)?.[0] ?? "").toLowerCase();
  if (scheme === "redis:" || scheme === "rediss:") {
    const { openRedisBackend } = await import("./backends/bullmq/index.js");
    return openRedisBackend({ url });
  }
  if (scheme === "postgres:" || scheme === "postgresql:") {
    const { openPostgresBackend } = await import("./backends/bullmq/index.js");
    return openPostgresBackend({ url });
  }
  throw new HookyardError(
    "HOOKYARD_ERR_STORE_INVALID_URL",
    `unsupported HOOKYARD_STORE scheme "${scheme || url.split(/[/?]/)[0]}": use one of ${FORMS}`,
  );
}
