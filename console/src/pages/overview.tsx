import type { ComponentChildren } from "preact";
import { api } from "../api.js";
import { Bars, StateBar } from "../charts.js";
import { ErrorNote, Loading, Panel } from "../components.js";
import { useData } from "../data.js";
import { href } from "../router.js";
import { TaskTable } from "../task-table.js";
import type { Page, Stats, Task } from "../types.js";

function Card({ title, value, link, children }: { title: string; value: number; link: string; children?: ComponentChildren }) {
  return (
    <a class="card" href={link}>
      <div class="card-title">{title}</div>
      <div class="card-value" data-card={title}>{value.toLocaleString()}</div>
      {children}
    </a>
  );
}

export function Overview() {
  const stats = useData(() => api<Stats>("/stats"), []);
  const failed = useData(() => api<Page<Task>>("/tasks?state=failed&limit=5"), []);
  const s = stats.data;
  return (
    <div class="page">
      <h1>Overview</h1>
      <ErrorNote error={stats.error} />
      {!s ? <Loading /> : (
        <>
          <div class="cards">
            <Card title="Deliveries, last hour" value={s.deliveriesLastHour} link={href("deliveries")}>
              <Bars values={s.deliveriesPerMinute} label="deliveries per minute, last hour" />
              <div class="card-foot">per minute, last 60 minutes</div>
            </Card>
            <Card title="Failures, last hour" value={s.failuresLastHour} link={href("failed")}>
              <Bars values={s.failuresPerMinute} label="failed tasks per minute, last hour" tone="danger" />
              <div class="card-foot">tasks that reached failed</div>
            </Card>
            <Card title="Queue depth" value={s.queueDepth} link={href("tasks", { state: "queued" })}>
              <div class="card-foot">{s.tasksByState.queued} queued · {s.tasksByState.retrying} retrying · {s.tasksByState.running} running</div>
            </Card>
          </div>
          <Panel title="Tasks by state"><StateBar counts={s.tasksByState} /></Panel>
          {s.partial && <div class="muted">The per-minute series read their 2,000 most recent rows only: older minutes undercount.</div>}
        </>
      )}
      <Panel title="Latest failed tasks" actions={<a class="btn btn-plain" href={href("failed")}>All failed tasks</a>}>
        {failed.data ? <TaskTable tasks={failed.data.items} showError /> : <Loading />}
      </Panel>
    </div>
  );
}
