import type { PgPool } from "bullmq";
import type {
  AttemptRecord, DeliveryDetail, DeliveryFilter, DeliverySummary, Page, TaskCounts, TaskDetail, TaskFilter, TaskState, TaskSummary,
} from "../../backend.js";
import { TASK_STATES } from "../../backend.js";
import { decodeCursor, encodeCursor, pageSize } from "../../cursor.js";
import { parseError } from "./records.js";

const TASK_COLUMNS = `seq, id, name, delivery_id, event, action, repository, state, attempts, max_attempts, run_at,
  created_at, updated_at, last_error`;
const DELIVERY_COLUMNS = "seq, id, event, action, repository, installation_id, status, received_at";

/** Bigints arrive as strings from node-postgres. */
type Num = string | number;

interface DeliveryRow {
  seq: Num; id: string; event: string; action: string | null; repository: string | null;
  installation_id: Num | null; status: DeliverySummary["status"]; received_at: Num;
}

interface TaskRow {
  seq: Num; id: string; name: string; delivery_id: string; event: string; action: string | null; repository: string | null;
  state: TaskState; attempts: number; max_attempts: number; run_at: Num; created_at: Num; updated_at: Num; last_error: string | null;
}

/**
 * The SQL of one list page: equality filters on indexed columns, keyset pagination on `seq`,
 * newest first. Exported so a test can check every filter's plan uses an index.
 */
export function pageQuery(table: "hookyard_delivery" | "hookyard_task", filters: [string, string | undefined][], filter: { limit?: number; cursor?: string }): { text: string; values: unknown[]; limit: number } {
  const limit = pageSize(filter.limit);
  const before = decodeCursor(filter.cursor);
  const where: string[] = [];
  const values: unknown[] = [];
  for (const [column, value] of filters) {
    if (value === undefined) continue;
    values.push(value);
    where.push(`${column} = $${values.length}`);
  }
  if (before !== undefined) {
    values.push(before);
    where.push(`seq < $${values.length}`);
  }
  values.push(limit + 1);
  const columns = table === "hookyard_task" ? TASK_COLUMNS : DELIVERY_COLUMNS;
  const text = `SELECT ${columns} FROM ${table} ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY seq DESC LIMIT $${values.length}`;
  return { text, values, limit };
}

/** Reads of the Postgres records, on BullMQ's pool (whose connections' search_path is the schema). */
export abstract class PgReads {
  constructor(protected readonly pool: PgPool) {}

  async nextWakeAt(): Promise<number | null> {
    const { rows } = await this.pool.query<{ at: Num | null }>("SELECT min(due_at) AS at FROM hookyard_task WHERE due_at IS NOT NULL");
    const at = rows[0]?.at;
    return at === null || at === undefined ? null : Number(at);
  }

  async getDelivery(id: string): Promise<DeliveryDetail | null> {
    const { rows } = await this.pool.query<DeliveryRow & { headers: string; content_type: string; body: Buffer }>(
      `SELECT ${DELIVERY_COLUMNS}, headers, content_type, body FROM hookyard_delivery WHERE id = $1`, [id]);
    const row = rows[0];
    if (!row) return null;
    const tasks = await this.pool.query<TaskRow>(`SELECT ${TASK_COLUMNS} FROM hookyard_task WHERE delivery_id = $1 ORDER BY seq`, [id]);
    return { ...toDelivery(row), headers: JSON.parse(row.headers), contentType: row.content_type, body: new Uint8Array(row.body), tasks: tasks.rows.map(toTask) };
  }

  async getBody(id: string): Promise<{ body: Uint8Array; contentType: string } | null> {
    const { rows } = await this.pool.query<{ body: Buffer; content_type: string }>("SELECT body, content_type FROM hookyard_delivery WHERE id = $1", [id]);
    const row = rows[0];
    return row ? { body: row.body, contentType: row.content_type } : null;
  }

  async listDeliveries(filter: DeliveryFilter): Promise<Page<DeliverySummary>> {
    const q = pageQuery("hookyard_delivery", [["event", filter.event], ["action", filter.action], ["repository", filter.repository], ["status", filter.status]], filter);
    return this.page<DeliveryRow, DeliverySummary>(q, toDelivery);
  }

  async getTask(id: string): Promise<TaskDetail | null> {
    const { rows } = await this.pool.query<TaskRow & { backoff: string; timeout_ms: Num; started_at: Num | null }>(
      `SELECT ${TASK_COLUMNS}, backoff, timeout_ms, started_at FROM hookyard_task WHERE id = $1`, [id]);
    const row = rows[0];
    if (!row) return null;
    const attempts = await this.pool.query<{ attempt: number; started_at: Num; ended_at: Num | null; outcome: AttemptRecord["outcome"]; error: string | null }>(
      "SELECT attempt, started_at, ended_at, outcome, error FROM hookyard_attempt WHERE task_id = $1 ORDER BY seq", [id]);
    const attemptLog = attempts.rows.map((a): AttemptRecord => ({
      attempt: a.attempt, startedAt: Number(a.started_at), endedAt: a.ended_at === null ? null : Number(a.ended_at), outcome: a.outcome, error: parseError(a.error),
    }));
    if (row.state === "running") {
      attemptLog.push({ attempt: row.attempts, startedAt: Number(row.started_at ?? row.updated_at), endedAt: null, outcome: "running", error: null });
    }
    return { ...toTask(row), backoff: JSON.parse(row.backoff), timeoutMs: Number(row.timeout_ms), attemptLog };
  }

  async listTasks(filter: TaskFilter): Promise<Page<TaskSummary>> {
    const q = pageQuery("hookyard_task", [
      ["state", filter.state], ["name", filter.name], ["event", filter.event], ["repository", filter.repository], ["delivery_id", filter.deliveryId],
    ], filter);
    return this.page<TaskRow, TaskSummary>(q, toTask);
  }

  async countTasks(): Promise<TaskCounts> {
    const counts = Object.fromEntries(TASK_STATES.map((s) => [s, 0])) as TaskCounts;
    const { rows } = await this.pool.query<{ state: TaskState; n: Num }>("SELECT state, count(*) AS n FROM hookyard_task GROUP BY state");
    for (const row of rows) counts[row.state] = Number(row.n);
    return counts;
  }

  async ping(): Promise<void> {
    await this.pool.query("SELECT 1");
  }

  private async page<R extends { seq: Num }, T>(q: { text: string; values: unknown[]; limit: number }, map: (r: R) => T): Promise<Page<T>> {
    const { rows } = await this.pool.query<R>(q.text, q.values);
    const page = rows.slice(0, q.limit);
    const last = page.at(-1);
    return { items: page.map(map), nextCursor: rows.length > q.limit && last ? encodeCursor(Number(last.seq)) : null };
  }
}

function toDelivery(r: DeliveryRow): DeliverySummary {
  return {
    id: r.id, event: r.event, action: r.action, repository: r.repository,
    installationId: r.installation_id === null ? null : Number(r.installation_id), status: r.status, receivedAt: Number(r.received_at),
  };
}

function toTask(r: TaskRow): TaskSummary {
  return {
    id: r.id, name: r.name, deliveryId: r.delivery_id, event: r.event, action: r.action, repository: r.repository, state: r.state,
    attempts: r.attempts, maxAttempts: r.max_attempts, runAt: Number(r.run_at), createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at), lastError: parseError(r.last_error),
  };
}
