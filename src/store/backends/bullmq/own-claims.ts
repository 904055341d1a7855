import type { ClaimedTask } from "../../backend.js";

/** A task claimed ahead for an owner: running under its lease in the records, its job fetched under `token`. */
export interface ClaimedAhead {
  task: ClaimedTask;
  token: string;
  /** When it was claimed, and for how long. */
  at: number;
  leaseMs: number;
}

/** Lock tokens remembered at most (oldest forgotten first): a forgotten one only costs its finish a round trip. */
const MAX_TOKENS = 100_000;
/** Bodies read ahead kept at most (oldest dropped first): a dropped one is read again when asked for. */
const MAX_BODIES = 1_000;
/** For how long after the process last asked for a body the finishes read bodies ahead. */
const BODY_READERS_MS = 1_000;

/**
 * What this process knows of its own claims, to spare round trips (it is never the authority: the
 * records are, and every use is checked against them):
 * - the BullMQ lock token of each task it claimed, so that the finish moves the job in the same
 *   transaction as the record (`FinishNext`) instead of reading the token from the record first;
 * - the lease of each owner that claims (a worker pool), so that the finish of one of its tasks can
 *   fetch and claim the queue's next job for it (BullMQ's `fetchNext`);
 * - those tasks claimed ahead, until the owner's next claim takes them, and their deliveries'
 *   bodies, read in the same transaction while this process reads bodies (a task that starts
 *   reads its delivery's body unless the process still has the payload it accepted).
 */
export class OwnClaims {
  private readonly tokens = new Map<string, { owner: string; token: string }>();
  private readonly leases = new Map<string, number>();
  private readonly ahead = new Map<string, ClaimedAhead[]>();
  private readonly bodies = new Map<string, { body: Buffer; contentType: string; uses: number }>();
  private bodyReadAt = -Infinity;

  /** Remembers that `owner` holds task `id` under lock `token`. */
  held(owner: string, id: string, token: string): void {
    this.tokens.delete(id);
    this.tokens.set(id, { owner, token });
    if (this.tokens.size > MAX_TOKENS) this.tokens.delete(this.tokens.keys().next().value!);
  }

  /** The lock token `owner` claimed task `id` under (forgotten as it is returned); null when unknown. */
  takeToken(owner: string, id: string): string | null {
    const held = this.tokens.get(id);
    this.tokens.delete(id);
    return held?.owner === owner ? held.token : null;
  }

  /** `owner` claims with leases of `leaseMs`. */
  claiming(owner: string, leaseMs: number): void {
    this.leases.set(owner, leaseMs);
  }

  /** The lease of `owner`'s latest claim; null when it never claimed. */
  leaseOf(owner: string): number | null {
    return this.leases.get(owner) ?? null;
  }

  keep(owner: string, claimed: ClaimedAhead): void {
    const list = this.ahead.get(owner);
    if (list) list.push(claimed);
    else this.ahead.set(owner, [claimed]);
  }

  /** Up to `limit` of the tasks claimed ahead for `owner`, oldest first. */
  take(owner: string, limit: number): ClaimedAhead[] {
    const list = this.ahead.get(owner);
    if (!list || limit <= 0) return [];
    const taken = list.splice(0, limit);
    if (list.length === 0) this.ahead.delete(owner);
    return taken;
  }

  /** Every task claimed ahead, with its owner, forgotten as they are returned. */
  takeAll(): { owner: string; claimed: ClaimedAhead }[] {
    const all = [...this.ahead].flatMap(([owner, list]) => list.map((claimed) => ({ owner, claimed })));
    this.ahead.clear();
    return all;
  }

  /** Keeps the body of a delivery whose task was claimed ahead, for the read that follows as the task starts. */
  keepBody(deliveryId: string, body: { body: Buffer; contentType: string }): void {
    const kept = this.bodies.get(deliveryId);
    if (kept) kept.uses += 1;
    else this.bodies.set(deliveryId, { ...body, uses: 1 });
    if (this.bodies.size > MAX_BODIES) this.bodies.delete(this.bodies.keys().next().value!);
  }

  /** A body kept for `deliveryId` (counting one use), and notes that this process reads bodies. */
  takeBody(deliveryId: string, now: number): { body: Buffer; contentType: string } | undefined {
    this.bodyReadAt = now;
    const kept = this.bodies.get(deliveryId);
    if (kept && --kept.uses <= 0) this.bodies.delete(deliveryId);
    return kept && { body: kept.body, contentType: kept.contentType };
  }

  /** Whether this process reads the bodies of the tasks it runs (it asked for one lately). */
  readsBodies(now: number): boolean {
    return now - this.bodyReadAt < BODY_READERS_MS;
  }
}
