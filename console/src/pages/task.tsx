import { api } from "../api.js";
import { ActionButton, Badge, ErrorBlock, ErrorNote, Facts, Loading, Panel } from "../components.js";
import { useData } from "../data.js";
import { between, duration, eventName, when } from "../format.js";
import { href } from "../router.js";
import type { TaskDetail } from "../types.js";

const RETRYABLE = new Set(["failed", "cancelled"]);
const CANCELLABLE = new Set(["queued", "retrying", "running"]);

export function TaskPage({ id }: { id: string }) {
  const task = useData(() => api<TaskDetail>(`/tasks/${encodeURIComponent(id)}`), [id]);
  const t = task.data;
  const act = (what: "retry" | "cancel") => async () => {
    await api(`/tasks/${encodeURIComponent(id)}/${what}`, { method: "POST" });
    task.reload();
    return what === "retry" ? "Queued again" : "Cancelled";
  };
  return (
    <div class="page">
      <div class="crumbs"><a href={href("tasks")}>Tasks</a> / <span class="mono">{id}</span></div>
      <ErrorNote error={task.error} />
      {!t ? (!task.error && <Loading />) : (
        <>
          <header class="title-row">
            <h1>{t.name} <Badge value={t.state} /></h1>
            <div class="actions">
              {RETRYABLE.has(t.state) && <ActionButton label="Retry" kind="primary" run={act("retry")} />}
              {CANCELLABLE.has(t.state) && <ActionButton label="Cancel" kind="danger" run={act("cancel")} />}
            </div>
          </header>
          <Panel>
            <Facts items={[
              ["Task id", <span class="mono">{t.id}</span>],
              ["Delivery", <a class="mono" href={href(`deliveries/${encodeURIComponent(t.deliveryId)}`)}>{t.deliveryId}</a>],
              ["Event", eventName(t.event, t.action)],
              ["Repository", t.repository ?? "—"],
              ["Attempts", `${t.attempts} of ${t.maxAttempts}`],
              ["Backoff", `${t.backoff.type}, ${duration(t.backoff.delay)} up to ${duration(t.backoff.maxDelay)}${t.backoff.jitter === "full" ? ", jittered" : ""}`],
              ["Timeout", duration(t.timeoutMs)],
              ["Created", when(t.createdAt)],
              ["Updated", when(t.updatedAt)],
              ["Next run", t.state === "queued" || t.state === "retrying" ? when(t.runAt) : "—"],
            ]} />
          </Panel>
          {t.lastError && <Panel title="Last error"><ErrorBlock error={t.lastError} /></Panel>}
          <Panel title="Attempts">
            {t.attemptLog.length === 0 ? <div class="empty">No attempt has started yet.</div> : (
              <ol class="attempts">
                {t.attemptLog.map((a) => (
                  <li key={a.attempt} class="attempt" data-attempt={a.attempt}>
                    <div class="attempt-head">
                      <b>#{a.attempt}</b> <Badge value={a.outcome} /> <span class="muted">{when(a.startedAt)} · {between(a.startedAt, a.endedAt)}</span>
                    </div>
                    {a.error && <ErrorBlock error={a.error} />}
                  </li>
                ))}
              </ol>
            )}
            <p class="muted small">Log lines: the store keeps none; search the server's JSON logs for <code>"taskId":"{t.id}"</code>.</p>
          </Panel>
        </>
      )}
    </div>
  );
}
