import { HookyardError } from "../errors.js";
import { mediaType, parsePayload } from "../ingress/parse.js";
import type { Backend } from "../store/backend.js";

/**
 * Payloads kept for tasks that have not started. Room for the tasks the pool holds (HOLD_LIMIT)
 * and the accepts in flight, and, on a shared store whose tasks are claimed, for a backlog: a miss
 * reads the body back from the store and parses it again (27 % of tasks at 2,000 in a BullMQ-Redis
 * bench, 8–15 % fewer tasks/s). A parsed 12 KB payload takes about 13 KB of heap: 65 MB when full.
 */
export const PAYLOAD_CACHE_SIZE = 5_000;

/**
 * Parsed payloads of deliveries this process accepted, kept until each of their queued tasks has
 * taken it, so that a task's first attempt does not read and parse the body again. Bounded: the
 * oldest entries go first, and a miss simply reads the store. Every entry's payload is unset when
 * the entry leaves the map (why: docs/benchmarks.md, "Garbage collection on the hot path").
 *
 * @example
 * ```ts
 * const payloads = new PayloadCache(store); payloads.put(delivery.id, payload, 2);
 * const payload = await payloads.load(delivery.id); // cached: no read
 * ```
 */
export class PayloadCache {
  private readonly entries = new Map<string, { payload: unknown; remaining: number }>();

  constructor(private readonly store: Backend, private readonly max = PAYLOAD_CACHE_SIZE) {}

  /** A task's payload: kept from its accept when this process took it, else read from the store. */
  async load(deliveryId: string): Promise<unknown> {
    const cached = this.take(deliveryId);
    if (cached !== undefined) return cached;
    return storedPayload(this.store, deliveryId);
  }

  /** Keeps `payload` for `uses` more takes (added to any uses already pending). */
  put(deliveryId: string, payload: unknown, uses: number): void {
    const entry = this.entries.get(deliveryId);
    if (entry) {
      entry.remaining += uses;
      return;
    }
    if (this.entries.size >= this.max) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.drop(oldest);
    }
    this.entries.set(deliveryId, { payload, remaining: uses });
  }

  /** The payload, counting one use; undefined when not cached. */
  private take(deliveryId: string): unknown {
    const entry = this.entries.get(deliveryId);
    if (!entry) return undefined;
    const payload = entry.payload;
    if (--entry.remaining <= 0) this.drop(deliveryId);
    return payload;
  }

  drop(deliveryId: string): void {
    const entry = this.entries.get(deliveryId);
    if (!entry) return;
    entry.payload = undefined;
    this.entries.delete(deliveryId);
  }
}

/** A stored delivery's payload, read from the store and parsed again. */
export async function storedPayload(store: Backend, deliveryId: string): Promise<unknown> {
  const stored = await store.getBody(deliveryId);
  if (!stored) throw new HookyardError("HOOKYARD_ERR_TASK_DELIVERY_MISSING", `delivery ${deliveryId} is not in the store`);
  return parsePayload(stored.body, mediaType(stored.contentType) ?? "application/json");
}
