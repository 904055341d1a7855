import type { PgPool } from "bullmq";
import type { PutOutcome, RecordRow, RecordTable } from "../../stored-records.js";

/** Bigints arrive as strings from node-postgres. */
type Num = string | number;
type Row = { seq: Num; key: string; version: number; value: string; created_at: Num; updated_at: Num };
const COLUMNS = "seq, key, version, value, created_at, updated_at";

/**
 * Records (`getRecord` / `putRecord` / `listRecords`) in the `hookyard_record` table (pg-schema.ts).
 * A put is one statement: an insert that does nothing when the key exists (expected version 0), or
 * an update conditional on the version. Under concurrent puts Postgres lets one through: a second
 * insert waits for the first to commit and then finds the key, a second update waits for the row
 * lock and then re-checks the version, which has moved on.
 */
export class PgRecordTable implements RecordTable {
  constructor(private readonly pool: PgPool) {}

  async get(kind: string, key: string): Promise<RecordRow | null> {
    const { rows } = await this.pool.query<Row>(`SELECT ${COLUMNS} FROM hookyard_record WHERE kind = $1 AND key = $2`, [kind, key]);
    return rows[0] ? toRow(rows[0]) : null;
  }

  async put(kind: string, key: string, value: string, expectedVersion: number): Promise<PutOutcome> {
    const now = Date.now();
    const { rows } = expectedVersion === 0
      ? await this.pool.query<Row>(
        `INSERT INTO hookyard_record (kind, key, version, value, created_at, updated_at) VALUES ($1, $2, 1, $3, $4, $4)
         ON CONFLICT (kind, key) DO NOTHING RETURNING ${COLUMNS}`, [kind, key, value, now])
      : await this.pool.query<Row>(
        `UPDATE hookyard_record SET version = version + 1, value = $3, updated_at = $4 WHERE kind = $1 AND key = $2 AND version = $5
         RETURNING ${COLUMNS}`, [kind, key, value, now, expectedVersion]);
    if (rows[0]) return { ok: true, version: rows[0].version, createdAt: Number(rows[0].created_at), updatedAt: now };
    // nothing written: say what is there instead (for the error message)
    const stored = await this.pool.query<{ version: number }>("SELECT version FROM hookyard_record WHERE kind = $1 AND key = $2", [kind, key]);
    return { ok: false, stored: stored.rows[0]?.version ?? 0 };
  }

  async list(kind: string, before: number | undefined, count: number): Promise<RecordRow[]> {
    const { rows } = await this.pool.query<Row>(
      `SELECT ${COLUMNS} FROM hookyard_record WHERE kind = $1 AND seq < $2 ORDER BY seq DESC LIMIT $3`,
      [kind, before ?? Number.MAX_SAFE_INTEGER, count]);
    return rows.map(toRow);
  }
}

function toRow(r: Row): RecordRow {
  return { seq: Number(r.seq), key: r.key, version: r.version, value: r.value, createdAt: Number(r.created_at), updatedAt: Number(r.updated_at) };
}
