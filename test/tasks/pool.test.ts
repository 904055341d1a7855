import { randomUUID } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { Hookyard } from "../../src/app/index.js";
import type { AcceptTakes, Backend } from "../../src/store/backend.js";
import { MemoryBackend } from "../../src/store/backends/memory/index.js";
import { findExample } from "../../src/testing/examples.js";

/** A memory store whose finishes take `finishMs` (a store round trip), counting the leases it is asked to renew. */
class SlowFinishBackend extends MemoryBackend {
  renewed: string[] = [];
  constructor(private readonly finishMs: number) {
    super();
  }
  override async finish(...args: Parameters<MemoryBackend["finish"]>): ReturnType<MemoryBackend["finish"]> {
    await new Promise((r) => setTimeout(r, this.finishMs));
    return super.finish(...args);
  }
  override extendLeases(...args: Parameters<MemoryBackend["extendLeases"]>): ReturnType<MemoryBackend["extendLeases"]> {
    this.renewed.push(...args[1]);
    return super.extendLeases(...args);
  }
}

/** A memory store whose finishes wait until `letFinish()` is called. */
class HeldFinishBackend extends MemoryBackend {
  private opened!: () => void;
  private readonly gate = new Promise<void>((r) => (this.opened = r));
  finishesAsked = 0;
  letFinish(): void {
    this.opened();
  }
  override async finish(...args: Parameters<MemoryBackend["finish"]>): ReturnType<MemoryBackend["finish"]> {
    this.finishesAsked++;
    await this.gate;
    return super.finish(...args);
  }
}

/** A memory store that counts the claims made against it. */
class CountingBackend extends MemoryBackend {
  claims = 0;
  override claim(...args: Parameters<MemoryBackend["claim"]>): ReturnType<MemoryBackend["claim"]> {
    this.claims++;
    return super.claim(...args);
  }
}

/** A counting memory store that also records the `takes` of each accept. */
class TakesBackend extends CountingBackend {
  takes: (AcceptTakes | undefined)[] = [];
  override accept(...args: Parameters<MemoryBackend["accept"]>): ReturnType<MemoryBackend["accept"]> {
    this.takes.push(args[2]);
    return super.accept(...args);
  }
}

/** `store` seen without its holds capability (no `start` / `release`), as a store shared by several processes is. */
function withoutHolds(store: MemoryBackend): Backend {
  return new Proxy(store, {
    get: (target, prop) => {
      if (prop === "start" || prop === "release") return undefined;
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

/** A promise opened from outside. */
function opening(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((r) => (open = r));
  return { promise, open };
}

/** Resolves once `n` tasks have completed. */
function completions(app: Hookyard, n: number): Promise<void> {
  return new Promise((resolve) => {
    let seen = 0;
    app.events.on("task:complete", () => ++seen === n && resolve());
  });
}

const apps: Hookyard[] = [];
afterEach(async () => {
  for (const app of apps.splice(0)) await app.stop();
});

/** Posts an `issues.opened` example delivery to `app` without HTTP. */
const send = (app: Hookyard, id: string = randomUUID()) => app.receive({ id, name: "issues", payload: findExample("issues.opened").payload });

/**
 * An open app with one worker slot on `store`, whose `issues.opened` handler records each delivery
 * id (in `ran`) and then waits until `gate.open()`.
 */
async function gatedApp(store: Backend): Promise<{ app: Hookyard; gate: ReturnType<typeof opening>; ran: string[] }> {
  const app = new Hookyard({ store, logLevel: "silent", webhookSecret: "x", env: {}, concurrency: 1 });
  apps.push(app);
  const gate = opening();
  const ran: string[] = [];
  app.on("issues.opened", async (ctx) => {
    ran.push(ctx.id);
    await gate.promise;
  });
  await app.open();
  return { app, gate, ran };
}

describe("worker pool", () => {
  it("a finished task claims nothing when the store has nothing queued (no claim round trip per task)", async () => {
    const store = new CountingBackend();
    const app = new Hookyard({ store, logLevel: "silent", webhookSecret: "x", env: {} });
    apps.push(app);
    let done = 0;
    app.on("issues.opened", async () => void done++);
    await app.open();
    const claimsAtStart = store.claims;
    for (let i = 0; i < 20; i++) {
      const finished = app.events.once("task:complete");
      await send(app);
      await finished;
    }
    expect(done).toBe(20);
    expect(store.claims - claimsAtStart).toBe(0); // each task was held at accept and started without a claim
  });

  for (const holds of [true, false]) {
    it(`the pool decides how an accept's tasks start (store ${holds ? "with" : "without"} holds): inline created claimed, the other ${holds ? "held" : "left to a claim"}`, async () => {
      const inner = new TakesBackend();
      const app = new Hookyard({ store: holds ? inner : withoutHolds(inner), logLevel: "silent", webhookSecret: "x", env: {}, lease: 45_000 });
      apps.push(app);
      app.on("issues.opened", async function background() {});
      app.on("issues.opened", async function now() {}, { inline: true });
      await app.open();
      const claimsAtStart = inner.claims;
      const done = completions(app, 2);
      await send(app);
      await done;
      const tasks = (await inner.listTasks({ limit: 10 })).items;
      const id = (name: string) => tasks.find((t) => t.name === name)?.id;
      expect(inner.takes).toEqual([{ owner: app.workerId, leaseMs: 45_000, claim: [id("issues.opened:now")], hold: holds ? [id("issues.opened:background")] : [] }]);
      expect(inner.claims > claimsAtStart).toBe(!holds);
      expect(tasks.map((t) => [t.state, t.attempts])).toEqual([["completed", 1], ["completed", 1]]);
    });
  }

  it("deliveries accepted while every slot is busy are held, and start in arrival order as slots free, with no claim", async () => {
    const store = new CountingBackend();
    const { app, gate, ran } = await gatedApp(store);
    const claimsAtStart = store.claims;
    const ids = [randomUUID(), randomUUID(), randomUUID()];
    const allDone = completions(app, ids.length);
    for (const id of ids) await send(app, id);
    const tasks = (await store.listTasks({ limit: 10 })).items;
    expect(tasks.map((t) => t.state).sort()).toEqual(["queued", "queued", "running"]);
    gate.open();
    await allDone;
    expect(ran).toEqual(ids);
    expect(store.claims - claimsAtStart).toBe(0);
    for (const t of tasks) expect((await store.getTask(t.id))?.attemptLog.map((a) => a.outcome)).toEqual(["completed"]);
  });

  it("tasks queued by other means (a replay) while every slot is busy are claimed as slots free up", async () => {
    const store = new CountingBackend();
    const { app, gate, ran } = await gatedApp(store);
    const id = randomUUID();
    const allDone = completions(app, 2);
    await send(app, id);
    const claimsBefore = store.claims;
    await app.replay(id);
    gate.open();
    await allDone;
    expect(ran).toEqual([id, id]);
    expect(store.claims).toBeGreaterThan(claimsBefore);
  });

  it("held tasks do not keep a task queued by other means waiting: a freed slot goes to the claim first", async () => {
    const { app, gate, ran } = await gatedApp(new MemoryBackend());
    const ids = Array.from({ length: 5 }, () => randomUUID());
    const allDone = completions(app, ids.length + 1);
    for (const id of ids) await send(app, id);
    // one runs, four are held; the replay's task is queued in the store, not held
    await app.replay(ids[0]!);
    gate.open();
    await allDone;
    expect(ran).toEqual([ids[0], ids[0], ...ids.slice(1)]);
  });

  it("a drain gives back the held tasks that have not started: queued, due now, no attempt counted", async () => {
    const store = new MemoryBackend();
    const { app, gate } = await gatedApp(store);
    for (let i = 0; i < 3; i++) await send(app);
    const stopped = app.stop();
    gate.open();
    await stopped;
    expect(await store.countTasks()).toMatchObject({ completed: 1, queued: 2, running: 0 });
    expect(await store.nextWakeAt()).toBeLessThanOrEqual(Date.now());
    expect(await store.claim("next-process", 10, 60_000)).toMatchObject([{ attempt: 1 }, { attempt: 1 }]);
  });

  it("a heartbeat does not renew a task whose outcome is being recorded, so its end is announced (task:complete)", async () => {
    // leases of 150 ms are renewed every 50 ms; each finish takes 120 ms, across two heartbeats
    const store = new SlowFinishBackend(120);
    const app = new Hookyard({ store, logLevel: "silent", webhookSecret: "x", env: {}, lease: 150 });
    apps.push(app);
    app.on("issues.opened", async () => undefined);
    await app.open();
    const completed: string[] = [];
    app.events.on("task:complete", ({ task }) => void completed.push(task.id));
    for (let i = 0; i < 5; i++) {
      const finished = app.events.once("task:complete");
      await send(app);
      await finished;
    }
    expect(completed).toHaveLength(5);
    expect(store.renewed.filter((id) => completed.includes(id))).toEqual([]);
  });

  it("a task whose handler has ended gives its slot to the next one while its outcome is recorded", async () => {
    const store = new HeldFinishBackend();
    const app = new Hookyard({ store, logLevel: "silent", webhookSecret: "x", env: {}, concurrency: 1 });
    apps.push(app);
    const started: string[] = [];
    let secondStarted!: () => void;
    const second = new Promise<void>((r) => (secondStarted = r));
    app.on("issues.opened", async (ctx) => {
      started.push(ctx.id);
      if (started.length === 2) secondStarted();
    });
    await app.open();
    const ids = [randomUUID(), randomUUID()];
    for (const id of ids) await send(app, id);
    await second; // the first task's finish is still held: its slot was not
    expect(store.finishesAsked).toBe(1);
    expect((await store.getTask((await store.listTasks({ limit: 10 })).items.find((t) => t.deliveryId === ids[0])!.id))?.state).toBe("running");
    const allDone = new Promise<void>((resolve) => {
      let n = 0;
      app.events.on("task:complete", () => ++n === 2 && resolve());
    });
    store.letFinish();
    await allDone;
    expect(started).toEqual(ids);
  });
});
