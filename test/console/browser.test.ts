// The web console in real headless Chromium (Debian's `chromium`, driven by playwright-core)
// against a real Hookyard on SQLite: log in, find and retry a failed task, bulk retry, replay,
// and the refusal of an unauthenticated caller from another machine.
import { networkInterfaces } from "node:os";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium } from "../../console/chromium.mjs";
import { UnrecoverableError } from "../../src/steering/steer.js";
import { api, example, nextOutcome, post, startApp, stopApps, type StartedApp } from "../support/app.js";

const TOKEN = "console-browser-token-0123456789";
const auth = { headers: { authorization: `Bearer ${TOKEN}` } };

let s: StartedApp;
let chromium: Awaited<ReturnType<typeof launchChromium>>;
let page: Page;
const broken = { flaky: true, fragile: true };
/** While set, the flaky handler waits for it: the page must see the task running, then completed. */
let gate: Promise<void> | undefined;

/** Sends a real example and resolves once its task of `name` has failed. */
async function failing(name: "flaky" | "fragile", exampleName: string): Promise<{ delivery: string; task: string }> {
  const d = example(exampleName, { secret: s.secret });
  const outcome = nextOutcome(s.app, (t) => t.deliveryId === d.id && t.name === name);
  expect((await post(s.url, d)).status).toBe(202);
  const o = await outcome;
  expect(o.kind).toBe("failed");
  return { delivery: d.id, task: o.task.id };
}

async function taskState(id: string): Promise<string> {
  return (await api(s.base, `/api/v1/tasks/${id}`, auth)).body.state;
}

function lanAddress(): string {
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (a.family === "IPv4" && !a.internal) return a.address;
  }
  throw new Error("this machine has no non-loopback IPv4 address to reach the server from");
}

beforeAll(async () => {
  s = await startApp((app) => {
    app.on("issues.labeled", async () => {
      if (broken.flaky) throw new UnrecoverableError("flaky broke: the label service is down");
      await gate;
    }, { name: "flaky", retries: 0 });
    app.on("push", async () => {
      if (broken.fragile) throw new Error("fragile broke: deploy hook answered 502");
    }, { name: "fragile", retries: 0 });
  }, { apiToken: TOKEN });
  chromium = await launchChromium();
  page = await chromium.browser.newPage();
  page.setDefaultTimeout(10_000);
});

afterAll(async () => {
  await chromium?.close();
  await stopApps();
});

describe("console in Chromium", () => {
  it("logs in with the token, finds a failed task by filter, reads its error, retries it and sees it complete without a reload", async () => {
    const { task } = await failing("flaky", "issues.labeled");
    await failing("fragile", "push"); // another failed task, which the filter must leave out

    await page.goto(`${s.base}/console/`);
    await page.getByLabel("API token").fill("not-the-token-0123456789");
    await page.getByRole("button", { name: "Log in" }).click();
    await expect.poll(() => page.getByRole("alert").textContent()).toContain("That token was refused");
    await page.getByLabel("API token").fill(TOKEN);
    await page.getByRole("button", { name: "Log in" }).click();
    await page.locator("[data-live=live]").waitFor();

    await page.getByRole("link", { name: "Tasks", exact: true }).click();
    await page.getByLabel("State").selectOption("failed");
    await page.getByLabel("Handler").fill("flaky");
    await page.getByRole("button", { name: "Filter" }).click();
    const rows = page.locator("tr[data-task]");
    await expect.poll(() => rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-task")))).toEqual([task]);

    await rows.first().getByRole("link").click();
    await page.getByRole("heading", { name: "Last error" }).waitFor();
    expect(await page.locator(".error-message").first().textContent()).toContain("flaky broke: the label service is down");
    expect(await page.locator(".stack").first().textContent()).toContain("UnrecoverableError");

    await page.evaluate(() => ((globalThis as unknown as { notReloaded: boolean }).notReloaded = true));
    broken.flaky = false;
    let open = () => {};
    gate = new Promise<void>((resolve) => (open = resolve));
    await page.getByRole("button", { name: "Retry" }).click();
    await page.locator("h1 [data-state=running]").waitFor();
    open(); // nothing but the live stream can tell the page what happens now
    await page.locator("h1 [data-state=completed]").waitFor();
    expect(await page.evaluate(() => (globalThis as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
    expect(await taskState(task)).toBe("completed");
    expect(await page.locator("[data-attempt]").count()).toBe(2);
  });

  it("retries every failed task of a handler at once", async () => {
    const failed = [await failing("fragile", "push"), await failing("fragile", "push")];
    broken.fragile = false;
    await page.getByRole("link", { name: "Failed", exact: true }).click();
    await page.getByLabel("Handler").fill("fragile");
    await page.getByRole("button", { name: "Filter" }).click();
    // the two new ones and the one left from the first test
    await expect.poll(() => page.locator("tr[data-task]").count()).toBe(3);
    await page.getByRole("button", { name: "Retry all failed fragile" }).click();
    await expect.poll(() => page.getByRole("status").textContent()).toBe("Retried 3 tasks");
    await page.getByText("No tasks match.").waitFor(); // the list empties by itself as they complete
    for (const f of failed) await expect.poll(() => taskState(f.task)).toBe("completed");
  });

  it("replays a delivery found by its id", async () => {
    const d = example("issues.labeled", { secret: s.secret });
    const done = nextOutcome(s.app, (t) => t.deliveryId === d.id);
    await post(s.url, d);
    await done;
    await page.getByRole("link", { name: "Deliveries", exact: true }).click();
    await page.getByLabel("Delivery id").fill(d.id);
    await page.getByRole("button", { name: "Open" }).click();
    await page.getByRole("heading", { name: "Tasks (1)" }).waitFor();
    await page.getByRole("button", { name: "Replay" }).click();
    await expect.poll(() => page.getByRole("status").textContent()).toBe("Replayed: 1 new task");
    await page.getByRole("heading", { name: "Tasks (2)" }).waitFor();
    expect((await api(s.base, `/api/v1/deliveries/${d.id}`, auth)).body.tasks).toHaveLength(2);
  });

  it("shows the agent workflow's runs with their pull request", async () => {
    const run = { repo: "acme/widgets", issue: 7, branch: "agent/issue-7", stage: "pr-open", prNumber: 19, fixAttempts: 2, costUsd: 0.25, lastError: null, taskId: null, history: [{ at: Date.now(), stage: "pr-open", note: "opened pull request #19" }], startedAt: Date.now() };
    await s.app.store.putRecord("agent-run", "acme/widgets#7", run, 0);
    await page.getByRole("link", { name: "Agent runs" }).click();
    const row = page.locator("tr[data-run='acme/widgets#7']");
    await row.waitFor();
    expect(await row.getByRole("link", { name: "#19" }).getAttribute("href")).toBe("https://github.com/acme/widgets/pull/19");
    expect(await row.textContent()).toContain("opened pull request #19");
  });

  it("refuses an unauthenticated caller from another machine when no token is set, and answers loopback", async () => {
    const open = await startApp(undefined, { host: "0.0.0.0" });
    const port = new URL(open.base).port;
    await page.evaluate(() => (globalThis as unknown as { sessionStorage: { clear(): void } }).sessionStorage.clear());
    await page.goto(`http://${lanAddress()}:${port}/console/`);
    await page.getByText("the console answers callers on its own machine (loopback) only").waitFor();
    expect(await page.getByRole("alert").textContent()).toContain("only loopback callers are answered");
    const status = await page.evaluate(async () => (await fetch("/api/v1/tasks")).status);
    expect(status).toBe(401);

    await page.goto(`http://127.0.0.1:${port}/console/`);
    await page.locator("[data-card='Queue depth']").waitFor();
    expect(await page.evaluate(async () => (await fetch("/api/v1/tasks")).status)).toBe(200);
  });
});
