/** `hookyard redeliver` and `hookyard setup`, run as the built CLI against the fake GitHub. */
import { spawn } from "node:child_process";
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse as parseDotenv } from "dotenv";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { Hookyard } from "../../src/app/index.js";
import type { GitHubAppManifest } from "../../src/github/manifest/index.js";
import { createFakeGitHub, findExample, type FakeGitHub } from "../../src/testing/index.js";
import { CLI, freePort } from "../fixtures/server.js";
import { expectErrorLine, runCli } from "../support/cli.js";
import { removeTempDirs, tempDir } from "../support/store.js";

const fakes: FakeGitHub[] = [];
afterEach(async () => {
  await Promise.all(fakes.splice(0).map((f) => f.close()));
  removeTempDirs();
});
beforeAll(() => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first`);
});

const cli = runCli;

async function fakeWithFailures(n: number): Promise<{ fake: FakeGitHub; guids: string[]; env: Record<string, string> }> {
  const fake = await createFakeGitHub({ webhookUrl: "http://127.0.0.1:9/api/github/webhooks" });
  fakes.push(fake);
  fake.failWebhooks(true);
  const guids: string[] = [];
  for (let i = 0; i < n; i++) guids.push((await fake.sendWebhook("issues", findExample("issues.opened").payload as Record<string, unknown>)).guid);
  const env = { APP_ID: String(fake.appId), PRIVATE_KEY: fake.privateKey, HOOKYARD_GITHUB_API_URL: fake.url, HOOKYARD_STORE: "memory:" };
  return { fake, guids, env };
}

const redeliveries = (fake: FakeGitHub) => fake.requests.filter((r) => r.method === "POST" && r.path.endsWith("/attempts"));

describe("hookyard redeliver", () => {
  it("asks GitHub to redeliver what never arrived, one line per delivery and a summary", async () => {
    const { fake, guids, env } = await fakeWithFailures(2);
    const dry = await cli(["redeliver", "--since", "2h", "--dry-run"], tempDir(), env);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout.split("\n").filter((l) => l.startsWith("would redeliver "))).toEqual(guids.map((g) => `would redeliver ${g}`));
    expect(redeliveries(fake)).toHaveLength(0);

    const run = await cli(["redeliver", "--since", "2h"], tempDir(), env);
    expect(run.code, run.stderr).toBe(0);
    const lines = run.stdout.trimEnd().split("\n");
    expect(lines.slice(0, 2)).toEqual(guids.map((g) => `redelivered ${g}`));
    expect(lines[2]).toMatch(/^examined 2 attempts of 2 deliveries since \S+Z: 2 missed; 2 redelivered, 0 already stored$/);
    expect(redeliveries(fake)).toHaveLength(2);
    expect(run.stdout + run.stderr).not.toContain("PRIVATE KEY");
  });

  it("exits 2 on a bad --since, 1 without an App", async () => {
    const { env } = await fakeWithFailures(0);
    expectErrorLine(await cli(["redeliver", "--since", "soon"], tempDir(), env), 2, "HOOKYARD_ERR_CLI_USAGE");
    expectErrorLine(await cli(["redeliver", "--since", "5d"], tempDir(), env), 2, "HOOKYARD_ERR_CLI_USAGE");
    expectErrorLine(await cli(["redeliver"], tempDir(), { HOOKYARD_STORE: "memory:" }), 1, "HOOKYARD_ERR_GITHUB_NOT_CONFIGURED");
  });

  it("reads the App from .env", async () => {
    const { guids, env } = await fakeWithFailures(1);
    const dir = tempDir();
    writeFileSync(join(dir, ".env"), Object.entries(env).map(([k, v]) => `${k}="${v.trim().replace(/\n/g, "\\n")}"`).join("\n"));
    const run = await cli(["redeliver"], dir);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain(`redelivered ${guids[0]}`);
  });
});

describe("hookyard setup", () => {
  it("serves the manifest form, completes on GitHub's redirect, writes .env (0600) and exits 0; the new App authenticates", { timeout: 30_000 }, async () => {
    const fake = await createFakeGitHub();
    fakes.push(fake);
    const dir = tempDir();
    writeFileSync(join(dir, "app.env"), "# keep me\nPORT=4567\n");
    const port = await freePort();
    const child = spawn(process.execPath, [CLI, "setup", "--url", "https://hooks.example.com", "--env-file", "app.env", "--port", String(port), "--name", "cli-made"], {
      cwd: dir, env: { PATH: process.env.PATH ?? "", HOOKYARD_GITHUB_API_URL: fake.url }, stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stderr.on("data", (c: Buffer) => (stderr += c));
    const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on("data", (c: Buffer) => {
        stdout += c;
        const m = /^open (\S+) in a browser/m.exec(stdout);
        if (m) resolve(m[1]!);
      });
      void exited.then(() => reject(new Error(`setup exited early: ${stdout}${stderr}`)));
    });
    expect(url).toBe(`http://127.0.0.1:${port}/setup`);

    const html = await (await fetch(url)).text();
    const decode = (s: string) => s.replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n)));
    const action = new URL(decode(/<form action="([^"]+)"/.exec(html)![1]!));
    const manifest = JSON.parse(decode(/name="manifest" value="([^"]+)"/.exec(html)![1]!)) as GitHubAppManifest;
    expect(manifest).toMatchObject({ name: "cli-made", hook_attributes: { url: "https://hooks.example.com/api/github/webhooks" }, redirect_url: `http://127.0.0.1:${port}/setup/callback` });

    const code = fake.createManifestCode(manifest);
    const bad = await fetch(`http://127.0.0.1:${port}/setup/callback?code=${code}&state=forged`);
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { code: "HOOKYARD_ERR_SETUP_STATE_INVALID" } });
    const done = await fetch(`http://127.0.0.1:${port}/setup/callback?code=${code}&state=${action.searchParams.get("state")}`);
    expect(done.status).toBe(200);
    expect(await exited).toBe(0);

    const file = join(dir, "app.env");
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const env = parseDotenv(readFileSync(file));
    expect(stdout).toContain(`written to ${file} (mode 0600)`);
    expect(stdout).toMatch(/^install it: \S+\/installations\/new$/m);
    for (const secret of [env.PRIVATE_KEY!, env.WEBHOOK_SECRET!, env.GITHUB_CLIENT_SECRET!]) expect(stdout + stderr).not.toContain(secret.slice(0, 40));
    expect(readFileSync(file, "utf8")).toMatch(/^# keep me\nPORT=4567\nAPP_ID=\d+\nPRIVATE_KEY="-----BEGIN/);

    const app = new Hookyard({ env: { ...env, HOOKYARD_GITHUB_API_URL: fake.url }, store: "memory:", logLevel: "silent" });
    const { data } = await (await app.auth()).request("GET /app");
    expect(data).toMatchObject({ id: Number(env.APP_ID), name: "cli-made" });
    await app.stop();
  });
});
