import { useState } from "preact/hooks";
import { api, qs } from "../api.js";
import { ActionButton, ErrorNote, Loading, Panel } from "../components.js";
import { useData } from "../data.js";
import { go, type Route } from "../router.js";
import { TaskTable } from "../task-table.js";
import type { Page, Task } from "../types.js";

export function Failed({ route }: { route: Route }) {
  const name = route.query.get("name") ?? "";
  const [draft, setDraft] = useState(name);
  const list = useData(() => api<Page<Task>>(`/tasks${qs({ state: "failed", name, limit: 200 })}`), [name]);
  const count = list.data ? `${list.data.items.length}${list.data.nextCursor ? "+" : ""}` : "";
  const retryAll = async () => {
    const r = await api<{ retried: number; skipped: number }>("/tasks/retry", { method: "POST", body: { state: "failed", ...(name ? { name } : {}) } });
    list.reload();
    return `Retried ${r.retried} task${r.retried === 1 ? "" : "s"}`;
  };
  return (
    <div class="page">
      <h1>Failed tasks</h1>
      <p class="muted">Tasks whose retries ran out, or that failed for good: they wait here until someone retries them.</p>
      <form class="filters" onSubmit={(e) => { e.preventDefault(); go("failed", { name: draft.trim() }); }}>
        <label>Handler <input name="name" placeholder="handler name" value={draft} onInput={(e) => setDraft((e.target as HTMLInputElement).value)} /></label>
        <button class="btn btn-primary" type="submit">Filter</button>
      </form>
      <ErrorNote error={list.error} />
      <Panel title={list.data ? `${count} failed${name ? ` · ${name}` : ""}` : "Failed"}
        actions={<ActionButton label={name ? `Retry all failed ${name}` : "Retry all failed"} kind="primary" disabled={!list.data || list.data.items.length === 0} run={retryAll} />}>
        {list.data ? <TaskTable tasks={list.data.items} showError /> : <Loading />}
      </Panel>
    </div>
  );
}
