import type { Logger } from "pino";
import type { ClaimedTask } from "../store/backend.js";
import type { HoldingBackend } from "../store/holding-backend.js";
import type { StopReason } from "./runner.js";
import { Stopper } from "./stopper.js";

/**
 * Tasks a process holds by default (see `PoolOptions.holdLimit`): enough to keep workers busy
 * through a writer batch of a thousand deliveries, small enough that their payloads stay cached.
 */
export const HOLD_LIMIT = 1000;

export interface HeldOptions {
  backend: HoldingBackend;
  owner: string;
  leaseMs: number;
  limit: number;
  log: Logger;
}

/**
 * The tasks held for this process: created with their delivery, `queued` but reserved for it under
 * its lease, waiting in arrival order for a slot of the pool. They start without a claim round
 * trip; the store records the start with its next write.
 */
export class HeldTasks {
  private queue: ClaimedTask[] = [];

  constructor(private readonly o: HeldOptions) {}

  get size(): number {
    return this.queue.length;
  }

  /** How many of `wanted` new tasks may be held (accepts in flight are not counted: their payloads are in memory either way). */
  room(wanted: number): number {
    return Math.max(0, Math.min(wanted, this.o.limit - this.queue.length));
  }

  push(task: ClaimedTask): void {
    this.queue.push(task);
  }

  ids(): string[] {
    return this.queue.map((t) => t.id);
  }

  /** Forgets the held tasks among `gone` (the store no longer holds them for us: cancelled). */
  forget(gone: ReadonlySet<string>): void {
    if (this.queue.some((t) => gone.has(t.id))) this.queue = this.queue.filter((t) => !gone.has(t.id));
  }

  /**
   * Takes up to `n` tasks, oldest first, and records their start. Each comes with the stopper its
   * run must use: a task the store refuses to start (cancelled meanwhile) is stopped as lost, so
   * its outcome is not recorded.
   */
  start(n: number): { task: ClaimedTask; stop: Stopper }[] {
    const batch = this.queue.splice(0, n);
    if (batch.length === 0) return [];
    const runs = batch.map((task) => ({ task, stop: new Stopper() }));
    this.o.backend.start(this.o.owner, batch.map((t) => t.id), this.o.leaseMs).then(
      (lost) => {
        const refused = new Set(lost);
        for (const r of runs) if (refused.has(r.task.id)) r.stop.abort("lost" satisfies StopReason);
      },
      (err: unknown) => {
        this.o.log.error({ err }, "could not record the start of held tasks; they run again when their hold lapses");
        for (const r of runs) r.stop.abort("lost" satisfies StopReason);
      },
    );
    return runs;
  }

  /** Gives every held task back to the queue (due at once), for this or the next process. */
  releaseAll(): Promise<void> {
    return this.release(this.queue.splice(0));
  }

  /** Gives `tasks` (held, not started) back to the queue. */
  async release(tasks: ClaimedTask[]): Promise<void> {
    if (tasks.length === 0) return;
    await this.o.backend.release(this.o.owner, tasks.map((t) => t.id)).catch((err: unknown) =>
      this.o.log.warn({ err }, "could not give back held tasks; they run once their hold lapses"));
  }
}
