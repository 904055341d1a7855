/** What Probot apps call beyond the basics: reviews, merges, search, GraphQL, and asserting on the requests made. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanup, seeded } from "./support.js";

let s: Awaited<ReturnType<typeof seeded>>;
beforeAll(async () => {
  s = await seeded();
});
afterAll(cleanup);

const repo = { owner: "acme", repo: "widgets" };

describe("fake GitHub: reviews and merges", () => {
  it("creates a review with comments and a review comment; refuses to approve the App's own pull request", async () => {
    const { fake, octokit } = s;
    fake.addBranch("acme/widgets", "review-me");
    fake.setFile("acme/widgets", "src/a.ts", "one\ntwo\n", { branch: "review-me" });
    const pr = fake.addPullRequest("acme/widgets", { title: "Review me", head: "review-me", user: "octocat" });
    const review = (await octokit.rest.pulls.createReview({ ...repo, pull_number: pr.number, event: "REQUEST_CHANGES", body: "Please fix", comments: [{ path: "src/a.ts", line: 2, body: "two?" }] })).data;
    expect(review).toMatchObject({ state: "CHANGES_REQUESTED", body: "Please fix", user: { login: `${fake.slug}[bot]` }, commit_id: pr.head.sha });
    const listed = (await octokit.rest.pulls.listReviews({ ...repo, pull_number: pr.number })).data;
    expect(listed.map((r) => r.id)).toEqual([review.id]);
    const [thread] = (await octokit.rest.pulls.listReviewComments({ ...repo, pull_number: pr.number })).data;
    expect(thread).toMatchObject({ path: "src/a.ts", line: 2, body: "two?", pull_request_review_id: review.id, diff_hunk: expect.stringContaining("+two") });
    const reply = (await octokit.rest.pulls.createReviewComment({ ...repo, pull_number: pr.number, body: "done", in_reply_to: thread!.id } as never)).data;
    expect(reply).toMatchObject({ in_reply_to_id: thread!.id, path: "src/a.ts" });
    const pending = (await octokit.rest.pulls.createReview({ ...repo, pull_number: pr.number, body: "draft" })).data;
    expect(pending.state).toBe("PENDING");
    await fake.idle();
    const hooks = fake.deliveries.filter((d) => d.event.startsWith("pull_request_review")).map((d) => `${d.event}.${d.action}`);
    expect(hooks).toEqual(["pull_request_review.submitted", "pull_request_review_comment.created", "pull_request_review_comment.created"]);

    const own = (await octokit.rest.pulls.create({ ...repo, title: "Mine", head: "review-me", base: "main" }).catch(() => undefined))?.data;
    expect(own).toBeUndefined(); // an open PR exists for the branch already
    fake.addBranch("acme/widgets", "mine");
    fake.setFile("acme/widgets", "mine.txt", "x\n", { branch: "mine" });
    const mine = (await octokit.rest.pulls.create({ ...repo, title: "Mine", head: "mine", base: "main" })).data;
    await expect(octokit.rest.pulls.createReview({ ...repo, pull_number: mine.number, event: "APPROVE" })).rejects.toMatchObject({
      status: 422, response: { data: { errors: [{ message: "Can not approve your own pull request" }] } },
    });
  });

  it("merges a pull request in the real git data: a merge commit on the base, merged fields, push and closed webhooks; 405 and 409 as GitHub", async () => {
    const { fake, octokit } = s;
    fake.addBranch("acme/widgets", "feature");
    fake.setFile("acme/widgets", "feature.txt", "new\n", { branch: "feature", message: "Add feature.txt" });
    const pr = fake.addPullRequest("acme/widgets", { title: "Feature", head: "feature" });
    const before = fake.state.ref("acme/widgets", "main");
    await expect(octokit.rest.pulls.merge({ ...repo, pull_number: pr.number, sha: before! })).rejects.toMatchObject({ status: 409 });
    await expect(octokit.rest.pulls.checkIfMerged({ ...repo, pull_number: pr.number })).rejects.toMatchObject({ status: 404 });
    const merged = (await octokit.rest.pulls.merge({ ...repo, pull_number: pr.number, sha: pr.head.sha })).data;
    expect(merged).toMatchObject({ merged: true, message: "Pull Request successfully merged" });
    const main = fake.state.commit("acme/widgets", "main");
    expect(main?.sha).toBe(merged.sha);
    expect(main?.parents).toEqual([before, pr.head.sha]);
    expect(fake.state.file("acme/widgets", "feature.txt")).toBe("new\n");
    const after = (await octokit.rest.pulls.get({ ...repo, pull_number: pr.number })).data;
    expect(after).toMatchObject({ state: "closed", merged: true, merge_commit_sha: merged.sha, merged_by: { login: `${fake.slug}[bot]` } });
    expect(after.merged_at).not.toBeNull();
    expect((await octokit.rest.pulls.checkIfMerged({ ...repo, pull_number: pr.number })).status).toBe(204);
    await expect(octokit.rest.pulls.merge({ ...repo, pull_number: pr.number })).rejects.toMatchObject({ status: 405, response: { data: { message: "Pull Request is not mergeable" } } });
    await fake.idle();
    const closed = fake.deliveries.filter((d) => d.event === "pull_request" && d.action === "closed").at(-1);
    expect(closed?.request.payload).toMatchObject({ pull_request: { number: pr.number, merged: true, merge_commit_sha: merged.sha } });
    expect(fake.deliveries.some((d) => d.event === "push" && (d.request.payload as { after?: string }).after === merged.sha)).toBe(true);

    fake.addBranch("acme/widgets", "squashed");
    fake.setFile("acme/widgets", "s1.txt", "1\n", { branch: "squashed" });
    fake.setFile("acme/widgets", "s2.txt", "2\n", { branch: "squashed" });
    const sq = fake.addPullRequest("acme/widgets", { title: "Squash me", head: "squashed" });
    const out = (await octokit.rest.pulls.merge({ ...repo, pull_number: sq.number, merge_method: "squash" })).data;
    expect(fake.state.commit("acme/widgets", "main")).toMatchObject({ sha: out.sha, parents: [merged.sha], message: expect.stringMatching(/^Squash me \(#\d+\)/) });
    expect(fake.state.file("acme/widgets", "s2.txt")).toBe("2\n");

    fake.addBranch("acme/widgets", "rebased", merged.sha); // behind main by the squash
    fake.setFile("acme/widgets", "r1.txt", "1\n", { branch: "rebased", message: "r1" });
    fake.setFile("acme/widgets", "r2.txt", "2\n", { branch: "rebased", message: "r2" });
    const rb = fake.addPullRequest("acme/widgets", { title: "Rebase me", head: "rebased" });
    const rebased = (await octokit.rest.pulls.merge({ ...repo, pull_number: rb.number, merge_method: "rebase" })).data;
    const [r2, r1] = fake.state.log("acme/widgets", "main");
    expect([r2?.sha, r2?.message, r1?.message, r1?.parents]).toEqual([rebased.sha, "r2", "r1", [out.sha]]);
    expect(fake.state.file("acme/widgets", "s1.txt")).toBe("1\n");
  });
});

describe("fake GitHub: search and GraphQL", () => {
  it("searches issues by repo, state, label, type and words", async () => {
    const { fake, octokit } = s;
    fake.addIssue("acme/widgets", { title: "Crash on start", labels: ["bug"] });
    fake.addIssue("acme/widgets", { title: "Crash on exit", labels: ["bug", "p1"], state: "closed" });
    fake.addIssue("acme/widgets", { title: "Docs", labels: ["docs"] });
    const search = async (q: string) => (await octokit.rest.search.issuesAndPullRequests({ q })).data;
    const titles = async (q: string) => (await search(q)).items.map((i) => i.title).sort();
    expect(await titles("repo:acme/widgets is:issue crash")).toEqual(["Crash on exit", "Crash on start"]);
    expect(await titles('repo:acme/widgets is:issue is:open label:bug')).toEqual(["Crash on start"]);
    expect(await titles("repo:acme/widgets label:bug label:p1")).toEqual(["Crash on exit"]);
    expect(await titles("repo:acme/widgets is:pr is:merged")).toEqual(["Feature", "Rebase me", "Squash me"]);
    const found = await search("repo:acme/widgets docs");
    expect(found).toMatchObject({ total_count: 1, incomplete_results: false, items: [{ title: "Docs", score: 1, labels: [{ name: "docs" }] }] });
    expect(await titles("repo:other/repo crash")).toEqual([]);
  });

  it("answers GraphQL from the state, with configured answers, and with GraphQL-shaped errors; records every query", async () => {
    const { fake, octokit } = s;
    const issue = fake.addIssue("acme/widgets", { title: "GraphQL me", labels: ["bug"] });
    const q = `query($owner: String!, $name: String!, $n: Int!) { repository(owner: $owner, name: $name) { nameWithOwner issue(number: $n) { id title state labels(first: 5) { nodes { name } } } } viewer { login } }`;
    const data = await octokit.graphql<{ repository: { issue: { id: string } } }>(q, { owner: "acme", name: "widgets", n: issue.number });
    expect(data).toEqual({
      repository: { nameWithOwner: "acme/widgets", issue: { id: issue.node_id, title: "GraphQL me", state: "OPEN", labels: { nodes: [{ name: "bug" }] } } },
      viewer: { login: `${fake.slug}[bot]` },
    });
    const node = await octokit.graphql<{ node: { number: number } }>(`query($id: ID!) { node(id: $id) { ... on Issue { number } } }`, { id: data.repository.issue.id });
    expect(node.node.number).toBe(issue.number);

    fake.graphql.answer("resolveReviewThread", { resolveReviewThread: { thread: { isResolved: true } } }, { times: 1 });
    const m = `mutation($id: ID!) { resolveReviewThread(input: { threadId: $id }) { thread { isResolved } } }`;
    expect(await octokit.graphql(m, { id: "T_1" })).toEqual({ resolveReviewThread: { thread: { isResolved: true } } });
    await expect(octokit.graphql(m, { id: "T_1" })).rejects.toMatchObject({ name: "GraphqlResponseError" }); // used once
    await expect(octokit.graphql(`{ repository(owner: "acme", name: "nope") { id } }`)).rejects.toMatchObject({
      errors: [{ type: "NOT_FOUND", path: ["repository"], message: "Could not resolve to a Repository with the name 'acme/nope'." }],
    });
    await expect(octokit.graphql(`{ somethingElse }`)).rejects.toMatchObject({ errors: [{ message: expect.stringContaining("somethingElse") }] });
    expect(fake.graphql.queries.map((c) => c.answeredBy)).toEqual(["state", "state", "configured", "state", "state", "state"]);
    expect(fake.graphql.queries[2]).toMatchObject({ variables: { id: "T_1" }, installationId: s.installation.id });
    expect(fake.requests.findAll({ route: "POST /graphql" }).every((r) => r.status === 200)).toBe(true);
  });
});

describe("fake GitHub: asserting on requests", () => {
  it("finds requests by route, path and body, and explains a missing one", async () => {
    const { fake, octokit } = s;
    await octokit.rest.issues.createComment({ ...repo, issue_number: 1, body: "Hello" });
    const route = "POST /repos/{owner}/{repo}/issues/{issue_number}/comments";
    expect(fake.requests.find({ route, body: { body: "Hello" } })).toMatchObject({ path: "/repos/acme/widgets/issues/1/comments", status: 201, body: { body: "Hello" } });
    expect(fake.requests.find((r) => r.method === "POST" && r.path === "/repos/acme/widgets/issues/1/comments")?.body).toEqual({ body: "Hello" });
    expect(fake.requests.expect({ method: "POST", path: /\/issues\/1\/comments$/ }, { times: 1 })).toHaveLength(1);
    expect(fake.requests.find({ route, body: { body: "Bye" } })).toBeUndefined();
    let message = "";
    try {
      fake.requests.expect({ route, body: { body: "Bye" } });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain(`wanted at least one request matching\n  ${route}  body ⊇ {"body":"Bye"}`);
    expect(message).toContain(`POST /repos/acme/widgets/issues/1/comments → 201  body {"body":"Hello"}\n      ↳ body.body: expected "Bye", got "Hello"`);
    const tokens = fake.requests.findAll({ route: "POST /app/installations/{installation_id}/access_tokens" });
    expect(tokens.length).toBeGreaterThan(0);
  });
});
