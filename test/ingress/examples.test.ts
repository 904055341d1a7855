import { afterEach, describe, expect, it } from "vitest";
import type { Hookyard } from "../../src/app/index.js";
import { EVENT_NAMES } from "../../src/events/names.generated.js";
import type { EventName } from "../../src/events/types.js";
import { allExamples, signedDelivery } from "../../src/testing/index.js";
import { post, startApp, stopApps, until } from "../support/app.js";

interface Call {
  handler: string;
  name: string;
  id: string;
  payload: unknown;
}

const examples = allExamples();
/** Examples whose `event.action` is a name app.on() accepts. */
const withAction = examples.filter((e) => e.action !== null && EVENT_NAMES.has(`${e.event}.${e.action}`));
/** Examples without an action (ping, push, …) whose bare event is accepted. */
const bare = examples.filter((e) => e.action === null && EVENT_NAMES.has(e.event));

/** Registers a handler under `name` that records what it was called with. */
function recorder(app: Hookyard, calls: Call[], names: string | string[], taskName: string): void {
  app.on(names as EventName | EventName[], async (ctx) => {
    calls.push({ handler: taskName, name: ctx.name, id: ctx.id, payload: ctx.payload });
  }, { name: taskName });
}

/** Signs and POSTs every example, expecting 202 accepted; returns delivery id → example. */
async function sendAll(url: string, secret: string, list: typeof examples) {
  const sent = new Map<string, (typeof examples)[number]>();
  for (const ex of list) {
    const d = signedDelivery(ex.event, ex.payload, { secret });
    const res = await post(url, d);
    expect(res.status, `${ex.event}.${ex.action}`).toBe(202);
    expect(res.body).toEqual({ delivery: d.id, status: "accepted" });
    sent.set(d.id, ex);
  }
  return sent;
}

afterEach(stopApps);

describe("real example deliveries reach the right handler", () => {
  it("has enough distinct event.action examples to be meaningful", () => {
    const keys = new Set(withAction.map((e) => `${e.event}.${e.action}`));
    expect(keys.size).toBe(withAction.length);
    expect(keys.size).toBeGreaterThanOrEqual(30);
    expect(new Set(withAction.map((e) => e.event)).size).toBeGreaterThanOrEqual(20);
  });

  it("every event.action example runs exactly its own action handler, with its payload and delivery id", async () => {
    const calls: Call[] = [];
    const { app, url, secret } = await startApp((app) => {
      for (const ex of withAction) recorder(app, calls, `${ex.event}.${ex.action}`, `${ex.event}.${ex.action}`);
    });
    const completed = new Set<string>();
    app.events.on("task:complete", ({ task }) => completed.add(task.deliveryId));
    const sent = await sendAll(url, secret, withAction);
    await until(app, () => completed.size === sent.size);

    expect(calls).toHaveLength(sent.size);
    for (const [id, ex] of sent) {
      const key = `${ex.event}.${ex.action}`;
      expect(calls.filter((c) => c.id === id), key).toEqual([{ handler: key, name: ex.event, id, payload: ex.payload }]);
    }
    // one task per delivery, named after the handler, stored with the delivery
    const tasks = await app.store.listTasks({ state: "completed", limit: 500 });
    expect(tasks.items).toHaveLength(sent.size);
    for (const t of tasks.items) expect(t.name).toBe(`${sent.get(t.deliveryId)?.event}.${sent.get(t.deliveryId)?.action}`);
  });

  it("examples without an action reach the handler of their bare event name", async () => {
    expect(bare.length).toBeGreaterThanOrEqual(5);
    const calls: Call[] = [];
    const { app, url, secret } = await startApp((app) => {
      for (const ex of bare) recorder(app, calls, ex.event, ex.event);
    });
    const completed = new Set<string>();
    app.events.on("task:complete", ({ task }) => completed.add(task.deliveryId));
    const sent = await sendAll(url, secret, bare);
    await until(app, () => completed.size === sent.size);
    for (const [id, ex] of sent) {
      expect(calls.filter((c) => c.id === id), ex.event).toEqual([{ handler: ex.event, name: ex.event, id, payload: ex.payload }]);
    }
  });

  it("an event-level handler gets every action of its event, onAny gets every delivery", async () => {
    const issues = examples.filter((e) => e.event === "issues");
    const others = examples.filter((e) => ["ping", "push", "pull_request", "label"].includes(e.event));
    expect(issues.length).toBeGreaterThanOrEqual(10);
    const calls: Call[] = [];
    const { app, url, secret } = await startApp((app) => {
      recorder(app, calls, "issues", "issues");
      recorder(app, calls, "issues.labeled", "issues.labeled");
      app.onAny(async (ctx) => {
        calls.push({ handler: "*", name: ctx.name, id: ctx.id, payload: ctx.payload });
      }, { name: "*" });
    });
    const completed: string[] = [];
    app.events.on("task:complete", ({ task }) => completed.push(task.id));
    const sent = await sendAll(url, secret, [...issues, ...others]);
    const expectedTasks = sent.size + issues.length + 1; // onAny for all, "issues" for issues.*, one issues.labeled
    await until(app, () => completed.length === expectedTasks);

    const idsOf = (handler: string) => calls.filter((c) => c.handler === handler).map((c) => c.id).sort();
    const idsWhere = (pred: (e: (typeof examples)[number]) => boolean) => [...sent].filter(([, e]) => pred(e)).map(([id]) => id).sort();
    expect(idsOf("issues")).toEqual(idsWhere((e) => e.event === "issues"));
    expect(idsOf("issues.labeled")).toEqual(idsWhere((e) => e.event === "issues" && e.action === "labeled"));
    expect(idsOf("*")).toEqual([...sent.keys()].sort());
    for (const c of calls) {
      expect(c.name).toBe(sent.get(c.id)?.event);
      expect(c.payload).toEqual(sent.get(c.id)?.payload);
    }
  });

  it("a handler registered for several names gets exactly those; other actions of the event are stored as ignored", async () => {
    const calls: Call[] = [];
    const { app, url, secret } = await startApp((app) => recorder(app, calls, ["pull_request.opened", "pull_request.closed"], "pr"));
    const pr = examples.filter((e) => e.event === "pull_request");
    const completed: string[] = [];
    app.events.on("task:complete", ({ task }) => completed.push(task.deliveryId));
    const statuses = new Map<string, { action: string | null; status: string }>();
    for (const ex of pr) {
      const d = signedDelivery(ex.event, ex.payload, { secret });
      const res = await post(url, d);
      expect(res.status).toBe(202);
      statuses.set(d.id, { action: ex.action, status: res.body.status });
    }
    await until(app, () => completed.length === 2);
    for (const { action, status } of statuses.values()) {
      expect(status, String(action)).toBe(action === "opened" || action === "closed" ? "accepted" : "ignored");
    }
    expect(calls.map((c) => (c.payload as { action: string }).action).sort()).toEqual(["closed", "opened"]);
    const ignored = await app.store.listDeliveries({ status: "ignored", limit: 500 });
    expect(ignored.items).toHaveLength(pr.length - 2);
  });
});
