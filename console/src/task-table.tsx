// The table of tasks shown by the task list, the failed list and a delivery.
import { Badge, Empty } from "./components.js";
import { ago, eventName, short } from "./format.js";
import { href } from "./router.js";
import type { Task } from "./types.js";

export function TaskTable({ tasks, showError = false }: { tasks: Task[]; showError?: boolean }) {
  if (tasks.length === 0) return <Empty>No tasks match.</Empty>;
  return (
    <table class="table">
      <thead>
        <tr><th>Task</th><th>Handler</th><th>State</th><th>Attempts</th><th>Event</th><th>Repository</th>{showError && <th>Error</th>}<th>Updated</th></tr>
      </thead>
      <tbody>
        {tasks.map((t) => (
          <tr key={t.id} data-task={t.id}>
            <td class="mono"><a href={href(`tasks/${encodeURIComponent(t.id)}`)} title={t.id}>{short(t.id)}</a></td>
            <td>{t.name}</td>
            <td><Badge value={t.state} /></td>
            <td class="num">{t.attempts}/{t.maxAttempts}</td>
            <td>{eventName(t.event, t.action)}</td>
            <td>{t.repository ?? "—"}</td>
            {showError && (t.lastError ? <td class="error-cell" title={t.lastError.message}>{t.lastError.message}</td> : <td class="muted">—</td>)}
            <td class="muted" title={t.updatedAt}>{ago(t.updatedAt)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
