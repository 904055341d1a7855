import { randomUUID } from "node:crypto";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { Hookyard, type HookyardOptions } from "../../src/app/index.js";
import type { BackoffPolicy, TaskDetail } from "../../src/store/backend.js";
import { MemoryBackend } from "../../src/store/backends/memory/index.js";
import { baseDelay } from "../../src/tasks/backoff.js";
import { RetryLaterError, UnrecoverableError } from "../../src/steering/steer.js";
import { findExample } from "../../src/testing/examples.js";
import { removeTempDirs, tempDir } from "../support/store.js";

const apps: Hookyard[] = [];

async function openApp(setup: (app: Hookyard) => void, options: HookyardOptions = {}): Promise<Hookyard> {
  const app = new Hookyard({
    store: `sqlite:${join(tempDir(), "h.db")}`, logLevel: "silent", webhookSecret: "x", env: {}, shutdownTimeout: "2s", ...options,
  });
  apps.push(app);
  setup(app);
  await app.open();
  return app;
}

afterEach(async () => {
  for (const app of apps.splice(0)) await app.stop();
  vi.restoreAllMocks();
  removeTempDirs();
});

const issues = () => findExample("issues.opened").payload;
const HOUR: Partial<BackoffPolicy> & { type: "fixed" } = { type: "fixed", delay: 3_600_000, jitter: "none" };

/** Receives an `issues.opened` delivery; resolves with its id. */
async function send(app: Hookyard, name = "issues", payload = issues()): Promise<string> {
  const id = randomUUID();
  expect(await app.receive({ id, name, payload })).toBe("accepted");
  return id;
}

async function onlyTask(app: Hookyard, deliveryId: string): Promise<TaskDetail> {
  const [summary] = (await app.store.listTasks({ deliveryId })).items;
  return (await app.store.getTask(summary!.id))!;
}

/**
 * Date.now() that a handler can freeze at the moment it throws, so the runner's "now" (from which it
 * schedules runAt = now + delay) is known exactly; released when the outcome's event fires.
 */
function freezableClock() {
  const real = Date.now.bind(Date);
  let frozen: number | undefined;
  vi.spyOn(Date, "now").mockImplementation(() => frozen ?? real());
  return {
    freeze: () => (frozen = real()),
    release: () => (frozen = undefined),
  };
}

describe("retries through a real app on SQLite", () => {
  it.each(["exponential", "linear", "fixed", "fibonacci"] as const)("%s backoff: 4 attempts at exactly the policy's delays, then dead letter", async (type) => {
    const clock = freezableClock();
    const ended: number[] = [];
    const retries: { attempt: number; runAt: number; stored: Promise<TaskDetail | null> }[] = [];
    const app = await openApp((app) => {
      app.on("issues", async function alwaysFails() {
        ended.push(clock.freeze());
        throw new Error("boom");
      }, { retries: 3, backoff: { type, delay: 20, jitter: "none" } });
      app.events.on("task:retry", ({ task, runAt }) => {
        clock.release();
        retries.push({ attempt: task.attempt, runAt, stored: app.store.getTask(task.id) });
      });
      app.events.on("task:failed", () => clock.release());
    });
    const failed = app.events.once("task:failed");
    const id = await send(app);
    const { task, error } = await failed;
    const policy: BackoffPolicy = { type, delay: 20, maxDelay: 3_600_000, jitter: "none" };
    expect(retries.map((r) => r.attempt)).toEqual([1, 2, 3]);
    expect(retries.map((r, i) => r.runAt - ended[i]!)).toEqual([1, 2, 3].map((n) => baseDelay(policy, n)));
    for (const r of retries) expect(await r.stored).toMatchObject({ state: "retrying", runAt: r.runAt });
    expect(task).toMatchObject({ deliveryId: id, attempt: 4, maxAttempts: 4 });
    expect(error.message).toBe("boom");
    const stored = await onlyTask(app, id);
    expect(stored).toMatchObject({ state: "failed", attempts: 4, lastError: { message: "boom" } });
    expect(stored.attemptLog.map((a) => a.outcome)).toEqual(["retrying", "retrying", "retrying", "failed"]);
    // no attempt started before the runAt its predecessor was given
    retries.forEach((r, i) => expect(stored.attemptLog[i + 1]!.startedAt).toBeGreaterThanOrEqual(r.runAt));
  });

  it("UnrecoverableError fails the task after one attempt, retries left or not", async () => {
    const app = await openApp((app) => app.on("issues", async () => {
      throw new UnrecoverableError("bad input");
    }, { retries: 3, backoff: { type: "fixed", delay: 1, jitter: "none" } }));
    const failed = app.events.once("task:failed");
    const id = await send(app);
    expect((await failed).error.message).toBe("bad input");
    expect(await onlyTask(app, id)).toMatchObject({ state: "failed", attempts: 1, lastError: { message: "bad input" }, attemptLog: [{ outcome: "failed" }] });
  });

  it("RetryLaterError(ms) schedules the retry at the attempt's end + ms, overriding the backoff", async () => {
    const clock = freezableClock();
    let end = 0;
    const app = await openApp((app) => {
      app.on("issues", async () => {
        end = clock.freeze();
        throw new RetryLaterError(5_000, "not yet");
      }, { retries: 3, backoff: HOUR });
      app.events.on("task:retry", () => clock.release());
    });
    const retry = app.events.once("task:retry");
    const id = await send(app);
    const { runAt, error } = await retry;
    expect(runAt - end).toBe(5_000);
    expect(error.message).toBe("not yet");
    expect(await onlyTask(app, id)).toMatchObject({ state: "retrying", attempts: 1, runAt, attemptLog: [{ outcome: "retrying" }] });
  });

  it("a retry whose delivery body is gone from the store fails with HOOKYARD_ERR_TASK_DELIVERY_MISSING (not an API code)", async () => {
    const store = new MemoryBackend();
    store.getBody = async () => null; // the body removed behind the app's back; the first attempt uses the accepted payload
    let calls = 0;
    const app = await openApp((app) => {
      app.on("issues", async () => {
        calls++;
        throw new RetryLaterError(1, "again");
      }, { retries: 1 });
    }, { store });
    const failed = app.events.once("task:failed");
    const id = await send(app);
    await failed;
    expect(calls).toBe(1);
    expect(await onlyTask(app, id)).toMatchObject({ state: "failed", lastError: { code: "HOOKYARD_ERR_TASK_DELIVERY_MISSING" } });
  });

  it("a timeout aborts ctx.signal and records HOOKYARD_ERR_TASK_TIMEOUT", async () => {
    let seen: { aborted: boolean; reason: unknown } | undefined;
    const app = await openApp((app) => app.on("issues", async (ctx) => {
      await new Promise<void>((resolve) => ctx.signal.addEventListener("abort", () => {
        seen = { aborted: ctx.signal.aborted, reason: ctx.signal.reason };
        resolve();
      }, { once: true }));
    }, { timeout: 50, retries: 1, backoff: HOUR }));
    const retry = app.events.once("task:retry");
    const id = await send(app);
    expect((await retry).error.code).toBe("HOOKYARD_ERR_TASK_TIMEOUT");
    expect(seen).toEqual({ aborted: true, reason: "timeout" });
    const t = await onlyTask(app, id);
    expect(t).toMatchObject({ state: "retrying", lastError: { code: "HOOKYARD_ERR_TASK_TIMEOUT" } });
    expect(t.attemptLog).toMatchObject([{ outcome: "retrying", error: { code: "HOOKYARD_ERR_TASK_TIMEOUT" } }]);
  });

  it("a handler that ignores its signal still times out: the attempt fails once the handler returns (failed when no retries are left)", async () => {
    let release!: () => void;
    const app = await openApp((app) => app.on("issues", () => new Promise<void>((r) => (release = r)), { timeout: 50, retries: 0 }));
    const failed = app.events.once("task:failed");
    const overrun = app.events.once("task:overrun");
    const id = await send(app);
    expect((await overrun).reason).toBe("timeout");
    expect(await onlyTask(app, id)).toMatchObject({ state: "running", attempts: 1 }); // the attempt lasts while its handler runs
    release();
    expect((await failed).error.code).toBe("HOOKYARD_ERR_TASK_TIMEOUT");
    expect(await onlyTask(app, id)).toMatchObject({ state: "failed", attempts: 1, attemptLog: [{ outcome: "failed", error: { code: "HOOKYARD_ERR_TASK_TIMEOUT" } }] });
  });

  it("a non-Error throw is wrapped as HOOKYARD_ERR_TASK_NON_ERROR_THROWN", async () => {
    const app = await openApp((app) => {
      app.on("issues", async () => { throw "plain string"; }, { retries: 0, name: "string" });
      app.on("issues", async () => { throw { reason: 42 }; }, { retries: 0, name: "object" });
    });
    const errors = new Map<string, { code?: string; message: string }>();
    const both = new Promise<void>((resolve) => app.events.on("task:failed", ({ task, error }) => {
      errors.set(task.name, error);
      if (errors.size === 2) resolve();
    }));
    const id = await send(app);
    await both;
    expect(errors.get("string")).toMatchObject({ code: "HOOKYARD_ERR_TASK_NON_ERROR_THROWN", message: expect.stringContaining("plain string") });
    expect(errors.get("object")).toMatchObject({ code: "HOOKYARD_ERR_TASK_NON_ERROR_THROWN", message: expect.stringContaining('{"reason":42}') });
    const tasks = (await app.store.listTasks({ deliveryId: id })).items;
    expect(tasks.map((t) => [t.state, t.lastError?.code])).toEqual([["failed", "HOOKYARD_ERR_TASK_NON_ERROR_THROWN"], ["failed", "HOOKYARD_ERR_TASK_NON_ERROR_THROWN"]]);
  });

  it("onError handlers get (error, { task, willRetry }) for each failed attempt; a throwing one breaks nothing", async () => {
    const calls: { message: string; attempt: number; willRetry: boolean; ctxId: string | undefined }[] = [];
    let done!: () => void;
    const second = new Promise<void>((resolve) => (done = resolve));
    const app = await openApp((app) => {
      app.on("issues", async () => { throw new Error("nope"); }, { retries: 1, backoff: { type: "fixed", delay: 5, jitter: "none" } });
      app.onError(() => { throw new Error("the error handler is broken"); });
      app.onError((error, { task, willRetry, ctx }) => {
        calls.push({ message: error.message, attempt: task.attempt, willRetry, ctxId: ctx?.id });
        if (!willRetry) done();
      });
    });
    const id = await send(app);
    await second;
    expect(calls).toEqual([
      { message: "nope", attempt: 1, willRetry: true, ctxId: id },
      { message: "nope", attempt: 2, willRetry: false, ctxId: id },
    ]);
    expect(await onlyTask(app, id)).toMatchObject({ state: "failed", attempts: 2 });
  });

  it("cancelling a running task aborts ctx.signal and announces no retry or failure the store did not record", async () => {
    const announced: string[] = [];
    let reason: unknown;
    let entered!: () => void;
    const running = new Promise<void>((resolve) => (entered = resolve));
    const app = await openApp((app) => {
      app.on("issues", async (ctx) => {
        if (ctx.payload.action !== "opened") return;
        entered();
        await new Promise<void>((resolve) => ctx.signal.addEventListener("abort", () => resolve(), { once: true }));
        reason = ctx.signal.reason;
      }, { retries: 2 });
      for (const name of ["task:retry", "task:failed"] as const) app.events.on(name, ({ task }) => announced.push(`${name} ${task.deliveryId}`));
      app.onError((error, { task, willRetry }) => announced.push(`onError ${task.deliveryId} ${willRetry} ${error.message}`));
    }, { concurrency: 1, lease: 300 });
    const id = await send(app);
    await running;
    await app.store.cancelTask((await onlyTask(app, id)).id);
    // concurrency 1: the next task runs only once the cancelled run has been wound up completely
    const next = app.events.once("task:complete");
    await send(app, "issues", findExample("issues.edited").payload);
    await next;
    expect(reason).toBe("lost");
    expect(await onlyTask(app, id)).toMatchObject({ state: "cancelled", attemptLog: [{ outcome: "cancelled" }] });
    expect(announced).toEqual([]);
  });

  it("a throwing or rejecting lifecycle listener does not break the pipeline", async () => {
    const app = await openApp((app) => {
      app.on("issues", async () => undefined);
      app.events.on("delivery:accepted", () => { throw new Error("listener bug"); });
      app.events.on("task:start", () => { throw new Error("listener bug"); });
      app.events.on("task:complete", async () => { throw new Error("async listener bug"); });
    });
    const complete = app.events.once("task:complete");
    const id = await send(app);
    expect((await complete).task.deliveryId).toBe(id);
    expect(await onlyTask(app, id)).toMatchObject({ state: "completed", attempts: 1 });
  });
});

describe("handler registration", () => {
  it("rejects no event name, \"*\" and duplicate explicit names", () => {
    const app = new Hookyard({ store: "memory:", logLevel: "silent", env: {} });
    const noop = async () => undefined;
    expect(() => app.on("*" as never, noop)).toThrow(/app\.onAny\(\)/);
    expect(() => app.on([] as never, noop)).toThrow(expect.objectContaining({ code: "HOOKYARD_ERR_EVENT_UNKNOWN" }));
    app.on("issues", noop, { name: "triage" });
    expect(() => app.on("pull_request", noop, { name: "triage" })).toThrow(expect.objectContaining({ code: "HOOKYARD_ERR_HANDLER_DUPLICATE_NAME" }));
  });

  it("names tasks <events>:<function name>, with #2 for a repeat", async () => {
    const app = await openApp((app) => {
      async function fnName() {}
      app.on("issues.labeled", fnName);
      app.on("issues.labeled", fnName);
      app.on(["issues.opened", "issues.labeled"], async function multi() {});
      app.on("issues", async () => undefined, { name: "custom" });
      app.on("pull_request", fnName);
    }, { workers: false });
    const id = await send(app, "issues", findExample("issues.labeled").payload);
    const names = (await app.store.listTasks({ deliveryId: id })).items.map((t) => t.name).reverse();
    expect(names).toEqual(["issues.labeled:fnName", "issues.labeled:fnName#2", "issues.opened+issues.labeled:multi", "custom"]);
  });
});

describe("handler context, inline and concurrency", () => {
  it("ctx helpers work on real example payloads", async () => {
    const seen: Record<string, unknown> = {};
    const app = await openApp((app) => {
      app.on("issues.opened", async (ctx) => {
        seen.issues = { id: ctx.id, name: ctx.name, attempt: ctx.attempt, task: ctx.task, repo: ctx.repo(), issue: ctx.issue({ body: "hi" }), isBot: ctx.isBot };
      });
      app.on("pull_request.opened", async (ctx) => { seen.pr = { pr: ctx.pullRequest({ draft: true }), repo: ctx.repo({ per_page: 1 }) }; });
      app.on("check_suite.rerequested", async (ctx) => { seen.bot = ctx.isBot; });
      app.on("installation.created", async (ctx) => {
        seen.noRepo = (() => { try { return ctx.repo(); } catch (err) { return (err as Error).message; } })();
      });
    });
    const ran = (n: number) => new Promise<void>((resolve) => { let c = 0; app.events.on("task:complete", () => ++c === n && resolve()); });
    const all = ran(4);
    const issueId = await send(app, "issues", findExample("issues.opened").payload);
    const pr = findExample("pull_request.opened").payload as { number: number; repository: { name: string; owner: { login: string } } };
    await send(app, "pull_request", pr);
    await send(app, "check_suite", findExample("check_suite.rerequested").payload);
    await send(app, "installation", findExample("installation.created").payload);
    await all;
    const task = (await app.store.listTasks({ deliveryId: issueId })).items[0]!.id;
    expect(seen.issues).toEqual({
      id: issueId, name: "issues", attempt: 1, task, isBot: false,
      repo: { owner: "Codertocat", repo: "Hello-World" }, issue: { owner: "Codertocat", repo: "Hello-World", issue_number: 1, body: "hi" },
    });
    expect(seen.pr).toEqual({
      pr: { owner: pr.repository.owner.login, repo: pr.repository.name, pull_number: pr.number, draft: true },
      repo: { owner: pr.repository.owner.login, repo: pr.repository.name, per_page: 1 },
    });
    expect(seen.bot).toBe(true);
    expect(seen.noRepo).toMatch(/not supported for this webhook event/);
  });

  it("an inline handler has completed when receive() resolves", async () => {
    let runs = 0;
    const app = await openApp((app) => app.on("issues", async () => { runs += 1; }, { inline: true }));
    const id = await send(app);
    expect(runs).toBe(1);
    expect(await onlyTask(app, id)).toMatchObject({ state: "completed", attempts: 1, attemptLog: [{ outcome: "completed" }] });
  });

  it("runs at most `concurrency` handlers at once", async () => {
    let active = 0;
    let max = 0;
    const blocked: (() => void)[] = [];
    let onBlocked: (() => void) | undefined;
    const whenBlocked = (n: number) => new Promise<void>((resolve) => {
      const check = () => (blocked.length >= n ? resolve() : (onBlocked = check));
      check();
    });
    const app = await openApp((app) => app.on("issues", async () => {
      active += 1;
      max = Math.max(max, active);
      await new Promise<void>((resolve) => { blocked.push(resolve); onBlocked?.(); });
      active -= 1;
    }), { concurrency: 2 });
    let completed = 0;
    const allDone = new Promise<void>((resolve) => app.events.on("task:complete", () => ++completed === 5 && resolve()));
    for (let i = 0; i < 5; i++) await send(app);
    await whenBlocked(2);
    expect(await app.store.countTasks()).toMatchObject({ running: 2, queued: 3 });
    for (let released = 0; released < 5; released++) {
      const expected = Math.min(2, 5 - released);
      await whenBlocked(expected);
      if (expected === 2) expect((await app.store.countTasks()).running).toBe(2);
      blocked.shift()!();
    }
    await allDone;
    expect(max).toBe(2);
    expect(await app.store.countTasks()).toMatchObject({ completed: 5, running: 0, queued: 0 });
  });
});
