/**
 * Conformance cases for the holds capability (`HoldingBackend`: `takes.hold` on accept, `start`,
 * `release`), which the stores one process owns have (memory, SQLite). `describeBackend` registers
 * them for the backends that declare holds; on every backend, one case checks that `hasHolds()`
 * agrees with the declaration (so a backend cannot lose or gain the capability unnoticed).
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Backend, NewTask } from "../../src/store/backend.js";
import { hasHolds, type HoldingBackend } from "../../src/store/holding-backend.js";
import { claimWhenDue, delay, newDelivery, newTask, removeTempDirs } from "../support/store.js";

const LONG = 60_000;

export function describeHolds(name: string, factory: () => Promise<Backend>, declared: boolean): void {
  it(`Backend capability: ${name} ${declared ? "has" : "has no"} holds, as hasHolds() says`, async () => {
    const store = await factory();
    try {
      expect(hasHolds(store)).toBe(declared);
    } finally {
      await store.close();
      removeTempDirs();
    }
  });

  // a backend without the capability has no holds cases at all (not skipped ones): the case above
  // checks that it really has none
  if (!declared) return;
  describe(`Backend holds (capability): ${name}`, () => {
    let store: HoldingBackend;
    let start: HoldingBackend["start"];
    let release: HoldingBackend["release"];
    beforeEach(async () => {
      const opened = await factory();
      if (!hasHolds(opened)) throw new Error(`${name} was declared with holds, and hasHolds() says it has none`);
      store = opened;
      start = store.start.bind(store);
      release = store.release.bind(store);
    });
    afterEach(async () => {
      await store.close();
      removeTempDirs();
    });

    const held = async (owner = "a", leaseMs = LONG): Promise<NewTask> => {
      const t = newTask();
      expect(await store.accept(newDelivery(), [t], { owner, leaseMs, hold: [t.id] })).toBe("accepted");
      return t;
    };

    it("one accept creates a task claimed, one held and one queued, as its takes say", async () => {
      const [claimed, hold, queued] = [newTask(), newTask(), newTask()];
      await store.accept(newDelivery(), [claimed, hold, queued], { owner: "a", leaseMs: LONG, claim: [claimed.id], hold: [hold.id] });
      expect(await store.getTask(claimed.id)).toMatchObject({ state: "running", attempts: 1 });
      expect(await store.getTask(hold.id)).toMatchObject({ state: "queued", attempts: 0 });
      expect(await store.claim("b", 10, LONG)).toMatchObject([{ id: queued.id, attempt: 1 }]);
      expect(await start("a", [hold.id], LONG)).toEqual([]);
    });

    it("a held task is queued with no attempt, and no other owner can claim it", async () => {
      const t = await held();
      expect(await store.getTask(t.id)).toMatchObject({ state: "queued", attempts: 0, attemptLog: [] });
      expect(await store.claim("b", 10, LONG)).toEqual([]);
      expect(await store.nextWakeAt()).toBeGreaterThan(Date.now() + LONG / 2);
    });

    it("start runs it as attempt 1 under a lease, and its outcome is recorded", async () => {
      const t = await held();
      expect(await start("a", [t.id], LONG)).toEqual([]);
      const running = await store.getTask(t.id);
      expect(running).toMatchObject({ state: "running", attempts: 1 });
      expect(running?.attemptLog.map((a) => a.outcome)).toEqual(["running"]);
      expect(await start("a", [t.id], LONG)).toEqual([t.id]); // started once
      await store.finish("a", t.id, { outcome: "completed" });
      expect(await store.getTask(t.id)).toMatchObject({ state: "completed", attempts: 1 });
      expect(await store.nextWakeAt()).toBeNull();
    });

    it("start refuses tasks the owner does not hold: another owner's, a cancelled one, an unknown id", async () => {
      const [mine, theirs, cancelled] = [await held("a"), await held("b"), await held("a")];
      await store.cancelTask(cancelled.id);
      expect(await start("a", [mine.id, theirs.id, cancelled.id, "unknown-task"], LONG)).toEqual([theirs.id, cancelled.id, "unknown-task"]);
      expect((await store.getTask(theirs.id))?.state).toBe("queued");
      expect((await store.getTask(cancelled.id))?.state).toBe("cancelled");
      expect((await store.getTask(mine.id))?.state).toBe("running");
    });

    it("a lapsed hold is claimed by another owner as attempt 1, with no attempt recorded lost", async () => {
      const t = await held("a", 20);
      const [taken] = await claimWhenDue(store, "b");
      expect(taken).toMatchObject({ id: t.id, attempt: 1 });
      const task = await store.getTask(t.id);
      expect(task).toMatchObject({ state: "running", attempts: 1, lastError: null });
      expect(task?.attemptLog.map((a) => a.outcome)).toEqual(["running"]);
      expect(await start("a", [t.id], LONG)).toEqual([t.id]);
      expect(await store.extendLeases("a", [t.id], LONG)).toEqual([t.id]);
    });

    it("extendLeases renews a hold, and reports a held task that was cancelled", async () => {
      const [keep, cancel] = [await held("a", 20), await held("a", 20)];
      const firstEnd = await store.nextWakeAt();
      await store.cancelTask(cancel.id);
      expect(await store.extendLeases("a", [keep.id, cancel.id], LONG)).toEqual([cancel.id]);
      // wait for the time the first hold would have ended (read from the store), then try to take it
      if (firstEnd !== null && firstEnd >= Date.now()) await delay(firstEnd - Date.now() + 1);
      expect(await store.claim("b", 10, LONG)).toEqual([]);
      expect(await start("a", [keep.id], LONG)).toEqual([]);
    });

    it("release gives held tasks back, due now, and ignores tasks the caller does not hold", async () => {
      const [mine, theirs] = [await held("a"), await held("b")];
      await release("a", [mine.id, theirs.id]);
      expect(await store.claim("c", 10, LONG)).toMatchObject([{ id: mine.id, attempt: 1 }]);
      expect(await start("b", [theirs.id], LONG)).toEqual([]);
    });
  });
}
