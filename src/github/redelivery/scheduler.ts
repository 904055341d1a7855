import type { Logger } from "pino";
import type { HookyardConfig } from "../../config/index.js";
import type { Backend } from "../../store/backend.js";
import type { GitHubClients } from "../clients.js";
import { recoverMissedDeliveries, type RecoveryReport } from "./recover.js";
import { recoveryStateFor, type RecoveryStateStore } from "./state.js";

/** Running totals over every run of a {@link RedeliveryScheduler} (metrics read these later). */
export interface RedeliveryTotals {
  runs: number;
  redelivered: number;
  alreadyStored: number;
  failedToRequest: number;
  gaveUp: number;
  rateLimited: number;
  skipped: number;
  errors: number;
}

export interface RedeliverySchedulerOptions {
  /** One recovery run; `signal` aborts when the scheduler stops. */
  run: (signal: AbortSignal) => Promise<RecoveryReport>;
  intervalMs: number;
  log: Logger;
  now?: () => number;
}

type Waiter = { resolve: (r: RecoveryReport) => void; reject: (e: unknown) => void };

/**
 * Runs the missed-delivery recovery once at `start()` and then every `intervalMs` (timers
 * `unref`'d: they never keep the process alive). After a rate-limited run the next one waits for
 * the limit's reset if that is later. `stop()` aborts a run in progress and waits for it.
 *
 * @example
 * ```ts
 * const scheduler = new RedeliveryScheduler({ run: (signal) => recoverMissedDeliveries({ github, store, signal }), intervalMs: 600_000, log });
 * scheduler.start();
 * ```
 */
export class RedeliveryScheduler {
  readonly totals: RedeliveryTotals = { runs: 0, redelivered: 0, alreadyStored: 0, failedToRequest: 0, gaveUp: 0, rateLimited: 0, skipped: 0, errors: 0 };
  /** The report of the last run that finished. */
  last: RecoveryReport | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<RecoveryReport> | undefined;
  private readonly abort = new AbortController();
  private started = false;
  private stopped = false;
  private waiters: Waiter[] = [];

  constructor(private readonly o: RedeliverySchedulerOptions) {}

  /** Runs now, then every interval. Idempotent. */
  start(): void {
    if (this.started || this.stopped) return;
    this.started = true;
    this.schedule(0);
  }

  /** Runs now (or joins the run in progress) and resolves with its report. */
  runNow(): Promise<RecoveryReport> {
    this.running ??= this.runOnce().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  /** Resolves with the report of the next run to finish (rejects if it fails). */
  nextRun(): Promise<RecoveryReport> {
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  /** Stops the timer, aborts a run in progress and waits for it to end. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.abort.abort();
    await this.running?.catch(() => undefined);
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.runNow().then(
        (r) => this.schedule(r.rateLimitedUntil === undefined ? this.o.intervalMs : Math.max(this.o.intervalMs, r.rateLimitedUntil - (this.o.now ?? Date.now)())),
        () => this.schedule(this.o.intervalMs),
      );
    }, delayMs);
    this.timer.unref();
  }

  private async runOnce(): Promise<RecoveryReport> {
    const waiters = this.waiters;
    this.waiters = [];
    this.totals.runs++;
    try {
      const r = await this.o.run(this.abort.signal);
      this.last = r;
      this.totals.redelivered += r.redelivered.length;
      this.totals.alreadyStored += r.alreadyStored.length;
      this.totals.failedToRequest += r.failedToRequest.length;
      this.totals.gaveUp += r.gaveUp.length;
      if (r.stopped === "rate-limited") this.totals.rateLimited++;
      if (r.skipped) this.totals.skipped++;
      for (const w of waiters) w.resolve(r);
      return r;
    } catch (err) {
      this.totals.errors++;
      this.o.log.warn({ err }, "missed-delivery recovery failed; the next run tries again");
      for (const w of waiters) w.reject(err);
      throw err;
    }
  }
}

/**
 * The scheduler a Hookyard process runs: when an App is configured and
 * `HOOKYARD_REDELIVERY_INTERVAL` is not 0; the state lives beside the store (see
 * {@link recoveryStateFor}). Undefined otherwise.
 *
 * @example
 * ```ts
 * const redelivery = redeliverySchedulerFor({ config, github, store: () => app.store, log });
 * redelivery?.start();
 * ```
 */
export function redeliverySchedulerFor(o: {
  config: Pick<HookyardConfig, "redeliveryInterval" | "redeliveryLookback">;
  github: GitHubClients;
  store: () => Backend;
  log: Logger;
}): RedeliveryScheduler | undefined {
  if (!o.github.settings || o.config.redeliveryInterval <= 0) return undefined;
  const log = o.log.child({ component: "redelivery" });
  let state: RecoveryStateStore | undefined;
  return new RedeliveryScheduler({
    intervalMs: o.config.redeliveryInterval,
    log,
    run: (signal) => {
      const store = o.store();
      state ??= recoveryStateFor(store.description, log);
      return recoverMissedDeliveries({ github: o.github.app.app(), store, state, lookbackMs: o.config.redeliveryLookback, log, signal });
    },
  });
}
