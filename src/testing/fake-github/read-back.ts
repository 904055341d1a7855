import { showCheckRun } from "./checks-ops.js";
import type { FakeContext } from "./context.js";
import { branchSha, changedPaths, commitsBetween, fileAt, resolveRef } from "./git.js";
import type { FakeCommit } from "./helper-types.js";
import { viaApp } from "./issue-ops.js";
import { installation } from "./shapes/accounts.js";
import { comment, issue, label, pullRequest } from "./shapes/issues.js";
import { review, reviewComment } from "./shapes/reviews.js";
import type { CommitRecord, RepoRecord } from "./state.js";
import type { FakeGitHubState } from "./types.js";

function fakeCommit(r: RepoRecord, c: CommitRecord): FakeCommit {
  const parent = c.parents[0] === undefined ? undefined : r.git.commit(c.parents[0]);
  const who = (p: CommitRecord["author"]) => ({ name: p.name, email: p.email, date: new Date(p.date) });
  return { sha: c.sha, message: c.message, author: who(c.author), committer: who(c.committer), parents: [...c.parents], files: [...c.tree.keys()], changes: changedPaths(parent, c) };
}

/** `fake.state`: the fake's data in GitHub's shapes, for assertions. */
export function createReadBack(ctx: FakeContext): FakeGitHubState {
  const { state, urls } = ctx;
  const repoOf = (full: string) => state.requireRepo(full);
  return {
    issues(repo) {
      const r = repoOf(repo);
      return [...r.issues.values()].sort((a, b) => a.number - b.number).map((i) => issue(urls, r, i, viaApp(ctx, i.appId)));
    },
    issue(repo, number) {
      const r = repoOf(repo);
      const i = r.issues.get(number);
      return i ? issue(urls, r, i, viaApp(ctx, i.appId)) : undefined;
    },
    comments(repo, issueNumber) {
      const r = repoOf(repo);
      return r.comments.filter((c) => issueNumber === undefined || c.issueNumber === issueNumber).map((c) => comment(urls, r, c, viaApp(ctx, c.appId)));
    },
    labels(repo) {
      const r = repoOf(repo);
      return [...r.labels.values()].map((l) => label(urls, r, l));
    },
    pulls(repo) {
      const r = repoOf(repo);
      return [...r.issues.values()].filter((i) => i.pull).sort((a, b) => a.number - b.number).map((i) => pullRequest(urls, r, i));
    },
    checkRuns(repo) {
      const r = repoOf(repo);
      return [...r.checkRuns.values()].map((c) => showCheckRun(ctx, r, c));
    },
    file(repo, path, ref) {
      const r = repoOf(repo);
      const commit = resolveRef(r, ref);
      const blob = commit ? fileAt(commit, path) : undefined;
      return blob?.content.toString("utf8");
    },
    ref(repo, ref) {
      const r = repoOf(repo);
      return resolveRef(r, ref)?.sha;
    },
    commit(repo, ref) {
      const r = repoOf(repo);
      const c = resolveRef(r, ref);
      return c ? fakeCommit(r, c) : undefined;
    },
    branch(repo, name) {
      const r = repoOf(repo);
      const sha = branchSha(r, name);
      const c = sha === undefined ? undefined : r.git.commit(sha);
      return c ? { name, ...fakeCommit(r, c) } : undefined;
    },
    log(repo, ref) {
      const r = repoOf(repo);
      const c = resolveRef(r, ref);
      return c ? commitsBetween(r, c.sha, []).reverse().map((x) => fakeCommit(r, x)) : [];
    },
    gitDir(repo) {
      return repoOf(repo).git.dir;
    },
    reviews(repo, pullNumber) {
      const r = repoOf(repo);
      return r.reviews.filter((x) => x.pullNumber === pullNumber).map((x) => review(urls, r, x));
    },
    reviewComments(repo, pullNumber) {
      const r = repoOf(repo);
      return r.reviewComments.filter((x) => x.pullNumber === pullNumber).map((x) => reviewComment(urls, r, x));
    },
    installations() {
      return [...state.installations.values()].flatMap((i) => {
        const app = state.app(i.appId);
        return app ? [installation(urls, i, app)] : [];
      });
    },
  };
}
