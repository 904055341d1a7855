import type { ApiDelivery, ApiDeliveryDetail, ApiPage } from "../client.js";
import { fields, orDash, stateColour, table } from "../output.js";
import { formatTasks } from "./tasks.js";

const eventOf = (d: { event: string; action: string | null }) => (d.action ? `${d.event}.${d.action}` : d.event);

/**
 * A page of deliveries as an aligned table.
 *
 * @example
 * ```ts
 * console.log(formatDeliveries(await api.listDeliveries({ event: "issues" })));
 * ```
 */
export function formatDeliveries({ items, nextCursor }: ApiPage<ApiDelivery>, colour?: boolean): string {
  if (items.length === 0) return "no deliveries";
  const rows = items.map((d) => [d.id, eventOf(d), { text: d.status, colour: stateColour(d.status) }, orDash(d.repository), orDash(d.installationId), d.receivedAt]);
  const out = table(["ID", "EVENT", "STATUS", "REPOSITORY", "INSTALLATION", "RECEIVED"], rows, colour);
  return nextCursor ? `${out}\n… more: --cursor ${nextCursor}` : out;
}

/**
 * One delivery: its fields and headers, then the tasks it started (the payload is in `--json`).
 *
 * @example
 * ```ts
 * console.log(formatDelivery(await api.getDelivery(id)));
 * ```
 */
export function formatDelivery(d: ApiDeliveryDetail, colour?: boolean): string {
  const head = fields([
    ["delivery", d.id], ["event", eventOf(d)], ["status", { text: d.status, colour: stateColour(d.status) }],
    ["repository", orDash(d.repository)], ["installation", orDash(d.installationId)], ["received", d.receivedAt],
    ["content", `${d.contentType}, ${d.size} bytes`],
  ], colour);
  const headers = Object.entries(d.headers).map(([k, v]) => `  ${k}: ${v}`).join("\n");
  return `${head}\n\nheaders:\n${headers}\n\n${formatTasks({ items: d.tasks, nextCursor: null }, colour)}`;
}
