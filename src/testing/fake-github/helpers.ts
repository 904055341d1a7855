import { ensureApp, completeCheckRun, completeWorkflowRun } from "./ci-ops.js";
import { openPullsAt, showCheckRun } from "./checks-ops.js";
import type { FakeContext } from "./context.js";
import type { FakeGitHubActors } from "./helper-types.js";
import { addComment } from "./issue-ops.js";
import { addReviewComment, submitReview } from "./review-ops.js";
import { job, workflowRun } from "./shapes/actions.js";
import { review, reviewComment } from "./shapes/reviews.js";
import type { AppRecord, IssueRecord, RepoRecord } from "./state.js";

/** The GitHub Actions App, with the id it has on github.com. */
const GITHUB_ACTIONS = { name: "GitHub Actions", slug: "github-actions", id: 15368 };

/** `fake.addComment`, `fake.addReview`, `fake.completeCheckRun`, …: the other side of a workflow. */
export function createActors(ctx: FakeContext, mainApp: AppRecord): FakeGitHubActors {
  const { state } = ctx;
  const issueOf = (repo: RepoRecord, n: number, pull = false): IssueRecord => {
    const i = repo.issues.get(n);
    if (!i || (pull && !i.pull)) throw new Error(`fake GitHub: no ${pull ? "pull request" : "issue"} #${n} in ${repo.owner.login}/${repo.name}`);
    return i;
  };
  const pullOf = (repo: RepoRecord, n: number) => issueOf(repo, n, true);
  return {
    addComment(repo, issueNumber, input) {
      const r = state.requireRepo(repo);
      return addComment(ctx, r, issueOf(r, issueNumber), { body: input.body, user: state.account(input.user), appId: null });
    },
    setPermission(repo, login, permission) {
      state.requireRepo(repo).permissions.set(state.account(login).login.toLowerCase(), permission);
    },
    async addReview(repo, pullNumber, input) {
      const r = state.requireRepo(repo);
      const out = await submitReview(ctx, r, pullOf(r, pullNumber), { user: state.account(input.user), state: input.state, body: input.body ?? "", comments: input.comments ?? [], appId: null });
      return { review: review(ctx.urls, r, out.review), comments: out.comments.map((c) => reviewComment(ctx.urls, r, c)) };
    },
    async addReviewComment(repo, pullNumber, input) {
      const r = state.requireRepo(repo);
      const { user, ...comment } = input;
      return reviewComment(ctx.urls, r, await addReviewComment(ctx, r, pullOf(r, pullNumber), state.account(user), null, comment));
    },
    completeCheckRun(repo, input) {
      const r = state.requireRepo(repo);
      const { app: which = "CI", ...rest } = input;
      const app = typeof which === "number" ? state.app(which) : ensureApp(state, mainApp, { name: which });
      if (!app) throw new Error(`fake GitHub: no App with id ${String(which)}`);
      return showCheckRun(ctx, r, completeCheckRun(ctx, r, app, rest));
    },
    completeWorkflowRun(repo, input) {
      const r = state.requireRepo(repo);
      const actions = ensureApp(state, mainApp, GITHUB_ACTIONS);
      const { actor, ...rest } = input;
      const { run, jobs } = completeWorkflowRun(ctx, r, actions, { ...rest, actor: actor === undefined ? undefined : state.account(actor) });
      return {
        run: workflowRun(ctx.urls, r, run, r.git.commit(run.headSha), openPullsAt(r, run.headSha), run.actor),
        jobs: jobs.flatMap((j) => {
          const check = r.checkRuns.get(j.id);
          return check ? [job(ctx.urls, r, j, check, run)] : [];
        }),
      };
    },
  };
}
