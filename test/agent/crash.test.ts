import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, watch, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { afterEach, describe, expect, it } from "vitest";
import { running } from "../support/proc.js";
import { createFakeGitHub, fakeAgent, findExample, type FakeGitHub } from "../../src/testing/index.js";

const REPO = "acme/widgets";
const MAIN = join(process.cwd(), "dist", "cli", "main.js");
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** Resolves once `path` exists with content (watching its directory, no polling). */
function fileExists(path: string): Promise<void> {
  const ready = () => existsSync(path) && readFileSync(path).length > 0;
  return new Promise((resolve) => {
    const watcher = watch(dirname(path), () => {
      if (ready()) {
        watcher.close();
        resolve();
      }
    });
    if (ready()) {
      watcher.close();
      resolve();
    }
  });
}

/** `hookyard serve` as a real process; `line(re)` resolves on the first stdout line matching. */
function serve(env: NodeJS.ProcessEnv): { child: ChildProcess; line: (re: RegExp) => Promise<string> } {
  const child = spawn(process.execPath, [MAIN, "serve"], { env, stdio: ["ignore", "pipe", "pipe"] });
  const seen: string[] = [];
  const waiters: { re: RegExp; resolve: (l: string) => void }[] = [];
  createInterface({ input: child.stdout! }).on("line", (l) => {
    seen.push(l);
    for (const w of waiters.filter((x) => x.re.test(l))) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve(l);
    }
  });
  child.stderr!.resume();
  cleanups.push(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  });
  return {
    child,
    line: (re) => new Promise((resolve) => {
      const hit = seen.find((l) => re.test(l));
      if (hit) resolve(hit);
      else waiters.push({ re, resolve });
    }),
  };
}

function labelled(fake: FakeGitHub, repo: { id: number; owner: string; name: string }, issue: number): Record<string, unknown> {
  const p = structuredClone(findExample("issues.labeled").payload) as Record<string, any>;
  p.repository = { ...p.repository, id: repo.id, name: repo.name, full_name: REPO, default_branch: "main", clone_url: `${fake.gitUrl}/${REPO}.git`, owner: { ...p.repository.owner, login: repo.owner } };
  p.issue = { ...p.issue, number: issue, title: "Fix the README", body: "In the README, 'small' should be 'tiny'.", labels: [{ name: "agent" }] };
  p.label = { name: "agent" };
  p.sender = { ...p.sender, login: "octocat", type: "User" };
  return p;
}

describe("agent workflow across a kill -9", () => {
  it("resumes after the server is killed mid-run: one pull request, one comment, the orphaned agent killed, no workspace left", { timeout: 120_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), "hookyard-agent-crash-"));
    const work = join(dir, "tmp");
    mkdirSync(work);
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const fake = await createFakeGitHub();
    cleanups.push(() => fake.close());
    const repo = fake.addRepo({ owner: "acme", name: "widgets", files: { "README.md": "# widgets\n\nA small project.\n" } });
    const installation = fake.addInstallation({ account: "acme" });
    const issue = fake.addIssue(REPO, { title: "Fix the README", body: "In the README, 'small' should be 'tiny'.", labels: ["agent"] }).number;
    const started = join(dir, "started");
    const go = join(dir, "go");
    const agent = fakeAgent([{ touch: started }, { waitForFile: go }, { applyFromTask: true }, { result: { title: "Say tiny" } }]);
    cleanups.push(() => agent.remove());
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH, TMPDIR: work, HOST: "127.0.0.1", PORT: "0", LOG_LEVEL: "info",
      WEBHOOK_SECRET: fake.webhookSecret, APP_ID: String(fake.appId), PRIVATE_KEY: fake.privateKey,
      HOOKYARD_GITHUB_API_URL: fake.url, HOOKYARD_GIT_URL: fake.gitUrl, HOOKYARD_STORE: `sqlite:${join(dir, "h.db")}`,
      HOOKYARD_LEASE: "1s", HOOKYARD_POLL_INTERVAL: "100ms", HOOKYARD_REDELIVERY_INTERVAL: "0",
      HOOKYARD_AGENT_COMMAND: JSON.stringify(agent.command), HOOKYARD_AGENT_REVIEW_DEBOUNCE: "0",
    };

    const first = serve(env);
    const url = (await first.line(/hookyard listening on/)).match(/listening on (\S+)/)![1]!;
    fake.setWebhookUrl(`${url}/api/github/webhooks`);
    await fake.sendWebhook("issues", labelled(fake, repo, issue), { installationId: installation.id });
    await fileExists(started);
    const orphan = Number(readFileSync(started, "utf8"));
    expect(readdirSync(work).filter((n) => n.startsWith("hookyard-agent-"))).toHaveLength(1);
    first.child.kill("SIGKILL");
    await new Promise((r) => first.child.once("exit", r));
    rmSync(started);

    const second = serve(env);
    const url2 = (await second.line(/hookyard listening on/)).match(/listening on (\S+)/)![1]!;
    fake.setWebhookUrl(`${url2}/api/github/webhooks`);
    await fileExists(started); // the task's lease lapsed and it runs again
    expect(Number(readFileSync(started, "utf8"))).not.toBe(orphan);
    expect(running(orphan)).toBe(false); // the sweep at start killed the first run's agent
    writeFileSync(go, randomUUID());
    await second.line(/pull request #\d+ ready/);
    await fake.idle();

    expect(fake.state.pulls(REPO)).toHaveLength(1);
    const comments = fake.state.comments(REPO, issue);
    expect(comments).toHaveLength(1);
    expect(comments[0]!.body).toContain("resumed by task");
    expect(fake.state.file(REPO, "README.md", `agent/issue-${issue}`)).toBe("# widgets\n\nA tiny project.\n");
    second.child.kill("SIGTERM");
    await new Promise((r) => second.child.once("exit", r));
    expect(readdirSync(work).filter((n) => n.startsWith("hookyard-agent-"))).toEqual([]);
  });
});
