import type { FastifyInstance, FastifyRequest } from "fastify";
import { repoFor, requirePermission } from "../access.js";
import type { FakeContext } from "../context.js";
import { notFound } from "../errors.js";
import { commitsBetween } from "../git.js";
import { diffCommits } from "../git/diff.js";
import { guard } from "../guards.js";
import { pullRange } from "../issue-ops.js";
import { pageOf } from "../pagination.js";
import { commitShape, diffEntry } from "../shapes/commits.js";
import type { IssueRecord, RepoRecord } from "../state.js";

const DOC_COMMITS = "https://docs.github.com/rest/pulls/pulls#list-commits-on-a-pull-request";
const DOC_FILES = "https://docs.github.com/rest/pulls/pulls#list-pull-requests-files";
const MAX_COMMITS = 250;
const MAX_FILES = 3000;

function pullOf(ctx: FakeContext, req: FastifyRequest, doc: string): { repo: RepoRecord; pull: IssueRecord } {
  const { repo, auth } = repoFor(ctx, req, doc);
  requirePermission(auth, "pull_requests", "read", doc);
  const pull = repo.issues.get(Number((req.params as { number: string }).number));
  if (!pull?.pull) throw notFound(doc);
  return { repo, pull };
}

/** A pull request's commits (oldest first) and changed files (the real diff from the merge base). */
export function pullDiffRoutes(app: FastifyInstance, ctx: FakeContext): void {
  const token = guard(ctx, "token");
  const users = (email: string) => ctx.state.accountByEmail(email);

  app.get("/repos/:owner/:repo/pulls/:number/commits", { preHandler: token }, async (req, reply) => {
    const { repo, pull } = pullOf(ctx, req, DOC_COMMITS);
    const { base, head } = pullRange(repo, pull);
    const commits = commitsBetween(repo, head, [base]).slice(0, MAX_COMMITS);
    return pageOf(ctx, req, reply, commits).map((c) => commitShape(ctx.urls, repo, c, users));
  });

  app.get("/repos/:owner/:repo/pulls/:number/files", { preHandler: token }, async (req, reply) => {
    const { repo, pull } = pullOf(ctx, req, DOC_FILES);
    const { head, mergeBase } = pullRange(repo, pull);
    const files = (await diffCommits(repo.git.dir, mergeBase, head)).slice(0, MAX_FILES);
    return pageOf(ctx, req, reply, files).map((f) => diffEntry(ctx.urls, repo, f, head));
  });
}
