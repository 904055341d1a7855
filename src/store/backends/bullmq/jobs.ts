/**
 * The BullMQ side of the backend: one `Queue` and one `Worker` (no processor: jobs are fetched with
 * BullMQ's manual API, `worker.getNextJob(token)`) sharing their connections. A task is a job with
 * job id = task id; BullMQ's own `attempts` stays 1 because Hookyard decides retries itself.
 *
 * Lease = BullMQ lock: a claim fetches jobs under a fresh lock token each, a heartbeat extends the
 * locks, and an attempt's end moves its job with that token (`moveToCompleted`, `moveToFailed`,
 * `moveToDelayed`). A task claimed at creation (an inline handler) has no lock yet: its job is added
 * delayed until the lease's end, so a crashed owner's task becomes claimable exactly then.
 */
import { ErrorCode, Job, type IQueueBackend, type JobProgress, type JobsOptions, type JobState, type Queue, type Worker } from "bullmq";
import type { ErrorRecord } from "../../backend.js";
import type { Handed, JobSpec } from "./records.js";

/** The data of a task's job: enough to recognise it in BullMQ's own tooling. */
export interface JobData {
  deliveryId: string;
}

/** Options every task job is created with: one BullMQ attempt, gone from BullMQ once settled. */
export function jobOptions(runAt: number, now: number): JobsOptions {
  const delay = Math.max(0, runAt - now);
  return { attempts: 1, removeOnComplete: true, removeOnFail: true, timestamp: now, ...(delay > 0 ? { delay } : {}) };
}

/** What the backend needs from BullMQ, whatever the datastore. */
export interface Jobs {
  /** The lock duration jobs are fetched with; a claim with another lease extends the locks once. */
  readonly lockDurationMs: number;
  /** Fetches up to `limit` jobs, each under a new lock token. */
  fetch(limit: number, newToken: () => string): Promise<Handed[]>;
  /** Extends the locks of jobs this process fetched; returns the ids whose lock was gone. */
  extendLocks(held: Handed[], ms: number): Promise<string[]>;
  /** Makes the task's job wait (or be delayed) until `spec.runAt`; `token` is the lock it was fetched under. */
  place(spec: JobSpec, token: string | null): Promise<void>;
  /** Ends the task's job: moved to completed/failed (and removed by its options) or removed. */
  drop(spec: Omit<JobSpec, "runAt">, token: string | null, outcome: "completed" | "failed", error?: ErrorRecord): Promise<void>;
  /** The job's state in BullMQ. */
  state(id: string): Promise<JobState | "unknown">;
  /** Blocks (bounded) until BullMQ signals that a job may be available; true when it did. */
  waitForWork(): Promise<boolean>;
  /** Ends a pending {@link waitForWork}. */
  interrupt(): Promise<void>;
  close(): Promise<void>;
}

/**
 * {@link Jobs} over a BullMQ `Worker` (manual fetching) and a `Queue` built on the worker's
 * backend (`backend.forQueue`), so both share one set of connections.
 */
export class BullmqJobs<B extends IQueueBackend, C> implements Jobs {
  constructor(
    readonly worker: Worker<JobData, null, string, B, JobProgress, C>,
    readonly queue: Queue<JobData, null, string, JobData, null, string, IQueueBackend, C>,
    readonly lockDurationMs: number,
  ) {}

  async fetch(limit: number, newToken: () => string): Promise<Handed[]> {
    if (limit <= 0) return [];
    // one fetch first: an empty queue costs one round trip; the rest go out together (pipelined)
    const first = await this.fetchOne(newToken());
    if (!first) return [];
    const rest = await Promise.all(Array.from({ length: limit - 1 }, () => this.fetchOne(newToken())));
    return [first, ...rest.filter((h): h is Handed => h !== undefined)];
  }

  private async fetchOne(token: string): Promise<Handed | undefined> {
    const job = await this.worker.getNextJob(token, { block: false });
    return job?.id === undefined ? undefined : { id: job.id, token };
  }

  async extendLocks(held: Handed[], ms: number): Promise<string[]> {
    if (held.length === 0) return [];
    return this.worker.backend.extendLocks(held.map((h) => h.id), held.map((h) => h.token), ms);
  }

  async place(spec: JobSpec, token: string | null): Promise<void> {
    if (token) {
      const moved = await this.withLock(token, (t) => this.job(spec).moveToDelayed(spec.runAt, t));
      if (moved !== "not-active") return;
    }
    const state = await this.queue.getJobState(spec.id);
    const now = Date.now();
    switch (state) {
      case "active":
        return; // fetched by another worker: its claim reads the record and defers or runs it
      case "delayed":
        await ignoreGone(spec.runAt <= now ? this.job(spec).promote() : this.job(spec).changeDelay(spec.runAt - now));
        return;
      case "waiting":
      case "prioritized":
        if (spec.runAt <= now) return;
        await this.queue.remove(spec.id);
        break;
      case "completed":
      case "failed":
        await this.queue.remove(spec.id);
        break;
      default:
        break;
    }
    await this.queue.add(spec.name, { deliveryId: spec.deliveryId }, { ...jobOptions(spec.runAt, now), jobId: spec.id });
  }

  async drop(spec: Omit<JobSpec, "runAt">, token: string | null, outcome: "completed" | "failed", error?: ErrorRecord): Promise<void> {
    if (token) {
      const job = this.job({ ...spec, runAt: 0 });
      const done = await this.withLock(token, (t) =>
        outcome === "completed" ? job.moveToCompleted(null, t, false) : job.moveToFailed(new Error(error?.message ?? outcome), t, false));
      if (done !== "not-active") return;
    }
    // not active (a job claimed at creation waits delayed), or already moved: remove it unless a
    // worker holds it, in which case that worker's claim finds the record settled and discards it
    const state = await this.queue.getJobState(spec.id);
    if (state !== "active" && state !== "unknown") await this.queue.remove(spec.id);
  }

  state(id: string): Promise<JobState | "unknown"> {
    return this.queue.getJobState(id);
  }

  async waitForWork(): Promise<boolean> {
    const seconds = Math.min(this.worker.backend.maximumBlockTimeout ?? 10, 10);
    const marker = await this.worker.backend.waitForJob(seconds);
    // a marker scored in the future announces a delayed job: the pool wakes for it by its own timer
    return marker !== null && marker.score <= Date.now();
  }

  interrupt(): Promise<void> {
    return this.worker.backend.disconnectBlocking(false);
  }

  async close(): Promise<void> {
    await this.worker.close(true);
    await this.queue.close();
  }

  /**
   * Runs a job move under the lock token it was fetched with. The task record was changed first,
   * in its own transaction, by the owner of the lease, so when BullMQ's lock has merely expired (no
   * one else fetched the job) the move is repeated without a token check. When another worker holds
   * the lock, or the job is not active, nothing is moved here.
   */
  private async withLock(token: string, move: (token: string) => Promise<unknown>): Promise<"moved" | "held" | "not-active"> {
    try {
      await move(token);
      return "moved";
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      if (code === ErrorCode.JobLockMismatch) return "held";
      if (code === ErrorCode.JobNotExist || code === ErrorCode.JobNotInState) return "not-active";
      if (code !== ErrorCode.JobLockNotExist) throw err;
    }
    try {
      await move("0");
      return "moved";
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      if (code === ErrorCode.JobNotExist || code === ErrorCode.JobNotInState) return "not-active";
      throw err;
    }
  }

  /** A handle on an existing job for BullMQ's job methods (no round trip). */
  private job(spec: JobSpec): Job<JobData, null, string> {
    return new Job(this.worker, spec.name, { deliveryId: spec.deliveryId }, jobOptions(spec.runAt, Date.now()), spec.id);
  }
}

/** A promote/changeDelay on a job that moved meanwhile is not an error: whoever moved it decides. */
async function ignoreGone(p: Promise<unknown>): Promise<void> {
  try {
    await p;
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (code !== ErrorCode.JobNotExist && code !== ErrorCode.JobNotInState) throw err;
  }
}
