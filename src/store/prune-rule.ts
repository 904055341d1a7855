/**
 * Which deliveries retention may remove: the rule every backend applies (in code here, or as the
 * same conditions in SQL).
 */
import type { PruneOptions, TaskState } from "./backend.js";

/** Task states that keep their delivery whatever its age: the task has work left. */
export const OPEN_STATES: readonly TaskState[] = ["queued", "running", "retrying"];

/**
 * Whether a delivery received at `receivedAt` with these tasks may go: received before
 * `options.before`, every task settled, each before `before` — and a failed one before
 * `failedBefore` (failed tasks are kept longer, to be looked at and retried).
 *
 * @example
 * ```ts
 * prunable(d.receivedAt, [{ state: "completed", updatedAt: t }], { before, failedBefore });
 * ```
 */
export function prunable(
  receivedAt: number, tasks: readonly { state: TaskState; updatedAt: number }[], options: Pick<PruneOptions, "before" | "failedBefore">,
): boolean {
  if (receivedAt >= options.before) return false;
  return tasks.every((t) => !OPEN_STATES.includes(t.state) && t.updatedAt < (t.state === "failed" ? Math.min(options.before, options.failedBefore) : options.before));
}
