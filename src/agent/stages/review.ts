import { setTimeout as sleep } from "node:timers/promises";
import type { Context } from "../../events/context.js";
import { RetryLaterError } from "../../steering/steer.js";
import { holderAlive, progress, report, takeBudget, type Flow, type Target } from "../flow.js";
import { gatherIssue, gatherReview } from "../github/gather.js";
import { marker, upsertComment } from "../github/report.js";
import type { AgentSettings } from "../options.js";
import { issueOfBranch, WORKING_STAGES, type AgentRun } from "../runs.js";
import { checkCloneUrl, runStage } from "../stage.js";
import { finishStage, stageFailed } from "./outcome.js";

export interface ReviewTrigger {
  pull: number;
  branch: string;
  /** `review:<id>` or `comment:<id>`: answered once. */
  key: string;
  sender: string;
  /** Text of an `/agent …` comment on the pull request. */
  instruction: string | null;
}

/**
 * A reviewer asked for changes on an agent pull request (or a writer said `/agent …` on it):
 * after a short debounce, so a review's comments arrive together, the agent gets the whole
 * conversation — every review, every thread, the pull request's comments — pushes, and one
 * reply says what was done. Everything seen in that run is marked answered, so the other events
 * of the same review start nothing.
 */
export async function reviewStage(flow: Flow, ctx: Context, t: Target, trigger: ReviewTrigger, s: AgentSettings): Promise<void> {
  const issue = issueOfBranch(trigger.branch);
  if (issue === null) return;
  const known = await flow.runs.get(t.fullName, issue);
  if (!known || known.prNumber !== trigger.pull || known.answered.includes(trigger.key)) return;
  if (s.reviewDebounceMs > 0 && ctx.attempt === 1) await sleep(s.reviewDebounceMs, undefined, { signal: ctx.signal });
  let decision = "run" as "run" | "resume" | "done" | "busy";
  const { run: current } = await flow.runs.update(t.fullName, issue, async (cur) => {
    if (!cur) return (decision = "done"), undefined;
    if (cur.taskId === ctx.task && cur.stage === "reviewing") return (decision = "resume"), undefined;
    if (cur.answered.includes(trigger.key)) return (decision = "done"), undefined;
    if (WORKING_STAGES.has(cur.stage) && (await holderAlive(flow, cur))) return (decision = "busy"), undefined;
    decision = "run";
    return { ...cur, stage: "reviewing", taskId: ctx.task, answered: [...cur.answered, trigger.key].slice(-200), lastError: null };
  });
  if (decision === "busy") throw new RetryLaterError(15_000, "another stage of this agent run is working; the review is answered when it ends");
  if (!current || decision === "done") return;
  let run: AgentRun = current;
  if (decision === "run" && !(await takeBudget(flow, ctx, run, s.maxRunsPerDay, "pr-open", "the review was not answered"))) return;
  progress(flow, ctx, run, "review", "triggered", { key: trigger.key, by: trigger.sender });
  try {
    const cloneUrl = checkCloneUrl(t.cloneUrl, s.gitOrigin, t.fullName);
    run = await report(flow, ctx.octokit, ctx.log, run, "reviewing", `@${trigger.sender} asked for changes on #${trigger.pull}`);
    const [issueData, review, pr] = await Promise.all([
      gatherIssue(ctx.octokit, t.ref, issue), gatherReview(ctx.octokit, t.ref, trigger.pull), ctx.octokit.rest.pulls.get({ ...t.ref, pull_number: trigger.pull }),
    ]);
    // everything this run sees counts as answered
    const seen = review.reviews.map((r) => `review:${r.id}`);
    run = (await flow.runs.patch(t.fullName, issue, { answered: [...new Set([...run.answered, ...seen])].slice(-200) })) ?? run;
    const outcome = await runStage({ ...flow.stage, settings: s }, {
      run, cloneUrl, log: ctx.log, signal: ctx.signal, taskId: ctx.task,
      task: {
        mode: "review", repository: { fullName: t.fullName, defaultBranch: t.defaultBranch, htmlUrl: t.htmlUrl }, issue: issueData, instruction: trigger.instruction,
        pullRequest: { number: trigger.pull, url: pr.data.html_url, headSha: pr.data.head.sha }, ci: null, review,
      },
    });
    const after = await finishStage(flow, ctx, t, run, outcome, { mode: "review", issueTitle: issueData.title, settings: s });
    const text = outcome.kind === "pushed" && outcome.headSha
      ? `Pushed ${outcome.headSha.slice(0, 7)} to address the review${outcome.result.summary ? `:\n\n${outcome.result.summary}` : "."}`
      : outcome.kind === "refused" ? `Nothing was pushed for this review: ${outcome.reason}.` : "The agent made no change for this review.";
    await upsertComment(ctx.octokit, t.ref, trigger.pull, null, marker(`reply ${t.fullName}#${trigger.pull} ${trigger.key}`), text);
    progress(flow, ctx, after, "review", "replied", { pull: trigger.pull });
  } catch (err) {
    await stageFailed(flow, ctx, run, err, s.retries + 1);
    throw err;
  }
}
