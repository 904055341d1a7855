import type { FastifyInstance, FastifyRequest } from "fastify";
import { repoFor, requirePermission } from "../access.js";
import { showCheckRun, suiteView } from "../checks-ops.js";
import type { FakeContext } from "../context.js";
import { GitHubApiError, notFound } from "../errors.js";
import { resolveRef } from "../git.js";
import { guard } from "../guards.js";
import { pageOf } from "../pagination.js";
import { annotation, checkSuite } from "../shapes/checks.js";
import type { CheckRunRecord, RepoRecord } from "../state.js";

const DOC_RUNS = "https://docs.github.com/rest/checks/runs#list-check-runs-for-a-git-reference";
const DOC_ANNOTATIONS = "https://docs.github.com/rest/checks/runs#list-check-run-annotations";
const DOC_SUITE = "https://docs.github.com/rest/checks/suites#get-a-check-suite";
const DOC_SUITES = "https://docs.github.com/rest/checks/suites#list-check-suites-for-a-git-reference";

/** The commit `:ref` names, or GitHub's 422 `No commit found for SHA`. */
function commitOf(repo: RepoRecord, req: FastifyRequest, doc: string): string {
  const ref = (req.params as { ref: string }).ref;
  const commit = resolveRef(repo, ref);
  if (!commit) throw new GitHubApiError(422, `No commit found for SHA: ${ref}`, { documentationUrl: doc });
  return commit.sha;
}

/** With `filter=latest` (the default): the newest run of each name per App. */
function latestOnly(runs: CheckRunRecord[]): CheckRunRecord[] {
  const newest = new Map<string, CheckRunRecord>();
  for (const r of runs) {
    const key = `${r.appId}:${r.name}`;
    const seen = newest.get(key);
    if (!seen || seen.id < r.id) newest.set(key, r);
  }
  return runs.filter((r) => newest.get(`${r.appId}:${r.name}`) === r);
}

/** Check runs and suites of a commit, a run's annotations, one suite. */
export function checkListRoutes(app: FastifyInstance, ctx: FakeContext): void {
  const token = guard(ctx, "token");

  app.get("/repos/:owner/:repo/commits/:ref/check-runs", { preHandler: token }, async (req, reply) => {
    const { repo, auth } = repoFor(ctx, req, DOC_RUNS);
    requirePermission(auth, "checks", "read", DOC_RUNS);
    const sha = commitOf(repo, req, DOC_RUNS);
    const q = req.query as { check_name?: string; status?: string; filter?: string; app_id?: string };
    let runs = [...repo.checkRuns.values()]
      .filter((r) => r.headSha === sha)
      .filter((r) => q.check_name === undefined || r.name === q.check_name)
      .filter((r) => q.status === undefined || r.status === q.status)
      .filter((r) => q.app_id === undefined || String(r.appId) === q.app_id)
      .sort((a, b) => b.id - a.id);
    if (q.filter !== "all") runs = latestOnly(runs);
    return { total_count: runs.length, check_runs: pageOf(ctx, req, reply, runs).map((r) => showCheckRun(ctx, repo, r)) };
  });

  app.get("/repos/:owner/:repo/commits/:ref/check-suites", { preHandler: token }, async (req, reply) => {
    const { repo, auth } = repoFor(ctx, req, DOC_SUITES);
    requirePermission(auth, "checks", "read", DOC_SUITES);
    const sha = commitOf(repo, req, DOC_SUITES);
    const q = req.query as { check_name?: string; app_id?: string };
    const suites = [...repo.checkSuites.values()]
      .filter((s) => s.headSha === sha && (q.app_id === undefined || String(s.appId) === q.app_id))
      .filter((s) => q.check_name === undefined || [...repo.checkRuns.values()].some((r) => r.checkSuiteId === s.id && r.name === q.check_name));
    return { total_count: suites.length, check_suites: pageOf(ctx, req, reply, suites).map((s) => checkSuite(ctx.urls, repo, suiteView(ctx, repo, s))) };
  });

  app.get("/repos/:owner/:repo/check-runs/:id/annotations", { preHandler: token }, async (req, reply) => {
    const { repo, auth } = repoFor(ctx, req, DOC_ANNOTATIONS);
    requirePermission(auth, "checks", "read", DOC_ANNOTATIONS);
    const run = repo.checkRuns.get(Number((req.params as { id: string }).id));
    if (!run) throw notFound(DOC_ANNOTATIONS);
    return pageOf(ctx, req, reply, run.annotations).map((a) => annotation(ctx.urls, repo, run, a));
  });

  app.get("/repos/:owner/:repo/check-suites/:id", { preHandler: token }, async (req) => {
    const { repo, auth } = repoFor(ctx, req, DOC_SUITE);
    requirePermission(auth, "checks", "read", DOC_SUITE);
    const suite = repo.checkSuites.get(Number((req.params as { id: string }).id));
    if (!suite) throw notFound(DOC_SUITE);
    return checkSuite(ctx.urls, repo, suiteView(ctx, repo, suite));
  });
}
