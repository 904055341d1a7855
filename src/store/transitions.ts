import { HookyardError } from "../errors.js";
import type { ErrorRecord, TaskState } from "./backend.js";

/** States a task can be retried from (back to `queued` with a fresh attempt budget). */
export const RETRYABLE_STATES: readonly TaskState[] = ["failed", "cancelled"];
/** States a task can be cancelled from. */
export const CANCELLABLE_STATES: readonly TaskState[] = ["queued", "retrying", "running"];

/** Throws `HOOKYARD_ERR_TASK_STATE_CONFLICT` unless `state` is one of `allowed`. */
export function assertTransition(taskId: string, state: TaskState, allowed: readonly TaskState[], action: string): void {
  if (!allowed.includes(state)) {
    throw new HookyardError(
      "HOOKYARD_ERR_TASK_STATE_CONFLICT",
      `cannot ${action} task ${taskId}: it is ${state} (only ${allowed.join(", ")} tasks can be)`,
    );
  }
}

/** The error recorded on an attempt whose worker stopped renewing its lease. */
export const LEASE_EXPIRED_ERROR: ErrorRecord = {
  code: "HOOKYARD_ERR_TASK_LEASE_EXPIRED",
  message: "the worker running this attempt stopped renewing its lease (crashed or was killed)",
};

