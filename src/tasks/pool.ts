import type { Logger } from "pino";
import { settlesBy } from "../observability/deadline.js";
import type { StoreOutage } from "../observability/outage.js";
import type { Backend, ClaimedTask, NewTask } from "../store/backend.js";
import { hasHolds, type HoldingAcceptTakes } from "../store/holding-backend.js";
import { HeldTasks } from "./held.js";
import type { AttemptRun, StopReason } from "./runner.js";
import { Stopper } from "./stopper.js";
import { claimedFrom, type Takeover } from "./takeover.js";

export interface PoolOptions {
  backend: Backend;
  /** Lease owner id of this process's workers. */
  owner: string;
  concurrency: number;
  leaseMs: number;
  pollIntervalMs: number;
  /**
   * How many tasks this process may hold (created with their delivery, reserved for it, not yet
   * started) when the store supports holds: they start as slots free, without a claim round trip.
   */
  holdLimit: number;
  run: (task: ClaimedTask, stop: Stopper) => Promise<AttemptRun>;
  log: Logger;
  /** Where failed claims are reported (logged once per outage); without it each failure is logged. */
  outage?: StoreOutage;
  /** False: the pool's wake-up timer does not keep the process alive (Probot's `load` + `receive` scripts exit). Default true. */
  keepAlive?: boolean;
}

const SETTLED = Promise.resolve();

/** The takeover of an accept whose tasks are all left to claims (the hot path with workers off, or on a store without holds). */
const NOTHING_TAKEN: Takeover = { takes: undefined, committed: () => SETTLED };

interface Running {
  stop: Stopper;
  done: Promise<void>;
  /** The attempt ended and its outcome is being recorded: the finish, not a heartbeat, decides whether it counts. */
  finishing: boolean;
}

/**
 * Runs this process's tasks, up to `concurrency` at once, and alone decides how each starts: the
 * new tasks of an accept come through `take()` (inline ones run at once; others are held for this
 * process when the store has holds, and start as slots free), and due tasks are claimed from the
 * store (retries, replays, a backlog, every task on a store without holds). Leases are renewed
 * every third of their length; a task the store says we no longer hold (cancelled, taken over) is
 * aborted. `stop()` drains: no new claims, running tasks get `timeoutMs` to finish, then their
 * signal is aborted and they are queued again.
 */
export class WorkerPool {
  private readonly running = new Map<string, Running>();
  private claiming: Promise<void> | undefined;
  /** Slots asked for by the claim in flight. */
  private claimingSlots = 0;
  /** Tasks held for this process, in arrival order, waiting for a slot (stores with holds only). */
  private readonly held: HeldTasks | undefined;
  /** The store may hold due tasks this pool has not claimed: set by a queue notice or a wake-up. */
  private mayHaveWork = true;
  private stopping = false;
  private started = false;
  private wakeTimer: NodeJS.Timeout | undefined;
  private wakeAt = Infinity;
  private heartbeat: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;

  constructor(private readonly o: PoolOptions) {
    const { backend, owner, leaseMs, holdLimit: limit, log } = o;
    if (hasHolds(backend)) this.held = new HeldTasks({ backend, owner, leaseMs, limit, log });
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    this.unsubscribe = this.o.backend.onTasksQueued(() => this.poke());
    this.heartbeat = setInterval(() => void this.renewLeases(), Math.max(50, Math.floor(this.o.leaseMs / 3)));
    this.heartbeat.unref();
    this.pump();
  }

  /** Tasks whose handler has ended and whose outcome is being recorded (they hold no slot). */
  private finishing = 0;

  /** Slots taken by tasks whose handler runs. */
  private get busy(): number {
    return this.running.size - this.finishing;
  }

  /** Whether the pool has started and is not stopping (the `/ready` check `workers`). */
  get working(): boolean {
    return this.started && !this.stopping;
  }

  /** Number of tasks running now. */
  get active(): number {
    return this.running.size;
  }

  /**
   * Takes the new tasks of one accept: the pool alone decides how each starts. Inline ones (ids in
   * `inline`) are created claimed by this process and run before the accept answers; others are
   * created held for it when the store has holds and the pool has room (they start as slots free,
   * with no claim); the rest are left to claims. Pass `takeover.takes` to `Backend.accept`, then
   * call `takeover.committed()` with its answer, whatever it is.
   */
  take(tasks: readonly NewTask[], inline: ReadonlySet<string>): Takeover {
    // accepts in flight are not counted against the hold limit: their payloads are in memory either way
    const room = this.held && this.started && !this.stopping ? this.held.room(tasks.length - inline.size) : 0;
    if (room === 0 && inline.size === 0) return NOTHING_TAKEN; // every task is left to a claim
    const claim = tasks.filter((t) => inline.has(t.id));
    const hold = tasks.filter((t) => !inline.has(t.id)).slice(0, room);
    const takes: HoldingAcceptTakes = { owner: this.o.owner, leaseMs: this.o.leaseMs, claim: claim.map((t) => t.id), hold: hold.map((t) => t.id) };
    return {
      takes,
      committed: async (delivery, status) => {
        if (status !== "accepted") return;
        for (const t of hold) this.hold(claimedFrom(t, delivery));
        this.pump();
        if (claim.length > 0) await Promise.all(claim.map((t) => this.run(claimedFrom(t, delivery))));
      },
    };
  }

  /** Queues a committed task held for this process; it starts when a slot frees (or goes back to the queue during a drain). */
  private hold(task: ClaimedTask): void {
    if (!this.held) return;
    if (this.stopping) void this.held.release([task]);
    else this.held.push(task);
  }

  /** Runs a task this owner has claimed or started. */
  private run(task: ClaimedTask, stop = new Stopper()): Promise<void> {
    const entry: Running = { stop, done: Promise.resolve(), finishing: false };
    entry.done = this.o
      .run(task, stop)
      .then(async ({ result, settled }) => {
        entry.finishing = true;
        // the handler is done: its slot goes to the next task now, so the claim that fills it
        // travels with this outcome instead of one round trip after it
        this.finishing++;
        const finished = this.o.backend.finish(this.o.owner, task.id, result);
        this.pump();
        await finished;
        const dueAt = result.outcome === "retrying" || result.outcome === "interrupted" ? result.runAt : undefined;
        if (dueAt !== undefined) this.wakeBy(dueAt);
        if (stop.reason !== "lost") await settled(); // the store ignored the result: the task is no longer ours
      })
      .catch((err: unknown) => this.o.log.error({ err, task: task.id }, "could not record a task's outcome; it runs again when its lease expires"))
      .finally(() => {
        // emptied before it leaves the map (docs/benchmarks.md, "Garbage collection on the hot path")
        entry.done = SETTLED;
        if (entry.finishing) this.finishing--;
        this.running.delete(task.id);
        this.pump();
      });
    this.running.set(task.id, entry);
    return entry.done;
  }

  /** Tells the pool the store may have due tasks (new ones queued, or a wake-up time reached). */
  private poke(): void {
    this.mayHaveWork = true;
    this.pump();
  }

  /**
   * Claims as many tasks as there are free slots, repeatedly, until the store has none due. A slot
   * freed while the store is known to have nothing due claims nothing (no round trip per task).
   */
  private pump(): void {
    if (!this.started || this.stopping) return;
    const claim = !this.claiming && this.mayHaveWork;
    const open = this.o.concurrency - this.busy - this.claimingSlots;
    // Held tasks need no claim. When the store may also have due tasks (retries, replays, a
    // backlog), the claim gets at least half the free slots, so that a steady stream of new
    // deliveries cannot keep those waiting.
    if (open > 0 && this.held && this.held.size > 0) {
      // the handlers run at once; the start is recorded by the store's next write, ahead of their outcomes
      for (const { task, stop } of this.held.start(claim ? Math.floor(open / 2) : open)) void this.run(task, stop);
    }
    if (!claim) return;
    const free = this.o.concurrency - this.busy;
    if (free <= 0) return;
    this.mayHaveWork = false; // a notice that arrives while this claim is in flight sets it again
    this.claimingSlots = free;
    this.claiming = this.o.backend
      .claim(this.o.owner, free, this.o.leaseMs)
      .then(async (tasks) => {
        this.claiming = undefined;
        this.claimingSlots = 0;
        this.o.outage?.ok();
        if (this.stopping) return this.release(tasks);
        for (const task of tasks) void this.run(task);
        if (tasks.length === free) this.mayHaveWork = true; // there may be more
        if (this.mayHaveWork) this.pump();
        else await this.scheduleWake();
      })
      .catch((err: unknown) => {
        this.claiming = undefined;
        this.claimingSlots = 0;
        if (this.stopping) return;
        if (this.o.outage) this.o.outage.failed(err, "claim");
        else this.o.log.error({ err }, "claiming tasks failed; trying again");
        this.mayHaveWork = true;
        this.setWake(this.o.pollIntervalMs);
      });
  }

  /** Hands tasks claimed during shutdown back to the queue without counting an attempt. */
  private async release(tasks: ClaimedTask[]): Promise<void> {
    const error = { code: "HOOKYARD_ERR_TASK_INTERRUPTED", message: "claimed during shutdown; queued again" };
    await Promise.all(tasks.map((t) => this.o.backend.finish(this.o.owner, t.id, { outcome: "interrupted", error })));
  }

  private async scheduleWake(): Promise<void> {
    if (this.stopping) return;
    let delay = this.o.pollIntervalMs;
    try {
      const next = await this.o.backend.nextWakeAt();
      if (next !== null) delay = Math.min(delay, Math.max(0, next - Date.now()));
    } catch {
      // keep the poll interval
    }
    this.setWake(delay);
  }

  private setWake(delay: number): void {
    clearTimeout(this.wakeTimer);
    if (this.stopping) return;
    this.wakeAt = Date.now() + delay;
    this.wakeTimer = setTimeout(() => {
      this.wakeAt = Infinity;
      this.poke();
    }, delay);
    if (this.o.keepAlive === false) this.wakeTimer.unref();
  }

  /** Makes sure the pool looks for due tasks no later than `at` (a retry's time). */
  private wakeBy(at: number): void {
    if (at < this.wakeAt) this.setWake(Math.max(0, at - Date.now()));
  }

  private async renewLeases(): Promise<void> {
    // a task whose outcome is being recorded is not renewed: its finish ends the lease, and a
    // renewal answered after that finish would wrongly report the lease as lost
    const ids = [...this.running].filter(([, r]) => !r.finishing).map(([id]) => id);
    const held = this.held?.ids() ?? [];
    if (ids.length === 0 && held.length === 0) return;
    try {
      const lost = await this.o.backend.extendLeases(this.o.owner, ids.concat(held), this.o.leaseMs);
      // a held task the store no longer holds for us (cancelled) is dropped before it starts
      this.held?.forget(new Set(lost));
      for (const id of lost) {
        const r = this.running.get(id);
        if (r && !r.finishing) r.stop.abort("lost" satisfies StopReason);
      }
    } catch (err) {
      this.o.log.warn({ err }, "renewing task leases failed");
    }
  }

  /**
   * Stops claiming; waits up to `timeoutMs` for running tasks, then aborts them (they are queued
   * again) and waits at most `graceMs` more for their outcomes to be recorded. Bounded whatever
   * the store and the handlers do: a store that hangs leaves the tasks to their leases (they run
   * again once those lapse), and an aborted handler that ignores its signal is left to the exit.
   */
  async stop(timeoutMs: number, graceMs = 5_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    this.stopping = true;
    this.unsubscribe?.();
    clearTimeout(this.wakeTimer);
    // held tasks that have not started go back to the queue, due now, for the next start
    await settlesBy(this.held?.releaseAll(), deadline);
    await settlesBy(this.claiming, deadline);
    const all = () => Promise.all([...this.running.values()].map((r) => r.done));
    if (!(await settlesBy(all(), deadline))) {
      this.o.log.warn({ running: this.running.size }, "shutdown timeout reached; aborting running tasks, they will run again");
      for (const r of this.running.values()) r.stop.abort("shutdown" satisfies StopReason);
      if (!(await settlesBy(all(), Date.now() + graceMs))) {
        this.o.log.warn({ running: this.running.size }, "the outcomes of aborted tasks were not recorded in time; they run again once their leases lapse");
      }
    }
    clearInterval(this.heartbeat);
  }
}
