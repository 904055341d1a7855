import { afterEach, describe, expect, it } from "vitest";
import { cleanup, seeded } from "./support.js";

afterEach(cleanup);

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;
const repo = { owner: "acme", repo: "widgets" };

describe("fake GitHub: issues, comments, labels", () => {
  it("creates, reads, lists and closes an issue with the fields Octokit users read", async () => {
    const { fake, octokit } = await seeded();
    const created = await octokit.rest.issues.create({ ...repo, title: "Broken", body: "It broke", labels: ["bug"] });
    expect(created.status).toBe(201);
    const issue = created.data;
    expect(issue).toMatchObject({
      number: 1,
      title: "Broken",
      body: "It broke",
      state: "open",
      locked: false,
      comments: 0,
      closed_at: null,
      user: { login: `${fake.slug}[bot]`, type: "Bot" },
      labels: [{ name: "bug", color: "ededed", default: false }],
      performed_via_github_app: { id: fake.appId, slug: fake.slug },
      url: `${fake.url}/repos/acme/widgets/issues/1`,
      html_url: "https://github.com/acme/widgets/issues/1",
      repository_url: `${fake.url}/repos/acme/widgets`,
    });
    expect(issue.node_id).toBe(Buffer.from(`05:Issue${issue.id}`).toString("base64"));
    expect(issue.created_at).toMatch(ISO);
    expect(issue.pull_request).toBeUndefined();

    expect((await octokit.rest.issues.get({ ...repo, issue_number: 1 })).data).toEqual(issue);
    await octokit.rest.issues.create({ ...repo, title: "Second" });
    const bugs = await octokit.rest.issues.listForRepo({ ...repo, labels: "bug" });
    expect(bugs.data.map((i) => i.number)).toEqual([1]);
    expect((await octokit.rest.issues.listForRepo(repo)).data.map((i) => i.number)).toEqual([2, 1]);

    const closed = await octokit.rest.issues.update({ ...repo, issue_number: 1, state: "closed", state_reason: "not_planned", title: "Broken (dup)" });
    expect(closed.data).toMatchObject({ state: "closed", state_reason: "not_planned", title: "Broken (dup)", closed_by: { login: `${fake.slug}[bot]` } });
    expect(closed.data.closed_at).toMatch(ISO);
    expect((await octokit.rest.issues.listForRepo({ ...repo, state: "closed" })).data.map((i) => i.number)).toEqual([1]);
    expect(fake.state.issue("acme/widgets", 1)?.state).toBe("closed");
    await expect(octokit.rest.issues.get({ ...repo, issue_number: 99 })).rejects.toMatchObject({ status: 404 });
    await expect(octokit.request("POST /repos/{owner}/{repo}/issues", { ...repo } as { owner: string; repo: string; title: string })).rejects.toMatchObject({
      status: 422,
      response: { data: { message: 'Invalid request.\n\n"title" wasn\'t supplied.' } },
    });
  });

  it("adds and lists comments; the issue counts them", async () => {
    const { fake, octokit } = await seeded();
    await octokit.rest.issues.create({ ...repo, title: "Q" });
    const c = await octokit.rest.issues.createComment({ ...repo, issue_number: 1, body: "On it" });
    expect(c.status).toBe(201);
    expect(c.data).toMatchObject({
      body: "On it",
      user: { login: `${fake.slug}[bot]` },
      issue_url: `${fake.url}/repos/acme/widgets/issues/1`,
      html_url: `https://github.com/acme/widgets/issues/1#issuecomment-${c.data.id}`,
    });
    await octokit.rest.issues.createComment({ ...repo, issue_number: 1, body: "Done" });
    const all = await octokit.paginate(octokit.rest.issues.listComments, { ...repo, issue_number: 1, per_page: 1 });
    expect(all.map((x) => x.body)).toEqual(["On it", "Done"]);
    expect((await octokit.rest.issues.get({ ...repo, issue_number: 1 })).data.comments).toBe(2);
    expect(fake.state.comments("acme/widgets", 1)).toHaveLength(2);
  });

  it("adds labels (creating repository labels), removes them, and 404s an absent one", async () => {
    const { fake, octokit } = await seeded();
    fake.addLabel("acme/widgets", { name: "triage", color: "#d73a4a", description: "needs a look" });
    await octokit.rest.issues.create({ ...repo, title: "L" });
    const added = await octokit.rest.issues.addLabels({ ...repo, issue_number: 1, labels: ["triage", "new-one"] });
    expect(added.data.map((l) => [l.name, l.color])).toEqual([["triage", "d73a4a"], ["new-one", "ededed"]]);
    const labels = await octokit.rest.issues.listLabelsForRepo(repo);
    expect(labels.data.map((l) => l.name)).toEqual(["new-one", "triage"]);
    expect(labels.data[1]).toMatchObject({ description: "needs a look", url: `${fake.url}/repos/acme/widgets/labels/triage` });
    const left = await octokit.rest.issues.removeLabel({ ...repo, issue_number: 1, name: "triage" });
    expect(left.data.map((l) => l.name)).toEqual(["new-one"]);
    await expect(octokit.rest.issues.removeLabel({ ...repo, issue_number: 1, name: "triage" })).rejects.toMatchObject({
      status: 404,
      response: { data: { message: "Label does not exist" } },
    });
    await expect(octokit.rest.issues.createLabel({ ...repo, name: "Triage" })).rejects.toMatchObject({
      status: 422,
      response: { data: { message: "Validation Failed", errors: [{ resource: "Label", code: "already_exists", field: "name" }] } },
    });
  });
});

describe("fake GitHub: refs, pulls, check runs", () => {
  it("reads and creates refs, moves them fast-forward only", async () => {
    const { fake, octokit } = await seeded();
    const main = await octokit.rest.git.getRef({ ...repo, ref: "heads/main" });
    expect(main.data).toMatchObject({ ref: "refs/heads/main", object: { type: "commit", sha: fake.state.ref("acme/widgets", "main") } });
    const created = await octokit.rest.git.createRef({ ...repo, ref: "refs/heads/agent/issue-1", sha: main.data.object.sha });
    expect(created.status).toBe(201);
    expect(created.data.url).toBe(`${fake.url}/repos/acme/widgets/git/refs/heads/agent/issue-1`);
    expect((await octokit.rest.git.getRef({ ...repo, ref: "heads/agent/issue-1" })).data.object.sha).toBe(main.data.object.sha);
    await expect(octokit.rest.git.createRef({ ...repo, ref: "refs/heads/main", sha: main.data.object.sha })).rejects.toMatchObject({
      status: 422,
      response: { data: { message: "Reference already exists" } },
    });
    await expect(octokit.rest.git.getRef({ ...repo, ref: "heads/nope" })).rejects.toMatchObject({ status: 404 });
    const { commitSha } = fake.setFile("acme/widgets", "a.txt", "a", { branch: "agent/issue-1" });
    await expect(octokit.rest.git.updateRef({ ...repo, ref: "heads/agent/issue-1", sha: main.data.object.sha })).rejects.toMatchObject({ status: 422 });
    const moved = await octokit.rest.git.updateRef({ ...repo, ref: "heads/main", sha: commitSha });
    expect(moved.data.object.sha).toBe(commitSha);
  });

  it("opens a pull request from a branch (numbers shared with issues) and lists, gets and refuses duplicates", async () => {
    const { fake, octokit } = await seeded();
    await octokit.rest.issues.create({ ...repo, title: "Issue first" });
    const main = fake.state.ref("acme/widgets", "main") ?? "";
    await octokit.rest.git.createRef({ ...repo, ref: "refs/heads/feature", sha: main });
    await expect(octokit.rest.pulls.create({ ...repo, title: "Empty", head: "feature", base: "main" })).rejects.toMatchObject({
      status: 422,
      response: { data: { errors: [{ message: "No commits between main and feature" }] } },
    });
    const put = await octokit.rest.repos.createOrUpdateFileContents({ ...repo, path: "fix.txt", message: "fix", content: Buffer.from("fixed").toString("base64"), branch: "feature" });
    const pr = await octokit.rest.pulls.create({ ...repo, title: "Fix it", head: "acme:feature", base: "main", body: "Closes #1" });
    expect(pr.status).toBe(201);
    expect(pr.data).toMatchObject({
      number: 2,
      state: "open",
      title: "Fix it",
      body: "Closes #1",
      merged: false,
      draft: false,
      user: { login: `${fake.slug}[bot]` },
      head: { ref: "feature", sha: put.data.commit.sha, label: "acme:feature", repo: { full_name: "acme/widgets" } },
      base: { ref: "main", sha: main },
      html_url: "https://github.com/acme/widgets/pull/2",
      url: `${fake.url}/repos/acme/widgets/pulls/2`,
    });
    expect((await octokit.rest.pulls.get({ ...repo, pull_number: 2 })).data.id).toBe(pr.data.id);
    expect((await octokit.rest.pulls.list({ ...repo, head: "acme:feature" })).data.map((p) => p.number)).toEqual([2]);
    expect((await octokit.rest.pulls.list({ ...repo, head: "acme:other" })).data).toEqual([]);
    const asIssue = (await octokit.rest.issues.get({ ...repo, issue_number: 2 })).data;
    expect(asIssue.pull_request?.url).toBe(`${fake.url}/repos/acme/widgets/pulls/2`);
    await expect(octokit.rest.pulls.get({ ...repo, pull_number: 1 })).rejects.toMatchObject({ status: 404 });
    await expect(octokit.rest.pulls.create({ ...repo, title: "Again", head: "feature", base: "main" })).rejects.toMatchObject({
      status: 422,
      response: { data: { errors: [{ message: "A pull request already exists for acme:feature." }] } },
    });
    await expect(octokit.rest.pulls.create({ ...repo, title: "x", head: "nope", base: "main" })).rejects.toMatchObject({
      status: 422,
      response: { data: { errors: [{ field: "head", code: "invalid" }] } },
    });
    expect(fake.state.pulls("acme/widgets").map((p) => p.number)).toEqual([2]);
  });

  it("creates and completes a check run on a commit, linked to the open pull request of that head", async () => {
    const { fake, octokit } = await seeded();
    fake.addBranch("acme/widgets", "feature");
    const { commitSha } = fake.setFile("acme/widgets", "x.txt", "x", { branch: "feature" });
    const pr = await octokit.rest.pulls.create({ ...repo, title: "PR", head: "feature", base: "main" });
    const run = await octokit.rest.checks.create({ ...repo, name: "hookyard", head_sha: commitSha, status: "in_progress", external_id: "task-1" });
    expect(run.status).toBe(201);
    expect(run.data).toMatchObject({
      name: "hookyard",
      head_sha: commitSha,
      status: "in_progress",
      conclusion: null,
      completed_at: null,
      external_id: "task-1",
      app: { id: fake.appId },
      pull_requests: [{ number: pr.data.number, head: { ref: "feature", sha: commitSha } }],
    });
    expect(run.data.started_at).toMatch(ISO);
    const done = await octokit.rest.checks.update({ ...repo, check_run_id: Number(run.data.id), conclusion: "success", output: { title: "All good", summary: "3 tasks" } });
    expect(done.data).toMatchObject({ status: "completed", conclusion: "success", output: { title: "All good", summary: "3 tasks", text: null, annotations_count: 0 } });
    expect(done.data.completed_at).toMatch(ISO);
    expect(fake.state.checkRuns("acme/widgets")).toMatchObject([{ id: run.data.id, conclusion: "success" }]);
    await expect(octokit.rest.checks.create({ ...repo, name: "x", head_sha: "0".repeat(40) })).rejects.toMatchObject({ status: 422 });
    await expect(octokit.rest.checks.create({ ...repo, name: "x", head_sha: commitSha, status: "completed" })).rejects.toMatchObject({ status: 422 });
  });
});
