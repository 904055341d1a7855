import { branchAt, emitCheckRun, emitSuiteIfCompleted, openPullsAt, suiteFor } from "./checks-ops.js";
import type { FakeContext } from "./context.js";
import { emitRepoEvent } from "./events.js";
import { resolveRef } from "./git.js";
import { randomHex } from "./ids.js";
import { createApp, slugify } from "./seed.js";
import { job as jobShape, workflow, workflowRun } from "./shapes/actions.js";
import type { AccountRecord, AnnotationLevel, AnnotationRecord, AppRecord, CheckConclusion, CheckRunRecord, FakeState, JobRecord, RepoRecord, WorkflowRunRecord } from "./state.js";

/** An annotation as the checks API takes it. */
export interface AnnotationInput {
  path: string;
  start_line: number;
  end_line: number;
  annotation_level: AnnotationLevel;
  message: string;
  title?: string;
  raw_details?: string;
  start_column?: number;
  end_column?: number;
}

/** A check run's output as the checks API takes it. */
export interface CheckOutputInput {
  title?: string;
  summary?: string;
  text?: string;
  annotations?: AnnotationInput[];
}

export function annotationRecord(a: AnnotationInput): AnnotationRecord {
  return {
    path: a.path,
    startLine: a.start_line,
    endLine: a.end_line,
    startColumn: a.start_column ?? null,
    endColumn: a.end_column ?? null,
    level: a.annotation_level,
    title: a.title ?? null,
    message: a.message,
    rawDetails: a.raw_details ?? null,
  };
}

/** The App named `name` (by name or slug), registered (without an installation) when missing; it signs with `keyFrom`'s key. */
export function ensureApp(state: FakeState, keyFrom: AppRecord, spec: { name: string; slug?: string; id?: number }): AppRecord {
  const slug = spec.slug ?? slugify(spec.name);
  for (const a of state.apps.values()) if (a.slug === slug || a.name === spec.name) return a;
  const id = spec.id !== undefined && !state.apps.has(spec.id) ? spec.id : undefined;
  return createApp(state, { id, name: spec.name, slug, privateKey: keyFrom.privateKey, permissions: { actions: "write", checks: "write", contents: "read", metadata: "read" }, events: [] });
}

function commitOr(repo: RepoRecord, sha: string): string {
  const c = resolveRef(repo, sha);
  if (!c) throw new Error(`fake GitHub: no commit ${sha} in ${repo.owner.login}/${repo.name}`);
  return c.sha;
}

function newRun(ctx: FakeContext, fields: Pick<CheckRunRecord, "name" | "headSha" | "appId" | "checkSuiteId" | "conclusion"> & Partial<CheckRunRecord>): CheckRunRecord {
  const now = ctx.clock.now();
  return { id: ctx.state.ids.id(), status: "completed", startedAt: now, completedAt: now, detailsUrl: null, externalId: "", output: { title: null, summary: null, text: null }, annotations: [], ...fields };
}

/**
 * Completes `app`'s check run `name` on a commit (the one in progress, or a new one), with its
 * output and annotations, and sends `check_run.completed` and, its suite now complete,
 * `check_suite.completed`.
 */
export function completeCheckRun(ctx: FakeContext, repo: RepoRecord, app: AppRecord, input: { headSha: string; name: string; conclusion: CheckConclusion; output?: CheckOutputInput; detailsUrl?: string }): CheckRunRecord {
  const sha = commitOr(repo, input.headSha);
  const suite = suiteFor(ctx, repo, app.id, sha);
  const open = [...repo.checkRuns.values()].find((r) => r.appId === app.id && r.name === input.name && r.headSha === sha && r.status !== "completed");
  const run = open ?? newRun(ctx, { name: input.name, headSha: sha, appId: app.id, checkSuiteId: suite.id, conclusion: input.conclusion });
  const o = input.output ?? {};
  Object.assign(run, {
    status: "completed",
    conclusion: input.conclusion,
    completedAt: ctx.clock.now(),
    detailsUrl: input.detailsUrl ?? run.detailsUrl,
    output: { title: o.title ?? run.output.title, summary: o.summary ?? run.output.summary, text: o.text ?? run.output.text },
  });
  run.annotations.push(...(o.annotations ?? []).map(annotationRecord));
  repo.checkRuns.set(run.id, run);
  suite.updatedAt = ctx.clock.now();
  emitCheckRun(ctx, repo, run, "completed", app.bot);
  emitSuiteIfCompleted(ctx, repo, suite, app.bot);
  return run;
}

/** A job of a workflow run: its conclusion, its log (plain text), and annotations (a failure gets GitHub's exit-code one by default). */
export interface JobInput {
  name: string;
  conclusion: CheckConclusion;
  log?: string;
  annotations?: AnnotationInput[];
}

/**
 * Records a completed GitHub Actions workflow run on a commit, as GitHub would after running it:
 * its own check suite (of the GitHub Actions App) with a check run per job, and sends
 * `check_run.completed` per job, `check_suite.completed`, `workflow_job.completed` per job and
 * `workflow_run.completed`.
 */
export function completeWorkflowRun(
  ctx: FakeContext,
  repo: RepoRecord,
  actions: AppRecord,
  input: { headSha: string; name: string; conclusion: CheckConclusion; jobs: JobInput[]; event?: string; path?: string; actor?: AccountRecord },
): { run: WorkflowRunRecord; jobs: JobRecord[] } {
  const sha = commitOr(repo, input.headSha);
  const now = ctx.clock.now();
  const suite = suiteFor(ctx, repo, actions.id, sha, true);
  const same = [...repo.workflowRuns.values()].filter((r) => r.name === input.name);
  const run: WorkflowRunRecord = {
    id: ctx.state.ids.id(),
    workflowId: same[0]?.workflowId ?? ctx.state.ids.id(),
    name: input.name,
    path: input.path ?? `.github/workflows/${slugify(input.name)}.yml`,
    headSha: sha,
    headBranch: branchAt(repo, sha),
    event: input.event ?? (openPullsAt(repo, sha).length > 0 ? "pull_request" : "push"),
    status: "completed",
    conclusion: input.conclusion,
    checkSuiteId: suite.id,
    runNumber: same.length + 1,
    actor: input.actor ?? actions.bot,
    createdAt: now,
    updatedAt: now,
  };
  repo.workflowRuns.set(run.id, run);
  const html = `${ctx.urls.html}/${repo.owner.login}/${repo.name}/actions/runs/${run.id}`;
  const pairs = input.jobs.map((j) => {
    const exitCode = j.conclusion === "failure" ? [{ path: ".github", start_line: 1, end_line: 1, annotation_level: "failure" as const, message: "Process completed with exit code 1." }] : [];
    const check = newRun(ctx, { name: j.name, headSha: sha, appId: actions.id, checkSuiteId: suite.id, conclusion: j.conclusion, annotations: (j.annotations ?? exitCode).map(annotationRecord) });
    check.detailsUrl = `${html}/job/${check.id}`;
    repo.checkRuns.set(check.id, check);
    const job: JobRecord = { id: check.id, runId: run.id, name: j.name, log: j.log ?? "", logKey: randomHex(16) };
    repo.jobs.set(job.id, job);
    return { check, job };
  });
  const sender = run.actor;
  for (const { check } of pairs) emitCheckRun(ctx, repo, check, "completed", sender);
  emitSuiteIfCompleted(ctx, repo, suite, sender);
  for (const { check, job } of pairs) emitRepoEvent(ctx, repo, "workflow_job", { action: "completed", workflow_job: jobShape(ctx.urls, repo, job, check, run) }, sender);
  const runShape = workflowRun(ctx.urls, repo, run, repo.git.commit(sha), openPullsAt(repo, sha), run.actor);
  emitRepoEvent(ctx, repo, "workflow_run", { action: "completed", workflow: workflow(ctx.urls, repo, run), workflow_run: runShape }, sender);
  return { run, jobs: pairs.map((p) => p.job) };
}
