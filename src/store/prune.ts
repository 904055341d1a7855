/**
 * One retention pass over a store: `Backend.prune` batch after batch, following each batch's
 * cursor, with a pause between batches so that deliveries keep being answered (the library
 * function behind `hookyard prune` and the background pruner).
 */
import { HookyardError } from "../errors.js";
import type { Backend, PruneResult } from "./backend.js";

const DAY = 86_400_000;
/** GitHub redelivers deliveries of the past three days: nothing younger is ever pruned. */
export const REDELIVERY_WINDOW_MS = 3 * DAY;

export interface PruneStoreOptions {
  /** Deliveries older than this (ms) go. At least 3 days. */
  retentionMs: number;
  /** Deliveries with a failed task go once it failed this long ago (ms). At least 3 days. Default: `retentionMs`. */
  failedRetentionMs?: number;
  dryRun?: boolean;
  /** Deliveries looked at per batch. Default 200. */
  batch?: number;
  /** Pause between batches (ms). Default 0. */
  pauseMs?: number;
  /**
   * Pause at least this many times as long as the batch took, so pruning takes at most
   * 1 / (1 + factor) of the store's time whatever the machine's speed. Default 0.
   */
  pauseFactor?: number;
  /** Stops the pass between batches. */
  signal?: AbortSignal;
  /** Called after every batch (metrics, lease renewal). */
  onBatch?: (batch: PruneResult) => void | Promise<void>;
  now?: () => number;
}

/** What a pass removed (or, dry run, would remove), and how many batches it took. */
export interface PruneReport {
  deliveries: number;
  tasks: number;
  bytes: number;
  tombstones: number;
  batches: number;
  /** True when the pass was stopped (signal) before its end. */
  stopped: boolean;
}

/**
 * Runs one retention pass: deliveries older than `retentionMs` whose tasks all finished go with
 * their tasks and bodies (failed tasks' deliveries after `failedRetentionMs`). A pruned
 * delivery's id stays a dedup tombstone until it was received twice the retention ago (at least
 * 6 days: twice GitHub's redelivery window), so a late redelivery is still answered duplicate.
 *
 * @example
 * ```ts
 * const report = await pruneStore(store, { retentionMs: 30 * 86_400_000, dryRun: true });
 * console.log(`${report.deliveries} deliveries would go`);
 * ```
 */
export async function pruneStore(store: Backend, o: PruneStoreOptions): Promise<PruneReport> {
  const failedRetentionMs = o.failedRetentionMs ?? o.retentionMs;
  for (const [name, ms] of [["retention", o.retentionMs], ["failed retention", failedRetentionMs]] as const) {
    if (!(ms >= REDELIVERY_WINDOW_MS)) {
      throw new HookyardError("HOOKYARD_ERR_CONFIG_INVALID", `${name} must be at least 3d (GitHub redelivers deliveries of the past three days), got ${ms} ms`);
    }
  }
  if (!store.prune) throw new HookyardError("HOOKYARD_ERR_STORE_UNAVAILABLE", `the store ${store.description} cannot prune`);
  const now = (o.now ?? Date.now)();
  const before = now - o.retentionMs;
  const options = { before, failedBefore: now - failedRetentionMs, tombstonesBefore: before - o.retentionMs, limit: o.batch ?? 200, dryRun: o.dryRun };
  const report: PruneReport = { deliveries: 0, tasks: 0, bytes: 0, tombstones: 0, batches: 0, stopped: false };
  let cursor: string | undefined;
  for (;;) {
    if (o.signal?.aborted) return { ...report, stopped: true };
    const started = performance.now();
    const batch = await store.prune({ ...options, cursor });
    const tookMs = performance.now() - started;
    report.batches += 1;
    report.deliveries += batch.deliveries;
    report.tasks += batch.tasks;
    report.bytes += batch.bytes;
    report.tombstones += batch.tombstones;
    await o.onBatch?.(batch);
    // the pass goes on while deliveries are left to look at, or (not a dry run) tombstones to drop
    const more = batch.cursor !== null || (!o.dryRun && batch.tombstones >= options.limit);
    if (!more) return report;
    cursor = batch.cursor ?? cursor;
    const wait = Math.max(o.pauseMs ?? 0, tookMs * (o.pauseFactor ?? 0));
    if (wait > 0) await pause(wait, o.signal);
  }
}

function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}
