import type { ApiClient, ApiPage, ApiTask, ApiTaskDetail, TaskFilter } from "../client.js";
import { fields, orDash, stateColour, table } from "../output.js";

/**
 * A page of tasks as an aligned table (the delivery id included, for `hookyard replay`).
 *
 * @example
 * ```ts
 * console.log(formatTasks(await api.listTasks({ state: "failed" })));
 * ```
 */
export function formatTasks({ items, nextCursor }: ApiPage<ApiTask>, colour?: boolean): string {
  if (items.length === 0) return "no tasks";
  const rows = items.map((t) => [t.id, { text: t.state, colour: stateColour(t.state) }, `${t.attempts}/${t.maxAttempts}`, t.name, t.deliveryId, orDash(t.repository), t.lastError?.message ?? ""]);
  const out = table(["ID", "STATE", "ATTEMPTS", "HANDLER", "DELIVERY", "REPOSITORY", "LAST ERROR"], rows, colour);
  return nextCursor ? `${out}\n… more: --cursor ${nextCursor}` : out;
}

/**
 * Lists tasks (newest first) as an aligned table.
 *
 * @example
 * ```ts
 * console.log(await listTasksText(api, { state: "failed" }));
 * ```
 */
export async function listTasksText(api: ApiClient, filter: TaskFilter): Promise<string> {
  return formatTasks(await api.listTasks(filter));
}

/**
 * One task: its fields, then its attempt log (each attempt's outcome, times and error; the last
 * error's stack at the end).
 *
 * @example
 * ```ts
 * console.log(formatTask(await api.getTask(id)));
 * ```
 */
export function formatTask(t: ApiTaskDetail, colour?: boolean): string {
  const head = fields([
    ["task", t.id], ["state", { text: t.state, colour: stateColour(t.state) }], ["handler", t.name],
    ["event", t.action ? `${t.event}.${t.action}` : t.event], ["delivery", t.deliveryId], ["repository", orDash(t.repository)],
    ["attempts", `${t.attempts}/${t.maxAttempts}`], ["run at", t.runAt], ["created", t.createdAt], ["updated", t.updatedAt],
    ["backoff", `${t.backoff.type} ${t.backoff.delay} ms (max ${t.backoff.maxDelay} ms, jitter ${t.backoff.jitter})`], ["timeout", `${t.timeoutMs} ms`],
  ], colour);
  if (t.attemptLog.length === 0) return `${head}\n\nno attempts yet`;
  const log = table(["ATTEMPT", "OUTCOME", "STARTED", "ENDED", "ERROR"], t.attemptLog.map((a) => [
    String(a.attempt), { text: a.outcome, colour: stateColour(a.outcome) }, a.startedAt, orDash(a.endedAt),
    a.error ? `${a.error.message}${a.error.code ? ` (${a.error.code})` : ""}` : "",
  ]), colour);
  const stack = t.lastError?.stack ? `\n\nlast error:\n${t.lastError.stack}` : "";
  return `${head}\n\n${log}${stack}`;
}
