/**
 * Graceful shutdown of the real server process: SIGTERM drains (webhooks answer 503, no new claims),
 * a running handler may finish within HOOKYARD_SHUTDOWN_TIMEOUT, and one that does not is aborted
 * and queued again without the attempt counting, to run after a restart.
 */
import { randomUUID } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { Hookyard } from "../../src/app/index.js";
import type { Backend } from "../../src/store/backend.js";
import { SqliteBackend } from "../../src/store/backends/sqlite/index.js";
import { findExample } from "../../src/testing/examples.js";
import { apiTasks, fileLines, fixture, killServers, postIssue, readStore, startServer, type Server } from "../fixtures/server.js";
import { pollUntil, removeTempDirs, tempDir } from "../support/store.js";

const stores: Backend[] = [];

afterEach(async () => {
  await killServers();
  for (const store of stores.splice(0)) await store.close();
  removeTempDirs();
});

function setup(shutdownTimeout: string) {
  const dir = tempDir();
  const files = { started: join(dir, "started.txt"), release: join(dir, "release"), done: join(dir, "done.txt") };
  const db = join(dir, "h.db");
  const env = {
    HOOKYARD_STORE: `sqlite:${db}`, HOOKYARD_SHUTDOWN_TIMEOUT: shutdownTimeout, HOOKYARD_CONCURRENCY: "1",
    STARTED_FILE: files.started, RELEASE_FILE: files.release, DONE_FILE: files.done,
  };
  return { dir, db, files, env, start: () => startServer(fixture("blocking-app.mjs"), dir, env) };
}

/** Sends SIGTERM once a handler runs; resolves after the "draining" log line with the webhook's answer then. */
async function drain(server: Server): Promise<{ status: number; body: any; id: string }> {
  server.child.kill("SIGTERM");
  await server.waitForLine(/draining/);
  return postIssue(server);
}

describe("SIGTERM drains", () => {
  it("answers 503 while draining, lets the running task finish, claims nothing new, exits 0", { timeout: 60_000 }, async () => {
    const s = setup("30s");
    const server = await s.start();
    const sent = [await postIssue(server), await postIssue(server)];
    expect(sent.map((d) => d.status)).toEqual([202, 202]);
    const [runningId] = await pollUntil("a handler to start", () => {
      const lines = fileLines(s.files.started);
      return lines.length > 0 ? lines : undefined;
    });

    const late = await drain(server);
    expect(late.status).toBe(503);
    expect(late.body).toMatchObject({ error: { code: "HOOKYARD_ERR_INGRESS_SHUTTING_DOWN" } });
    const ready = await fetch(`${server.base}/ready`);
    expect(ready.status).toBe(503);
    expect(server.child.exitCode).toBeNull(); // still waiting for the blocked handler

    writeFileSync(s.files.release, "go");
    expect(await server.exited).toEqual({ code: 0, signal: null });

    expect(fileLines(s.files.done)).toEqual([runningId]);
    expect(fileLines(s.files.started)).toEqual([runningId]);
    const tasks = readStore(s.db);
    expect(tasks.map((t) => t.deliveryId).sort()).toEqual(sent.map((d) => d.id).sort());
    const byDelivery = new Map(tasks.map((t) => [t.deliveryId, t]));
    expect(byDelivery.get(runningId!)).toMatchObject({ state: "completed", attempts: 1, attemptLog: [{ outcome: "completed" }] });
    const other = sent.map((d) => d.id).find((id) => id !== runningId)!;
    expect(byDelivery.get(other)).toMatchObject({ state: "queued", attempts: 0, attemptLog: [] });
    expect(byDelivery.has(late.id)).toBe(false);
  });

  it("aborts a handler that outlives HOOKYARD_SHUTDOWN_TIMEOUT: queued again, attempt not counted, completed after a restart", { timeout: 60_000 }, async () => {
    const s = setup("300ms");
    const server = await s.start();
    const sent = await postIssue(server);
    expect(sent.status).toBe(202);
    await pollUntil("the handler to start", () => fileLines(s.files.started).length > 0);

    const late = await drain(server);
    expect(late.status).toBe(503);
    expect(late.body).toMatchObject({ error: { code: "HOOKYARD_ERR_INGRESS_SHUTTING_DOWN" } });
    expect(await server.exited).toEqual({ code: 0, signal: null });
    expect(server.lines.some((l) => l.includes("shutdown timeout reached"))).toBe(true);

    expect(readStore(s.db)).toMatchObject([{
      deliveryId: sent.id, state: "queued", attempts: 0,
      attemptLog: [{ attempt: 1, outcome: "interrupted", error: { code: "HOOKYARD_ERR_TASK_INTERRUPTED" } }],
    }]);
    expect(fileLines(s.files.done)).toEqual([]);

    writeFileSync(s.files.release, "go");
    const again = await s.start();
    const [task] = await pollUntil("the task to complete after the restart", async () => {
      const list = await apiTasks(again);
      if (list.some((t) => t.state === "failed")) throw new Error(`task failed: ${JSON.stringify(list)}`);
      return list.length === 1 && list[0]!.state === "completed" ? list : undefined;
    });
    expect(task).toMatchObject({ deliveryId: sent.id, attempts: 1 });
    expect(fileLines(s.files.started)).toEqual([sent.id, sent.id]);
    expect(fileLines(s.files.done)).toEqual([sent.id]);

    again.child.kill("SIGTERM");
    expect(await again.exited).toEqual({ code: 0, signal: null });
    expect(readStore(s.db)[0]!.attemptLog.map((a) => [a.attempt, a.outcome])).toEqual([[1, "interrupted"], [1, "completed"]]);
  });
});

describe("app.stop() racing an accept (in process)", () => {
  it("a delivery committed while stop() drains is left queued: its task does not start after the drain", async () => {
    const inner = await SqliteBackend.open(join(tempDir(), "h.db"));
    stores.push(inner);
    let stopped: Promise<void> | undefined;
    // the store's accept begins the shutdown: the delivery is committed while the app drains
    const store = new Proxy(inner, {
      get(target, prop) {
        if (prop === "accept") return (...args: Parameters<Backend["accept"]>) => ((stopped = app.stop()), target.accept(...args));
        const value = Reflect.get(target, prop, target) as unknown;
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    const app = new Hookyard({ store, logLevel: "silent", env: {}, pollInterval: "1h", shutdownTimeout: "1s" });
    const started: string[] = [];
    app.events.on("task:start", ({ task }) => started.push(task.id));
    app.on("issues", async () => undefined);
    await app.open();
    await inner.ping(); // the workers' first claim has come back: every slot is free
    const id = randomUUID();
    expect(await app.receive({ id, name: "issues", payload: findExample("issues.opened").payload })).toBe("accepted");
    await stopped;
    expect(started).toEqual([]);
    const [task] = (await inner.listTasks({ deliveryId: id })).items;
    const settled = await pollUntil("the task to leave running", async () => {
      const t = await inner.getTask(task!.id);
      return t?.state === "running" ? undefined : t;
    }, 5_000, 20);
    expect(settled).toMatchObject({ state: "queued", attempts: 0 });
  });
});
