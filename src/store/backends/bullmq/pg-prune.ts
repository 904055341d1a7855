/**
 * Retention on the Postgres records: one transaction per batch. The scan follows
 * `hookyard_delivery_received` (received_at, seq) from the cursor; the tasks of the deliveries
 * that may go are locked (`FOR UPDATE`) and the rule checked again under the lock, so that a
 * concurrent retry keeps its delivery. Deleted: attempts, tasks, deliveries (their bodies are in the
 * row); each id is kept in `hookyard_tombstone` (dedup) until `tombstonesBefore`, which is dropped
 * in `ctid`-limited batches.
 */
import type { PgPool, PgPoolClient } from "bullmq";
import type { PruneOptions, PruneResult, TaskState } from "../../backend.js";
import { prunable } from "../../prune-rule.js";
import { inTransaction } from "./pg-tx.js";

type Num = string | number;

const SCAN = `
  SELECT d.id, d.seq, d.received_at, octet_length(d.body) + octet_length(d.headers) AS bytes,
    (SELECT count(*) FROM hookyard_task t WHERE t.delivery_id = d.id) AS tasks,
    NOT EXISTS (SELECT 1 FROM hookyard_task t WHERE t.delivery_id = d.id AND (t.state IN ('queued', 'running', 'retrying')
      OR t.updated_at >= $1 OR (t.state = 'failed' AND t.updated_at >= $2))) AS ok
  FROM hookyard_delivery d
  WHERE d.received_at < $1 AND (d.received_at, d.seq) > ($3, $4)
  ORDER BY d.received_at, d.seq LIMIT $5`;

interface Scanned { id: string; seq: Num; received_at: Num; bytes: Num; tasks: Num; ok: boolean }

/** Runs one prune batch on the Postgres records (see `Backend.prune`). */
export async function prunePostgres(pool: PgPool, o: PruneOptions): Promise<PruneResult> {
  const failedBefore = Math.min(o.before, o.failedBefore);
  const [afterAt, afterSeq] = (o.cursor ?? "-1:-1").split(":").map(Number);
  return inTransaction(pool, async (c) => {
    const { rows } = await c.query<Scanned>(SCAN, [o.before, failedBefore, afterAt, afterSeq, o.limit]);
    const last = rows.at(-1);
    const result: PruneResult = { deliveries: 0, tasks: 0, bytes: 0, tombstones: 0, cursor: rows.length === o.limit && last ? `${last.received_at}:${last.seq}` : null };
    const candidates = rows.filter((r) => r.ok);
    const gone = o.dryRun ? candidates : await recheck(c, candidates, { before: o.before, failedBefore });
    for (const r of gone) {
      result.deliveries += 1;
      result.tasks += Number(r.tasks);
      result.bytes += Number(r.bytes);
    }
    if (o.dryRun) {
      if (o.cursor === undefined) result.tombstones = Number((await c.query<{ n: Num }>("SELECT count(*) AS n FROM hookyard_tombstone WHERE received_at < $1", [o.tombstonesBefore])).rows[0]?.n ?? 0);
    } else {
      const ids = gone.map((r) => r.id);
      if (ids.length > 0) {
        await c.query("DELETE FROM hookyard_attempt WHERE task_id IN (SELECT id FROM hookyard_task WHERE delivery_id = ANY($1))", [ids]);
        await c.query("DELETE FROM hookyard_task WHERE delivery_id = ANY($1)", [ids]);
        await c.query("DELETE FROM hookyard_delivery WHERE id = ANY($1)", [ids]);
        await c.query("INSERT INTO hookyard_tombstone (id, received_at) SELECT * FROM unnest($1::text[], $2::bigint[]) ON CONFLICT (id) DO NOTHING",
          [ids, gone.map((r) => Number(r.received_at))]);
      }
      result.tombstones = (await c.query("DELETE FROM hookyard_tombstone WHERE ctid IN (SELECT ctid FROM hookyard_tombstone WHERE received_at < $1 LIMIT $2)",
        [o.tombstonesBefore, o.limit])).rowCount ?? 0;
    }
    return result;
  });
}

/** The candidates whose tasks, locked now, still let them go. */
async function recheck(c: PgPoolClient, candidates: Scanned[], rule: { before: number; failedBefore: number }): Promise<Scanned[]> {
  if (candidates.length === 0) return [];
  const { rows } = await c.query<{ delivery_id: string; state: TaskState; updated_at: Num }>(
    "SELECT delivery_id, state, updated_at FROM hookyard_task WHERE delivery_id = ANY($1) ORDER BY id FOR UPDATE", [candidates.map((r) => r.id)]);
  const tasksOf = new Map<string, { state: TaskState; updatedAt: number }[]>();
  for (const t of rows) tasksOf.set(t.delivery_id, [...(tasksOf.get(t.delivery_id) ?? []), { state: t.state, updatedAt: Number(t.updated_at) }]);
  return candidates.filter((r) => prunable(Number(r.received_at), tasksOf.get(r.id) ?? [], rule));
}
