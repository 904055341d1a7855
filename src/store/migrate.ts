import { HookyardError } from "../errors.js";
import { parsePostgresUrl, parseRedisUrl } from "./backends/bullmq/url.js";
import { openStore } from "./open.js";
import { requirePeers } from "./peers.js";

/** What `migrateStore` did. */
export interface MigrateStoreResult {
  store: string;
  detail: string;
}

/**
 * Creates or upgrades a store's schema: BullMQ's and Hookyard's tables on Postgres, the SQLite
 * file's migrations; Redis needs none. Safe to run again, and from several processes at once.
 *
 * @example
 * ```ts
 * await migrateStore("postgres://app@db/hookyard?schema=hooks");
 * ```
 */
export async function migrateStore(url: string): Promise<MigrateStoreResult> {
  if (/^postgres(ql)?:\/\//.test(url)) {
    await requirePeers(["bullmq", "pg"], "HOOKYARD_STORE=postgres://…");
    const { migrate } = await import("./backends/bullmq/postgres.js");
    const r = await migrate(url);
    return { store: parsePostgresUrl(url).safe, detail: `schema "${r.schema}": BullMQ version ${r.bullmqVersion}, Hookyard version ${r.hookyardVersion}` };
  }
  if (/^rediss?:\/\//.test(url)) {
    return { store: parseRedisUrl(url).safe, detail: "Redis needs no migration (BullMQ loads its scripts on connect)" };
  }
  if (url.startsWith("sqlite:") || url.startsWith("memory:")) {
    const store = await openStore(url); // opening applies the file's migrations
    await store.close();
    return { store: url, detail: "schema up to date" };
  }
  throw new HookyardError("HOOKYARD_ERR_STORE_INVALID_URL", `cannot migrate "${url.split(":")[0]}:" stores`);
}
