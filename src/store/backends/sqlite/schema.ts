import type Database from "better-sqlite3";

/**
 * Migrations, applied in order inside one transaction each; `PRAGMA user_version` records how far
 * a database file has come. Append new steps; never edit a released one.
 */
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE deliveries (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    event TEXT NOT NULL,
    action TEXT,
    repository TEXT,
    installation_id INTEGER,
    status TEXT NOT NULL,
    received_at INTEGER NOT NULL,
    content_type TEXT NOT NULL,
    -- the stored headers (JSON) and then the raw body sit in the body log (body-log.ts)
    log_seg INTEGER NOT NULL,
    log_off INTEGER NOT NULL,
    headers_len INTEGER NOT NULL,
    body_len INTEGER NOT NULL
  );
  CREATE INDEX deliveries_by_event ON deliveries(event, action);
  CREATE INDEX deliveries_by_repository ON deliveries(repository) WHERE repository IS NOT NULL;
  CREATE INDEX deliveries_by_status ON deliveries(status) WHERE status <> 'accepted';

  CREATE TABLE tasks (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    delivery_seq INTEGER NOT NULL,
    delivery_id TEXT NOT NULL,
    name TEXT NOT NULL,
    event TEXT NOT NULL,
    action TEXT,
    repository TEXT,
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    max_attempts INTEGER NOT NULL,
    run_at INTEGER NOT NULL,
    lease_owner TEXT,
    lease_until INTEGER NOT NULL DEFAULT 0,
    -- when the task can next be claimed: run_at while queued/retrying, lease_until while running,
    -- NULL once settled. One partial index over it makes a claim one ordered index range.
    due_at INTEGER,
    -- start of the attempt in progress (its row in attempts is written when it ends)
    started_at INTEGER,
    backoff TEXT NOT NULL,
    timeout_ms INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    last_error TEXT
  );
  CREATE INDEX tasks_due ON tasks(due_at) WHERE due_at IS NOT NULL;
  CREATE INDEX tasks_by_state ON tasks(state);
  CREATE INDEX tasks_by_delivery ON tasks(delivery_seq);
  CREATE INDEX tasks_by_name ON tasks(name);
  CREATE INDEX tasks_by_event ON tasks(event);
  CREATE INDEX tasks_by_repository ON tasks(repository) WHERE repository IS NOT NULL;

  CREATE TABLE attempts (
    task_id TEXT NOT NULL,
    attempt INTEGER NOT NULL,
    started_at INTEGER NOT NULL,
    ended_at INTEGER,
    outcome TEXT NOT NULL,
    error TEXT
  );
  CREATE INDEX attempts_by_task ON attempts(task_id);
  `,
  `
  -- getRecord / putRecord / listRecords: small JSON documents, replaced whole (compare-and-set on version)
  CREATE TABLE records (
    seq INTEGER PRIMARY KEY,                 -- creation order: what lists and cursors follow
    kind TEXT NOT NULL,
    key TEXT NOT NULL,
    version INTEGER NOT NULL,
    value TEXT NOT NULL,                     -- JSON
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (kind, key)
  );
  CREATE INDEX records_by_kind ON records(kind, seq);
  `,
  `
  -- retention (prune.ts): deliveries by age, rows by body-log segment (a segment no row points into
  -- is removed), and the ids of pruned deliveries, still answered duplicate for a while
  CREATE INDEX IF NOT EXISTS deliveries_by_received ON deliveries(received_at);
  CREATE INDEX IF NOT EXISTS deliveries_by_log_seg ON deliveries(log_seg);
  CREATE TABLE IF NOT EXISTS tombstones (id TEXT PRIMARY KEY, received_at INTEGER NOT NULL) WITHOUT ROWID;
  CREATE INDEX IF NOT EXISTS tombstones_by_received ON tombstones(received_at);
  `,
];

/** Brings a database file up to the newest schema. */
export function migrate(db: Database.Database): void {
  const current = db.pragma("user_version", { simple: true }) as number;
  if (current > MIGRATIONS.length) {
    throw new Error(`database schema version ${current} is newer than this Hookyard (${MIGRATIONS.length}); upgrade Hookyard`);
  }
  if (current >= 1 && !(db.prepare(`SELECT 1 FROM pragma_table_info('deliveries') WHERE name = 'log_seg'`).get())) {
    throw new Error("this database file was written by a pre-release build of Hookyard whose layout is not supported; move it (and its -wal file) aside and start again");
  }
  for (let v = current; v < MIGRATIONS.length; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v] as string);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
}
