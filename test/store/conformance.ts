/**
 * The store conformance suite: the same cases against every Backend (memory, SQLite, …).
 * Call `describeBackend(name, factory, { holds })` from a backend's test file; the cases of the
 * holds capability (conformance-holds.ts) run on the backends that declare it; every backend
 * is checked to declare exactly what it has.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { AcceptTakes, Backend, NewTask, TaskState } from "../../src/store/backend.js";
import { claimWhenDue, delay, expectCode, newDelivery, newTask, removeTempDirs, seed, untilWake } from "../support/store.js";
import { describeHolds } from "./conformance-holds.js";
import { describeReads } from "./conformance-reads.js";
import { describeRecords } from "./conformance-records.js";

const LONG = 60_000;

/** What a backend's test file can add to the suite. */
export interface ConformanceOptions {
  /** Whether the backend holds tasks for the process that accepted them (`HoldingBackend`): checked against `hasHolds()`. */
  holds: boolean;
  /** Closes the store (keeping its data) and opens the same data again: the durability cases run with it. */
  reopen?: (store: Backend) => Promise<Backend>;
}

/** `takes` for an accept that creates `tasks` claimed by `owner` (an inline handler's first attempt). */
export function claimedBy(owner: string, leaseMs: number, ...tasks: NewTask[]): AcceptTakes {
  return { owner, leaseMs, claim: tasks.map((t) => t.id) };
}

export function describeBackend(name: string, factory: () => Promise<Backend>, options: ConformanceOptions): void {
  describeHolds(name, factory, options.holds);

  describe(`Backend conformance: ${name}`, () => {
    let store: Backend;
    beforeEach(async () => {
      store = await factory();
    });
    afterEach(async () => {
      await store.close();
      removeTempDirs();
    });

    const state = async (id: string): Promise<TaskState | undefined> => (await store.getTask(id))?.state;

    describe("accept", () => {
      it("answers accepted with tasks, ignored without, duplicate for a known id and then writes nothing", async () => {
        const [d, t] = [newDelivery(), newTask()];
        expect(await store.accept(d, [t])).toBe("accepted");
        expect(await store.accept(newDelivery(), [])).toBe("ignored");
        const again = newTask();
        expect(await store.accept({ ...d, event: "push", body: Buffer.from("other") }, [again])).toBe("duplicate");
        expect(await store.getTask(again.id)).toBeNull();
        const stored = await store.getDelivery(d.id);
        expect(stored?.event).toBe("issues");
        expect(Buffer.from(stored!.body).equals(Buffer.from(d.body))).toBe(true);
        expect(stored?.tasks.map((x) => x.id)).toEqual([t.id]);
        expect((await store.countTasks()).queued).toBe(1);
      });
      it("creates tasks queued with 0 attempts and the delivery's fields", async () => {
        const t = newTask({ name: "issues:label", maxAttempts: 4, timeoutMs: 1234 });
        const d = newDelivery({ event: "issues", action: "labeled", repository: "octo/two" });
        await store.accept(d, [t]);
        expect(await store.getTask(t.id)).toMatchObject({
          id: t.id, name: "issues:label", deliveryId: d.id, event: "issues", action: "labeled", repository: "octo/two",
          state: "queued", attempts: 0, maxAttempts: 4, timeoutMs: 1234, backoff: t.backoff, lastError: null, attemptLog: [],
        });
      });
    });

    describe("claim", () => {
      it("respects the limit and hands out each due task once", async () => {
        const ids = await seed(store, 5);
        const [first, second, third] = [await store.claim("a", 2, LONG), await store.claim("a", 2, LONG), await store.claim("a", 2, LONG)];
        expect([first.length, second.length, third.length]).toEqual([2, 2, 1]);
        expect(await store.claim("a", 2, LONG)).toEqual([]);
        const claimed = [...first, ...second, ...third];
        expect(new Set(claimed.map((c) => c.id))).toEqual(new Set(ids));
        expect(claimed.every((c) => c.attempt === 1)).toBe(true);
        const detail = await store.getTask(ids[0]!);
        expect(detail).toMatchObject({ state: "running", attempts: 1 });
        expect(detail?.attemptLog).toMatchObject([{ attempt: 1, outcome: "running", endedAt: null, error: null }]);
      });
      it("never gives the same task to two owners claiming concurrently", async () => {
        const ids = [...(await seed(store, 10)), ...(await seed(store, 10))];
        const [a, b] = await Promise.all([store.claim("a", 15, LONG), store.claim("b", 15, LONG)]);
        const aIds = new Set(a.map((t) => t.id));
        expect(b.filter((t) => aIds.has(t.id))).toEqual([]);
        expect(new Set([...a, ...b].map((t) => t.id))).toEqual(new Set(ids));
      });
      it("does not re-claim an inline-claimed task before its lease expires; the accept's other tasks are queued", async () => {
        const [t, other] = [newTask(), newTask()];
        await store.accept(newDelivery(), [t, other], claimedBy("inline", LONG, t));
        expect(await store.getTask(t.id)).toMatchObject({ state: "running", attempts: 1, attemptLog: [{ attempt: 1, outcome: "running" }] });
        expect(await store.getTask(other.id)).toMatchObject({ state: "queued", attempts: 0 });
        expect(await store.claim("other", 10, LONG)).toMatchObject([{ id: other.id, attempt: 1 }]);
        expect(await store.claim("other", 10, LONG)).toEqual([]);
        expect(await store.nextWakeAt()).toBeGreaterThan(Date.now() + LONG / 2);
        await store.finish("inline", t.id, { outcome: "completed" });
        expect(await state(t.id)).toBe("completed");
      });
    });

    describe("finish", () => {
      const error = { message: "boom", code: "E_TEST" };

      it("completed: closes the attempt and the task is not claimable again", async () => {
        const [id] = await seed(store);
        await store.claim("a", 1, LONG);
        await store.finish("a", id!, { outcome: "completed" });
        const t = await store.getTask(id!);
        expect(t).toMatchObject({ state: "completed", attempts: 1, attemptLog: [{ attempt: 1, outcome: "completed", error: null }] });
        expect(t?.attemptLog[0]?.endedAt).toEqual(expect.any(Number));
        expect(await store.claim("a", 1, LONG)).toEqual([]);
        expect(await store.nextWakeAt()).toBeNull();
      });
      it("retrying: not claimable before runAt, claimable after with the next attempt number", async () => {
        const [id] = await seed(store);
        await store.claim("a", 1, LONG);
        // far enough ahead that the checks below run before it, even on a loaded machine
        const runAt = Date.now() + 1_500;
        await store.finish("a", id!, { outcome: "retrying", runAt, error });
        expect(await store.getTask(id!)).toMatchObject({ state: "retrying", runAt, lastError: error, attemptLog: [{ outcome: "retrying", error }] });
        expect(await store.nextWakeAt()).toBe(runAt);
        expect(await store.claim("a", 1, LONG)).toEqual([]);
        const [again] = await claimWhenDue(store, "b");
        expect(Date.now()).toBeGreaterThanOrEqual(runAt);
        expect(again).toMatchObject({ id, attempt: 2 });
        expect((await store.getTask(id!))?.attemptLog.at(-1)?.startedAt).toBeGreaterThanOrEqual(runAt);
      });
      it("failed: dead letter with lastError, nothing left to wake for", async () => {
        const [id] = await seed(store);
        await store.claim("a", 1, LONG);
        await store.finish("a", id!, { outcome: "failed", error });
        expect(await store.getTask(id!)).toMatchObject({ state: "failed", lastError: error, attemptLog: [{ outcome: "failed", error }] });
        expect(await store.claim("a", 1, LONG)).toEqual([]);
        expect(await store.nextWakeAt()).toBeNull();
      });
      it("interrupted: queued again without counting the attempt", async () => {
        const [id] = await seed(store, 1, { maxAttempts: 1 });
        await store.claim("a", 1, LONG);
        await store.finish("a", id!, { outcome: "interrupted", error: { message: "shutdown", code: "HOOKYARD_ERR_TASK_INTERRUPTED" } });
        expect(await store.getTask(id!)).toMatchObject({ state: "queued", attempts: 0, attemptLog: [{ outcome: "interrupted" }] });
        const [again] = await store.claim("b", 1, LONG);
        expect(again).toMatchObject({ id, attempt: 1, maxAttempts: 1 });
      });
      it("interrupted with runAt (a rate limit): queued for that time, the attempt not counted", async () => {
        const [id] = await seed(store, 1, { maxAttempts: 1 });
        await store.claim("a", 1, LONG);
        const runAt = Date.now() + 3_600_000;
        await store.finish("a", id!, { outcome: "interrupted", runAt, error: { message: "rate limited", code: "HOOKYARD_ERR_GITHUB_RATE_LIMITED" } });
        expect(await store.getTask(id!)).toMatchObject({ state: "queued", attempts: 0, runAt });
        expect(await store.claim("b", 1, LONG)).toEqual([]);
        expect(await store.nextWakeAt()).toBe(runAt);
      });
      it("is ignored when the caller does not own the task", async () => {
        const [id] = await seed(store);
        await store.claim("a", 1, LONG);
        await store.finish("b", id!, { outcome: "failed", error });
        expect(await store.getTask(id!)).toMatchObject({ state: "running", lastError: null, attemptLog: [{ outcome: "running" }] });
        expect(await store.extendLeases("a", [id!], LONG)).toEqual([]);
        await store.finish("a", id!, { outcome: "completed" });
        expect(await state(id!)).toBe("completed");
      });
    });

    describe("leases", () => {
      it("an expired lease is claimed by another owner as the next attempt; the first is recorded lost", async () => {
        const [id] = await seed(store);
        await store.claim("a", 1, 20);
        const [taken] = await claimWhenDue(store, "b");
        expect(taken).toMatchObject({ id, attempt: 2 });
        const t = await store.getTask(id!);
        expect(t).toMatchObject({ state: "running", attempts: 2, lastError: { code: "HOOKYARD_ERR_TASK_LEASE_EXPIRED" } });
        expect(t?.attemptLog.map((a) => a.outcome)).toEqual(["lost", "running"]);
        expect(t?.attemptLog[0]?.error?.code).toBe("HOOKYARD_ERR_TASK_LEASE_EXPIRED");
        // the first owner lost it: its renewal says so and its finish is ignored
        expect(await store.extendLeases("a", [id!], LONG)).toEqual([id]);
        await store.finish("a", id!, { outcome: "completed" });
        expect(await state(id!)).toBe("running");
      });
      it("an expired lease with no attempts left fails the task", async () => {
        const [id] = await seed(store, 1, { maxAttempts: 1 });
        await store.claim("a", 1, 20);
        for (let i = 0; i < 20 && (await state(id!)) === "running"; i++) {
          await untilWake(store);
          expect(await store.claim("b", 10, LONG)).toEqual([]);
        }
        const t = await store.getTask(id!);
        expect(t).toMatchObject({ state: "failed", attempts: 1, lastError: { code: "HOOKYARD_ERR_TASK_LEASE_EXPIRED" } });
        expect(t?.attemptLog.map((a) => a.outcome)).toEqual(["lost"]);
        expect(await store.nextWakeAt()).toBeNull();
      });
      it("an inline-claimed task whose lease expires is claimed by another owner as the next attempt", async () => {
        const t = newTask();
        await store.accept(newDelivery(), [t], claimedBy("inline", 20, t));
        const [taken] = await claimWhenDue(store, "b");
        expect(taken).toMatchObject({ id: t.id, attempt: 2 });
        expect((await store.getTask(t.id))?.attemptLog.map((a) => a.outcome)).toEqual(["lost", "running"]);
        expect(await store.extendLeases("inline", [t.id], LONG)).toEqual([t.id]);
        await store.finish("inline", t.id, { outcome: "completed" });
        expect(await state(t.id)).toBe("running");
        await store.finish("b", t.id, { outcome: "completed" });
        expect(await state(t.id)).toBe("completed");
        expect(await store.claim("c", 10, LONG)).toEqual([]);
        expect(await store.nextWakeAt()).toBeNull();
      });
      it("extendLeases keeps an inline-claimed task from being claimed past its first lease", async () => {
        const t = newTask();
        await store.accept(newDelivery(), [t], claimedBy("inline", 20, t));
        const firstLeaseEnd = await store.nextWakeAt();
        expect(await store.extendLeases("inline", [t.id], LONG)).toEqual([]);
        // wait for the time the first lease would have ended (read from the store), then try to take it
        if (firstLeaseEnd !== null && firstLeaseEnd >= Date.now()) await delay(firstLeaseEnd - Date.now() + 1);
        expect(await store.claim("other", 10, LONG)).toEqual([]);
        expect(await store.nextWakeAt()).toBeGreaterThan(Date.now() + LONG / 2);
        await store.finish("inline", t.id, { outcome: "retrying", runAt: Date.now(), error: { message: "again" } });
        expect(await claimWhenDue(store, "other")).toMatchObject([{ id: t.id, attempt: 2 }]);
      });
      it("extendLeases renews held leases and returns the ids the owner no longer holds", async () => {
        const [keep, cancel] = await seed(store, 2);
        await store.claim("a", 2, 20);
        await store.cancelTask(cancel!);
        expect(await store.extendLeases("a", [keep!, cancel!, "unknown-task"], LONG)).toEqual([cancel, "unknown-task"]);
        expect(await store.nextWakeAt()).toBeGreaterThan(Date.now() + LONG / 2);
        expect(await store.claim("b", 10, LONG)).toEqual([]);
        expect(await store.extendLeases("b", [keep!], LONG)).toEqual([keep]);
      });
    });

    describe("retry and cancel", () => {
      it("retryTask puts a failed or cancelled task back in the queue with a fresh budget", async () => {
        const [failed, cancelled] = await seed(store, 2, { maxAttempts: 1 });
        await store.claim("a", 2, LONG);
        await store.finish("a", failed!, { outcome: "failed", error: { message: "x" } });
        await store.cancelTask(cancelled!);
        for (const id of [failed!, cancelled!]) {
          expect(await store.retryTask(id)).toMatchObject({ id, state: "queued", attempts: 0 });
        }
        const again = await store.claim("b", 10, LONG);
        expect(new Set(again.map((t) => t.id))).toEqual(new Set([failed, cancelled]));
        expect(again.every((t) => t.attempt === 1)).toBe(true);
      });
      it("retryTask refuses completed, queued and running tasks with HOOKYARD_ERR_TASK_STATE_CONFLICT", async () => {
        await seed(store, 2);
        const [done, running] = (await store.claim("a", 2, LONG)).map((c) => c.id);
        const [queued] = await seed(store, 1);
        await store.finish("a", done!, { outcome: "completed" });
        for (const id of [done!, running!, queued!]) await expectCode(store.retryTask(id), "HOOKYARD_ERR_TASK_STATE_CONFLICT");
        expect(await state(done!)).toBe("completed");
      });
      it("cancelTask cancels queued, retrying and running tasks, which are then not claimable", async () => {
        await seed(store, 2);
        const [retrying, running] = (await store.claim("a", 2, LONG)).map((c) => c.id);
        await store.finish("a", retrying!, { outcome: "retrying", runAt: Date.now() + LONG, error: { message: "x" } });
        const [queued] = await seed(store, 1);
        expect([await state(queued!), await state(retrying!), await state(running!)]).toEqual(["queued", "retrying", "running"]);
        for (const id of [queued!, retrying!, running!]) expect(await store.cancelTask(id)).toMatchObject({ id, state: "cancelled" });
        expect((await store.getTask(running!))?.attemptLog.at(-1)?.outcome).toBe("cancelled");
        expect(await store.claim("b", 10, LONG)).toEqual([]);
        expect(await store.nextWakeAt()).toBeNull();
        await expectCode(store.cancelTask(running!), "HOOKYARD_ERR_TASK_STATE_CONFLICT");
        await store.finish("a", running!, { outcome: "completed" });
        expect(await state(running!)).toBe("cancelled");
      });
      it("unknown ids: HOOKYARD_ERR_STORE_NOT_FOUND for actions, null for reads", async () => {
        await expectCode(store.retryTask("nope"), "HOOKYARD_ERR_STORE_NOT_FOUND");
        await expectCode(store.cancelTask("nope"), "HOOKYARD_ERR_STORE_NOT_FOUND");
        await expectCode(store.addTasks("nope", [newTask()]), "HOOKYARD_ERR_STORE_NOT_FOUND");
        expect(await store.getTask("nope")).toBeNull();
        expect(await store.getDelivery("nope")).toBeNull();
        expect(await store.getBody("nope")).toBeNull();
      });
      it("addTasks (replay) onto an ignored delivery marks it accepted and queues the tasks", async () => {
        const d = newDelivery({ event: "push", action: null, repository: "octo/r" });
        expect(await store.accept(d, [])).toBe("ignored");
        await store.addTasks(d.id, []);
        expect((await store.getDelivery(d.id))?.status).toBe("ignored");
        const t = newTask();
        await store.addTasks(d.id, [t]);
        expect((await store.getDelivery(d.id))?.status).toBe("accepted");
        expect(await store.getTask(t.id)).toMatchObject({ deliveryId: d.id, event: "push", action: null, repository: "octo/r", state: "queued" });
        expect((await store.claim("a", 10, LONG)).map((c) => c.id)).toEqual([t.id]);
      });
    });

    describeReads(() => store);
    const { reopen } = options;
    describeRecords(() => store, reopen && (async () => (store = await reopen(store))));

    it("close() lets calls made before it finish (same tick included)", async () => {
      const d = newDelivery();
      const accepted = store.accept(d, [newTask()]).catch((err: { code?: string }) => err.code);
      await store.close();
      expect(await accepted).toBe("accepted");
    });

    it("after close() every call rejects with HOOKYARD_ERR_STORE_UNAVAILABLE", async () => {
      const [id] = await seed(store);
      await store.close();
      const calls: [string, () => Promise<unknown>][] = [
        ["accept", () => store.accept(newDelivery(), [newTask()])], ["claim", () => store.claim("a", 1, LONG)],
        ["extendLeases", () => store.extendLeases("a", [id!], LONG)], ["finish", () => store.finish("a", id!, { outcome: "completed" })],
        ["nextWakeAt", () => store.nextWakeAt()], ["getDelivery", () => store.getDelivery("x")], ["getBody", () => store.getBody("x")],
        ["listDeliveries", () => store.listDeliveries({})], ["getTask", () => store.getTask(id!)], ["listTasks", () => store.listTasks({})],
        ["countTasks", () => store.countTasks()], ["retryTask", () => store.retryTask(id!)], ["cancelTask", () => store.cancelTask(id!)],
        ["addTasks", () => store.addTasks("x", [])], ["getRecord", () => store.getRecord("kind", "key")],
        ["putRecord", () => store.putRecord("kind", "key", {}, 0)], ["listRecords", () => store.listRecords("kind")], ["ping", () => store.ping()],
      ];
      const outcomes = await Promise.all(calls.map(([name, call]) =>
        call().then(() => `${name}: resolved`, (err: { code?: string }) => `${name}: ${err.code}`)));
      expect(outcomes).toEqual(calls.map(([name]) => `${name}: HOOKYARD_ERR_STORE_UNAVAILABLE`));
      await expect(store.close()).resolves.toBeUndefined();
    });
  });
}
