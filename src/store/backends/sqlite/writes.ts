import type Database from "better-sqlite3";
import { HookyardError } from "../../../errors.js";
import type { AcceptStatus, AttemptResult, ClaimedTask, NewDelivery, NewTask, TaskState } from "../../backend.js";
import type { HoldingAcceptTakes } from "../../holding-backend.js";
import { initialLease } from "../../initial-lease.js";
import { assertTransition, CANCELLABLE_STATES, LEASE_EXPIRED_ERROR, RETRYABLE_STATES } from "../../transitions.js";

/** Every write the store makes, run on the writer thread's connection (one transaction per batch). */
export class SqliteWrites {
  private readonly s;

  constructor(private readonly db: Database.Database) {
    this.s = {
      insertDelivery: db.prepare(
        `INSERT INTO deliveries (id, event, action, repository, installation_id, status, received_at, content_type,
           log_seg, log_off, headers_len, body_len)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO NOTHING`,
      ),
      // a pruned delivery's id (prune.ts): still a duplicate
      tombstone: db.prepare(`SELECT 1 FROM tombstones WHERE id = ?`),
      deliveryMeta: db.prepare(`SELECT seq, id, event, action, repository FROM deliveries WHERE id = ?`),
      markAccepted: db.prepare(`UPDATE deliveries SET status = 'accepted' WHERE id = ?`),
      insertTask: db.prepare(
        `INSERT INTO tasks (id, delivery_seq, delivery_id, name, event, action, repository, state, attempts, max_attempts, run_at,
           lease_owner, lease_until, due_at, started_at, backoff, timeout_ms, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      // an attempt's row is written once, when it ends, from the task's current attempt
      closeAttempt: db.prepare(
        `INSERT INTO attempts (task_id, attempt, started_at, ended_at, outcome, error)
         SELECT id, attempts, started_at, ?, ?, ? FROM tasks WHERE id = ? AND state = 'running'`,
      ),
      due: db.prepare(
        `SELECT id, name, delivery_id, event, action, attempts, max_attempts, backoff, timeout_ms, state FROM tasks INDEXED BY tasks_due
         WHERE due_at <= ? ORDER BY due_at LIMIT ?`,
      ),
      lease: db.prepare(
        `UPDATE tasks SET state = 'running', attempts = attempts + 1, lease_owner = ?, lease_until = ?, due_at = ?, started_at = ?, updated_at = ? WHERE id = ?`,
      ),
      failLost: db.prepare(
        `UPDATE tasks SET state = 'failed', lease_owner = NULL, due_at = NULL, last_error = ?, updated_at = ? WHERE id = ?`,
      ),
      setLastError: db.prepare(`UPDATE tasks SET last_error = ? WHERE id = ?`),
      // a lease (running) or a hold (queued with an owner): only those two states ever have an owner
      extend: db.prepare(`UPDATE tasks SET lease_until = ?, due_at = ? WHERE id = ? AND state IN ('running', 'queued') AND lease_owner = ?`),
      start: db.prepare(
        `UPDATE tasks SET state = 'running', attempts = attempts + 1, lease_until = ?, due_at = ?, started_at = ?, updated_at = ?
         WHERE id = ? AND state = 'queued' AND lease_owner = ?`,
      ),
      release: db.prepare(`UPDATE tasks SET lease_owner = NULL, lease_until = 0, due_at = ?, updated_at = ? WHERE id = ? AND state = 'queued' AND lease_owner = ?`),
      owned: db.prepare(`SELECT 1 FROM tasks WHERE id = ? AND state = 'running' AND lease_owner = ?`),
      complete: db.prepare(
        `UPDATE tasks SET state = 'completed', lease_owner = NULL, due_at = NULL, updated_at = ? WHERE id = ? AND state = 'running' AND lease_owner = ?`,
      ),
      retryAt: db.prepare(
        `UPDATE tasks SET state = 'retrying', run_at = ?, due_at = ?, lease_owner = NULL, last_error = ?, updated_at = ?
         WHERE id = ? AND state = 'running' AND lease_owner = ?`,
      ),
      fail: db.prepare(
        `UPDATE tasks SET state = 'failed', lease_owner = NULL, due_at = NULL, last_error = ?, updated_at = ?
         WHERE id = ? AND state = 'running' AND lease_owner = ?`,
      ),
      requeue: db.prepare(
        `UPDATE tasks SET state = 'queued', attempts = attempts - 1, run_at = ?, due_at = ?, lease_owner = NULL, last_error = ?, updated_at = ?
         WHERE id = ? AND state = 'running' AND lease_owner = ?`,
      ),
      stateOf: db.prepare(`SELECT state FROM tasks WHERE id = ?`),
      retry: db.prepare(`UPDATE tasks SET state = 'queued', attempts = 0, run_at = ?, due_at = ?, lease_owner = NULL, updated_at = ? WHERE id = ?`),
      cancel: db.prepare(`UPDATE tasks SET state = 'cancelled', lease_owner = NULL, due_at = NULL, updated_at = ? WHERE id = ?`),
    };
  }

  /** Records a delivery whose headers and body are already in the body log at `at`. */
  accept(delivery: StoredDelivery, tasks: NewTask[], takes: HoldingAcceptTakes | undefined, now: number): AcceptStatus {
    const status = tasks.length > 0 ? "accepted" : "ignored";
    const at = delivery.at;
    if (this.s.tombstone.get(delivery.id)) return "duplicate";
    const info = this.s.insertDelivery.run(
      delivery.id, delivery.event, delivery.action, delivery.repository, delivery.installationId, status,
      delivery.receivedAt, delivery.contentType, at.seg, at.off, at.headersLen, at.bodyLen,
    );
    if (info.changes === 0) return "duplicate";
    this.insertTasks({ ...delivery, seq: Number(info.lastInsertRowid) }, tasks, now, takes);
    return status;
  }

  addTasks(deliveryId: string, tasks: NewTask[], now: number): void {
    const meta = this.s.deliveryMeta.get(deliveryId) as DeliveryKey | undefined;
    if (!meta) throw new HookyardError("HOOKYARD_ERR_STORE_NOT_FOUND", `no delivery ${deliveryId}`);
    if (tasks.length > 0) this.s.markAccepted.run(deliveryId);
    this.insertTasks(meta, tasks, now);
  }

  private insertTasks(d: DeliveryKey, tasks: NewTask[], now: number, takes?: HoldingAcceptTakes): void {
    for (const t of tasks) {
      const owner = initialLease(takes, t.id); // held (not claimed): queued, but not due for others until it lapses
      const c = owner?.claimed ?? false;
      this.s.insertTask.run(
        t.id, d.seq, d.id, t.name, d.event, d.action, d.repository, c ? "running" : "queued", c ? 1 : 0, t.maxAttempts, now,
        owner?.owner ?? null, owner ? now + owner.leaseMs : 0, owner ? now + owner.leaseMs : now, c ? now : null,
        JSON.stringify(t.backoff), t.timeoutMs, now, now,
      );
    }
  }

  claim(owner: string, limit: number, leaseMs: number, now: number): ClaimedTask[] {
    const claimed: ClaimedTask[] = [];
    const lostError = JSON.stringify(LEASE_EXPIRED_ERROR);
    for (const row of this.s.due.all(now, limit) as TaskRow[]) {
      if (row.state === "running") {
        // its lease lapsed: the worker that held it is gone
        this.s.closeAttempt.run(now, "lost", lostError, row.id);
        if (row.attempts >= row.max_attempts) {
          this.s.failLost.run(lostError, now, row.id);
          continue;
        }
        this.s.setLastError.run(lostError, row.id);
      }
      claimed.push(this.lease(row, owner, leaseMs, now));
    }
    return claimed;
  }

  private lease(row: TaskRow, owner: string, leaseMs: number, now: number): ClaimedTask {
    this.s.lease.run(owner, now + leaseMs, now + leaseMs, now, now, row.id);
    const attempt = row.attempts + 1;
    return {
      id: row.id, name: row.name, deliveryId: row.delivery_id, event: row.event, action: row.action, attempt,
      maxAttempts: row.max_attempts, backoff: JSON.parse(row.backoff), timeoutMs: row.timeout_ms,
    };
  }

  extendLeases(owner: string, taskIds: string[], leaseMs: number, now: number): string[] {
    return taskIds.filter((id) => this.s.extend.run(now + leaseMs, now + leaseMs, id, owner).changes === 0);
  }

  startHeld(owner: string, taskIds: string[], leaseMs: number, now: number): string[] {
    return taskIds.filter((id) => this.s.start.run(now + leaseMs, now + leaseMs, now, now, id, owner).changes === 0);
  }

  release(owner: string, taskIds: string[], now: number): void {
    for (const id of taskIds) this.s.release.run(now, now, id, owner);
  }

  finish(owner: string, taskId: string, result: AttemptResult, now: number): void {
    if (!this.s.owned.get(taskId, owner)) return;
    const error = result.outcome === "completed" ? null : JSON.stringify(result.error);
    this.s.closeAttempt.run(now, result.outcome, error, taskId);
    switch (result.outcome) {
      case "completed": this.s.complete.run(now, taskId, owner); break;
      case "retrying": this.s.retryAt.run(result.runAt, result.runAt, error, now, taskId, owner); break;
      case "failed": this.s.fail.run(error, now, taskId, owner); break;
      case "interrupted": {
        const at = result.runAt ?? now;
        this.s.requeue.run(at, at, error, now, taskId, owner);
        break;
      }
    }
  }

  retryTask(id: string, now: number): void {
    assertTransition(id, this.stateOf(id), RETRYABLE_STATES, "retry");
    this.s.retry.run(now, now, now, id);
  }

  cancelTask(id: string, now: number): void {
    const state = this.stateOf(id);
    assertTransition(id, state, CANCELLABLE_STATES, "cancel");
    if (state === "running") this.s.closeAttempt.run(now, "cancelled", null, id);
    this.s.cancel.run(now, id);
  }

  private stateOf(id: string): TaskState {
    const row = this.s.stateOf.get(id) as { state: TaskState } | undefined;
    if (!row) throw new HookyardError("HOOKYARD_ERR_STORE_NOT_FOUND", `no task ${id}`);
    return row.state;
  }
}

/** A delivery as the writer records it: its metadata, and where the body log holds its bytes. */
export interface StoredDelivery extends Omit<NewDelivery, "headers" | "body"> {
  at: { seg: number; off: number; headersLen: number; bodyLen: number };
}

type DeliveryKey = Pick<NewDelivery, "id" | "event" | "action" | "repository"> & { seq: number };

interface TaskRow {
  id: string;
  name: string;
  delivery_id: string;
  event: string;
  action: string | null;
  attempts: number;
  max_attempts: number;
  backoff: string;
  timeout_ms: number;
  state: TaskState;
}
