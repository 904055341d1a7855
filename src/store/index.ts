/**
 * `hookyard/store`: the store interface, its backends and the way to open one by URL, for code that
 * reads or writes Hookyard's deliveries and tasks without the rest of the framework. The BullMQ
 * backends load their optional peers (`bullmq` with `ioredis` or `pg`) only when a URL asks for them.
 *
 * @example
 * ```ts
 * import { openStore } from "hookyard/store";
 * const store = await openStore("sqlite:.hookyard/hookyard.db", { readOnly: true });
 * ```
 */
export type * from "./backend.js";
export { TASK_STATES, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from "./backend.js";
export { hasHolds, type HoldingAcceptTakes, type HoldingBackend } from "./holding-backend.js";
export { openStore, checkStoreUrl, type OpenOptions } from "./open.js";
export { migrateStore, type MigrateStoreResult } from "./migrate.js";
export { MemoryBackend } from "./backends/memory/index.js";
export { SqliteBackend } from "./backends/sqlite/index.js";
export { requirePeers, type OptionalPeer } from "./peers.js";
