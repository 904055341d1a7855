/**
 * The BullMQ store: Hookyard's tasks as BullMQ jobs, on Redis or (beta) on BullMQ's Postgres
 * backend, with deliveries and task records kept next to the queue.
 */
export { BullmqBackend, type BullmqBackendParts } from "./bullmq-backend.js";
export { openRedisBackend, type RedisBackendOptions } from "./redis.js";
export { openPostgresBackend, migrate, type PostgresBackendOptions, type MigrateResult } from "./postgres.js";
export { checkRedisServer, type RedisServerReport, type InfoClient } from "./checks.js";
export { parseRedisUrl, parsePostgresUrl, STORE_URL_FORMS } from "./url.js";
