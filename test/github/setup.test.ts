/** App-manifest setup: the manifest, the form, the callback (state, conversion), and the .env it writes. */
import { readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse as parseDotenv } from "dotenv";
import Fastify from "fastify";
import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { Hookyard } from "../../src/app/index.js";
import {
  buildManifest, completeManifestSetup, githubWebUrl, ManifestSetup, manifestFormUrl, mergeEnvText, type GitHubAppManifest,
} from "../../src/github/manifest/index.js";
import { setupRoutes } from "../../src/http/setup.js";
import { createFakeGitHub, type FakeGitHub } from "../../src/testing/index.js";
import { removeTempDirs, tempDir } from "../support/store.js";

const fakes: FakeGitHub[] = [];
const apps: Hookyard[] = [];
afterEach(async () => {
  for (const a of apps.splice(0)) await a.stop();
  await Promise.all(fakes.splice(0).map((f) => f.close()));
  removeTempDirs();
});

async function fake(): Promise<FakeGitHub> {
  const f = await createFakeGitHub();
  fakes.push(f);
  return f;
}

const manifest = (): GitHubAppManifest => buildManifest({ publicUrl: "https://hooks.example.com", webhookPath: "/api/github/webhooks", name: "my-hookyard" });

/** A Hookyard configured only from an .env file (plus the fake's API URL). */
function appFromEnvFile(file: string, f: FakeGitHub): Hookyard {
  const app = new Hookyard({ env: { ...parseDotenv(readFileSync(file)), HOOKYARD_GITHUB_API_URL: f.url }, store: "memory:", logLevel: "silent" });
  apps.push(app);
  return app;
}

const unescapeHtml = (s: string) => s.replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n)));

describe("the App manifest", () => {
  it("sends webhooks to the public URL, comes back to /setup/callback, asks for what Hookyard needs", () => {
    expect(buildManifest({ publicUrl: "https://hooks.example.com/", redirectBase: "http://localhost:3000", webhookPath: "/hooks", name: "x" })).toEqual({
      name: "x",
      url: "https://hooks.example.com",
      description: "Webhook automation on Hookyard",
      hook_attributes: { url: "https://hooks.example.com/hooks", active: true },
      redirect_url: "http://localhost:3000/setup/callback",
      public: false,
      default_permissions: { issues: "write", pull_requests: "write", checks: "write", contents: "read", metadata: "read" },
      default_events: ["issues", "issue_comment", "pull_request", "push"],
    });
  });

  it("is posted to github.com, an organization's page, or a GitHub Enterprise Server", () => {
    expect(manifestFormUrl({ webUrl: githubWebUrl("https://api.github.com"), state: "s1" })).toBe("https://github.com/settings/apps/new?state=s1");
    expect(manifestFormUrl({ webUrl: githubWebUrl("https://api.github.com"), org: "acme", state: "s1" })).toBe("https://github.com/organizations/acme/settings/apps/new?state=s1");
    expect(manifestFormUrl({ webUrl: githubWebUrl("https://ghe.example.com/api/v3/"), state: "s1" })).toBe("https://ghe.example.com/settings/apps/new?state=s1");
  });
});

describe("writing .env", () => {
  it("replaces the App's keys in place (multi-line values too), keeps other lines, appends new keys", () => {
    const before = "# mine\nPORT=4000\nexport APP_ID=1\nPRIVATE_KEY=\"-----BEGIN\nold\n-----END\"\nLOG_LEVEL=debug\nAPP_ID=2\n";
    expect(mergeEnvText(before, { APP_ID: "99", PRIVATE_KEY: "-----BEGIN\nnew\n-----END\n", WEBHOOK_SECRET: "s3cret" })).toBe(
      "# mine\nPORT=4000\nAPP_ID=99\nPRIVATE_KEY=\"-----BEGIN\\nnew\\n-----END\\n\"\nLOG_LEVEL=debug\nWEBHOOK_SECRET=s3cret\n",
    );
  });

  it("completeManifestSetup converts the code and writes the credentials (mode 0600); the App then authenticates", async () => {
    const f = await fake();
    const dir = tempDir();
    const envFile = join(dir, ".env");
    writeFileSync(envFile, "PORT=4000\nAPP_ID=1\nWEBHOOK_SECRET=old\n", { mode: 0o644 });
    const m = manifest();
    const result = await completeManifestSetup({ code: f.createManifestCode(m), baseUrl: f.url, envFile });

    expect(result).toMatchObject({ name: "my-hookyard", slug: "my-hookyard", envFile, written: ["APP_ID", "PRIVATE_KEY", "WEBHOOK_SECRET", "GITHUB_CLIENT_ID", "GITHUB_CLIENT_SECRET"] });
    expect(result.installUrl).toBe(`${result.htmlUrl}/installations/new`);
    expect(statSync(envFile).mode & 0o777).toBe(0o600);
    const text = readFileSync(envFile, "utf8");
    expect(text.split("\n").filter((l) => l.startsWith("PRIVATE_KEY="))).toHaveLength(1); // the key on one line
    const env = parseDotenv(text);
    expect(env).toMatchObject({ PORT: "4000", APP_ID: String(result.appId) });
    expect(env.WEBHOOK_SECRET).toMatch(/^[0-9a-f]{40}$/);
    expect(env.GITHUB_CLIENT_ID).toMatch(/^Iv/);
    expect(env.GITHUB_CLIENT_SECRET).toBeTruthy();
    for (const secret of [env.PRIVATE_KEY, env.WEBHOOK_SECRET, env.GITHUB_CLIENT_SECRET]) expect(JSON.stringify(result)).not.toContain(secret!.slice(0, 40)); // no secret in the result

    const app = appFromEnvFile(envFile, f);
    const { data } = await (await app.auth()).request("GET /app");
    expect(data).toMatchObject({ id: result.appId, slug: "my-hookyard" });
    expect(app.config.webhookSecret).toEqual([env.WEBHOOK_SECRET]);
  });

  it("a code works once", async () => {
    const f = await fake();
    const envFile = join(tempDir(), ".env");
    const code = f.createManifestCode(manifest());
    await completeManifestSetup({ code, baseUrl: f.url, envFile });
    await expect(completeManifestSetup({ code, baseUrl: f.url, envFile })).rejects.toMatchObject({ code: "HOOKYARD_ERR_SETUP_CODE_INVALID" });
  });
});

describe("/setup and /setup/callback", () => {
  async function server(f: FakeGitHub, envFile: string) {
    const setup = new ManifestSetup({ apiBaseUrl: f.url, webhookPath: "/api/github/webhooks", publicUrl: "https://hooks.example.com", envFile, org: "acme" });
    const completed: unknown[] = [];
    const app = Fastify();
    await app.register(setupRoutes, { setup, log: pino({ level: "silent" }), onComplete: (r) => completed.push(r) });
    return { app, setup, completed };
  }

  /** The form's action URL and its manifest, from the page. */
  function form(html: string): { action: URL; manifest: GitHubAppManifest } {
    const action = /<form action="([^"]+)" method="post">/.exec(html)?.[1];
    const value = /<input type="hidden" name="manifest" value="([^"]+)">/.exec(html)?.[1];
    if (!action || !value) throw new Error(`no manifest form in:\n${html}`);
    return { action: new URL(unescapeHtml(action)), manifest: JSON.parse(unescapeHtml(value)) as GitHubAppManifest };
  }

  it("shows a form posting the manifest to GitHub with a state; the callback checks it, writes .env, and takes each state once", async () => {
    const f = await fake();
    const envFile = join(tempDir(), ".env");
    const { app, completed } = await server(f, envFile);

    const page = await app.inject({ method: "GET", url: "/setup", headers: { host: "localhost:3000" } });
    expect(page.statusCode).toBe(200);
    expect(page.headers["content-type"]).toMatch(/^text\/html/);
    const { action, manifest: m } = form(page.body);
    expect(`${action.origin}${action.pathname}`).toBe(`${f.url}/organizations/acme/settings/apps/new`);
    const state = action.searchParams.get("state")!;
    expect(state).toMatch(/^[0-9a-f]{32}$/);
    expect(m).toMatchObject({ url: "https://hooks.example.com", hook_attributes: { url: "https://hooks.example.com/api/github/webhooks" }, redirect_url: "http://localhost:3000/setup/callback" });
    expect(page.body).toContain("&#34;default_events&#34;"); // the manifest, shown

    // what GitHub does once the user confirms: create the App, redirect with a code and the state
    const code = f.createManifestCode(m, { owner: "acme" });
    const forged = await app.inject({ method: "GET", url: `/setup/callback?code=${code}&state=not-the-state` });
    expect(forged.statusCode).toBe(400);
    expect(forged.json()).toMatchObject({ error: { code: "HOOKYARD_ERR_SETUP_STATE_INVALID" } });
    const noState = await app.inject({ method: "GET", url: `/setup/callback?code=${code}` });
    expect(noState.json()).toMatchObject({ error: { code: "HOOKYARD_ERR_SETUP_STATE_INVALID" } });

    const done = await app.inject({ method: "GET", url: `/setup/callback?code=${code}&state=${state}` });
    expect(done.statusCode, done.body).toBe(200);
    expect(done.body).toContain(envFile);
    expect(done.body).not.toMatch(/PRIVATE KEY/);
    expect(completed).toHaveLength(1);
    expect(statSync(envFile).mode & 0o777).toBe(0o600);
    const { data } = await (await appFromEnvFile(envFile, f).auth()).request("GET /app");
    expect(data).toMatchObject({ name: m.name, owner: { login: "acme" } });

    const replay = await app.inject({ method: "GET", url: `/setup/callback?code=${code}&state=${state}`, headers: { accept: "text/html" } });
    expect(replay.statusCode).toBe(400);
    expect(replay.body).toContain("HOOKYARD_ERR_SETUP_STATE_INVALID");
    // once done, /setup says so instead of offering a second App
    const after = await app.inject({ method: "GET", url: "/setup" });
    expect(after.body).toContain("GitHub App created");
    expect(after.body).not.toContain("<form");
  });

  it("answers only loopback callers, or a link with the setup token", async () => {
    const f = await fake();
    const { app, setup } = await server(f, join(tempDir(), ".env"));
    const remote = await app.inject({ method: "GET", url: "/setup", remoteAddress: "203.0.113.9" });
    expect(remote.statusCode).toBe(403);
    expect(remote.json()).toMatchObject({ error: { code: "HOOKYARD_ERR_SETUP_FORBIDDEN" } });
    expect((await app.inject({ method: "GET", url: "/setup?token=wrong", remoteAddress: "203.0.113.9" })).statusCode).toBe(403);
    expect((await app.inject({ method: "GET", url: `/setup?token=${setup.token}`, remoteAddress: "203.0.113.9" })).statusCode).toBe(200);
  });

  it("a Hookyard without an App serves /setup; with one it does not", async () => {
    const f = await fake();
    const bare = new Hookyard({ env: {}, store: "memory:", logLevel: "silent", webhookSecret: "x", port: 0, host: "127.0.0.1" });
    apps.push(bare);
    await bare.start();
    const res = await fetch(`${bare.url}/setup`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('name="manifest"');

    const configured = new Hookyard({ env: {}, store: "memory:", logLevel: "silent", webhookSecret: "x", port: 0, host: "127.0.0.1", appId: f.appId, privateKey: f.privateKey, githubApiUrl: f.url, redeliveryInterval: 0 });
    apps.push(configured);
    await configured.start();
    expect((await fetch(`${configured.url}/setup`)).status).toBe(404);
  });
});
