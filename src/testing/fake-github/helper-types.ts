import type { Schemas } from "./shapes/urls.js";

/** A permission on a repository, as `GET /repos/{o}/{r}/collaborators/{user}/permission` answers it. */
export type FakeRepoPermission = "admin" | "write" | "read" | "none";

/** A check run's conclusion. */
export type FakeCheckConclusion = "success" | "failure" | "neutral" | "cancelled" | "skipped" | "timed_out" | "action_required";

/** An annotation of a check run, in the checks API's own words. */
export interface FakeAnnotation {
  path: string;
  start_line: number;
  end_line: number;
  annotation_level: "notice" | "warning" | "failure";
  message: string;
  title?: string;
  raw_details?: string;
  start_column?: number;
  end_column?: number;
}

/** A comment of a review: a new thread on `path` at `line` (of the new side), or with `inReplyTo` a reply into a thread. */
export interface FakeReviewComment {
  path?: string;
  line?: number;
  body: string;
  /** The id of a review comment of the thread to reply to. */
  inReplyTo?: number;
}

/** A commit as the fake's read-back shows it. */
export interface FakeCommit {
  sha: string;
  message: string;
  author: { name: string; email: string; date: Date };
  committer: { name: string; email: string; date: Date };
  parents: string[];
  /** Every file of the commit's tree. */
  files: string[];
  /** What the commit changed against its first parent. */
  changes: { added: string[]; removed: string[]; modified: string[] };
}

/** The helpers of a fake GitHub that play the other side of a workflow: people, CI and GitHub Actions. */
export interface FakeGitHubActors {
  /**
   * Adds a comment by `user` to an issue or pull request and sends `issue_comment.created`.
   *
   * @example
   * ```ts
   * fake.addComment("acme/widgets", 1, { user: "octocat", body: "/agent fix this" });
   * await fake.idle();
   * ```
   */
  addComment(repo: string, issueNumber: number, input: { user: string; body: string }): Schemas["issue-comment"];
  /**
   * Sets what `user` may do on a repository (what `GET …/collaborators/{user}/permission` answers;
   * the owner is always `admin`, others `read` on a public repository and `none` on a private one).
   *
   * @example
   * ```ts
   * fake.setPermission("acme/widgets", "octocat", "write");
   * ```
   */
  setPermission(repo: string, login: string, permission: FakeRepoPermission): void;
  /**
   * Submits a review of a pull request by `user`, with comments on lines of its diff (`diff_hunk`
   * from the real diff), and sends `pull_request_review.submitted` and a
   * `pull_request_review_comment.created` per comment.
   *
   * @example
   * ```ts
   * const { comments } = await fake.addReview("acme/widgets", 2, {
   *   user: "octocat",
   *   state: "CHANGES_REQUESTED",
   *   body: "Almost there",
   *   comments: [{ path: "src/fix.ts", line: 3, body: "Handle null here" }],
   * });
   * ```
   */
  addReview(
    repo: string,
    pullNumber: number,
    input: { user: string; state: "APPROVED" | "CHANGES_REQUESTED" | "COMMENTED"; body?: string; comments?: FakeReviewComment[] },
  ): Promise<{ review: Schemas["pull-request-review"]; comments: Schemas["pull-request-review-comment"][] }>;
  /**
   * Adds one review comment by `user` — a reply into a thread (`inReplyTo`) or a new thread — and
   * sends `pull_request_review_comment.created`.
   *
   * @example
   * ```ts
   * await fake.addReviewComment("acme/widgets", 2, { user: "octocat", body: "Still failing", inReplyTo: comments[0].id });
   * ```
   */
  addReviewComment(repo: string, pullNumber: number, input: { user: string } & FakeReviewComment): Promise<Schemas["pull-request-review-comment"]>;
  /**
   * Completes a check run of another App (default: an App named `CI`; a name or an App id) on a
   * commit, with output and annotations, and sends `check_run.completed` and `check_suite.completed`.
   *
   * @example
   * ```ts
   * fake.completeCheckRun("acme/widgets", {
   *   headSha: pr.head.sha,
   *   name: "lint",
   *   conclusion: "failure",
   *   output: { title: "1 error", summary: "eslint", annotations: [{ path: "src/a.ts", start_line: 2, end_line: 2, annotation_level: "failure", message: "no-unused-vars" }] },
   * });
   * ```
   */
  completeCheckRun(
    repo: string,
    input: { headSha: string; name: string; conclusion: FakeCheckConclusion; output?: { title?: string; summary?: string; text?: string; annotations?: FakeAnnotation[] }; app?: string | number; detailsUrl?: string },
  ): Schemas["check-run"];
  /**
   * Records a completed GitHub Actions workflow run on a commit: its check suite and a check run per
   * job (a failed job gets GitHub's `Process completed with exit code 1.` annotation unless
   * `annotations` are given), each job's log behind `GET …/actions/jobs/{id}/logs`; sends
   * `check_run.completed` per job, `check_suite.completed`, `workflow_job.completed` per job and
   * `workflow_run.completed`.
   *
   * @example
   * ```ts
   * const { run, jobs } = fake.completeWorkflowRun("acme/widgets", {
   *   headSha: pr.head.sha,
   *   name: "CI",
   *   conclusion: "failure",
   *   jobs: [{ name: "test", conclusion: "failure", log: "FAIL src/a.test.ts\n" }],
   * });
   * ```
   */
  completeWorkflowRun(
    repo: string,
    input: {
      headSha: string;
      name: string;
      conclusion: FakeCheckConclusion;
      jobs: { name: string; conclusion: FakeCheckConclusion; log?: string; annotations?: FakeAnnotation[] }[];
      event?: string;
      path?: string;
      /** Who triggered the run (default: `github-actions[bot]`). */
      actor?: string;
    },
  ): { run: Schemas["workflow-run"]; jobs: Schemas["job"][] };
}
