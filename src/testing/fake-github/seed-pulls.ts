import type { FakeContext } from "./context.js";
import { branchSha, moveBranch, person, FAKE_AUTHOR } from "./git.js";
import { createIssue, ensureLabel } from "./issue-ops.js";
import type { IssueRecord, RepoRecord } from "./state.js";

/** Input of `fake.addPullRequest`. */
export interface PullSeed {
  title: string;
  body?: string;
  head?: string;
  base?: string;
  user?: string;
  labels?: string[];
  draft?: boolean;
  number?: number;
}

/**
 * Seeds an open pull request (no webhook). A missing head branch is made from the base branch's
 * tip with one empty commit, so the pull request has a commit of its own.
 */
export function seedPull(ctx: FakeContext, repo: RepoRecord, input: PullSeed): IssueRecord {
  const base = input.base ?? repo.defaultBranch;
  const baseSha = branchSha(repo, base);
  if (baseSha === undefined) throw new Error(`fake GitHub: no branch "${base}" in ${repo.owner.login}/${repo.name}`);
  const number = input.number !== undefined && !repo.issues.has(input.number) ? input.number : repo.nextNumber;
  const head = input.head ?? `fake-pr-${number}`;
  let headSha = branchSha(repo, head);
  if (headSha === undefined || headSha === baseSha) {
    const now = ctx.clock.now();
    headSha = repo.git.writeCommit({ parent: baseSha, changes: new Map(), message: input.title, author: person(FAKE_AUTHOR, now) }).sha;
    moveBranch(repo, head, headSha, now);
  }
  const i = createIssue(ctx, repo, {
    title: input.title, body: input.body ?? null, user: ctx.state.account(input.user ?? repo.owner.login), appId: null, number,
    pull: { id: ctx.state.ids.id(), headRef: head, headSha, baseRef: base, baseSha, draft: input.draft ?? false },
  });
  i.labels = (input.labels ?? []).map((n) => ensureLabel(ctx, repo, n));
  return i;
}
