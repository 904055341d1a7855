import type { Context } from "../../events/context.js";
import { HookyardError } from "../../errors.js";
import { DeferError } from "../../steering/defer.js";
import { UnrecoverableError } from "../../steering/steer.js";
import { progress, report, type Flow, type Target } from "../flow.js";
import { marker, upsertCheck, upsertPull } from "../github/report.js";
import type { AgentSettings } from "../options.js";
import type { AgentRun } from "../runs.js";
import type { StageOutcome } from "../stage.js";
import type { AgentMode } from "../task/task-file.js";

function pullBody(run: AgentRun, outcome: StageOutcome, taskId: string): string {
  const r = outcome.result;
  return [
    marker(`pr ${run.repo}#${run.issue}`),
    r.summary ?? `The agent's change for #${run.issue}.`,
    "",
    ...(r.body ? [r.body, ""] : []),
    `Closes #${run.issue}`,
    "",
    `<sub>Opened by Hookyard's agent workflow · task \`${taskId}\`</sub>`,
  ].join("\n");
}

/**
 * Reports how a stage ended: the pull request (opened or updated, for the issue stage), the
 * `hookyard/agent` check run on the new head, the run record and the status comment. An agent
 * that failed or timed out ends the task as failed (retry it from the API to run it again)
 * after its work so far was pushed and the issue told.
 */
export async function finishStage(
  flow: Flow,
  ctx: Context,
  t: Target,
  run: AgentRun,
  outcome: StageOutcome,
  o: { mode: AgentMode; issueTitle: string; settings: AgentSettings },
): Promise<AgentRun> {
  const cost = run.costUsd + (outcome.result.cost ?? 0);
  const summary = outcome.result.summary ?? null;
  const stoppedNote = outcome.stopped ? ` (${outcome.stopped})` : "";
  if (outcome.resultProblem) ctx.log.warn({ problem: outcome.resultProblem }, "agent: result file ignored");
  let next = run;
  if (outcome.kind === "refused") {
    next = await report(flow, ctx.octokit, ctx.log, run, "refused", "the change was refused", { reason: outcome.reason, fields: { costUsd: cost } });
    progress(flow, ctx, run, o.mode, "refused", { reason: outcome.reason });
  } else if (outcome.kind === "no-changes") {
    const stage = o.mode === "issue" ? (outcome.stopped ? "stopped" : "no-changes") : "pr-open";
    next = await report(flow, ctx.octokit, ctx.log, run, stage, `the agent changed nothing${stoppedNote}`, { reason: outcome.stopped, summary, fields: { costUsd: cost } });
    progress(flow, ctx, run, o.mode, "no-changes", { stopped: outcome.stopped });
  } else if (outcome.headSha !== null) {
    const sha = outcome.headSha;
    let prNumber = run.prNumber;
    let prUrl: string | null = null;
    if (o.mode === "issue" && !outcome.stopped) {
      const title = (outcome.result.title ?? `Agent: ${o.issueTitle}`).replace(/[\r\n]+/g, " ").slice(0, 256);
      const pr = await upsertPull(ctx.octokit, t.ref, { number: run.prNumber, head: run.branch, base: outcome.baseBranch, title, body: pullBody(run, outcome, ctx.task), draft: o.settings.draft });
      prNumber = pr.number;
      prUrl = pr.url;
      progress(flow, ctx, run, o.mode, "pr", { number: pr.number, url: pr.url, created: pr.created, diff: outcome.diff, diffStat: outcome.diffStat });
    }
    const checkRunId = prNumber === null ? run.checkRunId : await upsertCheck(ctx.octokit, t.ref, {
      knownId: run.checkRunId, sha, status: "completed", conclusion: outcome.stopped ? "neutral" : "success",
      title: outcome.stopped ? `Stopped: ${outcome.stopped}` : o.mode === "issue" ? "Pull request opened" : o.mode === "fix-ci" ? "Fix pushed" : "Review addressed",
      summary: summary ?? `Files changed:\n\n${outcome.changedFiles.map((f) => `- ${f}`).join("\n")}`,
    });
    const stage = outcome.stopped ? "stopped" : "pr-open";
    const note = o.mode === "issue" ? (outcome.stopped ? `work so far pushed to ${run.branch}${stoppedNote}` : `pull request #${prNumber} ready`)
      : o.mode === "fix-ci" ? `fix pushed (${sha.slice(0, 7)})${stoppedNote}` : `review addressed (${sha.slice(0, 7)})${stoppedNote}`;
    next = await report(flow, ctx.octokit, ctx.log, run, stage, note, { prUrl, reason: outcome.stopped, summary, fields: { prNumber, headSha: sha, checkRunId, costUsd: cost } });
  }
  if (outcome.stopped) {
    progress(flow, ctx, run, o.mode, "stopped", { reason: outcome.stopped });
    throw new UnrecoverableError(outcome.stopped, { cause: new HookyardError("HOOKYARD_ERR_AGENT_FAILED", outcome.stopped) });
  }
  return next;
}

/**
 * A stage that threw: on its last attempt (or an unrecoverable error) the run is marked failed
 * and the issue told, with the task id to retry; earlier attempts leave it for the retry.
 */
export async function stageFailed(flow: Flow, ctx: Context, run: AgentRun, err: unknown, maxAttempts: number): Promise<void> {
  if (err instanceof UnrecoverableError && err.cause instanceof HookyardError && err.cause.code === "HOOKYARD_ERR_AGENT_FAILED") return; // reported already
  if (err instanceof DeferError) return; // the agent circuit is open: the task comes back later, its attempt not counted
  const last = ctx.attempt >= maxAttempts || err instanceof UnrecoverableError;
  const reason = (err as Error).message?.slice(0, 300) ?? String(err);
  progress(flow, ctx, run, "stage", last ? "failed" : "retrying", { reason });
  if (!last) return;
  try {
    await report(flow, ctx.octokit, ctx.log, run, "failed", `failed: ${reason}`, { reason });
  } catch (reportErr) {
    ctx.log.warn({ err: (reportErr as Error).message }, "agent: could not report the failure on the issue");
  }
}
