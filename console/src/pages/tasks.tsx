import { useState } from "preact/hooks";
import { api, qs } from "../api.js";
import { ErrorNote, Loading, Panel } from "../components.js";
import { useData } from "../data.js";
import { go, type Route } from "../router.js";
import { TaskTable } from "../task-table.js";
import { TASK_STATES, type Page, type Task } from "../types.js";

const PAGE = 50;

export function Tasks({ route }: { route: Route }) {
  const state = route.query.get("state") ?? "";
  const name = route.query.get("name") ?? "";
  const [pages, setPages] = useState(1);
  const list = useData(() => api<Page<Task>>(`/tasks${qs({ state, name, limit: PAGE * pages })}`), [state, name, pages]);
  const [draft, setDraft] = useState(name);
  const apply = (next: { state?: string; name?: string }) => go("tasks", { state, name, ...next });
  return (
    <div class="page">
      <h1>Tasks</h1>
      <form class="filters" onSubmit={(e) => { e.preventDefault(); apply({ name: draft.trim() }); }}>
        <label>State
          <select name="state" value={state} onChange={(e) => apply({ state: (e.target as HTMLSelectElement).value })}>
            <option value="">any</option>
            {TASK_STATES.map((s) => <option key={s} value={s}>{s}</option>)}
          </select>
        </label>
        <label>Handler <input name="name" placeholder="handler name" value={draft} onInput={(e) => setDraft((e.target as HTMLInputElement).value)} /></label>
        <button class="btn btn-primary" type="submit">Filter</button>
      </form>
      <ErrorNote error={list.error} />
      <Panel>
        {list.data ? <TaskTable tasks={list.data.items} showError={state === "failed" || state === "retrying"} /> : <Loading />}
        {list.data?.nextCursor && <button class="btn btn-plain more" type="button" onClick={() => setPages(pages + 1)}>Show more</button>}
      </Panel>
    </div>
  );
}
