import type { AttemptResult, ClaimedTask } from "../../backend.js";
import { LEASE_EXPIRED_ERROR } from "../../transitions.js";
import type { Jobs } from "./jobs.js";
import type { OwnClaims } from "./own-claims.js";
import type { ClaimDecision, FinishedNext, Handed, RecordStore } from "./records.js";

/** How many lapsed leases one recovery handles at most. */
const RECOVER_BATCH = 100;
/** How many open tasks one repair pass checks at most. */
const REPAIR_BATCH = 500;

/** How a task claimed ahead for a worker that stopped claiming goes back to the queue (the attempt does not count). */
export const RELEASED: AttemptResult = {
  outcome: "interrupted",
  error: { code: "HOOKYARD_ERR_TASK_INTERRUPTED", message: "claimed ahead for a worker that stopped claiming; queued again" },
};

/**
 * The BullMQ store's transitions taken step by step: the task record first (atomically, with the
 * ownership check), then the job. A crash between the two leaves a job whose record says
 * otherwise, which the claim that fetches it resolves, or an open task without a job, which
 * {@link TaskSteps.repair} re-creates. Also the steps around tasks claimed ahead (a finish's
 * fetch of the next job, kept for the owner's next claim).
 */
export class TaskSteps {
  constructor(
    private readonly records: RecordStore,
    private readonly jobs: Jobs,
    private readonly own: OwnClaims,
    /** Tells this process's workers that tasks were queued (or claimed ahead for them). */
    private readonly notify: () => void,
    /** Whether a worker pool of this process listens for work (and the store is open). */
    private readonly listening: () => boolean,
  ) {}

  /** Records how an attempt ended, then moves its job: the steps one by one. */
  async end(owner: string, taskId: string, result: AttemptResult, now: number): Promise<void> {
    const held = await this.records.finish(owner, taskId, result, now);
    if (!held) return;
    const spec = { id: taskId, name: held.name, deliveryId: held.deliveryId };
    switch (result.outcome) {
      case "completed":
        return this.jobs.drop(spec, held.token, "completed");
      case "failed":
        return this.jobs.drop(spec, held.token, "failed", result.error);
      case "retrying":
        return this.jobs.place({ ...spec, runAt: result.runAt }, held.token);
      case "interrupted":
        await this.jobs.place({ ...spec, runAt: result.runAt ?? now }, held.token);
        if (result.runAt === undefined || result.runAt <= now) this.notify();
    }
  }

  /** Renews leases and the locks of their jobs; returns the ids `owner` no longer holds. */
  async renew(owner: string, taskIds: string[], leaseMs: number, now: number): Promise<string[]> {
    const held = await this.records.extend(owner, taskIds, leaseMs, now);
    const locks: Handed[] = [];
    const delayed: Promise<void>[] = [];
    held.forEach((h, i) => {
      if (h?.token) locks.push({ id: taskIds[i]!, token: h.token });
      // claimed at creation: the job waits delayed until the lease's end, which moves with it
      else if (h) delayed.push(this.jobs.place({ id: taskIds[i]!, name: h.name, deliveryId: h.deliveryId, runAt: now + leaseMs }, null));
    });
    // The record is the authority on the lease: a lock that expired meanwhile (a late heartbeat)
    // cannot be renewed, but no one else holds the task until a claim records the lease as lost.
    await Promise.all([this.jobs.extendLocks(locks, leaseMs), ...delayed]);
    return taskIds.filter((_, i) => held[i] === null);
  }

  /** Carries out the claim's decision for each job handed out; returns the tasks `owner` now runs. */
  async settle(owner: string, handed: Handed[], decisions: ClaimDecision[]): Promise<{ task: ClaimedTask; handed: Handed }[]> {
    const got: { task: ClaimedTask; handed: Handed }[] = [];
    await Promise.all(decisions.map(async (d, i) => {
      const h = handed[i]!;
      if (d.kind === "claim") {
        got.push({ task: d.task, handed: h });
        this.own.held(owner, h.id, h.token);
      } else if (d.kind === "fail") {
        await this.jobs.drop({ id: h.id, name: d.name, deliveryId: d.deliveryId }, h.token, "failed", LEASE_EXPIRED_ERROR);
      } else if (d.kind === "defer") {
        await this.jobs.place({ id: h.id, name: d.name, deliveryId: d.deliveryId, runAt: d.runAt }, h.token);
      } else {
        await this.discard(h);
      }
    }));
    return got;
  }

  /** Records lapsed leases as lost attempts and puts their jobs back in line (or ends them). */
  async recover(now: number): Promise<void> {
    const lost = await this.records.recover(now, RECOVER_BATCH);
    await Promise.all(lost.map((r) => r.state === "failed"
      ? this.jobs.drop(r, r.token, "failed", LEASE_EXPIRED_ERROR)
      : this.jobs.place({ ...r, runAt: now }, r.token)));
  }

  /** A fetched job with no work left. If a retry re-opened the task meanwhile, its job is put back. */
  async discard(h: Handed): Promise<void> {
    await this.jobs.drop({ id: h.id, name: "", deliveryId: "" }, h.token, "completed");
    const open = await this.records.openTask(h.id);
    if (open) await this.jobs.place(open, null);
  }

  /** Up to `limit` tasks claimed ahead for `owner`; those kept long enough to need it get their lease renewed first. */
  async takeAhead(owner: string, limit: number, leaseMs: number, now: number): Promise<ClaimedTask[]> {
    const ahead = this.own.take(owner, limit);
    if (ahead.length === 0) return [];
    const fresh = ahead.filter((a) => a.leaseMs === leaseMs && now - a.at < leaseMs / 3);
    const stale = ahead.filter((a) => !fresh.includes(a));
    if (stale.length > 0) {
      const lost = await this.renew(owner, stale.map((a) => a.task.id), leaseMs, now);
      for (const a of stale) if (!lost.includes(a.task.id)) fresh.push(a);
    }
    for (const a of fresh) this.own.held(owner, a.task.id, a.token);
    return fresh.map((a) => a.task);
  }

  /** The job a finish fetched for `owner`: claimed (if the finish's transaction did not) and kept for its next claim. */
  async claimedNext(owner: string, next: NonNullable<FinishedNext["next"]>, leaseMs: number, now: number): Promise<void> {
    const decision = next.decision ?? (await this.records.claim(owner, leaseMs, now, [next.handed]))[0];
    if (!decision) return;
    const [got] = await this.settle(owner, [next.handed], [decision]);
    if (!got) return;
    // a claim made in the finish's transaction set the lock to the lease already
    if (!next.decision && leaseMs !== this.jobs.lockDurationMs) await this.jobs.extendLocks([got.handed], leaseMs);
    if (!this.listening()) {
      this.own.takeToken(owner, got.task.id);
      await this.end(owner, got.task.id, RELEASED, Date.now());
      return;
    }
    this.own.keep(owner, { task: got.task, token: got.handed.token, at: now, leaseMs });
    if (next.body) this.own.keepBody(got.task.deliveryId, next.body);
    this.notify();
  }

  /** Re-creates the job of every open task due before `before` that has none; returns how many. */
  async repair(before: number): Promise<number> {
    let recreated = 0;
    for (const task of await this.records.stale(before, REPAIR_BATCH)) {
      const state = await this.jobs.state(task.id);
      if (state !== "unknown" && state !== "completed" && state !== "failed") continue;
      await this.jobs.place(task, null);
      recreated += 1;
    }
    return recreated;
  }
}
