import { api } from "../api.js";
import { ActionButton, Badge, ErrorNote, Facts, Loading, Panel } from "../components.js";
import { useData } from "../data.js";
import { eventName, when } from "../format.js";
import { Json } from "../json.js";
import { href } from "../router.js";
import { TaskTable } from "../task-table.js";
import type { DeliveryDetail } from "../types.js";

export function DeliveryPage({ id }: { id: string }) {
  const d = useData(() => api<DeliveryDetail>(`/deliveries/${encodeURIComponent(id)}`), [id]);
  const replay = async () => {
    const r = await api<{ tasks: string[] }>(`/deliveries/${encodeURIComponent(id)}/replay`, { method: "POST" });
    d.reload();
    return `Replayed: ${r.tasks.length} new task${r.tasks.length === 1 ? "" : "s"}`;
  };
  const v = d.data;
  return (
    <div class="page">
      <div class="crumbs"><a href={href("deliveries")}>Deliveries</a> / <span class="mono">{id}</span></div>
      <ErrorNote error={d.error} />
      {!v ? (!d.error && <Loading />) : (
        <>
          <header class="title-row">
            <h1>{eventName(v.event, v.action)} <Badge value={v.status} /></h1>
            <div class="actions"><ActionButton label="Replay" kind="primary" run={replay} /></div>
          </header>
          <Panel>
            <Facts items={[
              ["Delivery id", <span class="mono">{v.id}</span>],
              ["Repository", v.repository ?? "—"],
              ["Installation", v.installationId ?? "—"],
              ["Received", when(v.receivedAt)],
              ["Content type", v.contentType],
              ["Size", `${v.size.toLocaleString()} bytes`],
            ]} />
          </Panel>
          <Panel title={`Tasks (${v.tasks.length})`}><TaskTable tasks={v.tasks} showError /></Panel>
          <Panel title="Payload"><Json value={v.payload} /></Panel>
          <Panel title="Headers">
            <table class="table headers">
              <tbody>
                {Object.entries(v.headers).sort(([a], [b]) => a.localeCompare(b)).map(([k, val]) => (
                  <tr key={k}><th class="mono">{k}</th><td class="mono">{val}</td></tr>
                ))}
              </tbody>
            </table>
          </Panel>
        </>
      )}
    </div>
  );
}
