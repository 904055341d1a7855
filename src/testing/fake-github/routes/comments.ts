import type { FastifyInstance, FastifyRequest } from "fastify";
import { actorOf, repoFor, requireAnyPermission } from "../access.js";
import { bodyOf, reqString } from "../body.js";
import type { FakeContext } from "../context.js";
import { notFound } from "../errors.js";
import { guard } from "../guards.js";
import { addComment, appIdOf, emitComment, issueOr404, viaApp } from "../issue-ops.js";
import { pageOf } from "../pagination.js";
import { comment as commentShape } from "../shapes/issues.js";
import type { CommentRecord, IssueRecord, RepoRecord } from "../state.js";

const DOC_LIST = "https://docs.github.com/rest/issues/comments#list-issue-comments";
const DOC_CREATE = "https://docs.github.com/rest/issues/comments#create-an-issue-comment";
const DOC_GET = "https://docs.github.com/rest/issues/comments#get-an-issue-comment";
const DOC_UPDATE = "https://docs.github.com/rest/issues/comments#update-an-issue-comment";
const DOC_DELETE = "https://docs.github.com/rest/issues/comments#delete-an-issue-comment";

/** The comment `:id` of the repository, its issue, and the permission names that cover it. */
function commentOf(repo: RepoRecord, req: FastifyRequest, doc: string): { c: CommentRecord; issue: IssueRecord; scopes: string[] } {
  const c = repo.comments.find((x) => x.id === Number((req.params as { id: string }).id));
  const issue = c && repo.issues.get(c.issueNumber);
  if (!c || !issue) throw notFound(doc);
  return { c, issue, scopes: issue.pull ? ["issues", "pull_requests"] : ["issues"] };
}

/** Comments on an issue or pull request: list, create, get, edit, delete (sending `issue_comment.created` / `edited` / `deleted`). */
export function commentRoutes(app: FastifyInstance, ctx: FakeContext): void {
  const token = guard(ctx, "token");

  app.get("/repos/:owner/:repo/issues/:number/comments", { preHandler: token }, async (req, reply) => {
    const { repo, auth } = repoFor(ctx, req, DOC_LIST);
    const i = issueOr404(repo, (req.params as { number: string }).number, DOC_LIST);
    requireAnyPermission(auth, i.pull ? ["issues", "pull_requests"] : ["issues"], "read", DOC_LIST);
    const all = repo.comments.filter((c) => c.issueNumber === i.number);
    return pageOf(ctx, req, reply, all).map((c) => commentShape(ctx.urls, repo, c, viaApp(ctx, c.appId)));
  });

  app.post("/repos/:owner/:repo/issues/:number/comments", { preHandler: token }, async (req, reply) => {
    const { repo, auth } = repoFor(ctx, req, DOC_CREATE);
    const i = issueOr404(repo, (req.params as { number: string }).number, DOC_CREATE);
    requireAnyPermission(auth, i.pull ? ["issues", "pull_requests"] : ["issues"], "write", DOC_CREATE);
    const text = reqString(bodyOf(req), "body", DOC_CREATE);
    const sender = actorOf(auth);
    reply.code(201);
    return addComment(ctx, repo, i, { body: text, user: sender, appId: appIdOf(auth) });
  });

  app.get("/repos/:owner/:repo/issues/comments/:id", { preHandler: token }, async (req) => {
    const { repo, auth } = repoFor(ctx, req, DOC_GET);
    const { c, scopes } = commentOf(repo, req, DOC_GET);
    requireAnyPermission(auth, scopes, "read", DOC_GET);
    return commentShape(ctx.urls, repo, c, viaApp(ctx, c.appId));
  });

  app.patch("/repos/:owner/:repo/issues/comments/:id", { preHandler: token }, async (req) => {
    const { repo, auth } = repoFor(ctx, req, DOC_UPDATE);
    const { c, issue, scopes } = commentOf(repo, req, DOC_UPDATE);
    requireAnyPermission(auth, scopes, "write", DOC_UPDATE);
    const text = reqString(bodyOf(req), "body", DOC_UPDATE);
    if (text !== c.body) {
      const from = c.body;
      c.body = text;
      c.updatedAt = ctx.clock.now();
      emitComment(ctx, repo, issue, c, "edited", actorOf(auth), { changes: { body: { from } } });
    }
    return commentShape(ctx.urls, repo, c, viaApp(ctx, c.appId));
  });

  app.delete("/repos/:owner/:repo/issues/comments/:id", { preHandler: token }, async (req, reply) => {
    const { repo, auth } = repoFor(ctx, req, DOC_DELETE);
    const { c, issue, scopes } = commentOf(repo, req, DOC_DELETE);
    requireAnyPermission(auth, scopes, "write", DOC_DELETE);
    repo.comments.splice(repo.comments.indexOf(c), 1);
    issue.comments = Math.max(0, issue.comments - 1);
    emitComment(ctx, repo, issue, c, "deleted", actorOf(auth));
    return reply.code(204).send();
  });
}
