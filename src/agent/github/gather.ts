import type { HookyardOctokit } from "../../github/octokit.js";
import type { AgentTask, TaskCheckRun, TaskComment, TaskJob, TaskReviewThread } from "../task/task-file.js";
import { CHECK_NAME, type RepoRef } from "./report.js";

const OURS = "<!-- hookyard:agent";
const FAILING = new Set(["failure", "timed_out", "startup_failure", "action_required"]);
const LOG_TAIL_LINES = 200;
const LOG_TAIL_BYTES = 32 * 1024;

type Login = { login?: string } | null | undefined;
const who = (u: Login): string => u?.login ?? "ghost";

/** Whether a check or workflow conclusion is a failure the agent should look at. */
export function isFailing(conclusion: string | null | undefined): boolean {
  return conclusion !== null && conclusion !== undefined && FAILING.has(conclusion);
}

/**
 * The issue with its labels and every comment that is not Hookyard's own.
 *
 * @example
 * ```ts
 * const issue = await gatherIssue(octokit, repo, 12);
 * ```
 */
export async function gatherIssue(octokit: HookyardOctokit, r: RepoRef, number: number): Promise<AgentTask["issue"]> {
  const { data: issue } = await octokit.rest.issues.get({ ...r, issue_number: number });
  const comments: TaskComment[] = [];
  for await (const { data } of octokit.paginate.iterator(octokit.rest.issues.listComments, { ...r, issue_number: number, per_page: 100 })) {
    for (const c of data) if (!(c.body ?? "").startsWith(OURS)) comments.push({ author: who(c.user), body: c.body ?? "", createdAt: c.created_at });
  }
  return {
    number,
    title: issue.title,
    body: issue.body ?? "",
    labels: issue.labels.map((l) => (typeof l === "string" ? l : (l.name ?? ""))).filter((n) => n !== ""),
    url: issue.html_url ?? null,
    author: who(issue.user),
    comments,
  };
}

/** The last lines (and at most 32 KB) of a log. */
export function tailOf(text: string): string {
  const lines = text.split("\n");
  const tail = lines.slice(-LOG_TAIL_LINES).join("\n");
  return tail.length > LOG_TAIL_BYTES ? tail.slice(-LOG_TAIL_BYTES) : tail;
}

/**
 * What failed on `sha`: the failing check runs (not Hookyard's own) with their output and
 * annotations, and the failed jobs of failing Actions workflow runs with the tail of their logs.
 *
 * @example
 * ```ts
 * const ci = await gatherFailures(octokit, repo, pr.head.sha);
 * ```
 */
export async function gatherFailures(octokit: HookyardOctokit, r: RepoRef, sha: string): Promise<NonNullable<AgentTask["ci"]>> {
  const checkRuns: TaskCheckRun[] = [];
  const runs = await octokit.paginate(octokit.rest.checks.listForRef, { ...r, ref: sha, filter: "latest", per_page: 100 });
  for (const run of runs) {
    if (run.name === CHECK_NAME || !isFailing(run.conclusion)) continue;
    const annotations = run.output?.annotations_count
      ? (await octokit.rest.checks.listAnnotations({ ...r, check_run_id: Number(run.id), per_page: 50 })).data.map((a) => ({
          path: a.path, startLine: a.start_line ?? null, endLine: a.end_line ?? null, level: a.annotation_level ?? "failure", message: a.message ?? "", title: a.title ?? null,
        }))
      : [];
    checkRuns.push({ name: run.name, conclusion: run.conclusion, url: run.html_url ?? null, title: run.output?.title ?? null, summary: run.output?.summary ?? null, text: run.output?.text ?? null, annotations });
  }
  const jobs: TaskJob[] = [];
  let workflowRuns: { id: number; conclusion: string | null }[] = [];
  try {
    workflowRuns = (await octokit.rest.actions.listWorkflowRunsForRepo({ ...r, head_sha: sha, per_page: 20 })).data.workflow_runs;
  } catch (err) {
    if (![403, 404].includes((err as { status?: number }).status ?? 0)) throw err; // no Actions permission: check runs only
  }
  for (const wr of workflowRuns) {
    if (!isFailing(wr.conclusion)) continue;
    const { data } = await octokit.rest.actions.listJobsForWorkflowRun({ ...r, run_id: Number(wr.id), per_page: 100 });
    for (const job of data.jobs) {
      if (!isFailing(job.conclusion)) continue;
      let log = "";
      try {
        const res = await octokit.rest.actions.downloadJobLogsForWorkflowRun({ ...r, job_id: Number(job.id) });
        log = typeof res.data === "string" ? res.data : Buffer.from(res.data as ArrayBuffer).toString("utf8");
      } catch {
        log = "(the job's log could not be read)";
      }
      jobs.push({ name: job.name, conclusion: job.conclusion, url: job.html_url ?? null, logTail: tailOf(log) });
    }
  }
  return { headSha: sha, checkRuns, jobs };
}

/**
 * The whole review conversation of a pull request: every review with a body or a verdict, every
 * review comment grouped into its thread, and the pull request's conversation comments (not
 * Hookyard's own).
 *
 * @example
 * ```ts
 * const review = await gatherReview(octokit, repo, 7);
 * ```
 */
export async function gatherReview(octokit: HookyardOctokit, r: RepoRef, pull: number): Promise<NonNullable<AgentTask["review"]>> {
  const reviews = (await octokit.paginate(octokit.rest.pulls.listReviews, { ...r, pull_number: pull, per_page: 100 }))
    .filter((x) => x.state === "CHANGES_REQUESTED" || (x.body ?? "") !== "")
    .map((x) => ({ id: Number(x.id), author: who(x.user), state: x.state, body: x.body ?? "" }));
  const byId = new Map<number, TaskReviewThread>();
  const threads: TaskReviewThread[] = [];
  for (const c of await octokit.paginate(octokit.rest.pulls.listReviewComments, { ...r, pull_number: pull, per_page: 100 })) {
    const comment = { author: who(c.user), body: c.body, createdAt: c.created_at };
    const parent = c.in_reply_to_id === undefined ? undefined : byId.get(Number(c.in_reply_to_id));
    if (parent) {
      parent.comments.push(comment);
      byId.set(Number(c.id), parent);
      continue;
    }
    const thread: TaskReviewThread = { path: c.path ?? null, line: c.line ?? c.original_line ?? null, comments: [comment] };
    threads.push(thread);
    byId.set(Number(c.id), thread);
  }
  const comments: TaskComment[] = [];
  for (const c of await octokit.paginate(octokit.rest.issues.listComments, { ...r, issue_number: pull, per_page: 100 })) {
    if (!(c.body ?? "").startsWith(OURS)) comments.push({ author: who(c.user), body: c.body ?? "", createdAt: c.created_at });
  }
  return { reviews, threads, comments };
}
