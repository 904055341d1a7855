import type { PgPool, PgPoolClient } from "bullmq";
import { HookyardError } from "../../../errors.js";
import type { AcceptStatus, AcceptTakes, AttemptResult, NewDelivery, NewTask, PruneOptions, PruneResult, TaskState } from "../../backend.js";
import { assertTransition, CANCELLABLE_STATES, LEASE_EXPIRED_ERROR, RETRYABLE_STATES } from "../../transitions.js";
import { prunePostgres } from "./pg-prune.js";
import { inTransaction } from "./pg-tx.js";
import { PgReads } from "./pg-reads.js";
import { initialTask, type ClaimDecision, type Handed, type Held, type JobSpec, type OpenTask, type RecordStore, type Recovered } from "./records.js";

/** Builds BullMQ's `add_jobs_bulk` entries (JSON) for jobs. */
export type JobEntries = (jobs: JobSpec[], now: number) => string;

const LOST = JSON.stringify(LEASE_EXPIRED_ERROR);
type Num = string | number;

interface LockedTask {
  id: string; state: TaskState; attempts: number; max_attempts: number; run_at: Num; started_at: Num | null; owner: string | null;
  token: string | null; name: string; delivery_id: string; event: string; action: string | null; backoff: string; timeout_ms: Num;
}

const LOCKED_COLUMNS = "id, state, attempts, max_attempts, run_at, started_at, owner, token, name, delivery_id, event, action, backoff, timeout_ms";

/**
 * Task and delivery records in Postgres tables (pg-schema.ts), on BullMQ's own pool.
 *
 * What is atomic: `accept`, `addTasks` and `retry` insert the records and call BullMQ's
 * `add_jobs_bulk` SQL function for their jobs in ONE transaction, so a delivery is never committed
 * without its tasks and jobs. Dedup is the delivery table's primary key (`ON CONFLICT DO
 * NOTHING`): it lasts as long as the row, whatever BullMQ's job retention. Transitions lock the task
 * rows (`FOR UPDATE`, in id order) for the duration of their transaction.
 */
export class PgRecords extends PgReads implements RecordStore {
  constructor(pool: PgPool, private readonly queue: string, private readonly entries: JobEntries) {
    super(pool);
  }

  async accept(delivery: NewDelivery, tasks: NewTask[], now: number, takes?: AcceptTakes): Promise<AcceptStatus> {
    const status = tasks.length > 0 ? "accepted" : "ignored";
    return this.tx(async (c) => {
      const inserted = await c.query(
        `INSERT INTO hookyard_delivery (id, event, action, repository, installation_id, status, received_at, content_type, headers, body)
         SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10
         WHERE NOT EXISTS (SELECT 1 FROM hookyard_tombstone WHERE id = $1) -- a pruned delivery's id is still a duplicate
         ON CONFLICT (id) DO NOTHING RETURNING seq`,
        [delivery.id, delivery.event, delivery.action, delivery.repository, delivery.installationId, status, delivery.receivedAt,
          delivery.contentType, JSON.stringify(delivery.headers), Buffer.from(delivery.body)],
      );
      if (inserted.rows.length === 0) return "duplicate";
      await this.insertTasks(c, delivery.id, tasks, now, takes);
      return status;
    });
  }

  prune(options: PruneOptions): Promise<PruneResult> {
    return prunePostgres(this.pool, options);
  }

  async addTasks(deliveryId: string, tasks: NewTask[], now: number): Promise<void> {
    await this.tx(async (c) => {
      const found = await c.query(
        `UPDATE hookyard_delivery SET status = CASE WHEN $2 THEN 'accepted' ELSE status END WHERE id = $1 RETURNING id`,
        [deliveryId, tasks.length > 0],
      );
      if (found.rows.length === 0) throw new HookyardError("HOOKYARD_ERR_STORE_NOT_FOUND", `no delivery ${deliveryId}`);
      await this.insertTasks(c, deliveryId, tasks, now);
    });
  }

  async retry(id: string, now: number): Promise<void> {
    await this.tx(async (c) => {
      const task = await this.lockOne(c, id);
      assertTransition(id, task.state, RETRYABLE_STATES, "retry");
      await c.query(
        `UPDATE hookyard_task SET state = 'queued', attempts = 0, run_at = $2, due_at = $2, owner = NULL, token = NULL,
           lease_until = NULL, started_at = NULL, updated_at = $2 WHERE id = $1`, [id, now]);
      await this.addJobs(c, [{ id, name: task.name, deliveryId: task.delivery_id, runAt: now }], now);
    });
  }

  async cancel(id: string, now: number): Promise<Held> {
    return this.tx(async (c) => {
      const task = await this.lockOne(c, id);
      assertTransition(id, task.state, CANCELLABLE_STATES, "cancel");
      if (task.state === "running") await this.closeAttempt(c, task, now, "cancelled", null);
      await c.query(
        `UPDATE hookyard_task SET state = 'cancelled', due_at = NULL, owner = NULL, token = NULL, lease_until = NULL,
           started_at = NULL, updated_at = $2 WHERE id = $1`, [id, now]);
      return { token: task.state === "running" ? task.token : null, name: task.name, deliveryId: task.delivery_id };
    });
  }

  async recover(now: number, limit: number): Promise<Recovered[]> {
    return this.tx(async (c) => {
      const { rows } = await c.query<LockedTask>(
        `SELECT ${LOCKED_COLUMNS} FROM hookyard_task WHERE state = 'running' AND lease_until <= $1
         ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED`, [now, limit]);
      const out: Recovered[] = [];
      for (const t of rows) {
        await this.closeAttempt(c, t, now, "lost", LOST);
        const state = t.attempts >= t.max_attempts ? "failed" : "queued";
        await c.query(
          `UPDATE hookyard_task SET state = $2, run_at = CASE WHEN $2 = 'queued' THEN $3 ELSE run_at END,
             due_at = CASE WHEN $2 = 'queued' THEN $3 END, owner = NULL, token = NULL, lease_until = NULL, started_at = NULL,
             last_error = $4, updated_at = $3 WHERE id = $1`, [t.id, state, now, LOST]);
        out.push({ id: t.id, token: t.token, state, name: t.name, deliveryId: t.delivery_id });
      }
      return out;
    });
  }

  async claim(owner: string, leaseMs: number, now: number, handed: Handed[]): Promise<ClaimDecision[]> {
    if (handed.length === 0) return [];
    const leaseUntil = now + leaseMs;
    return this.tx(async (c) => {
      const { rows } = await c.query<LockedTask>(
        `SELECT ${LOCKED_COLUMNS} FROM hookyard_task WHERE id = ANY($1::text[]) ORDER BY id FOR UPDATE`, [handed.map((h) => h.id)]);
      const byId = new Map(rows.map((r) => [r.id, r]));
      const out: ClaimDecision[] = [];
      for (const h of handed) {
        const t = byId.get(h.id);
        if (!t || t.state === "completed" || t.state === "failed" || t.state === "cancelled") {
          out.push({ kind: "discard" });
          continue;
        }
        if (t.state === "retrying" && Number(t.run_at) > now) {
          out.push({ kind: "defer", runAt: Number(t.run_at), name: t.name, deliveryId: t.delivery_id });
          continue;
        }
        if (t.state === "running") {
          // the job surfaced again while the record still shows a lease: that lease lapsed
          await this.closeAttempt(c, t, now, "lost", LOST);
          if (t.attempts >= t.max_attempts) {
            await c.query(
              `UPDATE hookyard_task SET state = 'failed', due_at = NULL, owner = NULL, token = NULL, lease_until = NULL,
                 started_at = NULL, last_error = $2, updated_at = $3 WHERE id = $1`, [t.id, LOST, now]);
            out.push({ kind: "fail", name: t.name, deliveryId: t.delivery_id });
            continue;
          }
        }
        await c.query(
          `UPDATE hookyard_task SET state = 'running', attempts = attempts + 1, owner = $2, token = $3, lease_until = $4, due_at = $4,
             started_at = $5, updated_at = $5, last_error = CASE WHEN $6 THEN $7 ELSE last_error END WHERE id = $1`,
          [t.id, owner, h.token, leaseUntil, now, t.state === "running", LOST]);
        out.push({
          kind: "claim",
          task: {
            id: t.id, name: t.name, deliveryId: t.delivery_id, event: t.event, action: t.action, attempt: t.attempts + 1,
            maxAttempts: t.max_attempts, backoff: JSON.parse(t.backoff), timeoutMs: Number(t.timeout_ms),
          },
        });
      }
      return out;
    });
  }

  async extend(owner: string, ids: string[], leaseMs: number, now: number): Promise<(Held | null)[]> {
    if (ids.length === 0) return [];
    const { rows } = await this.pool.query<{ id: string; token: string | null; name: string; delivery_id: string }>(
      `UPDATE hookyard_task SET lease_until = $3, due_at = $3 WHERE id = ANY($1::text[]) AND state = 'running' AND owner = $2
       RETURNING id, token, name, delivery_id`, [ids, owner, now + leaseMs]);
    const held = new Map(rows.map((r) => [r.id, { token: r.token, name: r.name, deliveryId: r.delivery_id }]));
    return ids.map((id) => held.get(id) ?? null);
  }

  async finish(owner: string, id: string, result: AttemptResult, now: number): Promise<Held | null> {
    return this.tx(async (c) => {
      const { rows } = await c.query<LockedTask>(`SELECT ${LOCKED_COLUMNS} FROM hookyard_task WHERE id = $1 FOR UPDATE`, [id]);
      const t = rows[0];
      if (!t || t.state !== "running" || t.owner !== owner) return null;
      const error = result.outcome === "completed" ? null : JSON.stringify(result.error);
      await this.closeAttempt(c, t, now, result.outcome, error);
      const [state, attempts, runAt, due] = {
        completed: ["completed", t.attempts, Number(t.run_at), null],
        failed: ["failed", t.attempts, Number(t.run_at), null],
        retrying: ["retrying", t.attempts, result.outcome === "retrying" ? result.runAt : now, result.outcome === "retrying" ? result.runAt : now],
        interrupted: ["queued", t.attempts - 1, ...(result.outcome === "interrupted" && result.runAt !== undefined ? [result.runAt, result.runAt] : [now, now])],
      }[result.outcome] as [TaskState, number, number, number | null];
      await c.query(
        `UPDATE hookyard_task SET state = $2, attempts = $3, run_at = $4, due_at = $5, owner = NULL, token = NULL, lease_until = NULL,
           started_at = NULL, last_error = COALESCE($6, last_error), updated_at = $7 WHERE id = $1`,
        [id, state, attempts, runAt, due, error, now]);
      return { token: t.token, name: t.name, deliveryId: t.delivery_id };
    });
  }

  async openTask(id: string): Promise<OpenTask | null> {
    const { rows } = await this.pool.query<{ id: string; state: TaskState; run_at: Num; name: string; delivery_id: string }>(
      "SELECT id, state, run_at, name, delivery_id FROM hookyard_task WHERE id = $1 AND state IN ('queued', 'retrying')", [id]);
    const r = rows[0];
    return r ? { id: r.id, state: r.state, runAt: Number(r.run_at), name: r.name, deliveryId: r.delivery_id } : null;
  }

  async stale(before: number, limit: number): Promise<OpenTask[]> {
    const { rows } = await this.pool.query<{ id: string; state: TaskState; run_at: Num; name: string; delivery_id: string }>(
      `SELECT id, state, run_at, name, delivery_id FROM hookyard_task WHERE due_at <= $1 AND state IN ('queued', 'retrying')
       ORDER BY due_at LIMIT $2`, [before, limit]);
    return rows.map((r) => ({ id: r.id, state: r.state, runAt: Number(r.run_at), name: r.name, deliveryId: r.delivery_id }));
  }

  private async insertTasks(c: PgPoolClient, deliveryId: string, tasks: NewTask[], now: number, takes?: AcceptTakes): Promise<void> {
    if (tasks.length === 0) return;
    const starts = tasks.map((t) => initialTask(t, deliveryId, now, takes));
    await c.query(
      `INSERT INTO hookyard_task (id, delivery_id, name, event, action, repository, state, attempts, max_attempts, run_at, owner,
         lease_until, started_at, due_at, backoff, timeout_ms, created_at, updated_at)
       SELECT u.id, d.id, u.name, d.event, d.action, d.repository, u.state, u.attempts, u.max_attempts, $2::bigint, u.owner, u.lease_until,
         CASE WHEN u.state = 'running' THEN $2::bigint END, u.due_at, u.backoff, u.timeout_ms, $2::bigint, $2::bigint
       FROM unnest($3::text[], $4::text[], $5::text[], $6::int[], $7::int[], $8::text[], $9::bigint[], $10::bigint[], $11::text[], $12::bigint[])
         WITH ORDINALITY AS u(id, name, state, attempts, max_attempts, owner, lease_until, due_at, backoff, timeout_ms, ord)
       CROSS JOIN (SELECT id, event, action, repository FROM hookyard_delivery WHERE id = $1) d
       ORDER BY u.ord`,
      [deliveryId, now, tasks.map((t) => t.id), tasks.map((t) => t.name), starts.map((s) => s.state), starts.map((s) => s.attempts),
        tasks.map((t) => t.maxAttempts), starts.map((s) => s.owner), starts.map((s) => s.leaseUntil), starts.map((s) => s.due),
        tasks.map((t) => JSON.stringify(t.backoff)), tasks.map((t) => t.timeoutMs)],
    );
    await this.addJobs(c, starts.map((s) => s.job), now);
  }

  /** BullMQ's own bulk insert, inside this transaction: the jobs commit (and are announced) with the records. */
  private async addJobs(c: PgPoolClient, jobs: JobSpec[], now: number): Promise<void> {
    if (jobs.length > 0) await c.query("SELECT id FROM add_jobs_bulk($1, $2::jsonb) AS t(id)", [this.queue, this.entries(jobs, now)]);
  }

  private async closeAttempt(c: PgPoolClient, t: LockedTask, now: number, outcome: string, error: string | null): Promise<void> {
    await c.query(
      "INSERT INTO hookyard_attempt (task_id, attempt, started_at, ended_at, outcome, error) VALUES ($1, $2, $3, $4, $5, $6)",
      [t.id, t.attempts, t.started_at ?? now, now, outcome, error]);
  }

  private async lockOne(c: PgPoolClient, id: string): Promise<LockedTask> {
    const { rows } = await c.query<LockedTask>(`SELECT ${LOCKED_COLUMNS} FROM hookyard_task WHERE id = $1 FOR UPDATE`, [id]);
    if (!rows[0]) throw new HookyardError("HOOKYARD_ERR_STORE_NOT_FOUND", `no task ${id}`);
    return rows[0];
  }

  private tx<T>(body: (c: PgPoolClient) => Promise<T>): Promise<T> {
    return inTransaction(this.pool, body);
  }
}
