import type { FastifyInstance } from "fastify";
import { actorOf, repoFor, requireAnyPermission } from "../access.js";
import { bodyOf, reqString } from "../body.js";
import type { FakeContext } from "../context.js";
import { emitRepoEvent } from "../events.js";
import { guard } from "../guards.js";
import { appIdOf, issueOr404, viaApp } from "../issue-ops.js";
import { pageOf } from "../pagination.js";
import { comment as commentShape, issue as issueShape } from "../shapes/issues.js";
import type { CommentRecord } from "../state.js";

const DOC_LIST = "https://docs.github.com/rest/issues/comments#list-issue-comments";
const DOC_CREATE = "https://docs.github.com/rest/issues/comments#create-an-issue-comment";

/** Comments on an issue or pull request: list and create (sends `issue_comment.created`). */
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
    const now = ctx.clock.now();
    const sender = actorOf(auth);
    const c: CommentRecord = { id: ctx.state.ids.id(), issueNumber: i.number, body: text, user: sender, appId: appIdOf(auth), createdAt: now, updatedAt: now };
    repo.comments.push(c);
    i.comments++;
    i.updatedAt = now;
    const shape = commentShape(ctx.urls, repo, c, viaApp(ctx, c.appId));
    emitRepoEvent(ctx, repo, "issue_comment", { action: "created", issue: issueShape(ctx.urls, repo, i, viaApp(ctx, i.appId)), comment: shape }, sender);
    reply.code(201);
    return shape;
  });
}
