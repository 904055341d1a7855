import type { DeliveryDetail, DeliverySummary, TaskDetail, TaskSummary } from "../../store/backend.js";
import { mediaType, parsePayload } from "../../ingress/parse.js";

function iso(ms: number): string;
function iso(ms: number | null): string | null;
function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

/** A task as the API shows it (ISO timestamps, no stacks in lists). */
export function presentTask(t: TaskSummary) {
  return { ...t, runAt: iso(t.runAt), createdAt: iso(t.createdAt), updatedAt: iso(t.updatedAt), lastError: t.lastError && { message: t.lastError.message, code: t.lastError.code } };
}

/** A task with its attempts, each with its error message and stack. */
export function presentTaskDetail(t: TaskDetail) {
  return {
    ...presentTask(t),
    lastError: t.lastError,
    backoff: t.backoff,
    timeoutMs: t.timeoutMs,
    attempts: t.attempts,
    attemptLog: t.attemptLog.map((a) => ({ ...a, startedAt: iso(a.startedAt), endedAt: iso(a.endedAt) })),
  };
}

export function presentDelivery(d: DeliverySummary) {
  return { ...d, receivedAt: iso(d.receivedAt) };
}

/** A delivery with its headers (signatures redacted), parsed payload and tasks. */
export function presentDeliveryDetail(d: DeliveryDetail) {
  let payload: unknown;
  try {
    payload = parsePayload(d.body, mediaType(d.contentType) ?? "application/json");
  } catch {
    payload = null;
  }
  const { body, tasks, ...rest } = d;
  return { ...presentDelivery(rest), headers: d.headers, contentType: d.contentType, size: body.byteLength, payload, tasks: tasks.map(presentTask) };
}
