import type { FastifyInstance, FastifyRequest } from "fastify";
import { repoFor, requirePermission } from "../access.js";
import { openPullsAt } from "../checks-ops.js";
import type { FakeContext } from "../context.js";
import { notFound } from "../errors.js";
import { guard } from "../guards.js";
import { pageOf } from "../pagination.js";
import { job as jobShape, workflowRun } from "../shapes/actions.js";
import type { JobRecord, RepoRecord, WorkflowRunRecord } from "../state.js";

const DOC_LIST = "https://docs.github.com/rest/actions/workflow-runs#list-workflow-runs-for-a-repository";
const DOC_RUN = "https://docs.github.com/rest/actions/workflow-runs#get-a-workflow-run";
const DOC_JOBS = "https://docs.github.com/rest/actions/workflow-jobs#list-jobs-for-a-workflow-run";
const DOC_JOB = "https://docs.github.com/rest/actions/workflow-jobs#get-a-job-for-a-workflow-run";
const DOC_LOGS = "https://docs.github.com/rest/actions/workflow-jobs#download-job-logs-for-a-workflow-run";

/** Where the logs route redirects to: a URL on the fake that needs no credentials, as GitHub's signed blob URLs. */
const LOG_BLOB = "/_fake/actions/job-logs";

function access(ctx: FakeContext, req: FastifyRequest, doc: string): RepoRecord {
  const { repo, auth } = repoFor(ctx, req, doc);
  requirePermission(auth, "actions", "read", doc);
  return repo;
}

const idParam = (req: FastifyRequest) => Number((req.params as { id: string }).id);

/** Actions: the workflow runs (by head sha, branch, event, status), a workflow run, its jobs, a job, and a job's log (a redirect to the plain text, as on GitHub). */
export function actionRoutes(app: FastifyInstance, ctx: FakeContext): void {
  const token = guard(ctx, "token");
  const showRun = (repo: RepoRecord, run: WorkflowRunRecord) => workflowRun(ctx.urls, repo, run, repo.git.commit(run.headSha), openPullsAt(repo, run.headSha), run.actor);
  const showJob = (repo: RepoRecord, j: JobRecord) => {
    const run = repo.workflowRuns.get(j.runId);
    const check = repo.checkRuns.get(j.id);
    return run && check ? jobShape(ctx.urls, repo, j, check, run) : undefined;
  };

  app.get("/repos/:owner/:repo/actions/runs", { preHandler: token }, async (req, reply) => {
    const repo = access(ctx, req, DOC_LIST);
    const q = req.query as { head_sha?: string; branch?: string; status?: string; event?: string };
    const runs = [...repo.workflowRuns.values()]
      .filter((r) => q.head_sha === undefined || r.headSha === q.head_sha)
      .filter((r) => q.event === undefined || r.event === q.event)
      .filter((r) => q.status === undefined || r.conclusion === q.status || r.status === q.status)
      .sort((a, b) => b.id - a.id)
      .map((r) => showRun(repo, r))
      .filter((r) => q.branch === undefined || r.head_branch === q.branch);
    return { total_count: runs.length, workflow_runs: pageOf(ctx, req, reply, runs) };
  });

  app.get("/repos/:owner/:repo/actions/runs/:id", { preHandler: token }, async (req) => {
    const repo = access(ctx, req, DOC_RUN);
    const run = repo.workflowRuns.get(idParam(req));
    if (!run) throw notFound(DOC_RUN);
    return showRun(repo, run);
  });

  app.get("/repos/:owner/:repo/actions/runs/:id/jobs", { preHandler: token }, async (req, reply) => {
    const repo = access(ctx, req, DOC_JOBS);
    const run = repo.workflowRuns.get(idParam(req));
    if (!run) throw notFound(DOC_JOBS);
    const jobs = [...repo.jobs.values()].filter((j) => j.runId === run.id).flatMap((j) => showJob(repo, j) ?? []);
    return { total_count: jobs.length, jobs: pageOf(ctx, req, reply, jobs) };
  });

  app.get("/repos/:owner/:repo/actions/jobs/:id", { preHandler: token }, async (req) => {
    const repo = access(ctx, req, DOC_JOB);
    const j = repo.jobs.get(idParam(req));
    const shown = j && showJob(repo, j);
    if (!shown) throw notFound(DOC_JOB);
    return shown;
  });

  app.get("/repos/:owner/:repo/actions/jobs/:id/logs", { preHandler: token }, async (req, reply) => {
    const repo = access(ctx, req, DOC_LOGS);
    const j = repo.jobs.get(idParam(req));
    if (!j) throw notFound(DOC_LOGS);
    return reply.redirect(`${ctx.urls.api}${LOG_BLOB}/${repo.id}/${j.id}/${j.logKey}`, 302);
  });

  app.get(`${LOG_BLOB}/:repoId/:id/:key`, async (req, reply) => {
    const { repoId, key } = req.params as { repoId: string; key: string };
    const j = ctx.state.repoById(Number(repoId))?.jobs.get(idParam(req));
    if (!j || j.logKey !== key) return reply.code(404).type("text/plain; charset=utf-8").send("The specified blob does not exist.\n");
    return reply.type("text/plain; charset=utf-8").send(j.log);
  });
}
