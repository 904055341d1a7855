import type { Logger } from "pino";

/**
 * Logs a store outage once: the first failure (error level, with its code and message), nothing
 * for the failures that follow, and once more when a call succeeds again (how long it lasted, how
 * many calls failed meanwhile). Webhook accepts and worker claims report to one instance.
 *
 * @example
 * ```ts
 * try { await store.accept(d, tasks); outage.ok(); } catch (err) { outage.failed(err, "accept"); throw err; }
 * ```
 */
export class StoreOutage {
  private since: number | undefined;
  private failures = 0;

  constructor(private readonly log: Logger, private readonly store: () => string) {}

  /** Whether an outage is going on (a call failed and none has succeeded since). */
  get down(): boolean {
    return this.since !== undefined;
  }

  failed(err: unknown, during: string): void {
    this.failures += 1;
    if (this.since !== undefined) return;
    this.since = Date.now();
    const { code, message } = err as { code?: unknown; message?: unknown };
    this.log.error(
      { store: this.store(), during, error: { code: typeof code === "string" ? code : undefined, message: String(message ?? err) } },
      "store unavailable: webhook deliveries are answered 503 (GitHub can redeliver them) and tasks wait until it is back",
    );
  }

  ok(): void {
    if (this.since === undefined) return;
    this.log.warn({ store: this.store(), downMs: Date.now() - this.since, failedCalls: this.failures }, "store available again");
    this.since = undefined;
    this.failures = 0;
  }
}
