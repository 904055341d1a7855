import type { AcceptStatus, ClaimedTask, NewDelivery, NewTask } from "../store/backend.js";
import type { HoldingAcceptTakes } from "../store/holding-backend.js";

/**
 * How the worker pool takes the new tasks of one accept (see `WorkerPool.take`): what the accept
 * creates claimed by or held for this process, and what to do once it is committed.
 */
export interface Takeover {
  /** For `Backend.accept`: the tasks created claimed by (inline) or held for this process; undefined when none. */
  readonly takes: HoldingAcceptTakes | undefined;
  /**
   * Called once the accept has answered: when `accepted`, held tasks wait for a slot and inline
   * ones run; resolves once the inline ones have ended. Any other answer leaves nothing to run.
   */
  committed(delivery: NewDelivery, status: AcceptStatus): Promise<void>;
}

/**
 * The first attempt of a task created claimed by or held for this process, as the runner takes it.
 *
 * @example
 * ```ts
 * const task = claimedFrom(newTask, delivery); // attempt 1
 * ```
 */
export function claimedFrom(t: NewTask, d: NewDelivery): ClaimedTask {
  return { id: t.id, name: t.name, deliveryId: d.id, event: d.event, action: d.action, attempt: 1, maxAttempts: t.maxAttempts, backoff: t.backoff, timeoutMs: t.timeoutMs };
}
