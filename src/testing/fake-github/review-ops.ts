import type { FakeContext } from "./context.js";
import { emitRepoEvent } from "./events.js";
import { diffCommits, hunkAt, type FileDiff } from "./git/diff.js";
import { pullRange } from "./issue-ops.js";
import { pullRequest } from "./shapes/issues.js";
import { hookReview, reviewComment } from "./shapes/reviews.js";
import type { AccountRecord, IssueRecord, RepoRecord, ReviewCommentRecord, ReviewRecord, ReviewState } from "./state.js";

/** A comment of a review: a new thread on `path`/`line` (new side), or a reply with `inReplyTo`. */
export interface ReviewCommentInput {
  path?: string;
  line?: number;
  body: string;
  /** The id of a comment of the thread to reply to. */
  inReplyTo?: number;
}

/** The pull request's diff, file by file. */
async function pullDiff(repo: RepoRecord, pull: IssueRecord): Promise<FileDiff[]> {
  const { mergeBase, head } = pullRange(repo, pull);
  return diffCommits(repo.git.dir, mergeBase, head);
}

/** Makes a review comment record; replies take their thread's place (GitHub threads on the first comment). */
function commentRecord(ctx: FakeContext, repo: RepoRecord, pull: IssueRecord, reviewId: number, user: AccountRecord, appId: number | null, input: ReviewCommentInput, files: FileDiff[]): ReviewCommentRecord {
  const now = ctx.clock.now();
  const base = { id: ctx.state.ids.id(), reviewId, pullNumber: pull.number, body: input.body, user, appId, createdAt: now, updatedAt: now };
  if (input.inReplyTo !== undefined) {
    const target = repo.reviewComments.find((c) => c.id === input.inReplyTo && c.pullNumber === pull.number);
    if (!target) throw new Error(`fake GitHub: no review comment ${input.inReplyTo} on #${pull.number}`);
    const root = target.inReplyTo === null ? target : (repo.reviewComments.find((c) => c.id === target.inReplyTo) ?? target);
    return { ...base, path: root.path, line: root.line, position: root.position, diffHunk: root.diffHunk, inReplyTo: root.id, commitId: root.commitId };
  }
  if (input.path === undefined || input.line === undefined) throw new Error("fake GitHub: a review comment needs path and line, or inReplyTo");
  const patch = files.find((f) => f.filename === input.path)?.patch;
  const at = patch === undefined ? undefined : hunkAt(patch, input.line);
  return { ...base, path: input.path, line: input.line, position: at?.position ?? null, diffHunk: at?.diffHunk ?? `@@ -${input.line},1 +${input.line},1 @@`, inReplyTo: null, commitId: pull.pull?.headSha ?? "" };
}

function emitComment(ctx: FakeContext, repo: RepoRecord, pull: IssueRecord, c: ReviewCommentRecord): void {
  emitRepoEvent(ctx, repo, "pull_request_review_comment", { action: "created", comment: reviewComment(ctx.urls, repo, c), pull_request: pullRequest(ctx.urls, repo, pull) }, c.user);
}

/**
 * Submits a review with its comments, as GitHub does: `pull_request_review.submitted`, then a
 * `pull_request_review_comment.created` per comment.
 */
export async function submitReview(
  ctx: FakeContext,
  repo: RepoRecord,
  pull: IssueRecord,
  input: { user: AccountRecord; state: ReviewState; body: string; comments: ReviewCommentInput[]; appId: number | null },
): Promise<{ review: ReviewRecord; comments: ReviewCommentRecord[] }> {
  const files = input.comments.some((c) => c.inReplyTo === undefined) ? await pullDiff(repo, pull) : [];
  const review: ReviewRecord = { id: ctx.state.ids.id(), pullNumber: pull.number, user: input.user, state: input.state, body: input.body, commitId: pull.pull?.headSha ?? "", submittedAt: ctx.clock.now() };
  const comments = input.comments.map((c) => commentRecord(ctx, repo, pull, review.id, input.user, input.appId, c, files));
  repo.reviews.push(review);
  repo.reviewComments.push(...comments);
  pull.updatedAt = ctx.clock.now();
  if (input.state === "PENDING") return { review, comments }; // a draft review: nobody is told yet
  emitRepoEvent(ctx, repo, "pull_request_review", { action: "submitted", review: hookReview(ctx.urls, repo, review), pull_request: pullRequest(ctx.urls, repo, pull) }, input.user);
  for (const c of comments) emitComment(ctx, repo, pull, c);
  return { review, comments };
}

/**
 * Adds one review comment (a reply into a thread, or a new thread) as its own `COMMENTED` review,
 * as GitHub records a single comment, sending `pull_request_review_comment.created`.
 */
export async function addReviewComment(ctx: FakeContext, repo: RepoRecord, pull: IssueRecord, user: AccountRecord, appId: number | null, input: ReviewCommentInput): Promise<ReviewCommentRecord> {
  const files = input.inReplyTo === undefined ? await pullDiff(repo, pull) : [];
  const review: ReviewRecord = { id: ctx.state.ids.id(), pullNumber: pull.number, user, state: "COMMENTED", body: "", commitId: pull.pull?.headSha ?? "", submittedAt: ctx.clock.now() };
  const c = commentRecord(ctx, repo, pull, review.id, user, appId, input, files);
  repo.reviews.push(review);
  repo.reviewComments.push(c);
  emitComment(ctx, repo, pull, c);
  return c;
}
