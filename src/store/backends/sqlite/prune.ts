/**
 * Retention on the SQLite store (writer thread): one batch deletes old finished deliveries with
 * their tasks and attempts in the writer's transaction, leaves a tombstone per id (dedup), and
 * gives the space back:
 *
 * - body log: segments are written in time order, so old ones empty as their deliveries go. A
 *   closed segment no row points into is deleted (at the start of the next batch: by then the
 *   commit that emptied it is durable). A closed segment mostly emptied, whose rows stay (failed
 *   tasks are kept longer), has them copied to the newest segment (bounded per batch) so that it
 *   empties too.
 * - database file: `PRAGMA incremental_vacuum` returns freed pages (files created with
 *   `auto_vacuum=INCREMENTAL`, see schema.ts).
 */
import { readdirSync, rmSync } from "node:fs";
import type Database from "better-sqlite3";
import type { PruneOptions, PruneResult } from "../../backend.js";
import { BodyLogReader, segmentFile, type BodyLogWriter } from "./body-log.js";
import { countBatch, scanBatch } from "./prune-scan.js";

/** A closed segment's live rows are moved once they hold at most this share of it. */
const RELOCATE_BELOW = 0.25;
/** Rows moved per batch (bounded: the writer answers deliveries meanwhile). */
const RELOCATE_ROWS = 50;
/**
 * Free pages handed back per batch (4 KiB each): about what a batch frees, so the file shrinks as
 * rows go without one batch moving megabytes of pages through the WAL.
 */
const VACUUM_PAGES = 256;

/** A prune batch's answer from the writer: the result, and the segments removed (the readers close them). */
export type PruneAnswer = PruneResult & { removedSegments: number[] };

export class SqlitePrune {
  private readonly s;
  /** Live rows and bytes of closed segments, counted once and kept current by this class (closed segments gain no rows). */
  private readonly live = new Map<number, { rows: number; bytes: number }>();
  private readonly reader: BodyLogReader;

  constructor(private readonly db: Database.Database, private readonly log: BodyLogWriter, private readonly dir: string) {
    this.reader = new BodyLogReader(dir);
    this.s = {
      deleteAttempts: db.prepare(`DELETE FROM attempts WHERE task_id IN (SELECT id FROM tasks WHERE delivery_seq = ?)`),
      deleteTasks: db.prepare(`DELETE FROM tasks WHERE delivery_seq = ?`),
      deleteDelivery: db.prepare(`DELETE FROM deliveries WHERE seq = ?`),
      tombstone: db.prepare(`INSERT OR IGNORE INTO tombstones (id, received_at) VALUES (?, ?)`),
      dropTombstones: db.prepare(
        `DELETE FROM tombstones WHERE id IN (SELECT id FROM tombstones INDEXED BY tombstones_by_received WHERE received_at < ? ORDER BY received_at LIMIT ?)`,
      ),
      anyIn: db.prepare(`SELECT 1 FROM deliveries INDEXED BY deliveries_by_log_seg WHERE log_seg = ? LIMIT 1`),
      liveIn: db.prepare(`SELECT count(*) AS rows, coalesce(sum(headers_len + body_len), 0) AS bytes FROM deliveries INDEXED BY deliveries_by_log_seg WHERE log_seg = ?`),
      rowsIn: db.prepare(`SELECT seq, log_off AS off, headers_len + body_len AS len FROM deliveries INDEXED BY deliveries_by_log_seg WHERE log_seg = ? LIMIT ?`),
      move: db.prepare(`UPDATE deliveries SET log_seg = ?, log_off = ? WHERE seq = ?`),
    };
  }

  /** One batch (see `Backend.prune`); runs inside the writer's transaction. */
  run(options: PruneOptions): PruneAnswer {
    if (options.dryRun) return { ...countBatch(this.db, options), removedSegments: [] };
    const removedSegments = this.removeDeadSegments();
    const { rows, cursor } = scanBatch(this.db, options);
    const result: PruneAnswer = { deliveries: 0, tasks: 0, bytes: 0, tombstones: 0, cursor, removedSegments };
    for (const r of rows) {
      if (!r.ok) continue;
      const live = r.seg < this.log.current ? this.liveOf(r.seg) : undefined; // counted before the delete
      this.s.deleteAttempts.run(r.seq);
      this.s.deleteTasks.run(r.seq);
      this.s.deleteDelivery.run(r.seq);
      this.s.tombstone.run(r.id, r.received_at);
      if (live) {
        live.rows -= 1;
        live.bytes -= r.bytes;
      }
      result.deliveries += 1;
      result.tasks += r.tasks;
      result.bytes += r.bytes;
    }
    result.tombstones = this.s.dropTombstones.run(options.tombstonesBefore, options.limit).changes;
    this.relocate();
    this.db.pragma(`incremental_vacuum(${VACUUM_PAGES})`);
    return result;
  }

  close(): void {
    this.reader.close();
  }

  private liveOf(seg: number): { rows: number; bytes: number } {
    let live = this.live.get(seg);
    if (!live) this.live.set(seg, (live = this.s.liveIn.get(seg) as { rows: number; bytes: number }));
    return live;
  }

  /** Deletes the closed segments no row points into. */
  private removeDeadSegments(): number[] {
    const removed: number[] = [];
    for (const name of readdirSync(this.dir)) {
      const seg = Number(/^(\d+)\.log$/.exec(name)?.[1] ?? NaN);
      if (!Number.isInteger(seg) || seg >= this.log.current || this.s.anyIn.get(seg)) continue;
      this.reader.forget(seg);
      rmSync(segmentFile(this.dir, seg), { force: true });
      this.live.delete(seg);
      removed.push(seg);
    }
    return removed;
  }

  /**
   * Copies the rows of mostly empty closed segments to the newest one: bytes first, made durable,
   * then the rows point at their new place (same transaction as the batch). The old bytes stay
   * until the segment is deleted, so a read that found the old place still finds its bytes.
   */
  private relocate(): void {
    let budget = RELOCATE_ROWS;
    for (const [seg, live] of this.live) {
      if (budget <= 0) break;
      if (live.rows === 0 || seg >= this.log.current || live.bytes > this.log.segmentSize(seg) * RELOCATE_BELOW) continue;
      const rows = this.s.rowsIn.all(seg, budget) as { seq: number; off: number; len: number }[];
      const moved = rows.map((r) => ({ seq: r.seq, len: r.len, at: this.log.append(this.reader.read(seg, r.off, r.len)) }));
      this.log.sync();
      for (const m of moved) this.s.move.run(m.at.seg, m.at.off, m.seq);
      live.rows -= moved.length;
      live.bytes -= moved.reduce((n, m) => n + m.len, 0);
      budget -= moved.length;
    }
  }
}
