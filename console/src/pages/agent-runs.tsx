import { api } from "../api.js";
import { Badge, Empty, ErrorNote, Loading, Panel } from "../components.js";
import { useData } from "../data.js";
import { ago, when } from "../format.js";
import { href } from "../router.js";
import type { AgentRun, Page } from "../types.js";

export function AgentRuns() {
  const runs = useData(() => api<Page<AgentRun>>("/agent-runs?limit=100"), []);
  return (
    <div class="page">
      <h1>Agent runs</h1>
      <p class="muted">The agent workflow's work per issue (<code>hookyard/agent</code>): the stage it is in, its pull request and its CI fix attempts.</p>
      <ErrorNote error={runs.error} />
      <Panel>
        {!runs.data ? <Loading /> : runs.data.items.length === 0 ? <Empty>No agent runs yet: they appear once the agent workflow handles a labelled issue.</Empty> : (
          <table class="table">
            <thead><tr><th>Issue</th><th>Stage</th><th>Pull request</th><th>Fix attempts</th><th>Cost</th><th>Last note</th><th>Updated</th></tr></thead>
            <tbody>
              {runs.data.items.map((r) => {
                const note = r.history[r.history.length - 1];
                return (
                  <tr key={r.key} data-run={r.key}>
                    <td>{r.issueUrl ? <a href={r.issueUrl} target="_blank" rel="noreferrer">{r.key}</a> : r.key}</td>
                    <td><Badge value={r.stage} /></td>
                    <td>{r.prNumber === null ? "—" : r.prUrl ? <a href={r.prUrl} target="_blank" rel="noreferrer">#{r.prNumber}</a> : `#${r.prNumber}`}</td>
                    <td class="num">{r.fixAttempts}</td>
                    <td class="num">${r.costUsd.toFixed(2)}</td>
                    <td class={r.lastError ? "error-cell" : ""} title={r.lastError ?? note?.note}>
                      {r.lastError ?? note?.note ?? "—"}
                      {r.taskId && <> · <a href={href(`tasks/${encodeURIComponent(r.taskId)}`)}>task</a></>}
                    </td>
                    <td class="muted" title={when(r.updatedAt)}>{ago(r.updatedAt)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
      </Panel>
    </div>
  );
}
