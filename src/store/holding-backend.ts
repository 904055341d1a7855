/**
 * The holds capability of a store (memory, SQLite): a delivery's tasks held for the process that
 * accepted it. Stores shared by several processes (BullMQ) do not have it.
 */
import type { AcceptStatus, AcceptTakes, Backend, NewDelivery, NewTask } from "./backend.js";

/** What a {@link HoldingBackend} accept takes: tasks created claimed, and tasks created held. */
export interface HoldingAcceptTakes extends AcceptTakes {
  /**
   * Ids of tasks created held for `owner`: queued, but no claim takes them until the hold (of
   * `leaseMs`, renewed by `extendLeases`) lapses; the owner starts them with `start` without a
   * claim round trip, or gives them back with `release`. A lapsed hold is claimed as a fresh
   * attempt (no attempt is counted for a task that never started).
   */
  hold?: readonly string[];
}

/**
 * A store that can hold a delivery's tasks for the process that accepted it (the stores one
 * process owns: memory, SQLite). Stores shared by several processes leave it out, and their tasks
 * are claimed. Check with {@link hasHolds}.
 */
export interface HoldingBackend extends Backend {
  /** As `Backend.accept`; the tasks in `takes.hold` are created held for `takes.owner`. */
  accept(delivery: NewDelivery, tasks: NewTask[], takes?: HoldingAcceptTakes): Promise<AcceptStatus>;
  /**
   * Starts tasks held for `owner`: each becomes running, its attempt counted, under a lease of
   * `leaseMs`. Returns the ids no longer held (cancelled, or the hold lapsed and another owner
   * took it), which must not run.
   */
  start(owner: string, taskIds: string[], leaseMs: number): Promise<string[]>;
  /** Gives held tasks back to the queue, due now (a draining process that will not start them). */
  release(owner: string, taskIds: string[]): Promise<void>;
}

/**
 * Whether `backend` can hold tasks for the process that accepted them.
 *
 * @example
 * ```ts
 * if (hasHolds(store)) await store.start(owner, [taskId], leaseMs);
 * ```
 */
export function hasHolds(backend: Backend): backend is HoldingBackend {
  const b = backend as Partial<HoldingBackend>;
  return typeof b.start === "function" && typeof b.release === "function";
}
