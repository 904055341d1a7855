import { HookyardError } from "../../../errors.js";
import type {
  AcceptStatus, AttemptRecord, AttemptResult, ClaimedTask, DeliveryDetail, DeliveryFilter,
  DeliverySummary, NewDelivery, NewTask, Page, PruneOptions, PruneResult, RecordFilter, StoredRecord, TaskCounts, TaskDetail, TaskFilter, TaskSummary,
} from "../../backend.js";
import type { HoldingAcceptTakes, HoldingBackend } from "../../holding-backend.js";
import { TASK_STATES } from "../../backend.js";
import { initialLease } from "../../initial-lease.js";
import { assertTransition, CANCELLABLE_STATES, LEASE_EXPIRED_ERROR, RETRYABLE_STATES } from "../../transitions.js";
import { TaskNotifier } from "../../notifier.js";
import { RecordMethods } from "../../stored-records.js";
import { pruneMemory } from "./prune.js";
import { dueAt, paginate, summary, type DeliveryRow, type TaskRow } from "./rows.js";
import { MemoryRecordTable } from "./stored-records.js";

/**
 * A backend that keeps everything in this process's memory: for unit tests and experiments.
 * Nothing survives a restart. It holds tasks for the process that accepted them (`HoldingBackend`).
 *
 * @example
 * ```ts
 * const app = new Hookyard({ store: "memory:" });
 * ```
 */
export class MemoryBackend implements HoldingBackend {
  readonly description = "memory:";
  private readonly deliveries = new Map<string, DeliveryRow>();
  private readonly tasks = new Map<string, TaskRow>();
  /** Ids of pruned deliveries (→ received time), answered `duplicate` until their tombstone goes. */
  private readonly tombstones = new Map<string, number>();
  /** Tasks that are not finished (queued, retrying, running): what claim scans. */
  private readonly open = new Set<string>();
  private readonly notifier = new TaskNotifier();
  private seq = 0;
  private closed = false;
  private readonly records: RecordMethods;

  constructor(private readonly now: () => number = Date.now) {
    this.records = new RecordMethods(new MemoryRecordTable(now));
  }

  async accept(delivery: NewDelivery, tasks: NewTask[], takes?: HoldingAcceptTakes): Promise<AcceptStatus> {
    this.assertOpen();
    if (this.deliveries.has(delivery.id) || this.tombstones.has(delivery.id)) return "duplicate";
    const status = tasks.length > 0 ? "accepted" : "ignored";
    this.deliveries.set(delivery.id, {
      seq: ++this.seq, id: delivery.id, event: delivery.event, action: delivery.action, repository: delivery.repository,
      installationId: delivery.installationId, status, receivedAt: delivery.receivedAt, headers: { ...delivery.headers },
      contentType: delivery.contentType, body: Uint8Array.from(delivery.body),
    });
    this.insertTasks(delivery, tasks, takes);
    return status;
  }

  async addTasks(deliveryId: string, tasks: NewTask[]): Promise<void> {
    this.assertOpen();
    const delivery = this.deliveries.get(deliveryId);
    if (!delivery) throw new HookyardError("HOOKYARD_ERR_STORE_NOT_FOUND", `no delivery ${deliveryId}`);
    if (tasks.length > 0) delivery.status = "accepted";
    this.insertTasks(delivery, tasks);
  }

  private insertTasks(delivery: Pick<DeliverySummary, "id" | "event" | "action" | "repository">, tasks: NewTask[], takes?: HoldingAcceptTakes): void {
    const now = this.now();
    let queued = false;
    for (const t of tasks) {
      const owner = initialLease(takes, t.id); // held (not claimed): queued, not due for others until it lapses
      const claimed = owner?.claimed ?? false;
      const row: TaskRow = {
        seq: ++this.seq, id: t.id, name: t.name, deliveryId: delivery.id, event: delivery.event, action: delivery.action,
        repository: delivery.repository, state: claimed ? "running" : "queued", attempts: claimed ? 1 : 0,
        maxAttempts: t.maxAttempts, runAt: now, createdAt: now, updatedAt: now, lastError: null, backoff: t.backoff,
        timeoutMs: t.timeoutMs, attemptLog: [], leaseOwner: owner?.owner ?? null, leaseUntil: owner ? now + owner.leaseMs : 0,
      };
      if (claimed) row.attemptLog.push({ attempt: 1, startedAt: now, endedAt: null, outcome: "running", error: null });
      else if (!owner) queued = true;
      this.tasks.set(t.id, row);
      this.open.add(t.id);
    }
    if (queued) this.notifier.notify();
  }

  async claim(owner: string, limit: number, leaseMs: number): Promise<ClaimedTask[]> {
    this.assertOpen();
    const now = this.now();
    const due: TaskRow[] = [];
    for (const id of this.open) {
      const t = this.tasks.get(id);
      if (!t) continue;
      if (dueAt(t) <= now) due.push(t);
    }
    due.sort((a, b) => a.runAt - b.runAt || a.seq - b.seq);
    const claimed: ClaimedTask[] = [];
    for (const t of due) {
      if (claimed.length >= limit) break;
      if (t.state === "running") {
        this.closeAttempt(t, "lost", LEASE_EXPIRED_ERROR, now);
        t.lastError = LEASE_EXPIRED_ERROR;
        if (t.attempts >= t.maxAttempts) {
          this.settle(t, "failed", now);
          continue;
        }
      }
      this.begin(t, owner, leaseMs, now);
      claimed.push({
        id: t.id, name: t.name, deliveryId: t.deliveryId, event: t.event, action: t.action, attempt: t.attempts,
        maxAttempts: t.maxAttempts, backoff: t.backoff, timeoutMs: t.timeoutMs,
      });
    }
    return claimed;
  }

  async extendLeases(owner: string, taskIds: string[], leaseMs: number): Promise<string[]> {
    this.assertOpen();
    const lost: string[] = [];
    const until = this.now() + leaseMs;
    for (const id of taskIds) {
      const t = this.tasks.get(id);
      if (t && (t.state === "running" || t.state === "queued") && t.leaseOwner === owner) t.leaseUntil = until;
      else lost.push(id);
    }
    return lost;
  }

  async start(owner: string, taskIds: string[], leaseMs: number): Promise<string[]> {
    this.assertOpen();
    const now = this.now();
    return taskIds.filter((id) => {
      const t = this.tasks.get(id);
      if (!t || t.state !== "queued" || t.leaseOwner !== owner) return true;
      this.begin(t, owner, leaseMs, now);
      return false;
    });
  }

  async release(owner: string, taskIds: string[]): Promise<void> {
    this.assertOpen();
    const now = this.now();
    for (const id of taskIds) {
      const t = this.tasks.get(id);
      if (t?.state === "queued" && t.leaseOwner === owner) Object.assign(t, { leaseOwner: null, leaseUntil: 0, runAt: now, updatedAt: now });
    }
    this.notifier.notify();
  }

  private begin(t: TaskRow, owner: string, leaseMs: number, now: number): void {
    Object.assign(t, { state: "running", attempts: t.attempts + 1, leaseOwner: owner, leaseUntil: now + leaseMs, updatedAt: now });
    t.attemptLog.push({ attempt: t.attempts, startedAt: now, endedAt: null, outcome: "running", error: null });
  }

  async finish(owner: string, taskId: string, result: AttemptResult): Promise<void> {
    this.assertOpen();
    const t = this.tasks.get(taskId);
    if (!t || t.state !== "running" || t.leaseOwner !== owner) return;
    const now = this.now();
    if (result.outcome === "completed") {
      this.closeAttempt(t, "completed", null, now);
      this.settle(t, "completed", now);
      return;
    }
    this.closeAttempt(t, result.outcome, result.error, now);
    t.lastError = result.error;
    t.leaseOwner = null;
    t.updatedAt = now;
    if (result.outcome === "retrying") {
      t.state = "retrying";
      t.runAt = result.runAt;
    } else if (result.outcome === "interrupted") {
      t.state = "queued";
      t.attempts -= 1;
      t.runAt = result.runAt ?? now;
    } else {
      this.settle(t, "failed", now);
    }
  }

  async nextWakeAt(): Promise<number | null> {
    this.assertOpen();
    let next: number | null = null;
    for (const id of this.open) {
      const t = this.tasks.get(id);
      if (!t) continue;
      const at = dueAt(t);
      if (next === null || at < next) next = at;
    }
    return next;
  }

  onTasksQueued(listener: () => void): () => void {
    return this.notifier.subscribe(listener);
  }

  async getDelivery(id: string): Promise<DeliveryDetail | null> {
    this.assertOpen();
    const d = this.deliveries.get(id);
    if (!d) return null;
    const tasks = [...this.tasks.values()].filter((t) => t.deliveryId === id).sort((a, b) => a.seq - b.seq).map(summary);
    const { seq: _seq, ...rest } = d;
    return { ...rest, headers: { ...d.headers }, body: Uint8Array.from(d.body), tasks };
  }

  async getBody(id: string): Promise<{ body: Uint8Array; contentType: string } | null> {
    this.assertOpen();
    const d = this.deliveries.get(id);
    return d ? { body: d.body, contentType: d.contentType } : null;
  }

  async listDeliveries(filter: DeliveryFilter): Promise<Page<DeliverySummary>> {
    this.assertOpen();
    const rows = [...this.deliveries.values()].filter(
      (d) =>
        (filter.event === undefined || d.event === filter.event) &&
        (filter.action === undefined || d.action === filter.action) &&
        (filter.repository === undefined || d.repository === filter.repository) &&
        (filter.status === undefined || d.status === filter.status),
    );
    return paginate(rows, filter, (d) => ({
      id: d.id, event: d.event, action: d.action, repository: d.repository, installationId: d.installationId,
      status: d.status, receivedAt: d.receivedAt,
    }));
  }

  async getTask(id: string): Promise<TaskDetail | null> {
    this.assertOpen();
    const t = this.tasks.get(id);
    return t ? { ...summary(t), backoff: t.backoff, timeoutMs: t.timeoutMs, attemptLog: t.attemptLog.map((a) => ({ ...a })) } : null;
  }

  async listTasks(filter: TaskFilter): Promise<Page<TaskSummary>> {
    this.assertOpen();
    const rows = [...this.tasks.values()].filter(
      (t) =>
        (filter.state === undefined || t.state === filter.state) &&
        (filter.name === undefined || t.name === filter.name) &&
        (filter.event === undefined || t.event === filter.event) &&
        (filter.repository === undefined || t.repository === filter.repository) &&
        (filter.deliveryId === undefined || t.deliveryId === filter.deliveryId),
    );
    return paginate(rows, filter, summary);
  }

  async countTasks(): Promise<TaskCounts> {
    this.assertOpen();
    const counts = Object.fromEntries(TASK_STATES.map((s) => [s, 0])) as TaskCounts;
    for (const t of this.tasks.values()) counts[t.state] += 1;
    return counts;
  }

  async retryTask(id: string): Promise<TaskSummary> {
    this.assertOpen();
    const t = this.requireTask(id);
    assertTransition(id, t.state, RETRYABLE_STATES, "retry");
    const now = this.now();
    Object.assign(t, { state: "queued", attempts: 0, runAt: now, updatedAt: now, leaseOwner: null });
    this.open.add(id);
    this.notifier.notify();
    return summary(t);
  }

  async cancelTask(id: string): Promise<TaskSummary> {
    this.assertOpen();
    const t = this.requireTask(id);
    assertTransition(id, t.state, CANCELLABLE_STATES, "cancel");
    const now = this.now();
    if (t.state === "running") this.closeAttempt(t, "cancelled", null, now);
    this.settle(t, "cancelled", now);
    return summary(t);
  }

  async getRecord(kind: string, key: string): Promise<StoredRecord | null> {
    this.assertOpen();
    return this.records.get(kind, key);
  }

  async putRecord(kind: string, key: string, value: unknown, expectedVersion: number): Promise<StoredRecord> {
    this.assertOpen();
    return this.records.put(kind, key, value, expectedVersion);
  }

  async listRecords(kind: string, filter?: RecordFilter): Promise<Page<StoredRecord>> {
    this.assertOpen();
    return this.records.list(kind, filter);
  }

  async prune(options: PruneOptions): Promise<PruneResult> {
    this.assertOpen();
    return pruneMemory({ deliveries: this.deliveries, tasks: this.tasks, tombstones: this.tombstones }, options);
  }

  async ping(): Promise<void> {
    this.assertOpen();
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  private requireTask(id: string): TaskRow {
    const t = this.tasks.get(id);
    if (!t) throw new HookyardError("HOOKYARD_ERR_STORE_NOT_FOUND", `no task ${id}`);
    return t;
  }

  private settle(t: TaskRow, state: "completed" | "failed" | "cancelled", now: number): void {
    t.state = state;
    t.leaseOwner = null;
    t.updatedAt = now;
    this.open.delete(t.id);
  }

  private closeAttempt(t: TaskRow, outcome: AttemptRecord["outcome"], error: AttemptRecord["error"], now: number): void {
    const open = t.attemptLog.at(-1);
    if (open && open.endedAt === null) Object.assign(open, { endedAt: now, outcome, error });
  }

  private assertOpen(): void {
    if (this.closed) throw new HookyardError("HOOKYARD_ERR_STORE_UNAVAILABLE", "the store is closed");
  }
}
