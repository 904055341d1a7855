/**
 * The read cases of the store conformance suite (deliveries and tasks by id, filters, pagination,
 * counts, wake-up times); `describeBackend` (conformance.ts) registers them for every backend.
 */
import { describe, expect, it } from "vitest";
import type { Backend } from "../../src/store/backend.js";
import { expectCode, newDelivery, newTask, seed, walkPages } from "../support/store.js";

const LONG = 60_000;

/** Registers the read cases against the store `store()` returns (a fresh one per case). */
export function describeReads(store: () => Backend): void {
  describe("reads", () => {
    it("getDelivery and getBody return the body bytes exactly, with headers and tasks", async () => {
      const body = Uint8Array.from([0x7b, 0x00, 0xff, 0xfe, 0x80, 0x0a, 0xc3, 0x28, 0x7d]);
      // x-hookyard-traceparent: the ingress span's trace context, which a task in any process reads back from here
      const headers = { "x-github-event": "issues", "x-github-delivery": "abc", "x-hub-signature-256": "[redacted]", "x-hookyard-traceparent": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01" };
      const d = newDelivery({ body, headers, contentType: "application/x-www-form-urlencoded", installationId: null });
      await store().accept(d, [newTask({ name: "one" }), newTask({ name: "two" })]);
      const got = await store().getDelivery(d.id);
      expect(got).toMatchObject({ id: d.id, event: "issues", action: "opened", repository: "octo/one", installationId: null, status: "accepted", receivedAt: d.receivedAt, contentType: "application/x-www-form-urlencoded", headers });
      expect([...got!.body]).toEqual([...body]);
      expect(got?.tasks.map((t) => t.name)).toEqual(["one", "two"]);
      const raw = await store().getBody(d.id);
      expect(raw?.contentType).toBe("application/x-www-form-urlencoded");
      expect([...raw!.body]).toEqual([...body]);
    });
    it("listDeliveries filters by event, action, repository and status", async () => {
      const a = newDelivery({ event: "issues", action: "opened", repository: "octo/a" });
      const b = newDelivery({ event: "issues", action: "closed", repository: "octo/b" });
      const c = newDelivery({ event: "push", action: null, repository: "octo/a" });
      for (const [d, n] of [[a, 1], [b, 0], [c, 1]] as const) await store().accept(d, n ? [newTask()] : []);
      const ids = async (f: Parameters<Backend["listDeliveries"]>[0]) => (await store().listDeliveries(f)).items.map((d) => d.id);
      expect(await ids({})).toEqual([c.id, b.id, a.id]);
      expect(await ids({ event: "issues" })).toEqual([b.id, a.id]);
      expect(await ids({ action: "closed" })).toEqual([b.id]);
      expect(await ids({ repository: "octo/a" })).toEqual([c.id, a.id]);
      expect(await ids({ status: "ignored" })).toEqual([b.id]);
      expect(await ids({ event: "issues", status: "accepted", repository: "octo/a" })).toEqual([a.id]);
      expect(await ids({ event: "nothing" })).toEqual([]);
      expect((await store().listDeliveries({ event: "push" })).items[0]).toMatchObject({ id: c.id, action: null, status: "accepted", installationId: 42 });
    });
    it("listTasks filters by state, name, event, repository and delivery", async () => {
      const d1 = newDelivery({ event: "issues", repository: "octo/a" });
      const d2 = newDelivery({ event: "push", action: null, repository: "octo/b" });
      const [t1, t2, t3] = [newTask({ name: "x" }), newTask({ name: "y" }), newTask({ name: "x" })];
      await store().accept(d1, [t1!]);
      expect((await store().claim("a", 1, LONG)).map((c) => c.id)).toEqual([t1!.id]);
      await store().addTasks(d1.id, [t2!]);
      await store().accept(d2, [t3!]);
      const ids = async (f: Parameters<Backend["listTasks"]>[0]) => (await store().listTasks(f)).items.map((t) => t.id);
      expect(await ids({})).toEqual([t3!.id, t2!.id, t1!.id]);
      expect(await ids({ state: "running" })).toEqual([t1!.id]);
      expect(await ids({ state: "queued" })).toEqual([t3!.id, t2!.id]);
      expect(await ids({ name: "x" })).toEqual([t3!.id, t1!.id]);
      expect(await ids({ event: "push" })).toEqual([t3!.id]);
      expect(await ids({ repository: "octo/a" })).toEqual([t2!.id, t1!.id]);
      expect(await ids({ deliveryId: d1.id, name: "y" })).toEqual([t2!.id]);
      expect(await ids({ state: "failed" })).toEqual([]);
    });
    it("paginates newest first through every page without gaps or duplicates", async () => {
      const deliveries: string[] = [];
      const tasks: string[] = [];
      for (let i = 0; i < 11; i++) {
        const [d, t] = [newDelivery(), newTask()];
        deliveries.push(d.id);
        tasks.push(t.id);
        await store().accept(d, [t]);
      }
      const ds = await walkPages((cursor) => store().listDeliveries({ limit: 4, cursor }));
      expect(ds).toEqual({ ids: [...deliveries].reverse(), sizes: [4, 4, 3] });
      const ts = await walkPages((cursor) => store().listTasks({ limit: 5, cursor }));
      expect(ts).toEqual({ ids: [...tasks].reverse(), sizes: [5, 5, 1] });
      expect((await walkPages((cursor) => store().listTasks({ limit: 11, cursor }))).sizes).toEqual([11]);
    });
    it("rejects an invalid cursor or limit with HOOKYARD_ERR_STORE_QUERY_INVALID", async () => {
      await seed(store(), 2);
      await expectCode(store().listDeliveries({ cursor: "not-a-cursor" }), "HOOKYARD_ERR_STORE_QUERY_INVALID");
      await expectCode(store().listTasks({ cursor: Buffer.from("x12").toString("base64url") }), "HOOKYARD_ERR_STORE_QUERY_INVALID");
      await expectCode(store().listTasks({ limit: 0 }), "HOOKYARD_ERR_STORE_QUERY_INVALID");
    });
    it("countTasks counts every state, zeros included", async () => {
      const ids = await seed(store(), 6);
      const claimed = (await store().claim("a", 4, LONG)).map((c) => c.id);
      await store().finish("a", claimed[0]!, { outcome: "completed" });
      await store().finish("a", claimed[1]!, { outcome: "failed", error: { message: "x" } });
      await store().finish("a", claimed[2]!, { outcome: "retrying", runAt: Date.now() + LONG, error: { message: "x" } });
      await store().cancelTask(ids.find((id) => !claimed.includes(id))!);
      expect(await store().countTasks()).toEqual({ queued: 1, running: 1, retrying: 1, completed: 1, failed: 1, cancelled: 1 });
    });
    it("nextWakeAt: null when idle, the earliest runAt or lease expiry otherwise", async () => {
      expect(await store().nextWakeAt()).toBeNull();
      const [a, b] = await seed(store(), 2);
      expect(await store().nextWakeAt()).toBeLessThanOrEqual(Date.now());
      await store().claim("x", 2, LONG);
      const before = Date.now();
      await store().extendLeases("x", [a!], 5 * LONG);
      const leaseB = await store().nextWakeAt();
      expect(leaseB).toBeGreaterThan(before + LONG / 2);
      expect(leaseB).toBeLessThanOrEqual(Date.now() + LONG);
      await store().finish("x", b!, { outcome: "retrying", runAt: before + 1000, error: { message: "x" } });
      expect(await store().nextWakeAt()).toBe(before + 1000);
      await store().cancelTask(b!);
      expect(await store().nextWakeAt()).toBeGreaterThan(before + 4 * LONG);
    });
    it("ping resolves while open", async () => {
      await expect(store().ping()).resolves.toBeUndefined();
    });
  });
}
