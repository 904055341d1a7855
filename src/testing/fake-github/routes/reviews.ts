import type { FastifyInstance, FastifyRequest } from "fastify";
import { actorOf, repoFor, requirePermission } from "../access.js";
import { bodyOf, reqString } from "../body.js";
import type { AuthInfo, FakeContext } from "../context.js";
import { notFound } from "../errors.js";
import { guard } from "../guards.js";
import { appIdOf } from "../issue-ops.js";
import { pageOf } from "../pagination.js";
import { addReviewComment } from "../review-ops.js";
import { review, reviewComment } from "../shapes/reviews.js";
import type { IssueRecord, RepoRecord } from "../state.js";

const DOC_REVIEWS = "https://docs.github.com/rest/pulls/reviews#list-reviews-for-a-pull-request";
const DOC_REVIEW = "https://docs.github.com/rest/pulls/reviews#get-a-review-for-a-pull-request";
const DOC_REVIEW_COMMENTS = "https://docs.github.com/rest/pulls/reviews#list-comments-for-a-pull-request-review";
const DOC_COMMENTS = "https://docs.github.com/rest/pulls/comments#list-review-comments-on-a-pull-request";
const DOC_COMMENT = "https://docs.github.com/rest/pulls/comments#get-a-review-comment-for-a-pull-request";
const DOC_REPLY = "https://docs.github.com/rest/pulls/comments#create-a-reply-for-a-review-comment";

function pullOf(ctx: FakeContext, req: FastifyRequest, level: "read" | "write", doc: string): { repo: RepoRecord; pull: IssueRecord; auth: AuthInfo } {
  const { repo, auth } = repoFor(ctx, req, doc);
  requirePermission(auth, "pull_requests", level, doc);
  const pull = repo.issues.get(Number((req.params as { number: string }).number));
  if (!pull?.pull) throw notFound(doc);
  return { repo, pull, auth };
}

const idParam = (req: FastifyRequest) => Number((req.params as { id: string }).id);

/** Reviews and review comments of pull requests: read them, reply into a thread (`pull_request_review_comment.created`). */
export function reviewRoutes(app: FastifyInstance, ctx: FakeContext): void {
  const token = guard(ctx, "token");

  app.get("/repos/:owner/:repo/pulls/:number/reviews", { preHandler: token }, async (req, reply) => {
    const { repo, pull } = pullOf(ctx, req, "read", DOC_REVIEWS);
    return pageOf(ctx, req, reply, repo.reviews.filter((r) => r.pullNumber === pull.number)).map((r) => review(ctx.urls, repo, r));
  });

  app.get("/repos/:owner/:repo/pulls/:number/reviews/:id", { preHandler: token }, async (req) => {
    const { repo, pull } = pullOf(ctx, req, "read", DOC_REVIEW);
    const r = repo.reviews.find((x) => x.id === idParam(req) && x.pullNumber === pull.number);
    if (!r) throw notFound(DOC_REVIEW);
    return review(ctx.urls, repo, r);
  });

  app.get("/repos/:owner/:repo/pulls/:number/reviews/:id/comments", { preHandler: token }, async (req, reply) => {
    const { repo, pull } = pullOf(ctx, req, "read", DOC_REVIEW_COMMENTS);
    const r = repo.reviews.find((x) => x.id === idParam(req) && x.pullNumber === pull.number);
    if (!r) throw notFound(DOC_REVIEW_COMMENTS);
    return pageOf(ctx, req, reply, repo.reviewComments.filter((c) => c.reviewId === r.id)).map((c) => reviewComment(ctx.urls, repo, c));
  });

  app.get("/repos/:owner/:repo/pulls/:number/comments", { preHandler: token }, async (req, reply) => {
    const { repo, pull } = pullOf(ctx, req, "read", DOC_COMMENTS);
    return pageOf(ctx, req, reply, repo.reviewComments.filter((c) => c.pullNumber === pull.number)).map((c) => reviewComment(ctx.urls, repo, c));
  });

  app.get("/repos/:owner/:repo/pulls/comments/:id", { preHandler: token }, async (req) => {
    const { repo, auth } = repoFor(ctx, req, DOC_COMMENT);
    requirePermission(auth, "pull_requests", "read", DOC_COMMENT);
    const c = repo.reviewComments.find((x) => x.id === idParam(req));
    if (!c) throw notFound(DOC_COMMENT);
    return reviewComment(ctx.urls, repo, c);
  });

  app.post("/repos/:owner/:repo/pulls/:number/comments/:id/replies", { preHandler: token }, async (req, reply) => {
    const { repo, pull, auth } = pullOf(ctx, req, "write", DOC_REPLY);
    const target = repo.reviewComments.find((c) => c.id === idParam(req) && c.pullNumber === pull.number);
    if (!target) throw notFound(DOC_REPLY);
    const body = reqString(bodyOf(req), "body", DOC_REPLY);
    const c = await addReviewComment(ctx, repo, pull, actorOf(auth), appIdOf(auth), { body, inReplyTo: target.id });
    reply.code(201);
    return reviewComment(ctx.urls, repo, c);
  });
}
