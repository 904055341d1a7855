/**
 * The SQLite store's retention scan: the next deliveries received before `before`, oldest first,
 * from where the previous batch stopped, each with whether it may go (the rule of prune-rule.ts
 * in SQL), its body-log place and its task count. Run by the writer (prune.ts) and, for a dry run,
 * on a read-only connection.
 */
import type Database from "better-sqlite3";
import type { PruneOptions, PruneResult } from "../../backend.js";

export interface ScannedDelivery {
  seq: number;
  id: string;
  received_at: number;
  seg: number;
  bytes: number;
  tasks: number;
  /** 1 when the delivery may go. */
  ok: 0 | 1;
}

const SCAN = `
  SELECT seq, id, received_at, log_seg AS seg, headers_len + body_len AS bytes,
    (SELECT count(*) FROM tasks t WHERE t.delivery_seq = d.seq) AS tasks,
    NOT EXISTS (SELECT 1 FROM tasks t WHERE t.delivery_seq = d.seq AND (t.state IN ('queued', 'running', 'retrying')
      OR t.updated_at >= @before OR (t.state = 'failed' AND t.updated_at >= @failedBefore))) AS ok
  FROM deliveries d INDEXED BY deliveries_by_received
  WHERE received_at < @before AND (received_at, seq) > (@afterAt, @afterSeq)
  ORDER BY received_at, seq LIMIT @limit`;

/** Scans one batch; `cursor` is where the next batch starts (null: nothing older than `before` is left). */
export function scanBatch(db: Database.Database, options: PruneOptions): { rows: ScannedDelivery[]; cursor: string | null } {
  const [afterAt, afterSeq] = (options.cursor ?? "-1:-1").split(":").map(Number);
  const rows = db.prepare(SCAN).all({
    before: options.before, failedBefore: Math.min(options.before, options.failedBefore), afterAt, afterSeq, limit: options.limit,
  }) as ScannedDelivery[];
  const last = rows.at(-1);
  return { rows, cursor: rows.length === options.limit && last ? `${last.received_at}:${last.seq}` : null };
}

/** What a dry run of one batch would remove, counted on any connection. */
export function countBatch(db: Database.Database, options: PruneOptions): PruneResult {
  const { rows, cursor } = scanBatch(db, options);
  const result: PruneResult = { deliveries: 0, tasks: 0, bytes: 0, tombstones: 0, cursor };
  for (const r of rows.filter((x) => x.ok)) {
    result.deliveries += 1;
    result.tasks += r.tasks;
    result.bytes += r.bytes;
  }
  if (options.cursor === undefined) {
    result.tombstones = (db.prepare(`SELECT count(*) AS n FROM tombstones WHERE received_at < ?`).get(options.tombstonesBefore) as { n: number }).n;
  }
  return result;
}
