import { quoteSchemaName, runMigrations, type PgQueryable } from "bullmq";
import pg from "pg";
import { HookyardError } from "../../../errors.js";
import { parsePostgresUrl } from "./url.js";

/**
 * Hookyard's tables in the store's schema, next to BullMQ's (`job`, `event`, `meta`, …). Applied in
 * order, each in the transaction that records it in `hookyard_migration`. Append; never edit a
 * released step. Every list filter has an index ending in `seq`, so a filtered page is one index
 * range read backwards; `due_at` and `lease_until` have partial indexes for wake-ups and recovery.
 */
export const PG_MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE hookyard_delivery (
    seq bigserial PRIMARY KEY,
    id text NOT NULL UNIQUE,                 -- X-GitHub-Delivery: the dedup key, kept as long as the row
    event text NOT NULL,
    action text,
    repository text,
    installation_id bigint,
    status text NOT NULL,
    received_at bigint NOT NULL,
    content_type text NOT NULL,
    headers text NOT NULL,
    body bytea NOT NULL
  );
  CREATE INDEX hookyard_delivery_event ON hookyard_delivery (event, seq);
  CREATE INDEX hookyard_delivery_action ON hookyard_delivery (action, seq);
  CREATE INDEX hookyard_delivery_repository ON hookyard_delivery (repository, seq);
  CREATE INDEX hookyard_delivery_status ON hookyard_delivery (status, seq);

  CREATE TABLE hookyard_task (
    seq bigserial PRIMARY KEY,
    id text NOT NULL UNIQUE,                 -- also the BullMQ job id
    delivery_id text NOT NULL REFERENCES hookyard_delivery (id),
    name text NOT NULL,
    event text NOT NULL,
    action text,
    repository text,
    state text NOT NULL,
    attempts integer NOT NULL,
    max_attempts integer NOT NULL,
    run_at bigint NOT NULL,
    owner text,                              -- lease holder while running
    token text,                              -- BullMQ lock token of the running attempt (NULL: claimed at creation)
    lease_until bigint,
    started_at bigint,
    due_at bigint,                           -- run_at while queued/retrying, lease_until while running, NULL once settled
    backoff text NOT NULL,
    timeout_ms bigint NOT NULL,
    created_at bigint NOT NULL,
    updated_at bigint NOT NULL,
    last_error text
  );
  CREATE INDEX hookyard_task_state ON hookyard_task (state, seq);
  CREATE INDEX hookyard_task_name ON hookyard_task (name, seq);
  CREATE INDEX hookyard_task_event ON hookyard_task (event, seq);
  CREATE INDEX hookyard_task_repository ON hookyard_task (repository, seq);
  CREATE INDEX hookyard_task_delivery ON hookyard_task (delivery_id, seq);
  CREATE INDEX hookyard_task_due ON hookyard_task (due_at) WHERE due_at IS NOT NULL;
  CREATE INDEX hookyard_task_lease ON hookyard_task (lease_until) WHERE state = 'running';

  CREATE TABLE hookyard_attempt (
    seq bigserial PRIMARY KEY,
    task_id text NOT NULL REFERENCES hookyard_task (id),
    attempt integer NOT NULL,
    started_at bigint NOT NULL,
    ended_at bigint,
    outcome text NOT NULL,
    error text
  );
  CREATE INDEX hookyard_attempt_task ON hookyard_attempt (task_id, seq);
  `,
  `
  -- getRecord / putRecord / listRecords: small JSON documents, replaced whole (compare-and-set on version)
  CREATE TABLE hookyard_record (
    seq bigserial PRIMARY KEY,               -- creation order: what lists and cursors follow
    kind text NOT NULL,
    key text NOT NULL,
    version integer NOT NULL,
    value text NOT NULL,                     -- JSON text as given (jsonb would reorder keys, and refuses an escaped NUL)
    created_at bigint NOT NULL,
    updated_at bigint NOT NULL,
    UNIQUE (kind, key)
  );
  CREATE INDEX hookyard_record_kind ON hookyard_record (kind, seq);
  `,
  `
  -- retention (pg-prune.ts): deliveries by age, and the ids of pruned deliveries (still duplicates for a while)
  CREATE INDEX IF NOT EXISTS hookyard_delivery_received ON hookyard_delivery (received_at, seq);
  CREATE TABLE IF NOT EXISTS hookyard_tombstone (
    id text PRIMARY KEY,
    received_at bigint NOT NULL
  );
  CREATE INDEX IF NOT EXISTS hookyard_tombstone_received ON hookyard_tombstone (received_at);
  `,
];

/** What {@link migrate} brought the schema to. */
export interface MigrateResult {
  schema: string;
  /** BullMQ's schema version (its `migration` ledger). */
  bullmqVersion: number;
  /** Hookyard's schema version (`hookyard_migration`). */
  hookyardVersion: number;
}

/**
 * Creates or upgrades the Postgres schema of the BullMQ store: BullMQ's own migrations (its tables
 * and SQL functions), then Hookyard's tables. Safe to run from many processes at once (each part
 * holds an advisory lock in its transaction) and again on an up-to-date schema.
 *
 * @example
 * ```ts
 * await migrate("postgres://app@db.internal/hookyard?schema=hookyard");
 * ```
 */
export async function migrate(url: string, options: { schema?: string } = {}): Promise<MigrateResult> {
  const parsed = parsePostgresUrl(url);
  const schema = options.schema ?? parsed.schema;
  const client = new pg.Client({ connectionString: parsed.url });
  try {
    await client.connect();
  } catch (err) {
    throw new HookyardError("HOOKYARD_ERR_STORE_UNAVAILABLE", `cannot connect to Postgres at ${parsed.safe}: ${(err as Error).message}`, { cause: err });
  }
  try {
    const session: PgQueryable = {
      query: async <R>(text: string, params?: readonly unknown[]) => {
        const result = await client.query(text, params === undefined ? undefined : [...params]);
        return { rows: result.rows as R[], rowCount: result.rowCount };
      },
    };
    const bullmqVersion = await runMigrations(session, schema);
    const hookyardVersion = await migrateTables(client, schema);
    return { schema, bullmqVersion, hookyardVersion };
  } finally {
    await client.end();
  }
}

async function migrateTables(client: pg.Client, schema: string): Promise<number> {
  const quoted = quoteSchemaName(schema);
  await client.query("BEGIN");
  try {
    await client.query("SELECT pg_advisory_xact_lock(hashtext('hookyard:migrate'), hashtext($1))", [schema]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoted}`);
    await client.query(`SET LOCAL search_path TO ${quoted}`);
    await client.query("CREATE TABLE IF NOT EXISTS hookyard_migration (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())");
    const { rows } = await client.query<{ v: number }>("SELECT COALESCE(max(version), 0)::int AS v FROM hookyard_migration");
    const current = rows[0]?.v ?? 0;
    if (current > PG_MIGRATIONS.length) {
      throw new HookyardError("HOOKYARD_ERR_STORE_UNAVAILABLE", `schema ${schema} is at Hookyard version ${current}, newer than this Hookyard (${PG_MIGRATIONS.length}); upgrade Hookyard`);
    }
    for (let v = current; v < PG_MIGRATIONS.length; v++) {
      await client.query(PG_MIGRATIONS[v]!);
      await client.query("INSERT INTO hookyard_migration (version) VALUES ($1)", [v + 1]);
    }
    await client.query("COMMIT");
    return Math.max(current, PG_MIGRATIONS.length);
  } catch (err) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw err;
  }
}

/** Throws `HOOKYARD_ERR_STORE_MIGRATION_REQUIRED` unless Hookyard's tables are at this version. */
export async function assertMigrated(db: PgQueryable, schema: string): Promise<void> {
  let version = 0;
  try {
    const { rows } = await db.query<{ v: number }>("SELECT COALESCE(max(version), 0)::int AS v FROM hookyard_migration");
    version = rows[0]?.v ?? 0;
  } catch (err) {
    if ((err as { code?: string }).code !== "42P01") throw err;
  }
  if (version < PG_MIGRATIONS.length) {
    throw new HookyardError(
      "HOOKYARD_ERR_STORE_MIGRATION_REQUIRED",
      `Postgres schema "${schema}" has no Hookyard tables at version ${PG_MIGRATIONS.length} (found ${version}): run \`hookyard migrate\` or open the store with migrate=true`,
    );
  }
}
