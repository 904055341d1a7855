/**
 * The store interface every backend implements (memory, SQLite, BullMQ), and the records it
 * keeps. One conformance suite (test/store/conformance.ts) runs against every backend.
 */

/** Task states. `failed` is the dead-letter state: retries exhausted or unrecoverable. */
export const TASK_STATES = ["queued", "running", "retrying", "completed", "failed", "cancelled"] as const;
export type TaskState = (typeof TASK_STATES)[number];

/** What ingress hands the store for one verified delivery. */
export interface NewDelivery {
  id: string;
  event: string;
  action: string | null;
  /** `owner/name` from `payload.repository.full_name`, when present. */
  repository: string | null;
  installationId: number | null;
  /** Request headers, lower-cased, signature headers redacted. */
  headers: Record<string, string>;
  /** The raw request body, byte for byte. */
  body: Uint8Array;
  contentType: string;
  receivedAt: number;
}

/** How a task retries; stored with the task so a restart keeps the policy it was queued with. */
export interface BackoffPolicy {
  type: "exponential" | "linear" | "fixed" | "fibonacci";
  /** Base delay in ms. */
  delay: number;
  /** Upper bound of one delay in ms. */
  maxDelay: number;
  /** `full`: a uniformly random delay in [0, computed]; `none`: exactly the computed delay. */
  jitter: "full" | "none";
}

/** A task to create with a delivery (one per matching handler). */
export interface NewTask {
  id: string;
  /** The stable handler name the task runs. */
  name: string;
  /** Total attempts allowed: 1 + retries. */
  maxAttempts: number;
  backoff: BackoffPolicy;
  timeoutMs: number;
}

/**
 * Tasks of one accept that the accepting process takes under its own lease, instead of leaving
 * them to a claim (see `Backend.accept`).
 */
export interface AcceptTakes {
  owner: string;
  leaseMs: number;
  /** Ids of tasks created already claimed by `owner`: running, attempt 1 (an inline handler's first attempt, run before the answer). */
  claim?: readonly string[];
}

/** The outcome of accepting a delivery. */
export type AcceptStatus = "accepted" | "ignored" | "duplicate";

/** A claimed task, with what the runner needs to run it. */
export interface ClaimedTask {
  id: string;
  name: string;
  deliveryId: string;
  event: string;
  action: string | null;
  /** 1-based number of this attempt. */
  attempt: number;
  maxAttempts: number;
  backoff: BackoffPolicy;
  timeoutMs: number;
}

/** How an attempt ended, as the runner reports it. */
export type AttemptResult =
  | { outcome: "completed" }
  | { outcome: "retrying"; runAt: number; error: ErrorRecord }
  | { outcome: "failed"; error: ErrorRecord }
  /**
   * The attempt does not count and the task is queued again: shutdown interrupted it (due now), or
   * GitHub's rate limit deferred it (due at `runAt`, when the limit resets).
   */
  | { outcome: "interrupted"; error: ErrorRecord; runAt?: number };

export interface ErrorRecord {
  message: string;
  code?: string;
  stack?: string;
}

export interface AttemptRecord {
  attempt: number;
  startedAt: number;
  endedAt: number | null;
  outcome: "running" | "completed" | "retrying" | "failed" | "interrupted" | "lost" | "cancelled";
  error: ErrorRecord | null;
}

export interface TaskSummary {
  id: string;
  name: string;
  deliveryId: string;
  event: string;
  action: string | null;
  repository: string | null;
  state: TaskState;
  attempts: number;
  maxAttempts: number;
  runAt: number;
  createdAt: number;
  updatedAt: number;
  lastError: ErrorRecord | null;
}

export interface TaskDetail extends TaskSummary {
  backoff: BackoffPolicy;
  timeoutMs: number;
  attemptLog: AttemptRecord[];
}

export type DeliveryStatus = "accepted" | "ignored";

export interface DeliverySummary {
  id: string;
  event: string;
  action: string | null;
  repository: string | null;
  installationId: number | null;
  status: DeliveryStatus;
  receivedAt: number;
}

export interface DeliveryDetail extends DeliverySummary {
  headers: Record<string, string>;
  contentType: string;
  body: Uint8Array;
  tasks: TaskSummary[];
}

export interface Page<T> {
  items: T[];
  /** Opaque; pass back as `cursor` for the next page. Null on the last page. */
  nextCursor: string | null;
}

export interface DeliveryFilter {
  event?: string;
  action?: string;
  repository?: string;
  status?: DeliveryStatus;
  limit?: number;
  cursor?: string;
}

export interface TaskFilter {
  state?: TaskState;
  name?: string;
  event?: string;
  repository?: string;
  deliveryId?: string;
  limit?: number;
  cursor?: string;
}

/**
 * A small JSON document the store keeps beside deliveries and tasks, for workflows that need state
 * across deliveries (an agent run per issue). Writes are compare-and-set on `version`.
 */
export interface StoredRecord<T = unknown> {
  /** What the record is, e.g. `agent-run`. At most 64 characters. */
  kind: string;
  /** Its id within the kind, e.g. `acme/widgets#12`. At most 512 characters. */
  key: string;
  /** 1 when created, +1 on every put. */
  version: number;
  value: T;
  createdAt: number;
  updatedAt: number;
}

export interface RecordFilter {
  limit?: number;
  cursor?: string;
}

/** One batch of retention pruning (see `Backend.prune`). Times are epoch ms. */
export interface PruneOptions {
  /** Deliveries received before this, whose tasks all settled (completed, cancelled, failed) before it, go. */
  before: number;
  /** A delivery with a failed task goes only once that task failed before this too (failed retention, usually older than `before`). */
  failedBefore: number;
  /** Dedup tombstones of pruned deliveries received before this go (keep them at least 3 days: GitHub's redelivery window). */
  tombstonesBefore: number;
  /** At most this many deliveries are looked at in this batch (those that stay count too: the work is bounded). */
  limit: number;
  /** Where the previous batch of this pass stopped (its `cursor`); unset, from the oldest delivery. */
  cursor?: string;
  /** Count what would go, remove nothing. */
  dryRun?: boolean;
}

/** What one prune batch removed (or, dry run, would remove). */
export interface PruneResult {
  deliveries: number;
  tasks: number;
  /** Stored bytes of the deliveries' bodies and headers. */
  bytes: number;
  /** Dedup tombstones dropped (their deliveries' ids are accepted again): at most `limit` a batch; a dry run counts them all in its first batch. */
  tombstones: number;
  /** Pass it to the next batch; null once the pass has looked at every delivery received before `before`. */
  cursor: string | null;
}

/** Counts of tasks by state, for health and metrics. */
export type TaskCounts = Record<TaskState, number>;

/**
 * The store: durable deliveries and the tasks that handle them.
 *
 * Every method is safe to call concurrently. `accept` resolves only once the delivery and its
 * tasks are durable. Claims are leases: a task whose lease lapses can be claimed again
 * (at-least-once delivery to handlers).
 */
export interface Backend {
  /** Short description for logs, e.g. `sqlite:/var/lib/hookyard.db`. */
  readonly description: string;
  /**
   * Stores a delivery and its tasks atomically. `duplicate` when the id is already stored (nothing
   * is written). The tasks in `takes.claim` are created claimed by `takes.owner`; the others queued.
   */
  accept(delivery: NewDelivery, tasks: NewTask[], takes?: AcceptTakes): Promise<AcceptStatus>;
  /** Claims up to `limit` due tasks for `owner` for `leaseMs`. Expired leases count as a lost attempt. */
  claim(owner: string, limit: number, leaseMs: number): Promise<ClaimedTask[]>;
  /** Renews leases (and holds, see `HoldingBackend`); returns the ids the owner no longer holds (cancelled or taken over), whose runs should stop. */
  extendLeases(owner: string, taskIds: string[], leaseMs: number): Promise<string[]>;
  /** Records how an attempt ended. Ignored when the owner no longer holds the task. */
  finish(owner: string, taskId: string, result: AttemptResult): Promise<void>;
  /** Earliest time a task becomes claimable (queued now, a retry, or a lease to expire); null when none. */
  nextWakeAt(): Promise<number | null>;
  /** Calls `listener` when tasks are queued by this process; returns an unsubscribe function. */
  onTasksQueued(listener: () => void): () => void;

  getDelivery(id: string): Promise<DeliveryDetail | null>;
  /** The raw body and content type of a delivery (what a task's handler payload is parsed from). */
  getBody(id: string): Promise<{ body: Uint8Array; contentType: string } | null>;
  listDeliveries(filter: DeliveryFilter): Promise<Page<DeliverySummary>>;
  getTask(id: string): Promise<TaskDetail | null>;
  listTasks(filter: TaskFilter): Promise<Page<TaskSummary>>;
  countTasks(): Promise<TaskCounts>;

  /** failed or cancelled → queued with a fresh attempt budget. */
  retryTask(id: string): Promise<TaskSummary>;
  /** queued, retrying or running → cancelled. */
  cancelTask(id: string): Promise<TaskSummary>;
  /** Adds new tasks to a stored delivery (replay). */
  addTasks(deliveryId: string, tasks: NewTask[]): Promise<void>;

  /** The record `kind`/`key`, or null. */
  getRecord(kind: string, key: string): Promise<StoredRecord | null>;
  /**
   * Creates (`expectedVersion` 0) or replaces (`expectedVersion` = the stored version) a record,
   * atomically and durably, and returns it with its new version. When the stored version differs
   * (someone else wrote first, or it exists already) it rejects with `HOOKYARD_ERR_STORE_CONFLICT`
   * and writes nothing. `value` must be JSON-serialisable (at most 1 MiB as JSON); what is stored
   * and read back is `JSON.parse(JSON.stringify(value))`. A kind or key out of bounds (1–64 and
   * 1–512 characters, no NUL), an unserialisable value or a bad `expectedVersion` rejects with
   * `HOOKYARD_ERR_STORE_RECORD_INVALID`.
   */
  putRecord(kind: string, key: string, value: unknown, expectedVersion: number): Promise<StoredRecord>;
  /**
   * Records of one kind, most recently created first, paginated like the other lists. The order is
   * the store's creation sequence (as for deliveries and tasks), so two records never tie; a put
   * that replaces a value does not move its record.
   */
  listRecords(kind: string, filter?: RecordFilter): Promise<Page<StoredRecord>>;

  /**
   * Removes one batch of old, finished deliveries with their tasks, attempts and bodies (retention).
   * Never a delivery with a queued, running or retrying task, nor one whose failed task is younger
   * than `failedBefore`. A pruned delivery's id stays as a compact tombstone (id + received time)
   * until `tombstonesBefore`, so a redelivery of it is still answered `duplicate`. A pass calls it
   * with each batch's `cursor` until that is null. Every built-in backend implements it.
   */
  prune?(options: PruneOptions): Promise<PruneResult>;

  /** Resolves when the store answers (readiness). */
  ping(): Promise<void>;
  /** Flushes and closes; further calls reject with HOOKYARD_ERR_STORE_UNAVAILABLE. */
  close(): Promise<void>;
}

/** Page size bounds for list calls. */
export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 500;
