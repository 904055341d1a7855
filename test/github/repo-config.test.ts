/**
 * ctx.config() against the fake GitHub, through a real Octokit: defaults, the owner's .github
 * repository, _extends, ETag revalidation (304s cost no rate budget), and invalidation by push.
 */
import { randomUUID } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import type { Hookyard } from "../../src/app/index.js";
import type { HookyardOctokit } from "../../src/github/octokit.js";
import { findExample, type FakeGitHub } from "../../src/testing/index.js";
import { appFor, cleanupGitHub, fakeWithRepo, send } from "./support.js";

afterEach(cleanupGitHub);

const WIDGETS = { owner: "acme", repo: "widgets" };
const CONFIG = ".github/app.yml";

/** The contents requests for `path` in `repo` (`owner/name`), oldest first. */
function contentRequests(fake: FakeGitHub, repo: string, path: string) {
  return fake.requests.filter((r) => decodeURIComponent(r.path) === `/repos/${repo}/contents/${path}`);
}

/** A `push` to acme/widgets from a real example payload: `ref`, and commits touching `paths`. */
function pushPayload(paths: string[], ref = "refs/heads/main"): Record<string, unknown> {
  const p = structuredClone(findExample("push").payload) as Record<string, unknown> & { repository: Record<string, unknown> };
  p.ref = ref;
  p.forced = false;
  p.repository = { ...p.repository, name: "widgets", full_name: "acme/widgets", default_branch: "main", master_branch: "main" };
  p.commits = [{ id: "a".repeat(40), message: "Update", distinct: true, added: [], removed: [], modified: paths }];
  return p;
}

async function setup(files: Record<string, string> = {}): Promise<{ fake: FakeGitHub; app: Hookyard; octokit: HookyardOctokit; installationId: number }> {
  const { fake, installation } = await fakeWithRepo();
  const repos = new Set(["acme/widgets"]);
  for (const [path, text] of Object.entries(files)) {
    const [owner, name, ...rest] = path.split("/");
    const repo = `${owner}/${name}`;
    if (!repos.has(repo)) fake.addRepo({ owner: owner as string, name: name as string });
    repos.add(repo);
    fake.setFile(repo, rest.join("/"), text);
  }
  const app = appFor(fake);
  return { fake, app, octokit: await app.auth(installation.id), installationId: installation.id };
}

describe("ctx.config()", () => {
  it("reads .github/<file> in a handler, deep-merged over the defaults; null without file and defaults", async () => {
    const { fake, app, installationId } = await setup({ "acme/widgets/.github/app.yml": "greeting: hello\nlabels: [bug]\nnested:\n  a: 1\n" });
    const seen: unknown[] = [];
    app.on("issues.opened", async (ctx) => {
      seen.push(await ctx.config("app.yml", { greeting: "hi", labels: ["triage"], nested: { b: 2 }, enabled: true }));
      seen.push(await ctx.config("app.yml", { labels: ["triage"] }, { arrayMerge: (_target, source) => source }));
      seen.push(await ctx.config("missing.yml"));
      seen.push(await ctx.config("missing.yml", { fallback: true }));
    });
    await app.open();
    const done = app.events.once("task:complete");
    await send(app, installationId);
    await done;
    expect(seen).toEqual([
      { greeting: "hello", labels: ["triage", "bug"], nested: { a: 1, b: 2 }, enabled: true },
      { greeting: "hello", labels: ["bug"], nested: { a: 1 } },
      null,
      { fallback: true },
    ]);
    expect(contentRequests(fake, "acme/widgets", CONFIG).every((r) => r.installationId === installationId)).toBe(true);
  });

  it("falls back to the owner's .github repository when the repository has no file", async () => {
    const { fake, app, octokit } = await setup({ "acme/.github/.github/app.yml": "from: org\n" });
    expect(await app.repoConfig.read(octokit, WIDGETS, "app.yml")).toEqual({ from: "org" });
    expect(contentRequests(fake, "acme/widgets", CONFIG).map((r) => r.status)).toEqual([404]);
    expect(contentRequests(fake, "acme/.github", CONFIG).map((r) => r.status)).toEqual([200]);
    // the repository's own file wins once it exists; the org file is then not read
    fake.setFile("acme/widgets", CONFIG, "from: repo\n");
    expect(await app.repoConfig.read(octokit, WIDGETS, "app.yml")).toEqual({ from: "repo" });
    expect(contentRequests(fake, "acme/.github", CONFIG)).toHaveLength(1);
  });

  it("follows _extends (repo, owner/repo, repo:path.yml); later files override, arrays concatenate", async () => {
    const { app, octokit } = await setup({
      "acme/widgets/.github/app.yml": "_extends: shared\nlocal: widgets\nlist: [w]\n",
      "acme/shared/.github/app.yml": "_extends: acme/base:configs/base.yml\nshared: true\nlocal: shared\nlist: [s]\n",
      "acme/base/configs/base.yml": "base: true\nlocal: base\nlist: [b]\n",
    });
    expect(await app.repoConfig.read(octokit, WIDGETS, "app.yml", { list: ["d"] })).toEqual({ base: true, shared: true, local: "widgets", list: ["d", "b", "s", "w"] });
    const files = await app.repoConfig.files(octokit, { ...WIDGETS, path: CONFIG });
    expect(files.map((f) => `${f.owner}/${f.repo}:${f.path}`)).toEqual(["acme/widgets:.github/app.yml", "acme/shared:.github/app.yml", "acme/base:configs/base.yml"]);
    expect(files.every((f) => f.config !== null && !("_extends" in f.config))).toBe(true);
  });

  it("revalidates a cached file with If-None-Match: GitHub's 304 costs no rate budget", async () => {
    const { fake, app, octokit } = await setup({ "acme/widgets/.github/app.yml": "greeting: hello\n" });
    const used = async () => (await octokit.rest.rateLimit.get()).data.resources.core.used;
    expect(await app.repoConfig.read(octokit, WIDGETS, "app.yml")).toEqual({ greeting: "hello" });
    const before = await used();
    const second = await app.repoConfig.read(octokit, WIDGETS, "app.yml");
    expect(await used()).toBe(before);
    expect(second).toEqual({ greeting: "hello" });
    const [first, again] = contentRequests(fake, "acme/widgets", CONFIG);
    expect(first).toMatchObject({ status: 200 });
    expect(first?.headers["if-none-match"]).toBeUndefined();
    expect(again).toMatchObject({ status: 304, headers: { "if-none-match": expect.stringMatching(/^W\/"/) } });
    // a caller changing what it got does not change the cache
    (second as Record<string, unknown>).greeting = "changed";
    expect(await app.repoConfig.read(octokit, WIDGETS, "app.yml")).toEqual({ greeting: "hello" });
  });

  it("a push that changes the file on the default branch drops it; other pushes keep it (no push handler needed)", async () => {
    const { fake, app, octokit } = await setup({ "acme/widgets/.github/app.yml": "greeting: hello\n" });
    await app.open();
    const read = () => app.repoConfig.read(octokit, WIDGETS, "app.yml");
    const lastRequest = () => contentRequests(fake, "acme/widgets", CONFIG).at(-1);
    await read();
    expect(app.repoConfig.size).toBe(1);

    // another path, and the file on another branch: the cache stays, the next read is a 304
    fake.addBranch("acme/widgets", "feature");
    fake.setFile("acme/widgets", CONFIG, "greeting: from a branch\n", { branch: "feature" });
    expect(await app.receive({ id: randomUUID(), name: "push", payload: pushPayload(["README.md"]) })).toBe("ignored");
    expect(await app.receive({ id: randomUUID(), name: "push", payload: pushPayload([CONFIG], "refs/heads/feature") })).toBe("ignored");
    expect(app.repoConfig.size).toBe(1);
    expect(await read()).toEqual({ greeting: "hello" });
    expect(lastRequest()).toMatchObject({ status: 304 });

    // the file changed on main: the push drops it, the next read is a full GET with the new content
    fake.setFile("acme/widgets", CONFIG, "greeting: bonjour\n");
    await app.receive({ id: randomUUID(), name: "push", payload: pushPayload([CONFIG]) });
    expect(app.repoConfig.size).toBe(0);
    expect(await read()).toEqual({ greeting: "bonjour" });
    expect(lastRequest()).toMatchObject({ status: 200 });
    expect(lastRequest()?.headers["if-none-match"]).toBeUndefined();
  });

  it("an org-level file is dropped by a push to the owner's .github repository", async () => {
    const { app, octokit } = await setup({ "acme/.github/.github/app.yml": "from: org\n" });
    await app.open();
    await app.repoConfig.read(octokit, WIDGETS, "app.yml");
    expect(app.repoConfig.size).toBe(1);
    const push = pushPayload([CONFIG]);
    push.repository = { ...(push.repository as object), name: ".github", full_name: "acme/.github" };
    await app.receive({ id: randomUUID(), name: "push", payload: push });
    expect(app.repoConfig.size).toBe(0);
  });

  it("raises HOOKYARD_ERR_CONFIG_REPO_INVALID naming the file, never the token: bad YAML, not a mapping, an _extends loop, a bad _extends", async () => {
    const { fake, app, octokit } = await setup({
      "acme/widgets/.github/bad.yml": "a: [1\nb: 2: 3\n",
      "acme/widgets/.github/list.yml": "- a\n- b\n",
      "acme/widgets/.github/loop.yml": "_extends: shared\n",
      "acme/shared/.github/loop.yml": "_extends: widgets\n",
      "acme/widgets/.github/odd.yml": "_extends: [not, a, string]\n",
    });
    const fail = (file: string) => app.repoConfig.read(octokit, WIDGETS, file).then(() => undefined, (e: Error & { code?: string }) => e);
    const bad = await fail("bad.yml");
    expect(bad).toMatchObject({ code: "HOOKYARD_ERR_CONFIG_REPO_INVALID", message: expect.stringContaining("acme/widgets:.github/bad.yml is not valid YAML") });
    expect((await fail("list.yml"))?.message).toMatch(/acme\/widgets:\.github\/list\.yml must hold a mapping/);
    const loop = await fail("loop.yml");
    expect(loop).toMatchObject({ code: "HOOKYARD_ERR_CONFIG_REPO_INVALID" });
    expect(loop?.message).toBe("acme/widgets:.github/loop.yml: _extends loop: acme/widgets:.github/loop.yml → acme/shared:.github/loop.yml → acme/widgets:.github/loop.yml");
    expect((await fail("odd.yml"))?.message).toMatch(/acme\/widgets:\.github\/odd\.yml: _extends must be/);
    const token = fake.tokensIssued[0]?.token as string;
    for (const e of [bad, loop]) expect(e?.message).not.toContain(token);
  });

  it("a handler whose config is invalid fails its attempt with the code (and retries by its policy)", async () => {
    const { app, installationId } = await setup({ "acme/widgets/.github/app.yml": "a: [1\n" });
    app.on("issues.opened", async (ctx) => void (await ctx.config("app.yml")), { retries: 0 });
    await app.open();
    const failed = app.events.once("task:failed");
    await send(app, installationId);
    expect((await failed).error.code).toBe("HOOKYARD_ERR_CONFIG_REPO_INVALID");
  });
});
