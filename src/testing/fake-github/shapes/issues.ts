import { isoSeconds } from "../clock.js";
import { changedPaths, commitsBetween, mergeBase } from "../git.js";
import { nodeId } from "../ids.js";
import type { AccountRecord, AppRecord, CommentRecord, IssueRecord, LabelRecord, RepoRecord } from "../state.js";
import { integration, repository, simpleUser } from "./accounts.js";
import { repoApi, repoHtml, type Schemas, type Urls } from "./urls.js";

/** A label as `label`. */
export function label(u: Urls, r: RepoRecord, l: LabelRecord): Schemas["label"] {
  return {
    id: l.id,
    node_id: nodeId("Label", l.id),
    url: `${repoApi(u, r)}/labels/${encodeURIComponent(l.name)}`,
    name: l.name,
    description: l.description,
    color: l.color,
    default: l.default,
  };
}

/**
 * How GitHub describes an author's tie to a repository: `OWNER`, `COLLABORATOR` (given write or
 * admin with `fake.setPermission`), `NONE` otherwise (and for bots).
 */
export function association(r: RepoRecord, user: AccountRecord): Schemas["author-association"] {
  if (user.type === "Bot") return "NONE";
  if (user.id === r.owner.id) return "OWNER";
  const p = r.permissions.get(user.login.toLowerCase());
  return p === "admin" || p === "write" ? "COLLABORATOR" : "NONE";
}

export const NO_REACTIONS = (url: string): Schemas["reaction-rollup"] => ({
  url,
  total_count: 0,
  "+1": 0,
  "-1": 0,
  laugh: 0,
  confused: 0,
  heart: 0,
  hooray: 0,
  eyes: 0,
  rocket: 0,
});

/** An issue (or the issue side of a pull request) as `issue`. */
export function issue(u: Urls, r: RepoRecord, i: IssueRecord, app: AppRecord | undefined): Schemas["issue"] {
  const api = `${repoApi(u, r)}/issues/${i.number}`;
  const html = `${repoHtml(u, r)}/${i.pull ? "pull" : "issues"}/${i.number}`;
  const out: Schemas["issue"] = {
    id: i.id,
    node_id: nodeId(i.pull ? "PullRequest" : "Issue", i.id),
    url: api,
    repository_url: repoApi(u, r),
    labels_url: `${api}/labels{/name}`,
    comments_url: `${api}/comments`,
    events_url: `${api}/events`,
    html_url: html,
    number: i.number,
    state: i.state,
    state_reason: i.stateReason,
    title: i.title,
    body: i.body,
    user: simpleUser(u, i.user),
    labels: i.labels.map((l) => label(u, r, l)),
    assignee: null,
    assignees: [],
    milestone: null,
    locked: i.locked,
    active_lock_reason: null,
    comments: i.comments,
    closed_at: i.closedAt === null ? null : isoSeconds(i.closedAt),
    created_at: isoSeconds(i.createdAt),
    updated_at: isoSeconds(i.updatedAt),
    closed_by: i.closedBy ? simpleUser(u, i.closedBy) : null,
    author_association: association(r, i.user),
    reactions: NO_REACTIONS(`${api}/reactions`),
    timeline_url: `${api}/timeline`,
    performed_via_github_app: app ? integration(u, app) : null,
  };
  if (i.pull) {
    const pullApi = `${repoApi(u, r)}/pulls/${i.number}`;
    out.pull_request = { url: pullApi, html_url: html, diff_url: `${html}.diff`, patch_url: `${html}.patch`, merged_at: i.pull.merged ? isoSeconds(i.pull.merged.at) : null };
    out.draft = i.pull.draft;
  }
  return out;
}

/** An issue comment as `issue-comment`. */
export function comment(u: Urls, r: RepoRecord, c: CommentRecord, app: AppRecord | undefined): Schemas["issue-comment"] {
  const api = `${repoApi(u, r)}/issues/comments/${c.id}`;
  const issueRecord = r.issues.get(c.issueNumber);
  const kind = issueRecord?.pull ? "pull" : "issues";
  return {
    id: c.id,
    node_id: nodeId("IssueComment", c.id),
    url: api,
    html_url: `${repoHtml(u, r)}/${kind}/${c.issueNumber}#issuecomment-${c.id}`,
    body: c.body,
    user: simpleUser(u, c.user),
    created_at: isoSeconds(c.createdAt),
    updated_at: isoSeconds(c.updatedAt),
    issue_url: `${repoApi(u, r)}/issues/${c.issueNumber}`,
    author_association: association(r, c.user),
    performed_via_github_app: app ? integration(u, app) : null,
    reactions: NO_REACTIONS(`${api}/reactions`),
  };
}

/** A pull request as `pull-request` (the issue record must carry `pull`). */
export function pullRequest(u: Urls, r: RepoRecord, i: IssueRecord): Schemas["pull-request"] {
  const p = i.pull;
  if (!p) throw new Error(`fake GitHub: #${i.number} is not a pull request`);
  const api = `${repoApi(u, r)}/pulls/${i.number}`;
  const html = `${repoHtml(u, r)}/pull/${i.number}`;
  const issueApi = `${repoApi(u, r)}/issues/${i.number}`;
  const repo = repository(u, r);
  const owner = simpleUser(u, r.owner);
  const headSha = p.headSha;
  const baseSha = (i.state === "open" ? r.git.refs.get(`refs/heads/${p.baseRef}`) : undefined) ?? p.baseSha;
  const base = mergeBase(r, baseSha, headSha);
  const head = r.git.commit(headSha);
  const changed = head ? changedPaths(base === undefined ? undefined : r.git.commit(base), head) : { added: [], removed: [], modified: [] };
  return {
    url: api,
    id: p.id,
    node_id: nodeId("PullRequest", p.id),
    html_url: html,
    diff_url: `${html}.diff`,
    patch_url: `${html}.patch`,
    issue_url: issueApi,
    commits_url: `${api}/commits`,
    review_comments_url: `${api}/comments`,
    review_comment_url: `${repoApi(u, r)}/pulls/comments{/number}`,
    comments_url: `${issueApi}/comments`,
    statuses_url: `${repoApi(u, r)}/statuses/${headSha}`,
    number: i.number,
    state: i.state,
    locked: i.locked,
    title: i.title,
    user: simpleUser(u, i.user),
    body: i.body,
    labels: i.labels.map((l) => label(u, r, l)),
    milestone: null,
    active_lock_reason: null,
    created_at: isoSeconds(i.createdAt),
    updated_at: isoSeconds(i.updatedAt),
    closed_at: i.closedAt === null ? null : isoSeconds(i.closedAt),
    merged_at: p.merged ? isoSeconds(p.merged.at) : null,
    merge_commit_sha: p.merged?.sha ?? null,
    assignee: null,
    assignees: [],
    requested_reviewers: [],
    requested_teams: [],
    head: { label: `${r.owner.login}:${p.headRef}`, ref: p.headRef, sha: headSha, user: owner, repo },
    base: { label: `${r.owner.login}:${p.baseRef}`, ref: p.baseRef, sha: baseSha, user: owner, repo },
    _links: {
      self: { href: api },
      html: { href: html },
      issue: { href: issueApi },
      comments: { href: `${issueApi}/comments` },
      review_comments: { href: `${api}/comments` },
      review_comment: { href: `${repoApi(u, r)}/pulls/comments{/number}` },
      commits: { href: `${api}/commits` },
      statuses: { href: `${repoApi(u, r)}/statuses/${headSha}` },
    },
    author_association: association(r, i.user),
    auto_merge: null,
    draft: p.draft,
    merged: p.merged !== undefined,
    mergeable: null,
    rebaseable: null,
    mergeable_state: "unknown",
    merged_by: p.merged ? simpleUser(u, p.merged.by) : null,
    comments: i.comments,
    review_comments: r.reviewComments.filter((c) => c.pullNumber === i.number).length,
    maintainer_can_modify: false,
    commits: commitsBetween(r, headSha, [baseSha]).length,
    additions: 0,
    deletions: 0,
    changed_files: changed.added.length + changed.removed.length + changed.modified.length,
  };
}
