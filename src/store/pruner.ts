/**
 * The background pruner of a server: a retention pass (prune.ts) every interval, in small batches
 * with a pause between them, by one process at a time on a shared store (a lease kept as a stored
 * record, compare-and-set), stopped between batches on shutdown.
 */
import type { Logger } from "pino";
import type { Backend, PruneResult } from "./backend.js";
import { pruneStore, type PruneReport } from "./prune.js";

/** The record kind and key of the pruning lease. */
export const PRUNE_LEASE = { kind: "hookyard:prune-lease", key: "pruner" } as const;

export interface PrunerOptions {
  store: () => Backend;
  /** This process's id (the lease holder). */
  owner: string;
  retentionMs: number;
  failedRetentionMs: number;
  intervalMs: number;
  log: Logger;
  /** Deliveries looked at per batch. Default 200. */
  batch?: number;
  /** Pause between batches (ms), so deliveries keep their latency. Default 250, and at least 4× the batch's time. */
  pauseMs?: number;
  /** After every batch (the `hookyard_pruned_total` counter). */
  onBatch?: (batch: PruneResult) => void;
  now?: () => number;
}

interface Lease {
  owner: string;
  until: number;
}

/**
 * @example
 * ```ts
 * const pruner = new Pruner({ store: () => store, owner: workerId, retentionMs, failedRetentionMs, intervalMs: 300_000, log });
 * pruner.start(); // … await pruner.stop();
 * ```
 */
export class Pruner {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<PruneReport | null> | undefined;
  private readonly abort = new AbortController();
  private stopped = false;

  constructor(private readonly o: PrunerOptions) {}

  /** First pass after one interval, then every interval (timers unref'd). */
  start(): void {
    if (this.stopped || this.timer) return;
    this.schedule();
  }

  /** One pass now (null when another process holds the lease; nothing done, `stopped`, once stopped). */
  runNow(): Promise<PruneReport | null> {
    this.running ??= this.pass().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  /** Stops the timer and the pass in progress (between batches) and waits for it. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.abort.abort();
    await this.running?.catch(() => undefined);
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      void this.runNow().catch((err: unknown) => this.o.log.warn({ err }, "retention pass failed; the next interval tries again")).finally(() => this.schedule());
    }, this.o.intervalMs);
    this.timer.unref();
  }

  private async pass(): Promise<PruneReport | null> {
    if (this.stopped) return { deliveries: 0, tasks: 0, bytes: 0, tombstones: 0, batches: 0, stopped: true };
    const now = this.o.now ?? Date.now;
    const leaseMs = Math.max(60_000, this.o.intervalMs);
    let version = await this.takeLease(leaseMs, now());
    if (version === null) return null;
    const started = now();
    let renewAt = started + leaseMs / 2;
    const report = await pruneStore(this.o.store(), {
      retentionMs: this.o.retentionMs, failedRetentionMs: this.o.failedRetentionMs, batch: this.o.batch ?? 200,
      pauseMs: this.o.pauseMs ?? 250, pauseFactor: this.o.pauseMs === 0 ? 0 : 4, signal: this.abort.signal, now,
      onBatch: async (batch) => {
        this.o.onBatch?.(batch);
        if (now() < renewAt || version === null) return;
        version = await this.renew(version, leaseMs, now());
        renewAt = now() + leaseMs / 2;
        if (version === null) this.abort.abort(); // another process took over: stop here
      },
    });
    this.o.log.info({ ...report, ms: now() - started }, `retention pass: ${report.deliveries} deliveries, ${report.tasks} tasks, ${report.bytes} bytes, ${report.tombstones} tombstones pruned`);
    return report;
  }

  /** Takes the lease when it is free, lapsed or ours; returns its version, or null. */
  private async takeLease(leaseMs: number, now: number): Promise<number | null> {
    const store = this.o.store();
    const held = await store.getRecord(PRUNE_LEASE.kind, PRUNE_LEASE.key);
    const lease = held?.value as Lease | undefined;
    if (held && lease && lease.owner !== this.o.owner && lease.until > now) return null;
    return this.renew(held?.version ?? 0, leaseMs, now);
  }

  private async renew(version: number, leaseMs: number, now: number): Promise<number | null> {
    try {
      const value: Lease = { owner: this.o.owner, until: now + leaseMs };
      return (await this.o.store().putRecord(PRUNE_LEASE.kind, PRUNE_LEASE.key, value, version)).version;
    } catch (err) {
      if ((err as { code?: string }).code === "HOOKYARD_ERR_STORE_CONFLICT") return null;
      throw err;
    }
  }
}
