import { succeeded, type DeliveryAttempt } from "./delivery-log.js";

/** A delivery none of whose attempts (in the window examined) reached the receiver. */
export interface MissedDelivery {
  guid: string;
  event: string;
  action: string | null;
  /** Its newest attempt: the one to redeliver. */
  newest: DeliveryAttempt;
  /** Its oldest attempt in the window (when GitHub first tried). */
  first: DeliveryAttempt;
  attempts: number;
}

/**
 * Groups attempts by delivery guid and returns the deliveries whose every attempt failed
 * (status not 2xx, or unreachable), oldest first.
 *
 * @example
 * ```ts
 * const missed = missedDeliveries(attempts); // [{ guid, newest, first, attempts }]
 * ```
 */
export function missedDeliveries(attempts: readonly DeliveryAttempt[]): MissedDelivery[] {
  const byGuid = new Map<string, { ok: boolean; newest: DeliveryAttempt; first: DeliveryAttempt; attempts: number }>();
  for (const a of attempts) {
    const g = byGuid.get(a.guid);
    if (!g) {
      byGuid.set(a.guid, { ok: succeeded(a), newest: a, first: a, attempts: 1 });
      continue;
    }
    g.ok ||= succeeded(a);
    g.attempts++;
    if (a.id > g.newest.id) g.newest = a;
    if (a.id < g.first.id) g.first = a;
  }
  const missed: MissedDelivery[] = [];
  for (const [guid, g] of byGuid) {
    if (!g.ok) missed.push({ guid, event: g.newest.event, action: g.newest.action, newest: g.newest, first: g.first, attempts: g.attempts });
  }
  return missed.sort((x, y) => x.first.id - y.first.id);
}
