/**
 * What the writer repairs when it opens a store, before its first write: the traces a process that
 * ended without closing (a crash) can leave.
 */
import type Database from "better-sqlite3";
import type { BodyLogWriter } from "./body-log.js";

/**
 * Removes deliveries whose bytes a crash kept from the body log (their rows committed, the bytes'
 * fsync did not finish): they were never answered, so GitHub shows them failed and the
 * missed-delivery recovery asks for them again. Only the last batches can be affected.
 */
export function repairTail(db: Database.Database, log: BodyLogWriter): void {
  const rows = db.prepare(`SELECT seq, id, log_seg AS seg, log_off AS off, headers_len + body_len AS len FROM deliveries ORDER BY seq DESC LIMIT 1000`).all() as
    { seq: number; id: string; seg: number; off: number; len: number }[];
  const sizes = new Map<number, number>();
  const torn = rows.filter((r) => {
    if (!sizes.has(r.seg)) sizes.set(r.seg, log.segmentSize(r.seg));
    return r.off + r.len > (sizes.get(r.seg) as number);
  });
  if (torn.length === 0) return;
  const deletes = [
    db.prepare(`DELETE FROM attempts WHERE task_id IN (SELECT id FROM tasks WHERE delivery_seq = ?)`),
    db.prepare(`DELETE FROM tasks WHERE delivery_seq = ?`),
    db.prepare(`DELETE FROM deliveries WHERE seq = ?`),
  ];
  db.transaction(() => {
    for (const r of torn) for (const del of deletes) del.run(r.seq);
  })();
}

/**
 * Gives back the tasks a previous process held and never started. The body log's lock proves that
 * process is gone (one process writes a store), so they need not wait for their holds to lapse.
 */
export function releaseHolds(db: Database.Database): void {
  db.prepare(`UPDATE tasks SET lease_owner = NULL, lease_until = 0, due_at = run_at WHERE state = 'queued' AND lease_owner IS NOT NULL`).run();
}
