import type { Context } from "../../events/context.js";
import { UnrecoverableError } from "../../steering/steer.js";
import { holderAlive, progress, report, takeBudget, type Flow, type Target } from "../flow.js";
import type { AgentSettings } from "../options.js";
import { gatherIssue } from "../github/gather.js";
import { branchFor, WORKING_STAGES, type AgentRun } from "../runs.js";
import { checkCloneUrl, runStage } from "../stage.js";
import { finishStage, stageFailed } from "./outcome.js";

export interface IssueTrigger {
  issue: number;
  sender: string;
  /** Text after `/agent`, when a comment asked. */
  instruction: string | null;
}

function freshRun(prev: AgentRun | null, t: Target, issue: number, installationId: number, taskId: string): AgentRun {
  return {
    repo: t.fullName, repositoryId: t.repositoryId, installationId, issue, branch: branchFor(issue), stage: "starting", taskId, runId: taskId,
    commentId: prev?.commentId ?? null, prNumber: null, checkRunId: null, headSha: null, fixAttempts: 0, fixedShas: [], answered: prev?.answered ?? [],
    askedForPerson: false, costUsd: prev?.costUsd ?? 0, lastError: null, history: prev?.history ?? [], startedAt: Date.now(),
  };
}

/**
 * Starts (or, for a retry of the same task, resumes) the run of one issue: one run at a time per
 * issue, decided by compare-and-set on the run record; a trigger while a run is active is noted
 * on the status comment, not started twice.
 */
export async function issueStage(flow: Flow, ctx: Context, t: Target, trigger: IssueTrigger, s: AgentSettings): Promise<void> {
  if (t.installationId === null) throw new UnrecoverableError("the agent workflow needs an installation in the payload (HOOKYARD_ERR_AGENT_NOT_INSTALLED)");
  const installationId = t.installationId;
  let decision = "run" as "run" | "resume" | "busy" | "done";
  const { run: current } = await flow.runs.update(t.fullName, trigger.issue, async (cur) => {
    if (cur && cur.taskId === ctx.task) {
      // a retry of this very task (crash, restart, or a retry from the API): go on where it stopped
      const again = cur.stage === "starting" || cur.stage === "agent" || cur.stage === "failed" || cur.stage === "stopped";
      decision = again ? "resume" : "done";
      return again ? { ...cur, stage: "starting" } : undefined;
    }
    const active = (cur && WORKING_STAGES.has(cur.stage) && (await holderAlive(flow, cur)))
      || (cur?.stage === "pr-open" && cur.prNumber !== null && (await pullIsOpen(ctx, t, cur.prNumber)));
    decision = active ? "busy" : "run";
    return active ? undefined : freshRun(cur, t, trigger.issue, installationId, ctx.task);
  });
  if (decision === "done" || !current) return;
  if (decision === "busy") {
    const what = current.stage === "pr-open" ? `pull request #${current.prNumber} is already open for it` : "a run is already in progress";
    await report(flow, ctx.octokit, ctx.log, current, current.stage, `@${trigger.sender} asked again; ${what}, so nothing new was started`);
    progress(flow, ctx, current, "issue", "noted", { by: trigger.sender });
    return;
  }
  const resumed = decision === "resume";
  let run: AgentRun = current;
  if (!resumed && !(await takeBudget(flow, ctx, run, s.maxRunsPerDay, "refused", "nothing was started"))) return;
  progress(flow, ctx, run, "issue", "triggered", { by: trigger.sender, resumed });
  try {
    const cloneUrl = checkCloneUrl(t.cloneUrl, s.gitOrigin, t.fullName);
    run = await report(flow, ctx.octokit, ctx.log, run, "starting", resumed ? `resumed by task ${ctx.task} (attempt ${ctx.attempt})` : `started by @${trigger.sender}`);
    const issue = await gatherIssue(ctx.octokit, t.ref, trigger.issue);
    run = await report(flow, ctx.octokit, ctx.log, run, "agent", "workspace ready; the agent is running");
    const outcome = await runStage({ ...flow.stage, settings: s }, {
      run, cloneUrl, log: ctx.log, signal: ctx.signal, taskId: ctx.task,
      task: { mode: "issue", repository: { fullName: t.fullName, defaultBranch: t.defaultBranch, htmlUrl: t.htmlUrl }, issue, instruction: trigger.instruction, pullRequest: null, ci: null, review: null },
    });
    await finishStage(flow, ctx, t, run, outcome, { mode: "issue", issueTitle: issue.title, settings: s });
  } catch (err) {
    await stageFailed(flow, ctx, run, err, s.retries + 1);
    throw err;
  }
}

async function pullIsOpen(ctx: Context, t: Target, number: number): Promise<boolean> {
  try {
    const { data } = await ctx.octokit.rest.pulls.get({ ...t.ref, pull_number: number });
    return data.state === "open";
  } catch (err) {
    if ((err as { status?: number }).status === 404) return false;
    throw err;
  }
}
