import type { Logger } from "pino";
import { EVENT_NAMES } from "../events/names.generated.js";
import { onGitHubResponse } from "../observability/github-requests.js";
import type { Lifecycle } from "../observability/lifecycle.js";
import type { HookyardMetrics } from "../observability/metrics.js";
import { RejectionLog, type RejectionLogOptions } from "../observability/rejections.js";

/** The agent workflow's final steps, counted as run outcomes. */
const AGENT_OUTCOMES = new Set(["pr", "no-changes", "refused", "stopped", "failed"]);

/** An event name as a label: GitHub's names only, anything else `unknown`. */
function eventLabel(event: string): string {
  return EVENT_NAMES.has(event) ? event : "unknown";
}

/** An action as a label: `""` for none, the known actions of the event, anything else `unknown`. */
function actionLabel(event: string, action: string | null): string {
  if (action === null) return "";
  return EVENT_NAMES.has(`${event}.${action}`) ? action : "unknown";
}

export interface ObserveOptions {
  lifecycle: Lifecycle;
  log: Logger;
  metrics: HookyardMetrics;
  rejections?: RejectionLogOptions;
}

/**
 * Turns lifecycle events into metrics and log lines: one info line per delivery stored (its id is
 * the correlation id of its tasks' lines), one rate-limited warn line per rejected delivery, and
 * the counters and histograms of docs/reference/metrics.md. Returns a function that stops it.
 *
 * @example
 * ```ts
 * const stop = observe({ lifecycle: app.events, log, metrics: new HookyardMetrics({ store: () => app.store }) });
 * ```
 */
export function observe(o: ObserveOptions): () => void {
  const { metrics: m, log } = o;
  const rejections = new RejectionLog(log, { ...o.rejections, onSuppressed: () => m.rejectionLogsSuppressed.inc() });
  const changed = () => m.tasksChanged();
  const offs = [
    ...(["delivery:accepted", "task:start", "task:complete", "task:retry", "task:failed", "task:deferred", "task:interrupted"] as const).map((name) => o.lifecycle.on(name, changed)),
    o.lifecycle.on("delivery:accepted", ({ id, event, action, status, tasks }) => {
      m.deliveries.inc({ event: eventLabel(event), action: actionLabel(event, action), outcome: status });
      log.info({ delivery: id, event, action, status, tasks }, `delivery ${status}`);
    }),
    o.lifecycle.on("delivery:rejected", (r) => {
      m.deliveries.inc({ event: "", action: "", outcome: r.code });
      rejections.note(r);
    }),
    o.lifecycle.on("task:complete", ({ task, durationMs }) => {
      m.tasksFinished.inc({ name: task.name, state: "completed" });
      m.taskAttempts.observe({ name: task.name, state: "completed" }, task.attempt);
      m.taskDuration.observe({ name: task.name, outcome: "completed" }, durationMs / 1000);
    }),
    o.lifecycle.on("task:retry", ({ task, durationMs }) => {
      m.retries.inc({ name: task.name });
      if (durationMs !== undefined) m.taskDuration.observe({ name: task.name, outcome: "retrying" }, durationMs / 1000);
    }),
    o.lifecycle.on("task:failed", ({ task, durationMs }) => {
      m.tasksFinished.inc({ name: task.name, state: "failed" });
      m.taskAttempts.observe({ name: task.name, state: "failed" }, task.attempt);
      if (durationMs !== undefined) m.taskDuration.observe({ name: task.name, outcome: "failed" }, durationMs / 1000);
    }),
    o.lifecycle.on("task:deferred", ({ task }) => m.deferred.inc({ name: task.name })),
    o.lifecycle.on("circuit:change", ({ circuit, to }) => m.circuitTransitions.inc({ circuit, to })),
    o.lifecycle.on("store:pruned", (batch) => {
      for (const kind of ["deliveries", "tasks", "bytes", "tombstones"] as const) if (batch[kind] > 0) m.pruned.inc({ kind }, batch[kind]);
    }),
    o.lifecycle.on("agent:progress", ({ step }) => {
      if (AGENT_OUTCOMES.has(step)) m.agentRuns.inc({ outcome: step });
    }),
    onGitHubResponse(({ status, installationId, rateLimitRemaining }) => {
      m.githubRequests.inc({ status: String(status) });
      if (rateLimitRemaining !== undefined) m.rateLimitRemaining.set({ installation: installationId === undefined ? "app" : String(installationId) }, rateLimitRemaining);
    }),
  ];
  return () => {
    for (const off of offs) off();
    rejections.flush();
  };
}
