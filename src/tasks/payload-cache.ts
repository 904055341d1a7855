/**
 * Parsed payloads of deliveries this process accepted, kept until each of their queued tasks has
 * taken it, so that a task's first attempt does not read and parse the body again. Bounded: the
 * oldest entries go first, and a miss simply reads the store. Every entry's payload is unset when
 * the entry leaves the map (why: docs/benchmarks.md, "Garbage collection on the hot path").
 */
export class PayloadCache {
  private readonly entries = new Map<string, { payload: unknown; remaining: number }>();

  constructor(private readonly max = 1_000) {}

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
  take(deliveryId: string): unknown {
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
