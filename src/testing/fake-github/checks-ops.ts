import type { FakeContext } from "./context.js";
import { emitRepoEvent } from "./events.js";
import { checkRun, checkSuite, type SuiteView } from "./shapes/checks.js";
import type { AccountRecord, CheckConclusion, CheckRunRecord, CheckStatus, CheckSuiteRecord, IssueRecord, RepoRecord } from "./state.js";

/** Suite conclusions by precedence: the first one any of its runs has wins. */
const PRECEDENCE: CheckConclusion[] = ["action_required", "cancelled", "timed_out", "failure", "success", "neutral", "skipped"];

/** The open pull requests whose head is `sha`. */
export function openPullsAt(repo: RepoRecord, sha: string): IssueRecord[] {
  return [...repo.issues.values()].filter((i) => i.state === "open" && i.pull?.headSha === sha);
}

/** The branch a commit is the tip of (an open pull request's head first), if any. */
export function branchAt(repo: RepoRecord, sha: string): string | null {
  const pr = openPullsAt(repo, sha)[0]?.pull;
  if (pr) return pr.headRef;
  for (const [ref, tip] of repo.git.refs.all()) if (tip === sha && ref.startsWith("refs/heads/")) return ref.slice("refs/heads/".length);
  return null;
}

/** The App's check suite for `headSha` (created when missing, or always with `fresh` as Actions does per run). */
export function suiteFor(ctx: FakeContext, repo: RepoRecord, appId: number, headSha: string, fresh = false): CheckSuiteRecord {
  const existing = fresh ? undefined : [...repo.checkSuites.values()].find((s) => s.appId === appId && s.headSha === headSha);
  if (existing) return existing;
  const now = ctx.clock.now();
  const suite: CheckSuiteRecord = { id: ctx.state.ids.id(), appId, headSha, headBranch: branchAt(repo, headSha), createdAt: now, updatedAt: now };
  repo.checkSuites.set(suite.id, suite);
  return suite;
}

/** A suite's status and conclusion, from its runs. */
export function suiteState(repo: RepoRecord, suite: CheckSuiteRecord): { status: CheckStatus; conclusion: CheckConclusion | null; runs: CheckRunRecord[] } {
  const runs = [...repo.checkRuns.values()].filter((r) => r.checkSuiteId === suite.id);
  if (runs.length === 0) return { status: "queued", conclusion: null, runs };
  if (runs.some((r) => r.status !== "completed")) {
    return { status: runs.some((r) => r.status === "in_progress" || r.status === "completed") ? "in_progress" : "queued", conclusion: null, runs };
  }
  const conclusion = PRECEDENCE.find((c) => runs.some((r) => r.conclusion === c)) ?? null;
  return { status: "completed", conclusion, runs };
}

/** A suite's view for {@link checkSuite}. */
export function suiteView(ctx: FakeContext, repo: RepoRecord, suite: CheckSuiteRecord): SuiteView {
  const { status, conclusion, runs } = suiteState(repo, suite);
  return { suite, app: ctx.state.app(suite.appId), status, conclusion, runs: runs.length, pulls: openPullsAt(repo, suite.headSha), headCommit: repo.git.commit(suite.headSha) };
}

/** A check run as the REST API shows it. */
export function showCheckRun(ctx: FakeContext, repo: RepoRecord, run: CheckRunRecord) {
  return checkRun(ctx.urls, repo, run, run.appId === null ? undefined : ctx.state.app(run.appId), openPullsAt(repo, run.headSha));
}

/** A check run as webhook payloads carry it: its `check_suite` in full (but for its repository and head commit). */
function hookCheckRun(ctx: FakeContext, repo: RepoRecord, run: CheckRunRecord) {
  const suite = repo.checkSuites.get(run.checkSuiteId);
  if (!suite) return showCheckRun(ctx, repo, run);
  const { repository: _repo, head_commit: _head, latest_check_runs_count: _count, check_runs_url: _url, ...fields } = checkSuite(ctx.urls, repo, suiteView(ctx, repo, suite));
  return { ...showCheckRun(ctx, repo, run), check_suite: fields };
}

/** Sends `check_run.<action>` about `run`. */
export function emitCheckRun(ctx: FakeContext, repo: RepoRecord, run: CheckRunRecord, action: "created" | "completed", sender: AccountRecord): void {
  emitRepoEvent(ctx, repo, "check_run", { action, check_run: hookCheckRun(ctx, repo, run) }, sender);
}

/** Sends `check_suite.completed` if every run of `suite` has completed. */
export function emitSuiteIfCompleted(ctx: FakeContext, repo: RepoRecord, suite: CheckSuiteRecord, sender: AccountRecord): void {
  if (suiteState(repo, suite).status !== "completed") return;
  emitRepoEvent(ctx, repo, "check_suite", { action: "completed", check_suite: checkSuite(ctx.urls, repo, suiteView(ctx, repo, suite)) }, sender);
}

/**
 * Sends what GitHub sends after a check run was created or changed: `check_run.created` for a new
 * run, `check_run.completed` when it has just completed, and `check_suite.completed` when that
 * completed its suite.
 */
export function checkRunChanged(ctx: FakeContext, repo: RepoRecord, run: CheckRunRecord, change: { created: boolean; wasCompleted: boolean }, sender: AccountRecord): void {
  const suite = repo.checkSuites.get(run.checkSuiteId);
  if (suite) suite.updatedAt = ctx.clock.now();
  if (change.created) emitCheckRun(ctx, repo, run, "created", sender);
  if (change.wasCompleted || run.status !== "completed") return;
  emitCheckRun(ctx, repo, run, "completed", sender);
  if (suite) emitSuiteIfCompleted(ctx, repo, suite, sender);
}
