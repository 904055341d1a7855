/**
 * What the BullMQ backend keeps next to BullMQ's own data: deliveries (raw body, redacted headers),
 * task records (state, attempts, attempt log, last error, lease owner) and their indexes. Two
 * implementations: Redis (hashes, lists and sorted sets under the queue's prefix, changed by Lua
 * scripts) and Postgres (tables in the backend's schema, changed in transactions).
 *
 * The task record is the authority on a task's state and on who holds its lease; the BullMQ job
 * (job id = task id) is how a task is handed out. Every transition changes the record first and
 * moves the job second, so a crash between the two leaves a job whose record says otherwise, which
 * the next claim of that job resolves (see {@link ClaimDecision}).
 */
import type { AcceptStatus, AcceptTakes, AttemptResult, Backend, ClaimedTask, ErrorRecord, NewDelivery, NewTask, PruneOptions, PruneResult, TaskState } from "../../backend.js";

/** A BullMQ job to create in the same transaction as its task record. */
export interface JobSpec {
  id: string;
  /** The task (handler) name; also the BullMQ job name. */
  name: string;
  deliveryId: string;
  /** When the job becomes claimable: now for a queued task, the lease's end for a task claimed at creation. */
  runAt: number;
}

/** A job BullMQ handed to this process, with the lock token it was fetched under. */
export interface Handed {
  id: string;
  token: string;
}

/** What a claim does with a job BullMQ handed out, decided atomically from the task record. */
export type ClaimDecision =
  | { kind: "claim"; task: ClaimedTask }
  /** No record, or the task is settled (completed, failed, cancelled): the job has no work left. */
  | { kind: "discard" }
  /** The lease of the previous attempt lapsed and no attempts are left: the task failed (dead letter). */
  | { kind: "fail"; name: string; deliveryId: string }
  /** The record says the task retries later than now: the job goes back to delayed until `runAt`. */
  | { kind: "defer"; runAt: number; name: string; deliveryId: string };

/** A task whose lease lapsed, found and recorded as a lost attempt by {@link RecordStore.recover}. */
export interface Recovered {
  id: string;
  name: string;
  deliveryId: string;
  /** The BullMQ lock token of the lost attempt; null when it was claimed at creation (its job is delayed). */
  token: string | null;
  state: "queued" | "failed";
}

/** A task this owner held: the lock token of its job (null when claimed at creation), and what re-creating the job takes. */
export interface Held {
  token: string | null;
  name: string;
  deliveryId: string;
}

/** An open (queued or retrying) task, enough to re-create its job. */
export interface OpenTask extends JobSpec {
  state: TaskState;
}

/** The record side of the BullMQ backend. Methods take `now` so one call uses one clock reading. */
export interface RecordStore
  extends Pick<Backend, "nextWakeAt" | "getDelivery" | "getBody" | "listDeliveries" | "getTask" | "listTasks" | "countTasks" | "ping"> {
  /** Stores the delivery, its tasks and their jobs in one transaction; `duplicate` writes nothing. */
  accept(delivery: NewDelivery, tasks: NewTask[], now: number, takes?: AcceptTakes): Promise<AcceptStatus>;
  /** Adds tasks (and their jobs) to a stored delivery; `HOOKYARD_ERR_STORE_NOT_FOUND` when there is none. */
  addTasks(deliveryId: string, tasks: NewTask[], now: number): Promise<void>;
  /** failed/cancelled → queued with a fresh budget, and a new job for it, in one transaction. */
  retry(id: string, now: number): Promise<void>;
  /** queued/retrying/running → cancelled; returns the lock token when it was running. */
  cancel(id: string, now: number): Promise<Held>;
  /** Records up to `limit` lapsed leases as lost attempts; the tasks become queued (or failed). */
  recover(now: number, limit: number): Promise<Recovered[]>;
  /** Decides, for each job handed out, whether `owner` now runs it (one transaction). */
  claim(owner: string, leaseMs: number, now: number, handed: Handed[]): Promise<ClaimDecision[]>;
  /** Renews the leases `owner` holds; null for ids it does not hold. */
  extend(owner: string, ids: string[], leaseMs: number, now: number): Promise<(Held | null)[]>;
  /** Records an attempt's end; null (and nothing written) when `owner` does not hold the task. */
  finish(owner: string, id: string, result: AttemptResult, now: number): Promise<Held | null>;
  /** The task when it is queued or retrying; null otherwise. */
  openTask(id: string): Promise<OpenTask | null>;
  /** One retention batch (see `Backend.prune`). */
  prune(options: PruneOptions): Promise<PruneResult>;
  /** Queued or retrying tasks due before `before` (oldest first): candidates for a missing-job check. */
  stale(before: number, limit: number): Promise<OpenTask[]>;
}

/**
 * How a new task starts: queued now, or (claimed at creation: its id in `takes.claim`) running
 * under a lease whose job waits until the lease ends.
 */
export function initialTask(task: NewTask, deliveryId: string, now: number, takes?: AcceptTakes): {
  state: "queued" | "running"; attempts: number; owner: string | null; leaseUntil: number | null; due: number; job: JobSpec;
} {
  const claimed = takes?.claim?.includes(task.id) ? takes : undefined;
  const leaseUntil = claimed ? now + claimed.leaseMs : null;
  const due = leaseUntil ?? now;
  return {
    state: claimed ? "running" : "queued",
    attempts: claimed ? 1 : 0,
    owner: claimed?.owner ?? null,
    leaseUntil,
    due,
    job: { id: task.id, name: task.name, deliveryId, runAt: due },
  };
}

/** Parses a stored JSON error record (or null). */
export function parseError(text: string | null | undefined): ErrorRecord | null {
  return text ? (JSON.parse(text) as ErrorRecord) : null;
}

/** An attempt's end that settles the task's job: what {@link FinishNext} takes. */
export type FinalResult = Extract<AttemptResult, { outcome: "completed" | "failed" }>;

/** What {@link FinishNext.finish} did. */
export interface FinishedNext {
  /** The record's answer: null when the owner did not hold the task (nothing was recorded). */
  held: Held | null;
  /** Whether the job was moved to completed/failed under the token given. */
  moved: boolean;
  /**
   * The queue's next job, fetched by the move under the same token, with the claim's decision
   * when the transaction made it (null: the job is handed out but not claimed in the records yet),
   * and its delivery's body when it was claimed and bodies were asked for.
   */
  next: { handed: Handed; decision: ClaimDecision | null; body: { body: Buffer; contentType: string } | null } | null;
}

/**
 * An attempt's end in one round trip (the Redis records): the record's transition, BullMQ's move of
 * the job under the lock token it was fetched with, and (`next` given) BullMQ's fetch of the
 * queue's next job under the same token and its claim for the same owner for `next.leaseMs` (the
 * job's lock set to last as long), in one transaction, with the claimed task's delivery body when `next.body`.
 */
export interface FinishNext {
  finish(owner: string, id: string, token: string, result: FinalResult, now: number, next: { leaseMs: number; body: boolean } | null): Promise<FinishedNext>;
}
