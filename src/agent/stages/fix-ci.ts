import type { Context } from "../../events/context.js";
import { RetryLaterError } from "../../steering/steer.js";
import { holderAlive, progress, report, takeBudget, type Flow, type Target } from "../flow.js";
import { gatherFailures, gatherIssue, isFailing } from "../github/gather.js";
import { CHECK_NAME } from "../github/report.js";
import type { AgentSettings } from "../options.js";
import { issueOfBranch, WORKING_STAGES } from "../runs.js";
import { checkCloneUrl, runStage } from "../stage.js";
import { finishStage, stageFailed } from "./outcome.js";

/** A CI result as the three events carry it. */
export interface CiSignal {
  sha: string;
  branch: string | null;
  conclusion: string | null;
  appId: number | null;
  name: string | null;
}

interface Suite {
  head_sha?: string;
  head_branch?: string | null;
  conclusion?: string | null;
  app?: { id?: number } | null;
  name?: string | null;
  check_suite?: Suite;
}

/**
 * The CI result of a `check_suite.completed`, `check_run.completed` or `workflow_run.completed`
 * payload, or null when it has none.
 *
 * @example
 * ```ts
 * const signal = ciSignalOf("check_run", ctx.payload);
 * ```
 */
export function ciSignalOf(event: string, payload: unknown): CiSignal | null {
  const p = payload as { check_suite?: Suite; check_run?: Suite; workflow_run?: Suite };
  const s = event === "check_suite" ? p.check_suite : event === "check_run" ? p.check_run : event === "workflow_run" ? p.workflow_run : undefined;
  if (!s?.head_sha) return null;
  const branch = s.head_branch ?? s.check_suite?.head_branch ?? null;
  return { sha: s.head_sha, branch, conclusion: s.conclusion ?? null, appId: s.app?.id ?? s.check_suite?.app?.id ?? null, name: event === "check_suite" ? null : (s.name ?? null) };
}

/**
 * CI failed on an agent pull request: if it failed on the pull request's current head (older
 * SHAs and Hookyard's own check run are ignored), and the fix attempts are not spent, the agent
 * gets the failures (check run output, annotations, failed Actions jobs' log tails) and pushes
 * a fix. One fix per head SHA, however many of the three events report it. Spent: one comment
 * asks for a person.
 */
export async function fixCiStage(flow: Flow, ctx: Context, t: Target, signal: CiSignal, s: AgentSettings): Promise<void> {
  if (!isFailing(signal.conclusion)) return;
  const issue = issueOfBranch(signal.branch);
  if (issue === null) return;
  const info = await flow.appInfo();
  if (signal.appId === info.id || signal.name === CHECK_NAME) return;
  const known = await flow.runs.get(t.fullName, issue);
  if (!known?.prNumber) return;
  const { data: pr } = await ctx.octokit.rest.pulls.get({ ...t.ref, pull_number: known.prNumber });
  if (pr.state !== "open" || pr.head.sha !== signal.sha) {
    progress(flow, ctx, known, "fix-ci", "skipped", { reason: pr.state !== "open" ? "the pull request is closed" : "not the pull request's current head", sha: signal.sha });
    return;
  }
  let decision = "run" as "run" | "resume" | "done" | "busy" | "spent";
  const { run: current, wrote } = await flow.runs.update(t.fullName, issue, async (cur) => {
    if (!cur) return (decision = "done"), undefined;
    if (cur.taskId === ctx.task && cur.stage === "fixing") return (decision = "resume"), undefined;
    if (cur.fixedShas.includes(signal.sha)) return (decision = "done"), undefined;
    if (WORKING_STAGES.has(cur.stage) && (await holderAlive(flow, cur))) return (decision = "busy"), undefined;
    if (cur.fixAttempts >= s.fixAttempts) {
      decision = "spent";
      return cur.askedForPerson ? undefined : { ...cur, askedForPerson: true, fixedShas: [...cur.fixedShas, signal.sha].slice(-50) };
    }
    decision = "run";
    return { ...cur, stage: "fixing", taskId: ctx.task, fixAttempts: cur.fixAttempts + 1, fixedShas: [...cur.fixedShas, signal.sha].slice(-50), lastError: null };
  });
  if (decision === "busy") throw new RetryLaterError(15_000, "another stage of this agent run is working; the CI failure is looked at when it ends");
  if (!current || decision === "done") return;
  if (decision === "spent") {
    if (wrote) {
      await report(flow, ctx.octokit, ctx.log, current, current.stage, `CI still fails after ${current.fixAttempts} fix attempt${current.fixAttempts === 1 ? "" : "s"}: a person needs to look at #${current.prNumber}`);
      await ctx.octokit.rest.issues.createComment({ ...t.ref, issue_number: current.prNumber ?? issue, body: `<!-- hookyard:agent person ${t.fullName}#${issue} -->\nCI still fails after ${current.fixAttempts} automatic fix attempt${current.fixAttempts === 1 ? "" : "s"} (HOOKYARD_AGENT_FIX_ATTEMPTS). A person needs to take it from here.` });
      progress(flow, ctx, current, "fix-ci", "spent", { attempts: current.fixAttempts });
    }
    return;
  }
  let run = current;
  if (decision === "run" && !(await takeBudget(flow, ctx, run, s.maxRunsPerDay, "pr-open", "the CI failure was not looked at"))) return;
  progress(flow, ctx, run, "fix-ci", "triggered", { sha: signal.sha, attempt: run.fixAttempts });
  try {
    const cloneUrl = checkCloneUrl(t.cloneUrl, s.gitOrigin, t.fullName);
    run = await report(flow, ctx.octokit, ctx.log, run, "fixing", `CI failed on ${signal.sha.slice(0, 7)}; fix attempt ${run.fixAttempts} of ${s.fixAttempts}`);
    const [issueData, ci] = await Promise.all([gatherIssue(ctx.octokit, t.ref, issue), gatherFailures(ctx.octokit, t.ref, signal.sha)]);
    const outcome = await runStage({ ...flow.stage, settings: s }, {
      run, cloneUrl, log: ctx.log, signal: ctx.signal, taskId: ctx.task,
      task: {
        mode: "fix-ci", repository: { fullName: t.fullName, defaultBranch: t.defaultBranch, htmlUrl: t.htmlUrl }, issue: issueData, instruction: null,
        pullRequest: { number: pr.number, url: pr.html_url, headSha: pr.head.sha }, ci, review: null,
      },
    });
    await finishStage(flow, ctx, t, run, outcome, { mode: "fix-ci", issueTitle: issueData.title, settings: s });
  } catch (err) {
    await stageFailed(flow, ctx, run, err, s.retries + 1);
    throw err;
  }
}
