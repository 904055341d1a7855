/**
 * Issue 16, defect 6: a handler that ignores its aborted signal (timeout, or its task cancelled)
 * keeps its concurrency slot, and its task, until it really returns: HOOKYARD_CONCURRENCY is a real
 * limit, the next attempt of the task does not start while the previous one's handler still runs,
 * and the overrun is reported (`task:overrun`, a warning in the log).
 *
 * Each handler below ignores `ctx.signal` and waits for its gate. The gate opens on the
 * `task:overrun` report; if a handler starts while another one is still inside (the defect), the
 * test records it and opens every gate so that nothing hangs.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { Hookyard } from "../../src/app/index.js";
import { api, example, post, startApp, stopApps, until } from "../support/app.js";

afterEach(stopApps);

/** Handlers that wait for their gate, and what they saw. */
function gated(app: Hookyard) {
  const gates = new Map<string, () => void>();
  const inside = new Set<string>();
  const events: string[] = [];
  const overlaps: string[] = [];
  const openAll = () => gates.forEach((open) => open());
  const handler = async (ctx: { task: string; attempt: number }) => {
    const me = `${ctx.task}#${ctx.attempt}`;
    if (inside.size > 0) {
      overlaps.push(`${me} started while ${[...inside].join(", ")} ran`);
      openAll();
    }
    inside.add(me);
    events.push(`start ${me}`);
    await new Promise<void>((resolve) => gates.set(ctx.task, resolve));
    inside.delete(me);
    events.push(`return ${me}`);
  };
  const overruns: { task: string; reason: string }[] = [];
  app.events.on("task:overrun", ({ task, reason }) => {
    overruns.push({ task: task.id, reason });
    gates.get(task.id)?.();
  });
  return { handler, events, overlaps, overruns, openAll };
}

describe("a handler that outlives its signal", () => {
  it("keeps its slot until it returns: with HOOKYARD_CONCURRENCY=1 never two handlers at once (task:overrun reported)", async () => {
    let g!: ReturnType<typeof gated>;
    const { app, url, secret } = await startApp((app) => {
      g = gated(app);
      app.on("issues", g.handler, { timeout: "100ms", retries: 0 });
    }, { concurrency: 1 });
    const failures: { code: string | undefined }[] = [];
    app.events.on("task:failed", ({ error }) => void failures.push({ code: error.code }));
    for (let i = 0; i < 3; i++) expect((await post(url, example("issues.opened", { secret }))).status).toBe(202);
    await until(app, () => failures.length === 3);
    expect(g.overlaps).toEqual([]);
    expect(g.overruns.map((o) => o.reason)).toEqual(["timeout", "timeout", "timeout"]);
    expect(failures).toEqual([{ code: "HOOKYARD_ERR_TASK_TIMEOUT" }, { code: "HOOKYARD_ERR_TASK_TIMEOUT" }, { code: "HOOKYARD_ERR_TASK_TIMEOUT" }]);
    expect(g.events.map((e) => e.split(" ")[0])).toEqual(["start", "return", "start", "return", "start", "return"]);
  });

  it("the next attempt of the task starts only after the previous attempt's handler has returned", async () => {
    let g!: ReturnType<typeof gated>;
    const { app, url, secret } = await startApp((app) => {
      g = gated(app);
      app.on("issues", g.handler, { timeout: "100ms", retries: 1, backoff: { type: "fixed", delay: 0, jitter: "none" } });
    });
    const d = example("issues.opened", { secret });
    expect((await post(url, d)).status).toBe(202);
    await until(app, async () => (await app.store.listTasks({ deliveryId: d.id })).items[0]?.state === "failed");
    const [task] = (await app.store.listTasks({ deliveryId: d.id })).items;
    expect(g.overlaps).toEqual([]);
    expect(g.events).toEqual([`start ${task!.id}#1`, `return ${task!.id}#1`, `start ${task!.id}#2`, `return ${task!.id}#2`]);
    const detail = await app.store.getTask(task!.id);
    expect(detail?.attemptLog.map((a) => [a.attempt, a.outcome, a.error?.code])).toEqual([[1, "retrying", "HOOKYARD_ERR_TASK_TIMEOUT"], [2, "failed", "HOOKYARD_ERR_TASK_TIMEOUT"]]);
  });

  it("a cancelled task's handler that ignores the signal keeps its slot until it returns (reason: lost)", async () => {
    let g!: ReturnType<typeof gated>;
    const { app, url, base, secret } = await startApp((app) => {
      g = gated(app);
      app.on("issues", g.handler, { timeout: "1h", retries: 0 });
    }, { concurrency: 1, lease: "300ms", shutdownTimeout: "200ms" }); // the second handler is left to the shutdown
    const first = example("issues.opened", { secret });
    const started = app.events.once("task:start", ({ task }) => task.deliveryId === first.id);
    expect((await post(url, first)).status).toBe(202);
    const { task } = await started;
    const second = example("issues.opened", { secret });
    const next = app.events.once("task:start", ({ task }) => task.deliveryId === second.id);
    expect((await post(url, second)).status).toBe(202);
    expect((await api(base, `/api/v1/tasks/${task.id}/cancel`, { method: "POST" })).status).toBe(200);
    const { task: other } = await next;
    expect(g.overruns).toEqual([{ task: task.id, reason: "lost" }]);
    expect(g.overlaps).toEqual([]);
    expect(other.deliveryId).toBe(second.id);
    expect(g.events).toEqual([`start ${task.id}#1`, `return ${task.id}#1`]); // the slot went on only after the return
    expect((await app.store.getTask(task.id))?.state).toBe("cancelled");
  });
});
