import type { FastifyInstance } from "fastify";
import { repoFor, requirePermission } from "../access.js";
import type { FakeContext } from "../context.js";
import { notFound } from "../errors.js";
import { commitsBetween, mergeBase, resolveRef } from "../git.js";
import { diffCommits } from "../git/diff.js";
import { guard } from "../guards.js";
import { commitShape, diffEntry } from "../shapes/commits.js";
import type { Schemas } from "../shapes/urls.js";

const DOC_COMMIT = "https://docs.github.com/rest/commits/commits#get-a-commit";
const DOC_COMPARE = "https://docs.github.com/rest/commits/commits#compare-two-commits";
const MAX_COMPARE_COMMITS = 250;

/** One commit with its files, and the comparison of two commits (both from the real git diff). */
export function commitRoutes(app: FastifyInstance, ctx: FakeContext): void {
  const token = guard(ctx, "token");
  const users = (email: string) => ctx.state.accountByEmail(email);

  app.get("/repos/:owner/:repo/commits/:ref", { preHandler: token }, async (req) => {
    const { repo, auth } = repoFor(ctx, req, DOC_COMMIT);
    requirePermission(auth, "contents", "read", DOC_COMMIT);
    const c = resolveRef(repo, (req.params as { ref: string }).ref);
    if (!c) throw notFound(DOC_COMMIT);
    const files = await diffCommits(repo.git.dir, c.parents[0], c.sha);
    return commitShape(ctx.urls, repo, c, users, files);
  });

  app.get("/repos/:owner/:repo/compare/:basehead", { preHandler: token }, async (req) => {
    const { repo, auth } = repoFor(ctx, req, DOC_COMPARE);
    requirePermission(auth, "contents", "read", DOC_COMPARE);
    const [baseRef = "", headRef = ""] = (req.params as { basehead: string }).basehead.split(/\.\.\.?/, 2);
    const base = resolveRef(repo, baseRef);
    const head = resolveRef(repo, headRef);
    if (!base || !head) throw notFound(DOC_COMPARE);
    const mbSha = mergeBase(repo, base.sha, head.sha);
    const mb = mbSha === undefined ? undefined : repo.git.commit(mbSha);
    const ahead = commitsBetween(repo, head.sha, [base.sha]);
    const behind = commitsBetween(repo, base.sha, [head.sha]);
    const files = await diffCommits(repo.git.dir, mb?.sha, head.sha);
    const html = `${ctx.urls.html}/${repo.owner.login}/${repo.name}/compare/${baseRef}...${headRef}`;
    const out: Schemas["commit-comparison"] = {
      url: `${ctx.urls.api}/repos/${repo.owner.login}/${repo.name}/compare/${baseRef}...${headRef}`,
      html_url: html,
      permalink_url: `${ctx.urls.html}/${repo.owner.login}/${repo.name}/compare/${base.sha.slice(0, 7)}...${head.sha.slice(0, 7)}`,
      diff_url: `${html}.diff`,
      patch_url: `${html}.patch`,
      base_commit: commitShape(ctx.urls, repo, base, users),
      merge_base_commit: commitShape(ctx.urls, repo, mb ?? base, users),
      status: ahead.length === 0 ? (behind.length === 0 ? "identical" : "behind") : behind.length === 0 ? "ahead" : "diverged",
      ahead_by: ahead.length,
      behind_by: behind.length,
      total_commits: ahead.length,
      commits: ahead.slice(0, MAX_COMPARE_COMMITS).map((c) => commitShape(ctx.urls, repo, c, users)),
      files: files.map((f) => diffEntry(ctx.urls, repo, f, head.sha)),
    };
    return out;
  });
}
