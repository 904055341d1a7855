/** The memory store's rows, and the reads every list call shares. */
import type { DeliverySummary, Page, TaskDetail, TaskSummary } from "../../backend.js";
import { decodeCursor, encodeCursor, pageSize } from "../../cursor.js";

export interface DeliveryRow extends DeliverySummary {
  seq: number;
  headers: Record<string, string>;
  contentType: string;
  body: Uint8Array;
}

export interface TaskRow extends TaskDetail {
  seq: number;
  leaseOwner: string | null;
  leaseUntil: number;
}

/** When a task can next be claimed: its lease's or hold's end while it has an owner, else its run time. */
export function dueAt(t: TaskRow): number {
  return t.leaseOwner !== null ? t.leaseUntil : t.runAt;
}

export function summary(t: TaskRow): TaskSummary {
  return {
    id: t.id, name: t.name, deliveryId: t.deliveryId, event: t.event, action: t.action, repository: t.repository,
    state: t.state, attempts: t.attempts, maxAttempts: t.maxAttempts, runAt: t.runAt, createdAt: t.createdAt,
    updatedAt: t.updatedAt, lastError: t.lastError,
  };
}

export function paginate<R extends { seq: number }, T>(rows: R[], filter: { limit?: number; cursor?: string }, map: (r: R) => T): Page<T> {
  const limit = pageSize(filter.limit);
  const before = decodeCursor(filter.cursor);
  const sorted = rows.filter((r) => before === undefined || r.seq < before).sort((a, b) => b.seq - a.seq);
  const page = sorted.slice(0, limit);
  const last = page.at(-1);
  return { items: page.map(map), nextCursor: sorted.length > limit && last ? encodeCursor(last.seq) : null };
}
