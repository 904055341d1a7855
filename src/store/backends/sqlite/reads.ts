import type Database from "better-sqlite3";
import type {
  AttemptRecord, DeliveryDetail, DeliveryFilter, DeliverySummary, Page, TaskCounts, TaskDetail, TaskFilter, TaskSummary,
} from "../../backend.js";
import { TASK_STATES } from "../../backend.js";
import { decodeCursor, encodeCursor, pageSize } from "../../cursor.js";
import type { BodyLogReader } from "./body-log.js";

const TASK_COLUMNS = `seq, id, name, delivery_id, event, action, repository, state, attempts, max_attempts, run_at,
  created_at, updated_at, last_error`;
const DELIVERY_COLUMNS = `seq, id, event, action, repository, installation_id, status, received_at`;
/** Where a delivery's stored headers and body are in the body log. */
const STORED = `content_type, log_seg, log_off, headers_len, body_len`;

/** Read queries, on a read-only connection of the calling thread (WAL readers never wait for the writer). */
export class SqliteReads {
  private readonly s;
  private readonly listStatements = new Map<string, Database.Statement>();

  constructor(private readonly db: Database.Database, private readonly log: BodyLogReader) {
    this.s = {
      delivery: db.prepare(`SELECT ${DELIVERY_COLUMNS}, ${STORED} FROM deliveries WHERE id = ?`),
      body: db.prepare(`SELECT ${STORED} FROM deliveries WHERE id = ?`),
      task: db.prepare(`SELECT ${TASK_COLUMNS}, backoff, timeout_ms, started_at FROM tasks WHERE id = ?`),
      tasksOf: db.prepare(`SELECT ${TASK_COLUMNS} FROM tasks WHERE delivery_seq = ? ORDER BY seq`),
      attempts: db.prepare(`SELECT attempt, started_at, ended_at, outcome, error FROM attempts WHERE task_id = ? ORDER BY rowid`),
      counts: db.prepare(`SELECT state, count(*) AS n FROM tasks GROUP BY state`),
      nextWake: db.prepare(`SELECT min(due_at) AS at FROM tasks INDEXED BY tasks_due WHERE due_at IS NOT NULL`),
    };
  }

  getDelivery(id: string): DeliveryDetail | null {
    const row = this.s.delivery.get(id) as (DeliveryRow & StoredRow) | undefined;
    if (!row) return null;
    const tasks = (this.s.tasksOf.all(row.seq) as TaskRow[]).map(toTask);
    const bytes = this.log.read(row.log_seg, row.log_off, row.headers_len + row.body_len);
    const headers = JSON.parse(bytes.toString("utf8", 0, row.headers_len)) as Record<string, string>;
    return { ...toDelivery(row), headers, contentType: row.content_type, body: bytes.subarray(row.headers_len), tasks };
  }

  getBody(id: string): { body: Uint8Array; contentType: string } | null {
    const row = this.s.body.get(id) as StoredRow | undefined;
    return row ? { body: this.log.read(row.log_seg, row.log_off + row.headers_len, row.body_len), contentType: row.content_type } : null;
  }

  listDeliveries(filter: DeliveryFilter): Page<DeliverySummary> {
    const where: string[] = [];
    const params: unknown[] = [];
    for (const [column, value] of [["event", filter.event], ["action", filter.action], ["repository", filter.repository], ["status", filter.status]] as const) {
      if (value !== undefined) { where.push(`${column} = ?`); params.push(value); }
    }
    return this.page<DeliveryRow, DeliverySummary>("deliveries", DELIVERY_COLUMNS, where, params, filter, toDelivery);
  }

  getTask(id: string): TaskDetail | null {
    const row = this.s.task.get(id) as (TaskRow & { backoff: string; timeout_ms: number; started_at: number | null }) | undefined;
    if (!row) return null;
    const attemptLog = (this.s.attempts.all(id) as AttemptRow[]).map(
      (a): AttemptRecord => ({ attempt: a.attempt, startedAt: a.started_at, endedAt: a.ended_at, outcome: a.outcome, error: a.error ? JSON.parse(a.error) : null }),
    );
    if (row.state === "running") {
      attemptLog.push({ attempt: row.attempts, startedAt: row.started_at ?? row.updated_at, endedAt: null, outcome: "running", error: null });
    }
    return { ...toTask(row), backoff: JSON.parse(row.backoff), timeoutMs: row.timeout_ms, attemptLog };
  }

  listTasks(filter: TaskFilter): Page<TaskSummary> {
    const where: string[] = [];
    const params: unknown[] = [];
    for (const [column, value] of [["state", filter.state], ["name", filter.name], ["event", filter.event], ["repository", filter.repository]] as const) {
      if (value !== undefined) { where.push(`${column} = ?`); params.push(value); }
    }
    if (filter.deliveryId !== undefined) {
      where.push("delivery_seq = (SELECT seq FROM deliveries WHERE id = ?)");
      params.push(filter.deliveryId);
    }
    return this.page<TaskRow, TaskSummary>("tasks", TASK_COLUMNS, where, params, filter, toTask);
  }

  countTasks(): TaskCounts {
    const counts = Object.fromEntries(TASK_STATES.map((s) => [s, 0])) as TaskCounts;
    for (const row of this.s.counts.all() as { state: keyof TaskCounts; n: number }[]) counts[row.state] = row.n;
    return counts;
  }

  nextWakeAt(): number | null {
    return (this.s.nextWake.get() as { at: number | null }).at;
  }

  private page<R extends { seq: number }, T>(
    table: string, columns: string, where: string[], params: unknown[], filter: { limit?: number; cursor?: string }, map: (r: R) => T,
  ): Page<T> {
    const limit = pageSize(filter.limit);
    const before = decodeCursor(filter.cursor);
    if (before !== undefined) { where.push("seq < ?"); params.push(before); }
    const sql = `SELECT ${columns} FROM ${table} ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY seq DESC LIMIT ?`;
    let stmt = this.listStatements.get(sql);
    if (!stmt) this.listStatements.set(sql, (stmt = this.db.prepare(sql)));
    const rows = stmt.all(...params, limit + 1) as R[];
    const more = rows.length > limit;
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return { items: page.map(map), nextCursor: more && last ? encodeCursor(last.seq) : null };
  }
}

interface DeliveryRow {
  seq: number; id: string; event: string; action: string | null; repository: string | null;
  installation_id: number | null; status: DeliverySummary["status"]; received_at: number;
}

interface StoredRow {
  content_type: string; log_seg: number; log_off: number; headers_len: number; body_len: number;
}

interface TaskRow {
  seq: number; id: string; name: string; delivery_id: string; event: string; action: string | null; repository: string | null;
  state: TaskSummary["state"]; attempts: number; max_attempts: number; run_at: number; created_at: number; updated_at: number;
  last_error: string | null;
}

interface AttemptRow {
  attempt: number; started_at: number; ended_at: number | null; outcome: AttemptRecord["outcome"]; error: string | null;
}

function toDelivery(r: DeliveryRow): DeliverySummary {
  return { id: r.id, event: r.event, action: r.action, repository: r.repository, installationId: r.installation_id, status: r.status, receivedAt: r.received_at };
}

function toTask(r: TaskRow): TaskSummary {
  return {
    id: r.id, name: r.name, deliveryId: r.delivery_id, event: r.event, action: r.action, repository: r.repository, state: r.state,
    attempts: r.attempts, maxAttempts: r.max_attempts, runAt: r.run_at, createdAt: r.created_at, updatedAt: r.updated_at,
    lastError: r.last_error ? JSON.parse(r.last_error) : null,
  };
}
