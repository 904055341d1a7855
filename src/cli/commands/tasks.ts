import type { ApiClient, ApiTask } from "../client.js";

/**
 * Lists tasks (newest first) as aligned text lines.
 *
 * @example
 * ```ts
 * console.log(await listTasksText(api, { state: "failed" }));
 * ```
 */
export async function listTasksText(api: ApiClient, filter: Parameters<ApiClient["listTasks"]>[0]): Promise<string> {
  const { items, nextCursor } = await api.listTasks(filter);
  if (items.length === 0) return "no tasks";
  const rows = items.map((t: ApiTask) => [t.id, t.state, `${t.attempts}/${t.maxAttempts}`, t.name, t.repository ?? "-", t.lastError?.message ?? ""]);
  const header = ["ID", "STATE", "ATTEMPTS", "HANDLER", "REPOSITORY", "LAST ERROR"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  const line = (r: string[]) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] as number))).join("  ").trimEnd();
  return [line(header), ...rows.map(line), ...(nextCursor ? [`… more: --cursor ${nextCursor}`] : [])].join("\n");
}
