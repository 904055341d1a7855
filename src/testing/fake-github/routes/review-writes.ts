import type { FastifyInstance, FastifyRequest } from "fastify";
import { actorOf, repoFor, requirePermission } from "../access.js";
import { bodyOf, optString } from "../body.js";
import type { AuthInfo, FakeContext } from "../context.js";
import { GitHubApiError, notFound, validationFailed } from "../errors.js";
import { guard } from "../guards.js";
import { appIdOf } from "../issue-ops.js";
import { addReviewComment, submitReview, type ReviewCommentInput } from "../review-ops.js";
import { review, reviewComment } from "../shapes/reviews.js";
import type { IssueRecord, RepoRecord, ReviewState } from "../state.js";

const DOC_CREATE_REVIEW = "https://docs.github.com/rest/pulls/reviews#create-a-review-for-a-pull-request";
const DOC_CREATE_COMMENT = "https://docs.github.com/rest/pulls/comments#create-a-review-comment-for-a-pull-request";
const EVENTS: Record<string, ReviewState> = { APPROVE: "APPROVED", REQUEST_CHANGES: "CHANGES_REQUESTED", COMMENT: "COMMENTED" };

function openPull(ctx: FakeContext, req: FastifyRequest, doc: string): { repo: RepoRecord; pull: IssueRecord; auth: AuthInfo } {
  const { repo, auth } = repoFor(ctx, req, doc);
  requirePermission(auth, "pull_requests", "write", doc);
  const pull = repo.issues.get(Number((req.params as { number: string }).number));
  if (!pull?.pull) throw notFound(doc);
  return { repo, pull, auth };
}

const unprocessable = (message: string, doc: string) => new GitHubApiError(422, "Unprocessable Entity", { documentationUrl: doc, errors: [{ code: "custom", message }] });

/** A new thread's comment from a request: `path` and `line` (the new side) are required; `position` alone is refused. */
function threadComment(c: Record<string, unknown>, doc: string): ReviewCommentInput {
  const body = optString(c, "body", doc);
  const path = optString(c, "path", doc);
  const line = typeof c.line === "number" ? c.line : undefined;
  if (body === undefined || path === undefined) throw validationFailed([{ resource: "PullRequestReviewComment", field: body === undefined ? "body" : "path", code: "missing_field" }], doc);
  if (line === undefined) throw unprocessable("the fake GitHub places review comments by `line` (of the new side); `position` is not supported", doc);
  return { body, path, line };
}

/** Creating reviews (with comments) and review comments through the API, as apps do. */
export function reviewWriteRoutes(app: FastifyInstance, ctx: FakeContext): void {
  const token = guard(ctx, "token");

  app.post("/repos/:owner/:repo/pulls/:number/reviews", { preHandler: token }, async (req) => {
    const { repo, pull, auth } = openPull(ctx, req, DOC_CREATE_REVIEW);
    const body = bodyOf(req);
    const event = optString(body, "event", DOC_CREATE_REVIEW);
    const state = event === undefined ? "PENDING" : EVENTS[event];
    if (state === undefined) throw validationFailed([{ resource: "PullRequestReview", field: "event", code: "invalid" }], DOC_CREATE_REVIEW);
    const text = optString(body, "body", DOC_CREATE_REVIEW) ?? "";
    const raw = Array.isArray(body.comments) ? (body.comments as Record<string, unknown>[]) : [];
    const comments = raw.map((c) => threadComment(c, DOC_CREATE_REVIEW));
    const user = actorOf(auth);
    if ((state === "APPROVED" || state === "CHANGES_REQUESTED") && pull.user.id === user.id) {
      throw unprocessable(`Can not ${state === "APPROVED" ? "approve" : "request changes on"} your own pull request`, DOC_CREATE_REVIEW);
    }
    if ((state === "CHANGES_REQUESTED" || state === "COMMENTED") && text === "" && comments.length === 0) {
      throw unprocessable(`Body is required for ${event ?? ""}`, DOC_CREATE_REVIEW);
    }
    const out = await submitReview(ctx, repo, pull, { user, state, body: text, comments, appId: appIdOf(auth) });
    return review(ctx.urls, repo, out.review);
  });

  app.post("/repos/:owner/:repo/pulls/:number/comments", { preHandler: token }, async (req, reply) => {
    const { repo, pull, auth } = openPull(ctx, req, DOC_CREATE_COMMENT);
    const body = bodyOf(req);
    const replyTo = typeof body.in_reply_to === "number" ? body.in_reply_to : undefined;
    let input: ReviewCommentInput;
    if (replyTo !== undefined) {
      const text = optString(body, "body", DOC_CREATE_COMMENT);
      if (text === undefined) throw validationFailed([{ resource: "PullRequestReviewComment", field: "body", code: "missing_field" }], DOC_CREATE_COMMENT);
      if (!repo.reviewComments.some((c) => c.id === replyTo && c.pullNumber === pull.number)) throw notFound(DOC_CREATE_COMMENT);
      input = { body: text, inReplyTo: replyTo };
    } else {
      input = threadComment(body, DOC_CREATE_COMMENT);
    }
    const c = await addReviewComment(ctx, repo, pull, actorOf(auth), appIdOf(auth), input);
    reply.code(201);
    return reviewComment(ctx.urls, repo, c);
  });
}
