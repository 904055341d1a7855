import { useState } from "preact/hooks";
import { api, qs } from "../api.js";
import { Badge, Empty, ErrorNote, Loading, Panel } from "../components.js";
import { useData } from "../data.js";
import { ago, eventName, short } from "../format.js";
import { go, href, type Route } from "../router.js";
import type { Delivery, Page } from "../types.js";

const PAGE = 100;
const WINDOWS: Record<string, number> = { "15m": 15 * 60_000, "1h": 3_600_000, "24h": 86_400_000, "7d": 7 * 86_400_000 };
const FIELDS = ["event", "action", "repository", "status", "within"] as const;

export function Deliveries({ route }: { route: Route }) {
  const f = Object.fromEntries(FIELDS.map((k) => [k, route.query.get(k) ?? ""])) as Record<(typeof FIELDS)[number], string>;
  const [draft, setDraft] = useState(f);
  const [search, setSearch] = useState("");
  const [pages, setPages] = useState(1);
  const list = useData(() => api<Page<Delivery>>(`/deliveries${qs({ event: f.event, action: f.action, repository: f.repository, status: f.status, limit: PAGE * pages })}`), [f, pages]);
  // the API has no time filter: deliveries come newest first, so the window keeps a prefix
  const since = WINDOWS[f.within] ? Date.now() - (WINDOWS[f.within] ?? 0) : 0;
  const items = list.data?.items.filter((d) => Date.parse(d.receivedAt) >= since) ?? [];
  const cut = list.data ? items.length < list.data.items.length : false;
  const field = (k: (typeof FIELDS)[number]) => (e: Event) => setDraft({ ...draft, [k]: (e.target as HTMLInputElement).value });
  return (
    <div class="page">
      <h1>Deliveries</h1>
      <form class="filters" onSubmit={(e) => { e.preventDefault(); if (search.trim()) go(`deliveries/${encodeURIComponent(search.trim())}`); }}>
        <label>Delivery id <input name="id" placeholder="X-GitHub-Delivery" value={search} onInput={(e) => setSearch((e.target as HTMLInputElement).value)} /></label>
        <button class="btn btn-plain" type="submit">Open</button>
      </form>
      <form class="filters" onSubmit={(e) => { e.preventDefault(); setPages(1); go("deliveries", draft); }}>
        <label>Event <input name="event" placeholder="issues" value={draft.event} onInput={field("event")} /></label>
        <label>Action <input name="action" placeholder="opened" value={draft.action} onInput={field("action")} /></label>
        <label>Repository <input name="repository" placeholder="owner/name" value={draft.repository} onInput={field("repository")} /></label>
        <label>Outcome
          <select name="status" value={draft.status} onChange={field("status")}>
            <option value="">any</option><option value="accepted">accepted</option><option value="ignored">ignored (no handler)</option>
          </select>
        </label>
        <label>Received
          <select name="within" value={draft.within} onChange={field("within")}>
            <option value="">any time</option>
            {Object.keys(WINDOWS).map((w) => <option key={w} value={w}>last {w}</option>)}
          </select>
        </label>
        <button class="btn btn-primary" type="submit">Filter</button>
      </form>
      <ErrorNote error={list.error} />
      <Panel>
        {!list.data ? <Loading /> : items.length === 0 ? <Empty>No deliveries match.</Empty> : (
          <table class="table">
            <thead><tr><th>Delivery</th><th>Event</th><th>Repository</th><th>Outcome</th><th>Received</th></tr></thead>
            <tbody>
              {items.map((d) => (
                <tr key={d.id} data-delivery={d.id}>
                  <td class="mono"><a href={href(`deliveries/${encodeURIComponent(d.id)}`)} title={d.id}>{short(d.id)}</a></td>
                  <td>{eventName(d.event, d.action)}</td>
                  <td>{d.repository ?? "—"}</td>
                  <td><Badge value={d.status} /></td>
                  <td class="muted" title={d.receivedAt}>{ago(d.receivedAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {list.data?.nextCursor && !cut && <button class="btn btn-plain more" type="button" onClick={() => setPages(pages + 1)}>Show more</button>}
      </Panel>
    </div>
  );
}
