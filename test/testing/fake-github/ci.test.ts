import { afterEach, describe, expect, it } from "vitest";
import { installationToken } from "./git-support.js";
import { cleanup, seeded, tokenOctokit } from "./support.js";

afterEach(cleanup);

const repo = { owner: "acme", repo: "widgets" };
type Delivery = { event: string; action: string | null; request: { payload: unknown } };
const actions = (fake: { deliveries: readonly Delivery[] }, event: string) => fake.deliveries.filter((d) => d.event === event).map((d) => d.action);
const payloadOf = (fake: { deliveries: readonly Delivery[] }, event: string, index = 0) => fake.deliveries.filter((d) => d.event === event)[index]?.request.payload;

/** A fake with an open pull request from `feature` (one commit on top of main). */
async function withPull() {
  const s = await seeded();
  s.fake.addBranch("acme/widgets", "feature");
  const { commitSha } = s.fake.setFile("acme/widgets", "src/a.ts", "export const a = 1;\n", { branch: "feature" });
  const pr = (await s.octokit.rest.pulls.create({ ...repo, title: "Feature", head: "feature", base: "main" })).data;
  return { ...s, headSha: commitSha, pr };
}

describe("fake GitHub: check runs and suites", () => {
  it("lists a commit's check runs (latest, all, by name), their annotations and suite, and sends check_run / check_suite webhooks", async () => {
    const { fake, octokit, installation, headSha, pr } = await withPull();
    const first = (await octokit.rest.checks.create({ ...repo, name: "hookyard", head_sha: headSha, status: "in_progress" })).data;
    const annotation = { path: "src/a.ts", start_line: 1, end_line: 1, annotation_level: "failure" as const, message: "a is unused", title: "lint" };
    await octokit.rest.checks.update({ ...repo, check_run_id: Number(first.id), conclusion: "failure", output: { title: "1 problem", summary: "lint", annotations: [annotation] } });
    await octokit.rest.checks.create({ ...repo, name: "hookyard", head_sha: headSha, conclusion: "success" });

    const latest = (await octokit.rest.checks.listForRef({ ...repo, ref: "feature" })).data;
    expect(latest.total_count).toBe(1);
    expect(latest.check_runs[0]).toMatchObject({ name: "hookyard", conclusion: "success", pull_requests: [{ number: pr.number, head: { sha: headSha } }] });
    expect((await octokit.rest.checks.listForRef({ ...repo, ref: headSha, filter: "all" })).data.total_count).toBe(2);
    expect((await octokit.rest.checks.listForRef({ ...repo, ref: headSha, filter: "all", check_name: "other" })).data.total_count).toBe(0);
    expect((await octokit.rest.checks.listAnnotations({ ...repo, check_run_id: Number(first.id) })).data).toEqual([
      { ...annotation, start_column: null, end_column: null, raw_details: null, blob_href: `https://github.com/acme/widgets/blob/${headSha}/src/a.ts` },
    ]);
    expect((await octokit.rest.checks.get({ ...repo, check_run_id: Number(first.id) })).data.output).toMatchObject({ title: "1 problem", annotations_count: 1 });
    const suite = (await octokit.rest.checks.getSuite({ ...repo, check_suite_id: Number(first.check_suite?.id) })).data;
    expect(suite).toMatchObject({ head_sha: headSha, head_branch: "feature", status: "completed", conclusion: "failure", latest_check_runs_count: 2, app: { id: fake.appId } });
    expect((await octokit.rest.checks.listSuitesForRef({ ...repo, ref: "feature" })).data.check_suites.map((s) => s.id)).toEqual([suite.id]);

    await fake.idle();
    expect(actions(fake, "check_run")).toEqual(["created", "completed", "created", "completed"]);
    expect(actions(fake, "check_suite")).toEqual(["completed", "completed"]);
    expect(payloadOf(fake, "check_run", 1)).toMatchObject({
      check_run: { id: first.id, conclusion: "failure", check_suite: { id: suite.id, head_branch: "feature" }, pull_requests: [{ number: pr.number }] },
      installation: { id: installation.id },
    });

    await expect(octokit.rest.checks.listAnnotations({ ...repo, check_run_id: 99 })).rejects.toMatchObject({ status: 404 });
    await expect(octokit.rest.checks.getSuite({ ...repo, check_suite_id: 99 })).rejects.toMatchObject({ status: 404 });
    await expect(octokit.rest.checks.listForRef({ ...repo, ref: "nope" })).rejects.toMatchObject({ status: 422, response: { data: { message: "No commit found for SHA: nope" } } });
    const noChecks = tokenOctokit(fake, await installationToken(fake, installation.id, { permissions: { contents: "read" } }));
    await expect(noChecks.rest.checks.listForRef({ ...repo, ref: "feature" })).rejects.toMatchObject({ status: 403 });
  });

  it("fake.completeCheckRun: another App's failing run with annotations, check_run.completed and check_suite.completed", async () => {
    const { fake, octokit, pr } = await withPull();
    const run = fake.completeCheckRun("acme/widgets", {
      headSha: pr.head.sha,
      name: "lint",
      conclusion: "failure",
      output: { title: "1 error", summary: "eslint found 1 error", annotations: [{ path: "src/a.ts", start_line: 1, end_line: 1, annotation_level: "failure", message: "no-unused-vars" }] },
    });
    expect(run).toMatchObject({ name: "lint", status: "completed", conclusion: "failure", app: { name: "CI", slug: "ci" }, output: { annotations_count: 1 }, pull_requests: [{ number: pr.number }] });
    expect((await octokit.rest.checks.listAnnotations({ ...repo, check_run_id: Number(run.id) })).data[0]?.message).toBe("no-unused-vars");
    await fake.idle();
    expect(payloadOf(fake, "check_run")).toMatchObject({ action: "completed", check_run: { id: run.id, app: { slug: "ci" } }, sender: { login: "ci[bot]" } });
    expect(payloadOf(fake, "check_suite")).toMatchObject({
      action: "completed",
      check_suite: { conclusion: "failure", head_sha: pr.head.sha, head_branch: "feature", app: { slug: "ci" }, pull_requests: [{ number: pr.number, head: { ref: "feature", sha: pr.head.sha } }], head_commit: { id: pr.head.sha } },
      repository: { full_name: "acme/widgets" },
    });
  });
});

describe("fake GitHub: GitHub Actions", () => {
  it("fake.completeWorkflowRun: runs, jobs and job logs through the API, with check_run, check_suite, workflow_job and workflow_run webhooks", async () => {
    const { fake, octokit, installation, pr } = await withPull();
    const log = "FAIL src/a.test.ts\n  expected 1 to be 2\n";
    const { run, jobs } = fake.completeWorkflowRun("acme/widgets", {
      headSha: pr.head.sha,
      name: "CI",
      conclusion: "failure",
      jobs: [{ name: "test", conclusion: "failure", log }, { name: "lint", conclusion: "success", log: "ok\n" }],
    });
    expect(run).toMatchObject({ name: "CI", status: "completed", conclusion: "failure", head_branch: "feature", event: "pull_request", path: ".github/workflows/ci.yml", pull_requests: [{ number: pr.number }] });
    expect((await octokit.rest.actions.getWorkflowRun({ ...repo, run_id: Number(run.id) })).data).toMatchObject({ id: run.id, check_suite_id: run.check_suite_id, head_sha: pr.head.sha });
    const listed = (await octokit.rest.actions.listJobsForWorkflowRun({ ...repo, run_id: Number(run.id) })).data;
    expect(listed.total_count).toBe(2);
    expect(listed.jobs.map((j) => [j.name, j.conclusion])).toEqual([["test", "failure"], ["lint", "success"]]);
    const failed = jobs.find((j) => j.conclusion === "failure");
    expect((await octokit.rest.actions.getJobForWorkflowRun({ ...repo, job_id: Number(failed?.id) })).data).toMatchObject({ name: "test", run_id: run.id, head_sha: pr.head.sha, workflow_name: "CI" });
    const logs = await octokit.rest.actions.downloadJobLogsForWorkflowRun({ ...repo, job_id: Number(failed?.id) });
    expect(logs.data).toBe(log);
    expect(fake.requests.find((r) => r.path === `/repos/acme/widgets/actions/jobs/${failed?.id}/logs`)?.status).toBe(302);
    const checks = (await octokit.rest.checks.listForRef({ ...repo, ref: pr.head.sha })).data.check_runs;
    expect(checks.find((c) => c.name === "test")).toMatchObject({ id: failed?.id, conclusion: "failure", app: { slug: "github-actions" }, check_suite: { id: run.check_suite_id } });
    expect((await octokit.rest.checks.listAnnotations({ ...repo, check_run_id: Number(failed?.id) })).data).toMatchObject([{ path: ".github", annotation_level: "failure", message: "Process completed with exit code 1." }]);

    await fake.idle();
    expect(actions(fake, "check_run")).toEqual(["completed", "completed"]);
    expect(actions(fake, "check_suite")).toEqual(["completed"]);
    expect(actions(fake, "workflow_job")).toEqual(["completed", "completed"]);
    expect(actions(fake, "workflow_run")).toEqual(["completed"]);
    expect(payloadOf(fake, "check_suite")).toMatchObject({ check_suite: { id: run.check_suite_id, conclusion: "failure", app: { slug: "github-actions" } } });
    expect(payloadOf(fake, "workflow_run")).toMatchObject({
      workflow: { name: "CI", path: ".github/workflows/ci.yml" },
      workflow_run: { id: run.id, conclusion: "failure", head_sha: pr.head.sha, pull_requests: [{ number: pr.number, head: { ref: "feature" } }] },
      installation: { id: installation.id },
    });

    await expect(octokit.rest.actions.getWorkflowRun({ ...repo, run_id: 99 })).rejects.toMatchObject({ status: 404 });
    await expect(octokit.rest.actions.downloadJobLogsForWorkflowRun({ ...repo, job_id: 99 })).rejects.toMatchObject({ status: 404 });
    const noActions = tokenOctokit(fake, await installationToken(fake, installation.id, { permissions: { checks: "read" } }));
    await expect(noActions.rest.actions.listJobsForWorkflowRun({ ...repo, run_id: Number(run.id) })).rejects.toMatchObject({
      status: 403,
      response: { data: { documentation_url: "https://docs.github.com/rest/actions/workflow-jobs#list-jobs-for-a-workflow-run" } },
    });
    expect((await fetch(`${fake.url}/_fake/actions/job-logs/1/${failed?.id}/wrong`)).status).toBe(404);
  });
});

describe("fake GitHub: reviews", () => {
  it("fake.addReview and replies: reviews and threads through the API, with pull_request_review and pull_request_review_comment webhooks", async () => {
    const { fake, octokit, installation, pr } = await withPull();
    const { review, comments } = await fake.addReview("acme/widgets", pr.number, {
      user: "octocat",
      state: "CHANGES_REQUESTED",
      body: "Almost",
      comments: [{ path: "src/a.ts", line: 1, body: "Name it better" }],
    });
    const root = comments[0];
    expect(review).toMatchObject({ state: "CHANGES_REQUESTED", body: "Almost", commit_id: pr.head.sha, user: { login: "octocat" } });
    expect(root).toMatchObject({ path: "src/a.ts", line: 1, side: "RIGHT", position: 1, diff_hunk: "@@ -0,0 +1 @@\n+export const a = 1;", pull_request_review_id: Number(review.id), commit_id: pr.head.sha });
    expect((await octokit.rest.pulls.listReviews({ ...repo, pull_number: pr.number })).data).toMatchObject([{ id: review.id, state: "CHANGES_REQUESTED" }]);
    expect((await octokit.rest.pulls.getReview({ ...repo, pull_number: pr.number, review_id: Number(review.id) })).data.body).toBe("Almost");
    expect((await octokit.rest.pulls.listCommentsForReview({ ...repo, pull_number: pr.number, review_id: Number(review.id) })).data.map((c) => c.id)).toEqual([root?.id]);

    const reply = (await octokit.rest.pulls.createReplyForReviewComment({ ...repo, pull_number: pr.number, comment_id: Number(root?.id), body: "Renamed" })).data;
    expect(reply).toMatchObject({ in_reply_to_id: root?.id, path: "src/a.ts", line: 1, user: { login: `${fake.slug}[bot]` } });
    const again = await fake.addReviewComment("acme/widgets", pr.number, { user: "octocat", body: "Thanks", inReplyTo: Number(reply.id) });
    expect(again.in_reply_to_id).toBe(root?.id);
    const thread = (await octokit.rest.pulls.listReviewComments({ ...repo, pull_number: pr.number })).data;
    expect(thread.map((c) => [c.body, c.in_reply_to_id ?? null])).toEqual([["Name it better", null], ["Renamed", root?.id], ["Thanks", root?.id]]);
    expect(fake.state.reviewComments("acme/widgets", pr.number)).toHaveLength(3);
    expect((await octokit.rest.pulls.getReviewComment({ ...repo, comment_id: Number(again.id) })).data).toMatchObject({ body: "Thanks", user: { login: "octocat" } });
    expect((await octokit.rest.pulls.get({ ...repo, pull_number: pr.number })).data.review_comments).toBe(3);

    await fake.idle();
    expect(actions(fake, "pull_request_review")).toEqual(["submitted"]);
    expect(actions(fake, "pull_request_review_comment")).toEqual(["created", "created", "created"]);
    expect(payloadOf(fake, "pull_request_review")).toMatchObject({
      review: { id: review.id, state: "changes_requested" },
      pull_request: { number: pr.number, head: { sha: pr.head.sha } },
      sender: { login: "octocat" },
      installation: { id: installation.id },
    });
    expect(payloadOf(fake, "pull_request_review_comment", 1)).toMatchObject({ comment: { id: reply.id, in_reply_to_id: root?.id } });

    await expect(octokit.rest.pulls.getReview({ ...repo, pull_number: pr.number, review_id: 99 })).rejects.toMatchObject({ status: 404 });
    await expect(octokit.rest.pulls.createReplyForReviewComment({ ...repo, pull_number: pr.number, comment_id: 99, body: "x" })).rejects.toMatchObject({ status: 404 });
    const readOnly = tokenOctokit(fake, await installationToken(fake, installation.id, { permissions: { pull_requests: "read" } }));
    await expect(readOnly.rest.pulls.createReplyForReviewComment({ ...repo, pull_number: pr.number, comment_id: Number(root?.id), body: "x" })).rejects.toMatchObject({ status: 403 });
  });
});
