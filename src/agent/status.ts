import type { AgentRun } from "./runs.js";

/** The issue comment's marker: one status comment per issue, edited in place. */
export function statusMarkerOf(run: Pick<AgentRun, "repo" | "issue">): string {
  return `status ${run.repo}#${run.issue}`;
}

function headline(run: AgentRun, extra: { prUrl?: string | null; reason?: string | null; fixMax?: number }): string {
  const pr = run.prNumber === null ? "" : extra.prUrl ? `[#${run.prNumber}](${extra.prUrl})` : `#${run.prNumber}`;
  const branch = `\`${run.branch}\``;
  switch (run.stage) {
    case "starting": return `⏳ Preparing a workspace on ${branch}…`;
    case "agent": return `🤖 The agent is working on ${branch}…`;
    case "fixing": return `🔧 The agent is fixing the failed checks on ${pr || branch} (attempt ${run.fixAttempts}${extra.fixMax ? ` of ${extra.fixMax}` : ""})…`;
    case "reviewing": return `📝 The agent is addressing the review of ${pr || branch}…`;
    case "pr-open": return `✅ Pull request ${pr} is open${run.fixAttempts ? ` (${run.fixAttempts} CI fix${run.fixAttempts === 1 ? "" : "es"} so far)` : ""}.`;
    case "no-changes": return "ℹ️ The agent finished without changing anything; nothing was pushed.";
    case "stopped": return `⚠️ Stopped: ${extra.reason ?? run.lastError ?? "the agent did not finish"}. The work so far is on ${branch}.`;
    case "refused": return `⛔ Nothing was pushed: ${extra.reason ?? run.lastError ?? "the change was refused"}.`;
    case "failed": return `❌ Failed: ${extra.reason ?? run.lastError ?? "see the task"} (task \`${run.taskId ?? "?"}\`).`;
  }
}

/**
 * The status comment's text, from the run record: a headline for the current stage, then the
 * run's history (newest last). Untrusted text never appears here except the agent's own summary.
 *
 * @example
 * ```ts
 * const text = renderStatus(run, { prUrl: "https://github.com/acme/widgets/pull/7" });
 * ```
 */
export function renderStatus(run: AgentRun, extra: { prUrl?: string | null; reason?: string | null; summary?: string | null; fixMax?: number } = {}): string {
  const lines = [`**Hookyard agent** · ${headline(run, extra)}`, ""];
  if (extra.summary) lines.push(`> ${extra.summary.replace(/\n/g, "\n> ")}`, "");
  if (run.history.length) {
    lines.push("<details><summary>Steps</summary>", "");
    for (const h of run.history.slice(-15)) lines.push(`- ${new Date(h.at).toISOString().slice(0, 19).replace("T", " ")}Z · ${h.note}`);
    lines.push("", "</details>", "");
  }
  lines.push(`<sub>Branch \`${run.branch}\` · task \`${run.taskId ?? "-"}\`${run.costUsd ? ` · cost $${run.costUsd.toFixed(2)}` : ""}</sub>`);
  return lines.join("\n");
}
