// Seeds a Hookyard (SQLite in a temp dir) with realistic traffic — real example payloads from
// hookyard/testing, handlers that succeed, retry and fail, agent-run records — and writes
// screenshots of the console's main pages to docs/images/console-*.png with headless Chromium.
//   npm run build && node scripts/console-screenshots.mjs
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Hookyard, UnrecoverableError } from "../dist/index.js";
import { findExample, postDelivery, signedDelivery } from "../dist/testing/index.js";
import { taskId } from "../dist/tasks/ids.js";
import { launchChromium } from "../console/chromium.mjs";

const out = (name) => fileURLToPath(new URL(`../docs/images/console-${name}.png`, import.meta.url));
const TOKEN = "screenshot-token-0123456789";
const dir = mkdtempSync(join(tmpdir(), "hookyard-shots-"));
const secret = "screenshot-secret";

const app = new Hookyard({ webhookSecret: secret, store: `sqlite:${join(dir, "h.db")}`, port: 0, host: "127.0.0.1", logLevel: "silent", env: {}, apiToken: TOKEN, githubWebUrl: "https://github.com" });
app.on("issues", async () => undefined, { name: "triage" });
app.on("issues.labeled", async (ctx) => {
  const label = ctx.payload.label?.name ?? "";
  if (label === "bug") throw new UnrecoverableError(`label sync refused: the "needs-triage" label is missing in ${ctx.payload.repository.full_name}`);
}, { name: "label-sync", retries: 0 });
app.on("pull_request", async () => undefined, { name: "pr-checks" });
app.on("push", async () => {
  throw new Error("deploy webhook answered 502 Bad Gateway");
}, { name: "deploy-preview", retries: 0 });
app.on("check_run", async () => undefined, { name: "ci-report" });
await app.start();
const base = app.url;
const hook = `${base}${app.config.webhookPath}`;

// the last hour's traffic, stored as ingress would have (so the per-minute chart has a history)
const HISTORY = ["issues.opened", "issues.labeled", "pull_request.opened", "push", "check_run.completed", "pull_request.synchronize", "issues.closed"];
const names = { issues: "triage", pull_request: "pr-checks", check_run: "ci-report" };
const ages = Array.from({ length: 160 }, (_, i) => (Math.floor(Math.pow(((i * 37) % 160) / 160, 0.7) * 57) + 2) * 60_000 + ((i * 7919) % 60_000)).sort((a, b) => b - a);
for (const [i, age] of ages.entries()) {
  const { event, action, payload } = findExample(HISTORY[(i * 7 + (i % 3)) % HISTORY.length]);
  const name = names[event];
  await app.store.accept({
    id: randomUUID(), event, action, repository: payload.repository?.full_name ?? null, installationId: payload.installation?.id ?? null,
    headers: { "content-type": "application/json", "x-github-event": event, "user-agent": "GitHub-Hookshot/8c3a1f2", "x-hub-signature-256": "[redacted]" },
    body: Buffer.from(JSON.stringify(payload)), contentType: "application/json", receivedAt: Date.now() - age,
  }, name ? [{ id: taskId(), name, maxAttempts: 4, backoff: { type: "exponential", delay: 1000, maxDelay: 60_000, jitter: "full" }, timeoutMs: 600_000 }] : []);
}
// and the last minutes' deliveries, through the real webhook route
for (const name of ["issues.opened", "issues.labeled", "pull_request.opened", "push", "issues.labeled", "star.created", "issues.edited", "push", "pull_request.closed", "issues.labeled"]) {
  const { event, payload } = findExample(name);
  const res = await postDelivery(hook, signedDelivery(event, payload, { secret }));
  if (res.status !== 202) throw new Error(`delivery answered ${res.status}`);
}
const settled = async () => {
  for (;;) {
    const c = await app.store.countTasks();
    if (c.queued + c.running + c.retrying === 0) return;
    await new Promise((r) => setTimeout(r, 100));
  }
};
await settled();

const run = (repo, issue, stage, extra) => ({
  repo, repositoryId: 1, installationId: 1, issue, branch: `agent/issue-${issue}`, stage, taskId: null, runId: randomUUID(), commentId: 1, prNumber: null,
  checkRunId: null, headSha: null, fixAttempts: 0, fixedShas: [], answered: [], askedForPerson: false, costUsd: 0, lastError: null,
  history: [{ at: Date.now() - 3_600_000, stage: "starting", note: "triggered by the agent label" }], startedAt: Date.now() - 3_600_000, ...extra,
});
const runs = [
  run("acme/widgets", 41, "pr-open", { prNumber: 57, costUsd: 0.42, history: [{ at: Date.now() - 600_000, stage: "pr-open", note: "opened pull request #57" }] }),
  run("acme/widgets", 38, "fixing", { prNumber: 52, fixAttempts: 2, costUsd: 1.18, history: [{ at: Date.now() - 120_000, stage: "fixing", note: "CI failed on 4e1c2ab: fixing (attempt 2 of 3)" }] }),
  run("acme/api", 112, "no-changes", { costUsd: 0.09, history: [{ at: Date.now() - 7_200_000, stage: "no-changes", note: "the agent changed nothing" }] }),
  run("acme/api", 109, "failed", { costUsd: 0.31, lastError: "git push was refused: protected branch hook declined" }),
];
for (const r of runs) await app.store.putRecord("agent-run", `${r.repo}#${r.issue}`, r, 0);

const { browser, close } = await launchChromium();
try {
  const page = await browser.newPage({ viewport: { width: 1360, height: 860 }, deviceScaleFactor: 1 });
  await page.goto(`${base}/console/`);
  await page.getByLabel("API token").fill(TOKEN);
  await page.getByRole("button", { name: "Log in" }).click();
  await page.locator("[data-live=live]").waitFor();
  await page.locator("[data-card='Queue depth']").waitFor();
  await page.screenshot({ path: out("overview") });
  await page.getByRole("link", { name: "Deliveries", exact: true }).click();
  await page.locator("[data-delivery]").first().waitFor();
  await page.screenshot({ path: out("deliveries") });
  await page.getByRole("link", { name: "Failed", exact: true }).click();
  await page.locator("[data-task]").first().waitFor();
  await page.screenshot({ path: out("failed") });
  await page.locator("[data-task] a").first().click();
  await page.getByRole("heading", { name: "Attempts" }).waitFor();
  await page.screenshot({ path: out("task"), fullPage: true });
  await page.locator("a[href^='#/deliveries/']").first().click();
  await page.getByRole("button", { name: "Replay" }).waitFor();
  await page.screenshot({ path: out("delivery"), fullPage: true });
  await page.getByRole("link", { name: "Agent runs" }).click();
  await page.locator("[data-run]").first().waitFor();
  await page.screenshot({ path: out("agent-runs") });
  console.log("wrote docs/images/console-{overview,deliveries,failed,task,delivery,agent-runs}.png");
} finally {
  await close();
  await app.stop();
  rmSync(dir, { recursive: true, force: true });
}
