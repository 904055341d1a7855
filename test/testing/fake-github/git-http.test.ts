import { existsSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { cleanupGit, gitClient, installationToken } from "./git-support.js";
import { cleanup, seeded, startReceiver, tokenOctokit } from "./support.js";

afterEach(async () => {
  await cleanup();
  cleanupGit();
});

const repo = { owner: "acme", repo: "widgets" };
const ZERO = "0".repeat(40);
const decode = (b64: string) => Buffer.from(b64, "base64").toString("utf8");
const gitRequests = (fake: { requests: readonly { path: string; method: string; status: number }[] }) =>
  fake.requests.filter((r) => r.path.startsWith("/acme/")).map((r) => `${r.method} ${r.path} ${r.status}`);

describe("fake GitHub: git over HTTP", () => {
  it("clones with an installation token (GIT_ASKPASS), pushes a new branch: the API sees git's own SHA, a push webhook tells", async () => {
    const secret = "push-secret";
    const receiver = await startReceiver(secret);
    const { fake, installation } = await seeded({ webhookUrl: receiver.url, webhookSecret: secret });
    const token = await installationToken(fake, installation.id);
    const api = tokenOctokit(fake, token);
    const { clone_url } = (await api.rest.repos.get(repo)).data;
    expect(fake.gitUrl).toBe(fake.url);
    expect(clone_url).toBe(`${fake.url}/acme/widgets.git`);

    const g = gitClient(token);
    await g.ok(["clone", clone_url, "w"]);
    const w = g.dir("w");
    expect(await g.ok(["rev-parse", "HEAD"], w)).toBe(fake.state.ref("acme/widgets", "main"));
    expect(await g.ok(["show", "HEAD:README.md"], w)).toBe("# widgets");
    await g.ok(["checkout", "-b", "agent/issue-1"], w);
    g.write(w, "fix.txt", "fixed\n");
    await g.ok(["add", "fix.txt"], w);
    await g.ok(["commit", "-m", "Fix the widget"], w);
    const sha = await g.ok(["rev-parse", "HEAD"], w);
    await g.ok(["push", "origin", "agent/issue-1"], w);

    expect((await api.rest.git.getRef({ ...repo, ref: "heads/agent/issue-1" })).data.object.sha).toBe(sha);
    const file = (await api.rest.repos.getContent({ ...repo, path: "fix.txt", ref: "agent/issue-1" })).data as { content: string };
    expect(decode(file.content)).toBe("fixed\n");
    expect(fake.state.branch("acme/widgets", "agent/issue-1")).toMatchObject({
      sha,
      message: "Fix the widget",
      author: { name: "Agent", email: "agent@example.com" },
      changes: { added: ["fix.txt"], removed: [], modified: [] },
    });
    const commit = (await api.rest.repos.getCommit({ ...repo, ref: sha })).data;
    expect(commit.files).toMatchObject([{ filename: "fix.txt", status: "added", additions: 1, deletions: 0, patch: "@@ -0,0 +1 @@\n+fixed" }]);

    await fake.idle();
    const push = receiver.received.find((r) => r.headers["x-github-event"] === "push");
    expect(push?.signature).toBe("ok");
    expect(push?.payload).toMatchObject({
      ref: "refs/heads/agent/issue-1",
      before: ZERO,
      after: sha,
      created: true,
      deleted: false,
      forced: false,
      commits: [{ id: sha, message: "Fix the widget", added: ["fix.txt"], author: { name: "Agent", email: "agent@example.com" } }],
      head_commit: { id: sha },
      pusher: { name: `${fake.slug}[bot]` },
      sender: { login: `${fake.slug}[bot]` },
      installation: { id: installation.id },
      repository: { full_name: "acme/widgets", clone_url, owner: { login: "acme" } },
    });

    const log = gitRequests(fake);
    expect(log.slice(0, 2)).toEqual(["GET /acme/widgets.git/info/refs 401", "GET /acme/widgets.git/info/refs 200"]);
    expect(log).toContain("POST /acme/widgets.git/git-upload-pack 200");
    expect(log).toContain("POST /acme/widgets.git/git-receive-pack 200");
    expect(fake.requests.find((r) => r.path.endsWith("/git-receive-pack"))).toMatchObject({ auth: "installation", authenticated: true, installationId: installation.id });
    expect(JSON.stringify(fake.requests)).not.toContain(token);
  });

  it("a push to a pull request's head moves its head sha and sends pull_request.synchronize", async () => {
    const { fake, installation, octokit } = await seeded();
    fake.addBranch("acme/widgets", "feature");
    fake.setFile("acme/widgets", "a.txt", "one\n", { branch: "feature" });
    const pr = (await octokit.rest.pulls.create({ ...repo, title: "Feature", head: "feature", base: "main" })).data;
    const g = gitClient(await installationToken(fake, installation.id));
    await g.ok(["clone", "--branch", "feature", `${fake.gitUrl}/acme/widgets.git`, "w"]);
    const w = g.dir("w");
    g.write(w, "a.txt", "one\ntwo\n");
    await g.ok(["commit", "-am", "Two"], w);
    const sha = await g.ok(["rev-parse", "HEAD"], w);
    await g.ok(["push", "origin", "HEAD:feature"], w);

    expect((await octokit.rest.pulls.get({ ...repo, pull_number: pr.number })).data.head.sha).toBe(sha);
    await fake.idle();
    const sync = fake.deliveries.find((d) => d.event === "pull_request" && d.action === "synchronize");
    expect(sync?.request.payload).toMatchObject({ number: pr.number, before: pr.head.sha, after: sha, pull_request: { head: { ref: "feature", sha } } });
    const push = fake.deliveries.find((d) => d.event === "push");
    expect(push?.request.payload).toMatchObject({ ref: "refs/heads/feature", before: pr.head.sha, after: sha, created: false, commits: [{ id: sha, modified: ["a.txt"] }] });
    const files = (await octokit.rest.pulls.listFiles({ ...repo, pull_number: pr.number })).data;
    expect(files).toMatchObject([{ filename: "a.txt", status: "added", additions: 2, patch: "@@ -0,0 +1,2 @@\n+one\n+two" }]);
  });

  it("fetches what the API committed, with a gzip'd negotiation", async () => {
    const { fake, installation, octokit } = await seeded();
    const g = gitClient(await installationToken(fake, installation.id));
    await g.ok(["clone", `${fake.gitUrl}/acme/widgets.git`, "w"]);
    const w = g.dir("w");
    // many "have" lines, all newer than the common commit, so the negotiation sends them before it (and gzips the request)
    const later = (i: number) => `${Math.floor(Date.now() / 1000) + 3600 + i} +0000`;
    for (let i = 0; i < 40; i++) await g.ok(["commit", "--allow-empty", "-m", `local ${i}`], w, { GIT_COMMITTER_DATE: later(i), GIT_AUTHOR_DATE: later(i) });
    const put = await octokit.rest.repos.createOrUpdateFileContents({ ...repo, path: "docs/api.md", message: "From the API", content: Buffer.from("api\n").toString("base64") });
    await g.ok(["fetch", "origin"], w);
    expect(await g.ok(["rev-parse", "origin/main"], w)).toBe(put.data.commit.sha);
    expect(await g.ok(["show", "origin/main:docs/api.md"], w)).toBe("api");
    expect(await g.ok(["log", "-1", "--format=%an <%ae>", "origin/main"], w)).toBe(`${fake.slug}[bot] <${fake.state.commit("acme/widgets")?.author.email}>`);
    const gzipped = fake.requests.filter((r) => r.path.endsWith("/git-upload-pack") && r.headers["content-encoding"] === "gzip");
    expect(gzipped.length).toBeGreaterThan(0);
    expect(gzipped.every((r) => r.status === 200)).toBe(true);
  });

  it("refuses anonymous callers, unknown tokens and passwords (401), a token narrowed to another repository (404), a read-only push (403)", async () => {
    const { fake, installation } = await seeded();
    fake.addRepo({ owner: "acme", name: "other" });
    const url = `${fake.gitUrl}/acme/widgets.git`;
    for (const secret of [undefined, `ghs_${"x".repeat(36)}`, "hunter2"]) {
      const r = await gitClient(secret).git(["clone", url, "w"]);
      expect(r.code).not.toBe(0);
    }
    expect(new Set(gitRequests(fake))).toEqual(new Set(["GET /acme/widgets.git/info/refs 401"]));

    const narrowed = await installationToken(fake, installation.id, { repositories: ["other"] });
    const n = gitClient(narrowed);
    const refused = await n.git(["clone", url, "w"]);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain("Repository not found.");
    await n.ok(["clone", `${fake.gitUrl}/acme/other.git`, "o"]);

    const readOnly = await installationToken(fake, installation.id, { permissions: { contents: "read" } });
    const ro = gitClient(readOnly);
    await ro.ok(["clone", url, "w"]);
    const w = ro.dir("w");
    const before = fake.state.ref("acme/widgets", "main");
    await ro.ok(["commit", "--allow-empty", "-m", "nope"], w);
    const push = await ro.git(["push", "origin", "HEAD:main"], w);
    expect(push.code).not.toBe(0);
    expect(push.stderr).toContain(`Permission to acme/widgets.git denied to ${fake.slug}[bot].`);
    expect(fake.state.ref("acme/widgets", "main")).toBe(before);
    expect(gitRequests(fake)).toContain("GET /acme/widgets.git/info/refs 404");
    expect(gitRequests(fake)).toContain("GET /acme/widgets.git/info/refs 403");

    fake.clock.advance(3600_000); // the token expired: unknown again
    expect((await gitClient(narrowed).git(["clone", `${fake.gitUrl}/acme/other.git`, "o"])).code).not.toBe(0);
    expect(gitRequests(fake).at(-1)).toBe("GET /acme/other.git/info/refs 401");
    const log = JSON.stringify(fake.requests);
    for (const t of [narrowed, readOnly]) expect(log).not.toContain(t);
  });

  it("keeps each repository in a real bare repository that fake.close() removes", async () => {
    const { fake } = await seeded();
    const dir = fake.state.gitDir("acme/widgets");
    const g = gitClient(undefined);
    const head = fake.state.ref("acme/widgets", "main");
    expect(await g.ok(["--git-dir", dir, "rev-parse", "main"])).toBe(head);
    expect(await g.ok(["--git-dir", dir, "fsck", "--strict", "--no-dangling"])).toBe("");
    await fake.close();
    expect(existsSync(dir)).toBe(false);
  });
});
