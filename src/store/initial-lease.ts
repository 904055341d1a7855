import type { HoldingAcceptTakes } from "./holding-backend.js";

/**
 * How a new task starts, by its accept's `takes`: claimed by the accepting process, held for it,
 * or (null) queued for any claim.
 *
 * @example
 * ```ts
 * const lease = initialLease(takes, task.id); // { owner, leaseMs, claimed: true } for an inline handler's task
 * ```
 */
export function initialLease(takes: HoldingAcceptTakes | undefined, taskId: string): { owner: string; leaseMs: number; claimed: boolean } | null {
  if (!takes) return null;
  const claimed = takes.claim?.includes(taskId) ?? false;
  if (!claimed && !takes.hold?.includes(taskId)) return null;
  return { owner: takes.owner, leaseMs: takes.leaseMs, claimed };
}
