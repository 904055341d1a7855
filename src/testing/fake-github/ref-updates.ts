import type { FakeContext } from "./context.js";
import { emitRepoEvent } from "./events.js";
import { commitsBetween, reaches } from "./git.js";
import { ZERO_SHA } from "./git/refs.js";
import { pullRequest } from "./shapes/issues.js";
import { pushCommit, pushFields, pushRepository } from "./shapes/push.js";
import type { AccountRecord, CommitRecord, IssueRecord, RepoRecord } from "./state.js";

/** One ref that moved: `before` is {@link ZERO_SHA} when it was created, `after` when deleted. */
export interface RefUpdate {
  ref: string;
  before: string;
  after: string;
}

/**
 * Makes the open pull requests whose head branch moved follow it (head sha, `updated_at`) and
 * returns them with the sha they had. Used on its own by the seeding helpers (no webhooks).
 */
export function followPullHeads(repo: RepoRecord, updates: readonly RefUpdate[], now: number): { issue: IssueRecord; before: string }[] {
  const moved: { issue: IssueRecord; before: string }[] = [];
  for (const u of updates) {
    if (!u.ref.startsWith("refs/heads/") || u.after === ZERO_SHA) continue;
    const branch = u.ref.slice("refs/heads/".length);
    for (const i of repo.issues.values()) {
      if (i.state !== "open" || i.pull?.headRef !== branch || i.pull.headSha === u.after) continue;
      moved.push({ issue: i, before: i.pull.headSha });
      i.pull.headSha = u.after;
      i.updatedAt = now;
    }
  }
  if (updates.length > 0) repo.pushedAt = repo.updatedAt = now;
  return moved;
}

/**
 * What follows refs moving (a `git push`, or a commit or ref made through the API), as on GitHub:
 * open pull requests follow their head branch, and a `push` webhook per ref and a
 * `pull_request.synchronize` per pull request are sent, from `sender`.
 */
export function refsMoved(ctx: FakeContext, repo: RepoRecord, updates: readonly RefUpdate[], sender: AccountRecord): void {
  const moved = followPullHeads(repo, updates, ctx.clock.now());
  const shape = (c: CommitRecord) => pushCommit(ctx.urls, repo, c, c.parents[0] === undefined ? undefined : repo.git.commit(c.parents[0]));
  const tips = repo.git.refs.all();
  for (const u of updates) {
    const exclude = u.before === ZERO_SHA ? [...tips].filter(([name]) => name !== u.ref).map(([, sha]) => sha) : [u.before];
    const commits = u.after === ZERO_SHA ? [] : commitsBetween(repo, u.after, exclude).map(shape);
    const head = repo.git.commit(u.after);
    const headCommit = commits.find((c) => c.id === u.after) ?? (head ? { ...shape(head), distinct: false } : null);
    const forced = u.before !== ZERO_SHA && u.after !== ZERO_SHA && !reaches(repo, u.after, u.before);
    const fields = pushFields(ctx.urls, repo, { ...u, forced }, commits, headCommit, sender);
    emitRepoEvent(ctx, repo, "push", fields, sender, { repository: pushRepository(ctx.urls, repo) });
  }
  for (const { issue, before } of moved) {
    const after = issue.pull?.headSha;
    emitRepoEvent(ctx, repo, "pull_request", { action: "synchronize", number: issue.number, before, after, pull_request: pullRequest(ctx.urls, repo, issue) }, sender);
  }
}
