/**
 * Conformance cases for retention (`Backend.prune`): what goes, what stays, dry runs, batches and
 * dedup tombstones. Times are passed in (the injected clock): no case sleeps.
 * Call `describePrune(name, factory)` beside `describeBackend`.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Backend, NewTask, PruneOptions, PruneResult } from "../../src/store/backend.js";
import { newDelivery, newTask, removeTempDirs } from "../support/store.js";

const DAY = 86_400_000;
const LONG = 60_000;

export function describePrune(name: string, factory: () => Promise<Backend>): void {
  describe(`Backend prune: ${name}`, () => {
    let store: Backend;
    let prune: (o: Partial<PruneOptions>) => Promise<PruneResult>;
    /** Later than anything the store stamped so far: every settled task counts as old. */
    let future: number;
    beforeEach(async () => {
      store = await factory();
      expect(typeof store.prune).toBe("function");
      future = Date.now() + LONG;
      prune = (o) => store.prune!({ before: future, failedBefore: future, tombstonesBefore: 0, limit: 100, ...o });
    });
    afterEach(async () => {
      await store.close();
      removeTempDirs();
    });

    /** Accepts an old delivery (received 40 days ago) with `n` tasks and settles each with `outcome`. */
    const old = async (outcome: "completed" | "failed" | "cancelled" | "queued" | "running" | "retrying", n = 1) => {
      const tasks: NewTask[] = Array.from({ length: n }, () => newTask({ maxAttempts: 1 }));
      const d = newDelivery({ receivedAt: Date.now() - 40 * DAY });
      expect(await store.accept(d, tasks)).toBe("accepted");
      if (outcome === "queued") return { d, tasks };
      if (outcome === "cancelled") {
        for (const t of tasks) await store.cancelTask(t.id);
        return { d, tasks };
      }
      const owner = `o-${d.id}`;
      const claimed = await store.claim(owner, 10, LONG);
      expect(claimed.map((c) => c.id).sort()).toEqual(tasks.map((t) => t.id).sort());
      for (const t of tasks) {
        if (outcome === "completed") await store.finish(owner, t.id, { outcome: "completed" });
        if (outcome === "failed") await store.finish(owner, t.id, { outcome: "failed", error: { message: "boom" } });
        if (outcome === "retrying") await store.finish(owner, t.id, { outcome: "retrying", runAt: Date.now() + DAY, error: { message: "later" } });
      }
      return { d, tasks };
    };

    it("removes an old delivery whose tasks completed or were cancelled, its tasks and body; an old one without tasks too", async () => {
      const done = await old("completed", 2);
      const cancelled = await old("cancelled");
      const ignored = newDelivery({ receivedAt: Date.now() - 40 * DAY });
      expect(await store.accept(ignored, [])).toBe("ignored");
      const res = await prune({});
      expect(res).toMatchObject({ deliveries: 3, tasks: 3, tombstones: 0 });
      expect(res.bytes).toBeGreaterThanOrEqual(done.d.body.length + cancelled.d.body.length + ignored.body.length);
      for (const d of [done.d, cancelled.d, ignored]) {
        expect(await store.getDelivery(d.id)).toBeNull();
        expect(await store.getBody(d.id)).toBeNull();
      }
      for (const t of [...done.tasks, ...cancelled.tasks]) expect(await store.getTask(t.id)).toBeNull();
      expect((await store.listDeliveries({})).items).toEqual([]);
      expect((await store.listTasks({})).items).toEqual([]);
      expect(await store.countTasks()).toMatchObject({ completed: 0, cancelled: 0 });
      expect(await prune({})).toMatchObject({ deliveries: 0, tasks: 0, bytes: 0 });
    });

    it("never removes a delivery with a queued, running or retrying task, nor one received after `before`", async () => {
      const kept = [await old("running"), await old("retrying"), await old("queued")];
      const young = newDelivery({ receivedAt: Date.now() + 2 * LONG });
      await store.accept(young, []);
      expect(await prune({})).toMatchObject({ deliveries: 0, tasks: 0 });
      for (const { d, tasks } of kept) {
        expect(await store.getDelivery(d.id)).not.toBeNull();
        expect(await store.getTask(tasks[0]!.id)).not.toBeNull();
      }
      expect(await store.getBody(young.id)).not.toBeNull();
    });

    it("keeps a failed task's delivery until failed retention passes, then removes it", async () => {
      const failed = await old("failed");
      expect(await store.getTask(failed.tasks[0]!.id)).toMatchObject({ state: "failed" });
      expect(await prune({ failedBefore: Date.now() - 1_000 })).toMatchObject({ deliveries: 0 });
      expect(await store.getDelivery(failed.d.id)).not.toBeNull();
      expect(await prune({})).toMatchObject({ deliveries: 1, tasks: 1 });
      expect(await store.getTask(failed.tasks[0]!.id)).toBeNull();
    });

    it("a dry run counts what would go and removes nothing; `limit` bounds a batch and the next one goes on", async () => {
      const all = [await old("completed"), await old("completed"), await old("completed")];
      const dry = await prune({ dryRun: true });
      expect(dry).toMatchObject({ deliveries: 3, tasks: 3 });
      expect(dry.bytes).toBeGreaterThan(0);
      for (const { d } of all) expect(await store.getDelivery(d.id)).not.toBeNull();
      const first = await prune({ limit: 2 });
      expect(first).toMatchObject({ deliveries: 2, tasks: 2 });
      expect(first.cursor).not.toBeNull();
      expect(await prune({ limit: 2, cursor: first.cursor! })).toMatchObject({ deliveries: 1, tasks: 1, cursor: null });
      expect((await store.listDeliveries({})).items).toEqual([]);
    });

    it("a pruned delivery's id is still answered duplicate until its tombstone goes (GitHub's redelivery window)", async () => {
      const { d } = await old("completed");
      expect(await prune({})).toMatchObject({ deliveries: 1 });
      expect(await store.accept({ ...d, receivedAt: Date.now() }, [newTask()])).toBe("duplicate");
      expect(await prune({ tombstonesBefore: d.receivedAt })).toMatchObject({ tombstones: 0 });
      expect(await store.accept(d, [])).toBe("duplicate");
      expect(await prune({ tombstonesBefore: d.receivedAt + 1, dryRun: true })).toMatchObject({ tombstones: 1 });
      expect(await prune({ tombstonesBefore: d.receivedAt + 1 })).toMatchObject({ tombstones: 1 });
      expect(await store.accept({ ...d, receivedAt: Date.now() }, [])).toBe("ignored");
    });
  });
}
