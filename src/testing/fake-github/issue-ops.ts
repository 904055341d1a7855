import type { AuthInfo, FakeContext } from "./context.js";
import { notFound } from "./errors.js";
import { emitRepoEvent } from "./events.js";
import { mergeBase } from "./git.js";
import { comment as commentShape, issue as issueShape, label as labelShape, pullRequest } from "./shapes/issues.js";
import type { AccountRecord, CommentRecord, IssueRecord, LabelRecord, RepoRecord } from "./state.js";

/** The issue (or pull request) `number` of `repo`, or GitHub's 404. */
export function issueOr404(repo: RepoRecord, number: unknown, documentationUrl: string): IssueRecord {
  const i = repo.issues.get(Number(number));
  if (!i) throw notFound(documentationUrl);
  return i;
}

/** The App an issue or comment was made through (for `performed_via_github_app`). */
export function viaApp(ctx: FakeContext, appId: number | null) {
  return appId === null ? undefined : ctx.state.app(appId);
}

/** The App id to record on what `auth` creates. */
export function appIdOf(auth: AuthInfo): number | null {
  return auth.kind === "app" ? null : auth.app.id;
}

/**
 * Sends the webhook for an issue change: `issues` for an issue, `pull_request` when the number is a
 * pull request (GitHub reports label and state changes of a PR as `pull_request` events).
 */
export function emitIssueEvent(
  ctx: FakeContext,
  repo: RepoRecord,
  i: IssueRecord,
  action: string,
  sender: AccountRecord,
  extra: Record<string, unknown> = {},
): void {
  if (i.pull) {
    emitRepoEvent(ctx, repo, "pull_request", { action, number: i.number, pull_request: pullRequest(ctx.urls, repo, i), ...extra }, sender);
  } else {
    emitRepoEvent(ctx, repo, "issues", { action, issue: issueShape(ctx.urls, repo, i, viaApp(ctx, i.appId)), ...extra }, sender);
  }
}

/** The repository's label named `name` (any case), created with GitHub's default colour when missing. */
export function ensureLabel(ctx: FakeContext, repo: RepoRecord, name: string): LabelRecord {
  const key = name.toLowerCase();
  let l = repo.labels.get(key);
  if (!l) {
    l = { id: ctx.state.ids.id(), name, color: "ededed", description: null, default: false };
    repo.labels.set(key, l);
  }
  return l;
}

/** Adds labels to an issue, sending `labeled` for each one it did not have. */
export function addLabels(ctx: FakeContext, repo: RepoRecord, i: IssueRecord, names: string[], sender: AccountRecord): void {
  for (const name of names) {
    const l = ensureLabel(ctx, repo, name);
    if (i.labels.some((x) => x.id === l.id)) continue;
    i.labels.push(l);
    i.updatedAt = ctx.clock.now();
    emitIssueEvent(ctx, repo, i, "labeled", sender, { label: labelShape(ctx.urls, repo, l) });
  }
}

/** Removes a label from an issue, sending `unlabeled`; false when the issue did not have it. */
export function removeLabel(ctx: FakeContext, repo: RepoRecord, i: IssueRecord, name: string, sender: AccountRecord): boolean {
  const idx = i.labels.findIndex((x) => x.name.toLowerCase() === name.toLowerCase());
  const l = i.labels[idx];
  if (!l) return false;
  i.labels.splice(idx, 1);
  i.updatedAt = ctx.clock.now();
  emitIssueEvent(ctx, repo, i, "unlabeled", sender, { label: labelShape(ctx.urls, repo, l) });
  return true;
}

/** Opens or closes an issue, sending `closed` / `reopened`. */
export function setIssueState(
  ctx: FakeContext,
  repo: RepoRecord,
  i: IssueRecord,
  state: "open" | "closed",
  reason: IssueRecord["stateReason"] | undefined,
  sender: AccountRecord,
): void {
  if (i.state === state) {
    if (reason !== undefined && state === "closed") i.stateReason = reason;
    return;
  }
  const now = ctx.clock.now();
  i.state = state;
  i.updatedAt = now;
  if (state === "closed") {
    i.closedAt = now;
    i.closedBy = sender;
    i.stateReason = i.pull ? null : (reason ?? "completed");
  } else {
    i.closedAt = null;
    i.closedBy = null;
    i.stateReason = i.pull ? null : "reopened";
  }
  emitIssueEvent(ctx, repo, i, state === "closed" ? "closed" : "reopened", sender);
}

/** Creates an issue (or, with `pull`, the issue side of a pull request) with the next number. */
export function createIssue(
  ctx: FakeContext,
  repo: RepoRecord,
  fields: { title: string; body: string | null; user: AccountRecord; appId: number | null; pull?: IssueRecord["pull"]; number?: number },
): IssueRecord {
  const now = ctx.clock.now();
  if (fields.number !== undefined && repo.issues.has(fields.number)) throw new Error(`fake GitHub: #${fields.number} exists already`);
  const number = fields.number ?? repo.nextNumber;
  repo.nextNumber = Math.max(repo.nextNumber, number + 1);
  const i: IssueRecord = {
    id: ctx.state.ids.id(),
    number,
    title: fields.title,
    body: fields.body,
    state: "open",
    stateReason: null,
    user: fields.user,
    appId: fields.appId,
    labels: [],
    comments: 0,
    locked: false,
    createdAt: now,
    updatedAt: now,
    closedAt: null,
    closedBy: null,
    pull: fields.pull,
  };
  repo.issues.set(i.number, i);
  return i;
}

/** A pull request's commits range: base tip (live while open), head, and their merge base. */
export function pullRange(repo: RepoRecord, i: IssueRecord): { base: string; head: string; mergeBase: string | undefined } {
  const p = i.pull;
  if (!p) throw new Error(`fake GitHub: #${i.number} is not a pull request`);
  const base = (i.state === "open" ? repo.git.refs.get(`refs/heads/${p.baseRef}`) : undefined) ?? p.baseSha;
  return { base, head: p.headSha, mergeBase: mergeBase(repo, base, p.headSha) };
}

/** Sends `issue_comment.<action>` about comment `c` on issue `i`. */
export function emitComment(ctx: FakeContext, repo: RepoRecord, i: IssueRecord, c: CommentRecord, action: string, sender: AccountRecord, extra: Record<string, unknown> = {}): void {
  const fields = { action, issue: issueShape(ctx.urls, repo, i, viaApp(ctx, i.appId)), comment: commentShape(ctx.urls, repo, c, viaApp(ctx, c.appId)), ...extra };
  emitRepoEvent(ctx, repo, "issue_comment", fields, sender);
}

/** Adds a comment to an issue or pull request and sends `issue_comment.created`; returns its shape. */
export function addComment(ctx: FakeContext, repo: RepoRecord, i: IssueRecord, input: { body: string; user: AccountRecord; appId: number | null }) {
  const now = ctx.clock.now();
  const c: CommentRecord = { id: ctx.state.ids.id(), issueNumber: i.number, body: input.body, user: input.user, appId: input.appId, createdAt: now, updatedAt: now };
  repo.comments.push(c);
  i.comments++;
  i.updatedAt = now;
  emitComment(ctx, repo, i, c, "created", input.user);
  return commentShape(ctx.urls, repo, c, viaApp(ctx, c.appId));
}

/** Applies a new title and body (undefined: unchanged) to `i`, returning the `changes` an `edited` webhook reports. */
export function editTitleBody(i: IssueRecord, title: string | undefined, body: string | null | undefined): Record<string, unknown> {
  const changes: Record<string, unknown> = {};
  if (title !== undefined && title !== i.title) {
    changes.title = { from: i.title };
    i.title = title;
  }
  if (body !== undefined && body !== i.body) {
    changes.body = { from: i.body };
    i.body = body;
  }
  return changes;
}
