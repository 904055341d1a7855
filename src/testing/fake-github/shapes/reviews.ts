import { isoSeconds } from "../clock.js";
import { nodeId } from "../ids.js";
import type { RepoRecord, ReviewCommentRecord, ReviewRecord } from "../state.js";
import { simpleUser } from "./accounts.js";
import { association, NO_REACTIONS } from "./issues.js";
import type { Schemas, Urls } from "./urls.js";

function pullUrls(u: Urls, r: RepoRecord, pullNumber: number) {
  return { api: `${u.api}/repos/${r.owner.login}/${r.name}/pulls/${pullNumber}`, html: `${u.html}/${r.owner.login}/${r.name}/pull/${pullNumber}` };
}

/** A review as `pull-request-review` (the REST state: `APPROVED`, `CHANGES_REQUESTED`, `COMMENTED`). */
export function review(u: Urls, r: RepoRecord, rv: ReviewRecord): Schemas["pull-request-review"] {
  const p = pullUrls(u, r, rv.pullNumber);
  const html = `${p.html}#pullrequestreview-${rv.id}`;
  const out: Schemas["pull-request-review"] = {
    id: rv.id,
    node_id: nodeId("PullRequestReview", rv.id),
    user: simpleUser(u, rv.user),
    body: rv.body,
    state: rv.state,
    html_url: html,
    pull_request_url: p.api,
    _links: { html: { href: html }, pull_request: { href: p.api } },
    submitted_at: isoSeconds(rv.submittedAt),
    commit_id: rv.commitId,
    author_association: association(r, rv.user),
  };
  if (rv.state === "PENDING") delete out.submitted_at; // GitHub leaves it out until submitted
  return out;
}

/** A review as `pull_request_review` webhooks carry it: the state in lower case. */
export function hookReview(u: Urls, r: RepoRecord, rv: ReviewRecord): Omit<Schemas["pull-request-review"], "state"> & { state: string } {
  return { ...review(u, r, rv), state: rv.state.toLowerCase() };
}

/** A review comment as `pull-request-review-comment`. */
export function reviewComment(u: Urls, r: RepoRecord, c: ReviewCommentRecord): Schemas["pull-request-review-comment"] {
  const p = pullUrls(u, r, c.pullNumber);
  const api = `${u.api}/repos/${r.owner.login}/${r.name}/pulls/comments/${c.id}`;
  const html = `${p.html}#discussion_r${c.id}`;
  const out: Schemas["pull-request-review-comment"] = {
    url: api,
    pull_request_review_id: c.reviewId,
    id: c.id,
    node_id: nodeId("PullRequestReviewComment", c.id),
    diff_hunk: c.diffHunk,
    path: c.path,
    commit_id: c.commitId,
    original_commit_id: c.commitId,
    user: simpleUser(u, c.user),
    body: c.body,
    created_at: isoSeconds(c.createdAt),
    updated_at: isoSeconds(c.updatedAt),
    html_url: html,
    pull_request_url: p.api,
    author_association: association(r, c.user),
    _links: { self: { href: api }, html: { href: html }, pull_request: { href: p.api } },
    start_line: null,
    original_start_line: null,
    start_side: null,
    line: c.line,
    original_line: c.line,
    side: "RIGHT",
    subject_type: "line",
    reactions: NO_REACTIONS(`${api}/reactions`),
  };
  if (c.position !== null) {
    out.position = c.position;
    out.original_position = c.position;
  }
  if (c.inReplyTo !== null) out.in_reply_to_id = c.inReplyTo;
  return out;
}
