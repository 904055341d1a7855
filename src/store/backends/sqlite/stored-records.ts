/**
 * The SQLite store's records (`getRecord` / `putRecord` / `listRecords`), in the `records` table
 * (schema.ts): the compare-and-set runs on the writer thread, reads on the calling thread's
 * read-only connection.
 */
import type Database from "better-sqlite3";
import type { PutOutcome, RecordRow } from "../../stored-records.js";

/** The writer thread's side: one put is one statement pair inside the writer's transaction, so nothing runs between check and write. */
export class SqliteRecordWrites {
  private readonly s;

  constructor(db: Database.Database) {
    this.s = {
      version: db.prepare(`SELECT version, created_at FROM records WHERE kind = ? AND key = ?`),
      insert: db.prepare(`INSERT INTO records (kind, key, version, value, created_at, updated_at) VALUES (?, ?, 1, ?, ?, ?)`),
      update: db.prepare(`UPDATE records SET version = version + 1, value = ?, updated_at = ? WHERE kind = ? AND key = ?`),
    };
  }

  put(kind: string, key: string, value: string, expectedVersion: number, now: number): PutOutcome {
    const row = this.s.version.get(kind, key) as { version: number; created_at: number } | undefined;
    const stored = row?.version ?? 0;
    if (stored !== expectedVersion) return { ok: false, stored };
    if (row) this.s.update.run(value, now, kind, key);
    else this.s.insert.run(kind, key, value, now, now);
    return { ok: true, version: stored + 1, createdAt: row?.created_at ?? now, updatedAt: now };
  }
}

type Row = { seq: number; key: string; version: number; value: string; created_at: number; updated_at: number };
const COLUMNS = "seq, key, version, value, created_at, updated_at";

/**
 * Reads on the read-only connection. Its statements are prepared on first use: a read-only open
 * (a tool beside a running server) may find a file an older Hookyard wrote, without the table, and
 * then reads as if there were no records.
 */
export class SqliteRecordReads {
  private s: { get: Database.Statement; list: Database.Statement; listBefore: Database.Statement } | undefined;

  constructor(private readonly db: Database.Database) {}

  get(kind: string, key: string): RecordRow | null {
    const row = this.statements()?.get.get(kind, key) as Row | undefined;
    return row ? toRow(row) : null;
  }

  list(kind: string, before: number | undefined, count: number): RecordRow[] {
    const s = this.statements();
    if (!s) return [];
    const rows = (before === undefined ? s.list.all(kind, count) : s.listBefore.all(kind, before, count)) as Row[];
    return rows.map(toRow);
  }

  private statements(): typeof this.s {
    if (this.s || !this.db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'records'`).get()) return this.s;
    this.s = {
      get: this.db.prepare(`SELECT ${COLUMNS} FROM records WHERE kind = ? AND key = ?`),
      list: this.db.prepare(`SELECT ${COLUMNS} FROM records WHERE kind = ? ORDER BY seq DESC LIMIT ?`),
      listBefore: this.db.prepare(`SELECT ${COLUMNS} FROM records WHERE kind = ? AND seq < ? ORDER BY seq DESC LIMIT ?`),
    };
    return this.s;
  }
}

function toRow(r: Row): RecordRow {
  return { seq: r.seq, key: r.key, version: r.version, value: r.value, createdAt: r.created_at, updatedAt: r.updated_at };
}
