import { randomUUID } from "node:crypto";
import { HookyardError } from "../../../errors.js";
import type {
  AcceptStatus, AcceptTakes, AttemptResult, Backend, ClaimedTask, DeliveryDetail, DeliveryFilter, DeliverySummary, NewDelivery, NewTask,
  Page, PruneOptions, PruneResult, RecordFilter, StoredRecord, TaskCounts, TaskDetail, TaskFilter, TaskSummary,
} from "../../backend.js";
import { TaskNotifier } from "../../notifier.js";
import { RecordMethods, type RecordTable } from "../../stored-records.js";
import type { Jobs } from "./jobs.js";
import { OwnClaims } from "./own-claims.js";
import type { FinishNext, RecordStore } from "./records.js";
import { RELEASED, TaskSteps } from "./steps.js";
import { Waker } from "./waker.js";

/** How often lapsed leases are recovered while claims are answered with tasks claimed ahead (no round trip). */
const RECOVER_INTERVAL_MS = 1_000;

/** The parts a {@link BullmqBackend} is assembled from (see `openRedisBackend` / `openPostgresBackend`). */
export interface BullmqBackendParts {
  description: string;
  records: RecordStore;
  /** Where `getRecord` / `putRecord` / `listRecords` keep their documents. */
  storedRecords: RecordTable;
  jobs: Jobs;
  /** Startup warnings (e.g. Redis without `appendonly`). */
  warnings: readonly string[];
  /** Closes what the opener created besides BullMQ's worker and queue (e.g. the ioredis connection). */
  closeConnections: () => Promise<void>;
  /** How often a claim also checks that open tasks have their BullMQ job (ms). */
  repairIntervalMs: number;
  /** Errors nobody awaits (BullMQ's connection events, background repair). */
  onError: (err: unknown) => void;
  /** How long `close()` waits for calls in flight. Default 10 s. */
  closeTimeoutMs?: number;
  /** Finishes in one round trip, claiming the queue's next job for a worker (Redis); without it, finishes take the steps one by one. */
  finishNext?: FinishNext;
}

/**
 * The store on BullMQ: deliveries and task records next to a BullMQ queue whose jobs are the tasks
 * (job id = task id), fetched with BullMQ's manual API under lock tokens that are the leases.
 * Open it with `openRedisBackend` / `openPostgresBackend`, or `openStore("redis://…")`.
 *
 * Every transition changes the task record first (atomically, with the ownership check) and then
 * moves the job; a job whose record says otherwise is put right by the claim that fetches it, and
 * {@link BullmqBackend.repair} re-creates jobs that a crash between the two steps lost.
 *
 * Round trips are spared where the store allows (Redis): a finish ends the record and moves the job
 * in one transaction, and for an owner that claims (a worker pool) also fetches the queue's next job
 * and claims it, kept for that owner's next `claim` (which then needs no round trip). Such tasks go
 * back to the queue when the owner stops listening for work or the store closes.
 *
 * @example
 * ```ts
 * const store = await openRedisBackend({ url: "redis://127.0.0.1:6379/0", prefix: "hookyard" });
 * const app = new Hookyard({ store });
 * ```
 */
export class BullmqBackend implements Backend {
  readonly description: string;
  /** Warnings from the startup checks, for the caller to log. */
  readonly warnings: readonly string[];
  private readonly records: RecordStore;
  private readonly jobs: Jobs;
  private readonly notifier = new TaskNotifier();
  private readonly inflight = new Set<Promise<unknown>>();
  private waker: Waker | undefined;
  private closed = false;
  private closing: Promise<void> | undefined;
  private nextRepairAt: number;
  private nextRecoverAt = 0;
  private readonly own = new OwnClaims();
  private readonly steps: TaskSteps;
  private readonly storedRecords: RecordMethods;

  constructor(private readonly parts: BullmqBackendParts) {
    this.description = parts.description;
    this.warnings = parts.warnings;
    this.records = parts.records;
    this.jobs = parts.jobs;
    this.steps = new TaskSteps(parts.records, parts.jobs, this.own, () => this.notifier.notify(), () => this.listening());
    this.storedRecords = new RecordMethods(parts.storedRecords);
    this.nextRepairAt = Date.now() + parts.repairIntervalMs;
  }

  accept(delivery: NewDelivery, tasks: NewTask[], takes?: AcceptTakes): Promise<AcceptStatus> {
    return this.run(async () => {
      const status = await this.records.accept(delivery, tasks, Date.now(), takes);
      if (status === "accepted" && tasks.some((t) => !takes?.claim?.includes(t.id))) this.notifier.notify();
      return status;
    });
  }

  addTasks(deliveryId: string, tasks: NewTask[]): Promise<void> {
    return this.run(async () => {
      await this.records.addTasks(deliveryId, tasks, Date.now());
      if (tasks.length > 0) this.notifier.notify();
    });
  }

  claim(owner: string, limit: number, leaseMs: number): Promise<ClaimedTask[]> {
    return this.run(async () => {
      this.own.claiming(owner, leaseMs);
      const now = Date.now();
      const claimed = await this.steps.takeAhead(owner, limit, leaseMs, now);
      if (claimed.length >= limit) {
        if (now >= this.nextRecoverAt) await this.recover(now);
        return claimed;
      }
      await this.recover(now);
      this.maybeRepair();
      const wanted = limit - claimed.length;
      const handed = await this.jobs.fetch(wanted, () => `${owner}:${randomUUID()}`);
      if (handed.length < wanted) this.waker?.arm();
      if (handed.length === 0) return claimed;
      const got = await this.steps.settle(owner, handed, await this.records.claim(owner, leaseMs, Date.now(), handed));
      // jobs are fetched with the worker's lock duration; a claim for another lease sets it once
      if (leaseMs !== this.jobs.lockDurationMs) await this.jobs.extendLocks(got.map((g) => g.handed), leaseMs);
      return [...claimed, ...got.map((g) => g.task)];
    });
  }

  extendLeases(owner: string, taskIds: string[], leaseMs: number): Promise<string[]> {
    return this.run(() => this.steps.renew(owner, taskIds, leaseMs, Date.now()));
  }

  finish(owner: string, taskId: string, result: AttemptResult): Promise<void> {
    return this.run(async () => {
      const now = Date.now();
      const token = this.own.takeToken(owner, taskId);
      const fast = this.parts.finishNext;
      if (!fast || !token || (result.outcome !== "completed" && result.outcome !== "failed")) return this.steps.end(owner, taskId, result, now);
      const leaseMs = this.listening() ? this.own.leaseOf(owner) : null;
      const done = await fast.finish(owner, taskId, token, result, now, leaseMs === null ? null : { leaseMs, body: this.own.readsBodies(now) });
      if (done.held && !done.moved) {
        // the job was not moved under its token (its lock expired meanwhile): move it the slow way
        const spec = { id: taskId, name: done.held.name, deliveryId: done.held.deliveryId };
        await this.jobs.drop(spec, done.held.token, result.outcome, result.outcome === "failed" ? result.error : undefined);
      }
      if (done.next) await this.steps.claimedNext(owner, done.next, leaseMs ?? this.jobs.lockDurationMs, now);
    });
  }

  nextWakeAt(): Promise<number | null> {
    return this.run(() => this.records.nextWakeAt());
  }

  /**
   * Calls `listener` when tasks are queued: by this process at once, and by any process through
   * BullMQ's blocking wait (started with the first listener).
   */
  onTasksQueued(listener: () => void): () => void {
    const unsubscribe = this.notifier.subscribe(listener);
    if (!this.waker && !this.closed) {
      this.waker = new Waker(() => this.jobs.waitForWork(), () => this.notifier.notify(), this.parts.onError);
      this.waker.start();
    }
    return () => {
      unsubscribe();
      // no worker is left to take the tasks claimed ahead: they go back to the queue
      if (!this.listening()) void this.releaseAhead();
    };
  }

  getDelivery(id: string): Promise<DeliveryDetail | null> {
    return this.run(() => this.records.getDelivery(id));
  }

  getBody(id: string): Promise<{ body: Uint8Array; contentType: string } | null> {
    return this.run(async () => this.own.takeBody(id, Date.now()) ?? this.records.getBody(id));
  }

  listDeliveries(filter: DeliveryFilter): Promise<Page<DeliverySummary>> {
    return this.run(() => this.records.listDeliveries(filter));
  }

  getTask(id: string): Promise<TaskDetail | null> {
    return this.run(() => this.records.getTask(id));
  }

  listTasks(filter: TaskFilter): Promise<Page<TaskSummary>> {
    return this.run(() => this.records.listTasks(filter));
  }

  countTasks(): Promise<TaskCounts> {
    return this.run(() => this.records.countTasks());
  }

  retryTask(id: string): Promise<TaskSummary> {
    return this.run(async () => {
      await this.records.retry(id, Date.now());
      this.notifier.notify();
      return this.summary(id);
    });
  }

  cancelTask(id: string): Promise<TaskSummary> {
    return this.run(async () => {
      const held = await this.records.cancel(id, Date.now());
      await this.jobs.drop({ id, name: held.name, deliveryId: held.deliveryId }, held.token, "failed", { message: "cancelled" });
      return this.summary(id);
    });
  }

  getRecord(kind: string, key: string): Promise<StoredRecord | null> {
    return this.run(() => this.storedRecords.get(kind, key));
  }

  putRecord(kind: string, key: string, value: unknown, expectedVersion: number): Promise<StoredRecord> {
    return this.run(() => this.storedRecords.put(kind, key, value, expectedVersion));
  }

  listRecords(kind: string, filter?: RecordFilter): Promise<Page<StoredRecord>> {
    return this.run(() => this.storedRecords.list(kind, filter));
  }

  /**
   * Re-creates the BullMQ job of every queued or retrying task, due more than `olderThanMs` ago,
   * that has none (a process died between a task's record and its job). Claims run this every
   * `repairIntervalMs`; returns how many jobs were re-created.
   *
   * @example
   * ```ts
   * const recreated = await store.repair(0);
   * ```
   */
  repair(olderThanMs = 60_000): Promise<number> {
    return this.run(() => this.steps.repair(Date.now() - olderThanMs));
  }

  /** One retention batch on the records (BullMQ removes settled tasks' jobs itself). */
  prune(options: PruneOptions): Promise<PruneResult> {
    return this.run(() => this.records.prune(options));
  }

  ping(): Promise<void> {
    return this.run(() => this.records.ping());
  }

  /**
   * Lets the calls already started finish (for at most `closeTimeoutMs`: a call waiting on a store
   * that is down is then cut off and rejects), stops the wake-ups and closes every connection.
   */
  close(): Promise<void> {
    this.closed = true;
    this.closing ??= (async () => {
      void this.releaseAhead();
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.allSettled([...this.inflight]),
        new Promise((resolve) => (timer = setTimeout(resolve, this.parts.closeTimeoutMs ?? 10_000))),
      ]);
      clearTimeout(timer);
      await this.waker?.stop(() => this.jobs.interrupt());
      await this.jobs.close();
      await this.parts.closeConnections();
    })();
    return this.closing;
  }

  /** Puts every task claimed ahead back in the queue (their owners stopped claiming, or the store closes). */
  private releaseAhead(): Promise<void> {
    const all = this.own.takeAll();
    if (all.length === 0) return Promise.resolve();
    const p = Promise.all(all.map(({ owner, claimed }) => {
      this.own.takeToken(owner, claimed.task.id);
      return this.steps.end(owner, claimed.task.id, RELEASED, Date.now());
    })).then(() => undefined, this.parts.onError);
    this.inflight.add(p);
    void p.then(() => this.inflight.delete(p));
    return p;
  }

  /** A worker pool listens for queued tasks: its owner's finishes may claim ahead for it. */
  private listening(): boolean {
    return this.notifier.size > 0 && !this.closed;
  }

  /** Records lapsed leases as lost attempts (see {@link TaskSteps.recover}). */
  private recover(now: number): Promise<void> {
    this.nextRecoverAt = now + RECOVER_INTERVAL_MS;
    return this.steps.recover(now);
  }

  private maybeRepair(): void {
    if (this.closed || Date.now() < this.nextRepairAt) return;
    this.nextRepairAt = Date.now() + this.parts.repairIntervalMs;
    this.repair().catch(this.parts.onError);
  }

  private async summary(id: string): Promise<TaskSummary> {
    const task = await this.records.getTask(id);
    if (!task) throw new HookyardError("HOOKYARD_ERR_STORE_NOT_FOUND", `no task ${id}`);
    const { attemptLog: _a, backoff: _b, timeoutMs: _t, ...summary } = task;
    return summary;
  }

  /** Runs a call unless the store is closed; `close()` waits for the calls already started. */
  private run<T>(call: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new HookyardError("HOOKYARD_ERR_STORE_UNAVAILABLE", "the store is closed"));
    const p = call().catch((err: unknown) => {
      if (err instanceof HookyardError) throw err;
      throw new HookyardError("HOOKYARD_ERR_STORE_UNAVAILABLE", `${this.description}: ${(err as Error)?.message ?? String(err)}`, { cause: err });
    });
    this.inflight.add(p);
    const done = () => void this.inflight.delete(p);
    p.then(done, done);
    return p;
  }
}
