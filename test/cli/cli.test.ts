import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { UnrecoverableError } from "../../src/steering/steer.js";
import { findExample } from "../../src/testing/index.js";
import { example, nextOutcome, post, startApp, stopApps } from "../support/app.js";
import { expectErrorLine, runCli } from "../support/cli.js";

const ROOT = resolve(import.meta.dirname, "../..");
const MAIN = join(ROOT, "dist/cli/main.js");
const cwd = mkdtempSync(join(tmpdir(), "hookyard-cli-")); // no .env here

/** Runs the built CLI; only PATH (and what `env` adds) is passed, so no WEBHOOK_SECRET/PORT/token leaks in. */
const cli = (args: string[], env: Record<string, string> = {}) => runCli(args, cwd, env);

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as { port: number };
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

beforeAll(() => {
  if (!existsSync(MAIN)) execFileSync("npm", ["run", "build"], { cwd: ROOT, stdio: "ignore" });
}, 120_000);
afterEach(stopApps);
afterAll(() => rmSync(cwd, { recursive: true, force: true }));

describe("hookyard send", () => {
  it("without --url and --secret, sends to PORT and WEBHOOK_PATH with the first WEBHOOK_SECRET", async () => {
    const { app, base, secret } = await startApp(undefined, { webhookPath: "/hooks" });
    const run = await cli(["send", "ping"], { PORT: new URL(base).port, WEBHOOK_PATH: "/hooks", WEBHOOK_SECRET: `${secret},other` });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^ping \S+ → 2\d\d /);
    expect(await app.store.listDeliveries({})).toMatchObject({ items: [{ event: "ping" }] });
  });

  it("signs a real example and the handler gets its payload", async () => {
    const seen: { id: string; name: string; payload: unknown }[] = [];
    const { app, url, secret } = await startApp((app) => app.on("issues.labeled", async (ctx) => void seen.push({ id: ctx.id, name: ctx.name, payload: ctx.payload })));
    const done = nextOutcome(app, () => true);
    const run = await cli(["send", "issues.labeled", "--url", url, "--secret", secret]);
    expect(run.code, run.stderr).toBe(0);
    const match = /^issues\.labeled (\S+) → 202 (.*)$/m.exec(run.stdout);
    expect(match, run.stdout).not.toBeNull();
    const id = match?.[1] as string;
    expect(JSON.parse(match?.[2] as string)).toEqual({ delivery: id, status: "accepted" });
    expect((await done).kind).toBe("complete");
    expect(seen).toEqual([{ id, name: "issues", payload: findExample("issues.labeled").payload }]);
  });

  it("sends form-encoded with --form and a chosen --id", async () => {
    const { app, url, secret } = await startApp((app) => app.on("ping", async () => undefined));
    const run = await cli(["send", "ping", "--url", url, "--secret", secret, "--form", "--id", "cli-form-1"]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain("ping cli-form-1 → 202");
    expect((await app.store.getDelivery("cli-form-1"))?.contentType).toBe("application/x-www-form-urlencoded");
  });

  it("with a wrong secret exits 1 and prints the 401", async () => {
    const { app, url, secret } = await startApp((app) => app.on("issues", async () => undefined));
    const run = await cli(["send", "issues.labeled", "--url", url, "--secret", `${secret}-wrong`]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/→ 401 .*HOOKYARD_ERR_INGRESS_SIGNATURE_INVALID/);
    expect(run.stdout).not.toContain(secret);
    expect((await app.store.listDeliveries({})).items).toEqual([]);
  });
});

describe("hookyard tasks / retry / replay", () => {
  it("lists a failed task, and retry re-runs it until it succeeds", async () => {
    let broken = true;
    const s = await startApp((app) => app.on("issues.labeled", async () => {
      if (broken) throw new UnrecoverableError("config file missing");
    }, { name: "triage" }));
    const d = example("issues.labeled", { secret: s.secret });
    const failed = nextOutcome(s.app, (t) => t.deliveryId === d.id);
    expect((await post(s.url, d)).status).toBe(202);
    const { kind, task } = await failed;
    expect(kind).toBe("failed");

    const list = await cli(["tasks", "--state", "failed", "--url", s.base]);
    expect(list.code, list.stderr).toBe(0);
    const lines = list.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^ID\s+STATE\s+ATTEMPTS\s+HANDLER\s+DELIVERY\s+REPOSITORY\s+LAST ERROR$/);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(new RegExp(`^${task.id}\\s+failed\\s+1/4\\s+triage\\s+${d.id}\\s+Codertocat/Hello-World\\s+config file missing$`));
    expect((await cli(["tasks", "--state", "completed", "--url", s.base])).stdout.trim()).toBe("no tasks");

    broken = false;
    const completed = nextOutcome(s.app, (t) => t.id === task.id);
    const retry = await cli(["retry", task.id, "--url", s.base]);
    expect(retry.code, retry.stderr).toBe(0);
    expect(retry.stdout.trim()).toMatch(new RegExp(`^task ${task.id} is (queued|running)$`));
    expect((await completed).kind).toBe("complete");
    expect((await s.app.store.getTask(task.id))?.state).toBe("completed");

    // retrying it again is refused by the server: exit 1 with the API's code in the message
    const again = await cli(["retry", task.id, "--url", s.base]);
    expectErrorLine(again, 1, "HOOKYARD_ERR_CLI_REQUEST_FAILED");
    expect(again.stderr).toContain("409 HOOKYARD_ERR_TASK_STATE_CONFLICT");
  });

  it("replay runs a stored delivery's handlers again", async () => {
    const payloads: unknown[] = [];
    const s = await startApp((app) => app.on("pull_request.opened", async (ctx) => void payloads.push(ctx.payload)));
    const d = example("pull_request.opened", { secret: s.secret });
    const first = nextOutcome(s.app, (t) => t.deliveryId === d.id);
    await post(s.url, d);
    await first;
    const replayed = nextOutcome(s.app, (t) => t.deliveryId === d.id);
    const run = await cli(["replay", d.id, "--url", s.base]);
    expect(run.code, run.stderr).toBe(0);
    const match = new RegExp(`^delivery ${d.id} replayed: 1 new task\\(s\\) (\\S+)$`).exec(run.stdout.trim());
    expect(match, run.stdout).not.toBeNull();
    const { kind, task } = await replayed;
    expect(kind).toBe("complete");
    expect(task.id).toBe(match?.[1]);
    expect(payloads).toEqual([d.payload, d.payload]);
    expect((await s.app.store.listTasks({ deliveryId: d.id })).items).toHaveLength(2);
    expectErrorLine(await cli(["replay", "no-such-delivery", "--url", s.base]), 1, "HOOKYARD_ERR_CLI_REQUEST_FAILED");
  });

  it("sends HOOKYARD_API_TOKEN when the server wants one", async () => {
    const token = "cli-test-token-0123456789";
    const s = await startApp(undefined, { apiToken: token });
    const denied = await cli(["tasks", "--url", s.base]);
    expectErrorLine(denied, 1, "HOOKYARD_ERR_CLI_REQUEST_FAILED");
    expect(denied.stderr).toContain("401 HOOKYARD_ERR_API_UNAUTHORIZED");
    const ok = await cli(["tasks", "--url", s.base], { HOOKYARD_API_TOKEN: token });
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout.trim()).toBe("no tasks");
  });
});

describe("CLI errors", () => {
  it.each([
    ["no command", []],
    ["an unknown command", ["frobnicate"]],
    ["retry without an id", ["retry"]],
    ["replay without an id", ["replay"]],
    ["send without a payload", ["send"]],
    ["a non-numeric --limit", ["tasks", "--limit", "abc"]],
    ["a zero --limit", ["tasks", "--limit", "0"]],
    ["an unknown option", ["tasks", "--bogus"]],
    ["an example that does not exist", ["send", "issues.no_such_action", "--url", "http://127.0.0.1:9/x", "--secret", "s"]],
  ])("exits 2 with one hookyard: line for %s", async (_what, args) => {
    expectErrorLine(await cli(args), 2, "HOOKYARD_ERR_CLI_USAGE");
  });

  it("exits 1 with HOOKYARD_ERR_CLI_REQUEST_FAILED when the server is unreachable", async () => {
    const port = await closedPort();
    for (const args of [
      ["tasks", "--url", `http://127.0.0.1:${port}`],
      ["retry", "some-task", "--url", `http://127.0.0.1:${port}`],
      ["send", "ping", "--url", `http://127.0.0.1:${port}/api/github/webhooks`, "--secret", "s"],
    ]) {
      const run = await cli(args);
      expectErrorLine(run, 1, "HOOKYARD_ERR_CLI_REQUEST_FAILED");
      expect(run.stderr).toContain(`127.0.0.1:${port}`);
    }
  });
});
