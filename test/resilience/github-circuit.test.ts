import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Hookyard } from "../../src/app/index.js";
import type { LifecycleEvents } from "../../src/observability/lifecycle.js";
import { createFakeGitHub, type FakeGitHub } from "../../src/testing/index.js";
import { issuePayload } from "../github/support.js";
import { pollUntil } from "../support/store.js";
import { flakyProxy, type FlakyProxy } from "./support.js";

const THRESHOLD = 3;

describe("GitHub circuit breaker", () => {
  let fake: FakeGitHub;
  let proxy: FlakyProxy;
  let app: Hookyard;
  const changes: LifecycleEvents["circuit:change"][] = [];
  let n = 0;
  const send = async () => {
    const id = `circuit-${++n}`;
    await app.receive({ id, name: "issues", payload: issuePayload(installationId) });
    return id;
  };
  let installationId = 0;
  const taskOf = async (deliveryId: string) => (await app.store.listTasks({ deliveryId })).items[0]!;
  const issueRequests = () => proxy.seen.filter((r) => r.path === "/repos/acme/widgets/issues/1");

  beforeAll(async () => {
    fake = await createFakeGitHub();
    fake.addRepo({ owner: "acme", name: "widgets" });
    installationId = fake.addInstallation({ account: "acme" }).id;
    fake.addIssue("acme/widgets", { title: "First" });
    proxy = await flakyProxy(fake.url);
    app = new Hookyard({
      store: "memory:", logLevel: "silent", webhookSecret: "x", env: {}, port: 0, host: "127.0.0.1",
      appId: fake.appId, privateKey: fake.privateKey, githubApiUrl: proxy.url, github: { throttle: false },
      githubCircuitThreshold: THRESHOLD, githubCircuitCooldown: "1s", pollInterval: "100ms",
    });
    // one GitHub call per task, without Octokit's own retries (each would wait seconds)
    app.on("issues.opened", async (ctx) => {
      await ctx.octokit.request("GET /repos/{owner}/{repo}/issues/{issue_number}", { ...ctx.issue(), request: { retries: 0 } });
    }, { retries: 1, backoff: { type: "fixed", delay: 3_600_000 } });
    app.events.on("circuit:change", (c) => changes.push(c));
    await app.start();
  });

  afterAll(async () => {
    await app?.stop();
    await proxy?.close();
    await fake?.close();
  });

  const ready = async () => (await fetch(`${app.url}/ready`)).json() as Promise<{ status: string; checks: Record<string, { ok: boolean; required: boolean; state?: string }>; circuits?: unknown }>;
  const metric = async (line: string) => (await (await fetch(`${app.url}/metrics`)).text()).split("\n").find((l) => l.startsWith(line));

  it("opens after N failures, defers tasks without charging attempts while open, and closes after recovery", async () => {
    // GitHub up: a task completes (and the installation token is cached)
    const warm = app.events.once("task:complete");
    await send();
    await warm;
    expect(app.github.circuit?.state).toBe("closed");

    // GitHub down: each of the first N tasks fails once (a real attempt), and the Nth opens the circuit
    proxy.down = true;
    const failing: string[] = [];
    for (let i = 0; i < THRESHOLD; i++) {
      const retried = app.events.once("task:retry");
      failing.push(await send());
      await retried;
    }
    expect(changes.map((c) => c.to)).toEqual(["open"]);
    expect(app.github.circuit?.state).toBe("open");
    for (const id of failing) expect(await taskOf(id)).toMatchObject({ state: "retrying", attempts: 1 });
    const madeWhileDown = issueRequests().length;

    // open: a new task's request is not made; the task is queued for the cool-down's end, attempt not counted
    const deferred = app.events.once("task:deferred");
    const waiting = await send();
    const d = await deferred;
    expect(d.error.code).toBe("HOOKYARD_ERR_TASK_CIRCUIT_OPEN");
    expect(d.runAt).toBeGreaterThan(Date.now());
    expect(await taskOf(waiting)).toMatchObject({ state: "queued", attempts: 0 });
    expect(issueRequests()).toHaveLength(madeWhileDown);

    // /ready names the open circuit but stays 200 (the check is not required); metrics say open
    const body = await ready();
    expect(body.status).toBe("ready");
    expect(body.checks.github).toEqual({ ok: false, required: false, state: "open" });
    expect(body.circuits).toEqual([{ name: `github:${new URL(proxy.url).host}`, state: "open" }]);
    expect(await metric(`hookyard_circuit_state{circuit="github:${new URL(proxy.url).host}"}`)).toMatch(/ 2$/);
    expect(await metric(`hookyard_circuit_transitions_total{circuit="github:${new URL(proxy.url).host}",to="open"}`)).toMatch(/ 1$/);
    expect(await metric(`hookyard_task_deferrals_total{name="issues.opened:anonymous"}`)).toMatch(/ 1$/);

    // GitHub back: after the cool-down the deferred task is the probe; it succeeds and closes the circuit
    proxy.down = false;
    const done = app.events.once("task:complete");
    await done;
    expect(changes.map((c) => c.to)).toEqual(["open", "half-open", "closed"]);
    expect(await taskOf(waiting)).toMatchObject({ state: "completed", attempts: 1 });
    expect((await ready()).checks.github).toEqual({ ok: true, required: false, state: "closed" });
    expect(await metric(`hookyard_circuit_state{circuit="github:${new URL(proxy.url).host}"}`)).toMatch(/ 0$/);
  });

  it("a 4xx is an answer: it neither opens the circuit nor counts toward it", async () => {
    await pollUntil("the circuit to be closed", () => app.github.circuit?.state === "closed");
    const before = changes.length;
    const octokit = await app.auth(installationId);
    for (let i = 0; i < THRESHOLD + 1; i++) {
      await expect(octokit.request("GET /repos/{owner}/{repo}/issues/{issue_number}", { owner: "acme", repo: "widgets", issue_number: 999, request: { retries: 0 } })).rejects.toMatchObject({ status: 404 });
    }
    expect(app.github.circuit?.state).toBe("closed");
    expect(changes).toHaveLength(before);
  });
});
