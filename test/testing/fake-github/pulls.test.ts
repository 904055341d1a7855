import { afterEach, describe, expect, it } from "vitest";
import { installationToken } from "./git-support.js";
import { cleanup, seeded, tokenOctokit } from "./support.js";

afterEach(cleanup);

const repo = { owner: "acme", repo: "widgets" };
const events = (fake: { deliveries: readonly { event: string; action: string | null }[] }, event: string) =>
  fake.deliveries.filter((d) => d.event === event).map((d) => d.action);

async function withFeature() {
  const s = await seeded();
  s.fake.addBranch("acme/widgets", "feature");
  s.fake.setFile("acme/widgets", "README.md", "# widgets\nmore\n", { branch: "feature", message: "More readme" });
  s.fake.setFile("acme/widgets", "src/new.ts", "export {};\n", { branch: "feature", message: "Add src/new.ts" });
  return s;
}

describe("fake GitHub: pull requests from real git", () => {
  it("lists a pull request's commits and files (the real diff), edits, retargets and closes it with webhooks", async () => {
    const { fake, octokit, installation } = await withFeature();
    const pr = (await octokit.rest.pulls.create({ ...repo, title: "Feature", head: "feature", base: "main", body: "Body" })).data;
    expect(pr).toMatchObject({ commits: 2, changed_files: 2 });
    const commits = (await octokit.rest.pulls.listCommits({ ...repo, pull_number: pr.number })).data;
    expect(commits.map((c) => c.commit.message)).toEqual(["More readme", "Add src/new.ts"]);
    expect(commits.map((c) => c.sha)).toEqual(fake.state.log("acme/widgets", "feature").slice(0, 2).map((c) => c.sha).reverse());
    const files = (await octokit.rest.pulls.listFiles({ ...repo, pull_number: pr.number })).data;
    expect(files).toMatchObject([
      { filename: "README.md", status: "modified", additions: 1, deletions: 0, changes: 1, patch: "@@ -1 +1,2 @@\n # widgets\n+more" },
      { filename: "src/new.ts", status: "added", additions: 1, deletions: 0, patch: "@@ -0,0 +1 @@\n+export {};" },
    ]);
    expect(files[0]?.contents_url).toBe(`${fake.url}/repos/acme/widgets/contents/README.md?ref=${pr.head.sha}`);

    const main = fake.state.ref("acme/widgets", "main") ?? "";
    await octokit.rest.git.createRef({ ...repo, ref: "refs/heads/develop", sha: main });
    const edited = (await octokit.rest.pulls.update({ ...repo, pull_number: pr.number, title: "Feature!", body: "New body", base: "develop" })).data;
    expect(edited).toMatchObject({ title: "Feature!", body: "New body", base: { ref: "develop", sha: main }, draft: false, state: "open" });
    expect((await octokit.rest.pulls.update({ ...repo, pull_number: pr.number, state: "closed" })).data.state).toBe("closed");
    await fake.idle();
    expect(events(fake, "pull_request")).toEqual(["opened", "edited", "closed"]);
    expect(fake.deliveries.find((d) => d.action === "edited")?.request.payload).toMatchObject({
      changes: { title: { from: "Feature" }, body: { from: "Body" }, base: { ref: { from: "main" }, sha: { from: main } } },
    });
    expect(fake.deliveries.find((d) => d.event === "push")?.request.payload).toMatchObject({ ref: "refs/heads/develop", created: true, after: main, commits: [] });

    await expect(octokit.rest.pulls.listFiles({ ...repo, pull_number: 99 })).rejects.toMatchObject({ status: 404 });
    await expect(octokit.rest.pulls.update({ ...repo, pull_number: pr.number, base: "nope" })).rejects.toMatchObject({ status: 422 });
    const readOnly = tokenOctokit(fake, await installationToken(fake, installation.id, { permissions: { pull_requests: "read" } }));
    await expect(readOnly.rest.pulls.update({ ...repo, pull_number: pr.number, title: "x" })).rejects.toMatchObject({
      status: 403,
      response: { data: { message: "Resource not accessible by integration", documentation_url: "https://docs.github.com/rest/pulls/pulls#update-a-pull-request" } },
    });
  });

  it("answers a commit with its files and stats, and compares two refs", async () => {
    const { fake, octokit } = await withFeature();
    const head = fake.state.ref("acme/widgets", "feature") ?? "";
    const commit = (await octokit.rest.repos.getCommit({ ...repo, ref: "feature" })).data;
    expect(commit).toMatchObject({ sha: head, commit: { message: "Add src/new.ts", author: { name: "Hookyard Fake" } }, stats: { additions: 1, deletions: 0, total: 1 } });
    expect(commit.files?.map((f) => f.filename)).toEqual(["src/new.ts"]);
    await expect(octokit.rest.repos.getCommit({ ...repo, ref: "nope" })).rejects.toMatchObject({ status: 404 });

    const main = fake.state.ref("acme/widgets", "main");
    const ahead = (await octokit.rest.repos.compareCommitsWithBasehead({ ...repo, basehead: "main...feature" })).data;
    expect(ahead).toMatchObject({ status: "ahead", ahead_by: 2, behind_by: 0, total_commits: 2, merge_base_commit: { sha: main }, base_commit: { sha: main } });
    expect(ahead.files?.map((f) => [f.filename, f.status])).toEqual([["README.md", "modified"], ["src/new.ts", "added"]]);
    fake.setFile("acme/widgets", "main.txt", "m\n");
    const diverged = (await octokit.rest.repos.compareCommitsWithBasehead({ ...repo, basehead: "main...feature" })).data;
    expect(diverged).toMatchObject({ status: "diverged", ahead_by: 2, behind_by: 1, merge_base_commit: { sha: main } });
    await expect(octokit.rest.repos.compareCommitsWithBasehead({ ...repo, basehead: "main...nope" })).rejects.toMatchObject({ status: 404 });
  });
});

describe("fake GitHub: issue comments and permissions", () => {
  it("gets, edits and deletes a comment, sending issue_comment.created/edited/deleted; fake.addComment speaks for a user", async () => {
    const { fake, octokit, installation } = await seeded();
    await octokit.rest.issues.create({ ...repo, title: "Broken" });
    const c = fake.addComment("acme/widgets", 1, { user: "octocat", body: "/agent fix it" });
    expect(c).toMatchObject({ body: "/agent fix it", user: { login: "octocat", type: "User" }, author_association: "NONE" });
    expect((await octokit.rest.issues.getComment({ ...repo, comment_id: c.id })).data.body).toBe("/agent fix it");
    const mine = (await octokit.rest.issues.createComment({ ...repo, issue_number: 1, body: "Working on it" })).data;
    const edited = (await octokit.rest.issues.updateComment({ ...repo, comment_id: mine.id, body: "Done: #2" })).data;
    expect(edited).toMatchObject({ id: mine.id, body: "Done: #2" });
    expect((await octokit.rest.issues.deleteComment({ ...repo, comment_id: c.id })).status).toBe(204);
    await expect(octokit.rest.issues.getComment({ ...repo, comment_id: c.id })).rejects.toMatchObject({
      status: 404,
      response: { data: { documentation_url: "https://docs.github.com/rest/issues/comments#get-an-issue-comment" } },
    });
    expect(fake.state.comments("acme/widgets", 1).map((x) => x.body)).toEqual(["Done: #2"]);
    expect(fake.state.issue("acme/widgets", 1)?.comments).toBe(1);
    await fake.idle();
    expect(events(fake, "issue_comment")).toEqual(["created", "created", "edited", "deleted"]);
    expect(fake.deliveries[1]?.request.payload).toMatchObject({ sender: { login: "octocat" }, comment: { id: c.id } });
    expect(fake.deliveries.find((d) => d.action === "edited")?.request.payload).toMatchObject({ changes: { body: { from: "Working on it" } }, comment: { body: "Done: #2" } });

    const readOnly = tokenOctokit(fake, await installationToken(fake, installation.id, { permissions: { issues: "read" } }));
    expect((await readOnly.rest.issues.getComment({ ...repo, comment_id: mine.id })).status).toBe(200);
    await expect(readOnly.rest.issues.updateComment({ ...repo, comment_id: mine.id, body: "x" })).rejects.toMatchObject({ status: 403 });
  });

  it("answers a user's permission: the owner admin, fake.setPermission, read or none by visibility, 404 for no such user", async () => {
    const { fake, octokit } = await seeded();
    fake.addRepo({ owner: "acme", name: "secret", private: true });
    fake.addUser({ login: "octocat" });
    const level = async (username: string, name = "widgets") => (await octokit.rest.repos.getCollaboratorPermissionLevel({ owner: "acme", repo: name, username })).data;
    expect(await level("acme")).toMatchObject({ permission: "admin", role_name: "admin", user: { login: "acme", permissions: { admin: true, push: true } } });
    expect((await level("octocat")).permission).toBe("read");
    expect((await level("octocat", "secret")).permission).toBe("none");
    fake.setPermission("acme/widgets", "octocat", "write");
    expect(await level("octocat")).toMatchObject({ permission: "write", user: { permissions: { admin: false, push: true, pull: true } } });
    fake.setPermission("acme/widgets", "mallory", "none");
    expect((await level("mallory")).permission).toBe("none");
    await expect(level("nobody")).rejects.toMatchObject({
      status: 404,
      response: { data: { message: "nobody is not a user", documentation_url: "https://docs.github.com/rest/collaborators/collaborators#get-repository-permissions-for-a-user" } },
    });
    fake.addComment("acme/widgets", fake.addIssue("acme/widgets", { title: "x" }).number, { user: "octocat", body: "hi" });
    expect(fake.state.comments("acme/widgets")[0]?.author_association).toBe("COLLABORATOR");
  });
});
