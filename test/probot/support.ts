/** Helpers for the Probot compatibility tests: people acting on the fake GitHub, and `hookyard serve` processes on it. */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Octokit as Core } from "@octokit/core";
import { restEndpointMethods } from "@octokit/plugin-rest-endpoint-methods";
import { createFakeGitHub, findExample, type FakeGitHub } from "../../src/testing/index.js";
import { startServer, type Server } from "../fixtures/server.js";

export const probotApp = (path: string) => fileURLToPath(new URL(`../fixtures/probot-apps/${path}`, import.meta.url));

/**
 * The example app Probot 14 itself ships — the one code block of the installed `probot` package's
 * README — written unchanged to `<dir>/probot-readme-app.mjs`; returns its path. Read from the
 * package at test time, so the tests follow Probot's example when Probot is upgraded.
 */
export function probotReadmeApp(dir: string): string {
  const readme = readFileSync(fileURLToPath(new URL("../../node_modules/probot/README.md", import.meta.url)), "utf8");
  const code = /```js\n([\s\S]*?)```/.exec(readme)?.[1];
  if (!code?.includes("export default (app)")) throw new Error("node_modules/probot/README.md no longer has its example app");
  const file = join(dir, "probot-readme-app.mjs");
  writeFileSync(file, code);
  return file;
}

const Octokit = Core.plugin(restEndpointMethods);
export type PersonOctokit = InstanceType<typeof Octokit>;

const fakes: FakeGitHub[] = [];

/** A fake GitHub with `acme/widgets` (and `files`), `acme/.github` when given org files, and an installation on `acme`. */
export async function fakeGitHub(files: Record<string, string> = {}, orgFiles?: Record<string, string>) {
  const fake = await createFakeGitHub();
  fakes.push(fake);
  fake.addRepo({ owner: "acme", name: "widgets", files: { "README.md": "# widgets\n", ...files } });
  if (orgFiles) fake.addRepo({ owner: "acme", name: ".github", files: orgFiles });
  const installation = fake.addInstallation({ account: "acme" });
  return { fake, installation };
}

export async function closeFakes(): Promise<void> {
  await Promise.all(fakes.splice(0).map((f) => f.close()));
}

/** An Octokit acting as the person `login` (a user token from the fake's OAuth flow): what they do is sent as their webhook. */
export async function person(fake: FakeGitHub, login: string): Promise<PersonOctokit> {
  const code = fake.createOAuthCode({ login });
  const res = await fetch(`${fake.url}/login/oauth/access_token`, {
    method: "POST",
    headers: { accept: "application/json", "content-type": "application/json" },
    body: JSON.stringify({ client_id: fake.clientId, client_secret: fake.clientSecret, code }),
  });
  const { access_token: token } = (await res.json()) as { access_token: string };
  return new Octokit({ auth: token, baseUrl: fake.url });
}

/** Starts `hookyard serve <app>` as GitHub's App on the fake (its webhooks point at the server). Logs at debug. */
export async function serveOnFake(app: string | readonly string[], fake: FakeGitHub, cwd: string, env: Record<string, string> = {}): Promise<Server> {
  const server = await startServer(app, cwd, {
    APP_ID: String(fake.appId),
    PRIVATE_KEY: fake.privateKey,
    HOOKYARD_GITHUB_API_URL: fake.url,
    WEBHOOK_SECRET: fake.webhookSecret,
    HOOKYARD_STORE: `sqlite:${cwd}/hookyard.db`,
    LOG_LEVEL: "debug",
    ...env,
  });
  fake.setWebhookUrl(`${server.base}/api/github/webhooks`);
  return server;
}

/** The delivery the fake logged last for `event.action` (optionally: whose payload matches `where`); its guid is the delivery id. */
export function lastDelivery(fake: FakeGitHub, name: string, where: (payload: Record<string, any>) => boolean = () => true) {
  const [event, action] = name.split(".");
  const d = fake.deliveries.filter((x) => x.event === event && (action === undefined || x.action === action) && where(x.request.payload as Record<string, any>)).at(-1);
  if (!d) throw new Error(`the fake sent no ${name} delivery: ${fake.deliveries.map((x) => `${x.event}.${x.action}`).join(", ")}`);
  return d;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * Resolves once the server logged how the task of `handler` for delivery `id` ended (the runner's
 * debug line "task completed"); rejects with the line when the attempt failed.
 */
export async function handled(server: Server, id: string, handler: string): Promise<void> {
  const line = await server.waitForLine(new RegExp(`"delivery":"${escape(id)}".*"handler":"${escape(handler)}".*"(msg|message)":"task (completed|failed|attempt failed)`));
  if (!/"(msg|message)":"task completed"/.test(line)) throw new Error(`${handler} did not complete for ${id}: ${line}`);
}

/** A `push` to acme/<repo>'s main branch whose one commit modified `paths` (a real example payload, adapted). */
export function pushPayload(paths: string[], repo = "widgets"): Record<string, unknown> {
  const p = structuredClone(findExample("push").payload) as Record<string, unknown> & { repository: Record<string, unknown> };
  p.ref = "refs/heads/main";
  p.forced = false;
  p.repository = { ...p.repository, name: repo, full_name: `acme/${repo}`, default_branch: "main", master_branch: "main" };
  p.commits = [{ id: "b".repeat(40), message: "Update config", distinct: true, added: [], removed: [], modified: paths }];
  return p;
}
