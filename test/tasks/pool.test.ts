import { randomUUID } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { Hookyard } from "../../src/app.js";
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

const apps: Hookyard[] = [];
afterEach(async () => {
  for (const app of apps.splice(0)) await app.stop();
});

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
      await app.receive({ id: randomUUID(), name: "issues", payload: findExample("issues.opened").payload });
      await finished;
    }
    expect(done).toBe(20);
    expect(store.claims - claimsAtStart).toBe(0); // each task was claimed at accept and ran at once
  });

  it("tasks queued while every slot is busy are claimed as slots free up", async () => {
    const store = new CountingBackend();
    const app = new Hookyard({ store, logLevel: "silent", webhookSecret: "x", env: {}, concurrency: 1 });
    apps.push(app);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const ran: string[] = [];
    app.on("issues.opened", async (ctx) => {
      ran.push(ctx.id);
      await gate;
    });
    await app.open();
    const ids = [randomUUID(), randomUUID(), randomUUID()];
    const allDone = new Promise<void>((resolve) => {
      let n = 0;
      app.events.on("task:complete", () => ++n === ids.length && resolve());
    });
    for (const id of ids) await app.receive({ id, name: "issues", payload: findExample("issues.opened").payload });
    release();
    await allDone;
    expect(ran.sort()).toEqual([...ids].sort());
    expect(store.claims).toBeGreaterThan(0);
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
      await app.receive({ id: randomUUID(), name: "issues", payload: findExample("issues.opened").payload });
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
    for (const id of ids) await app.receive({ id, name: "issues", payload: findExample("issues.opened").payload });
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
