import type { FakeContext } from "./context.js";
import { fileAt, resolveRef } from "./git.js";
import { viaApp } from "./issue-ops.js";
import { installation } from "./shapes/accounts.js";
import { checkRun } from "./shapes/git.js";
import { comment, issue, label, pullRequest } from "./shapes/issues.js";
import type { FakeGitHubState } from "./types.js";

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
      return [...r.checkRuns.values()].map((c) => checkRun(urls, r, c, c.appId === null ? undefined : state.app(c.appId), []));
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
    installations() {
      return [...state.installations.values()].flatMap((i) => {
        const app = state.app(i.appId);
        return app ? [installation(urls, i, app)] : [];
      });
    },
  };
}
