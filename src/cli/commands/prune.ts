import { loadConfig, parseDuration, type ConfigInput } from "../../config/index.js";
import { HookyardError } from "../../errors.js";
import { openStore } from "../../store/open.js";
import { pruneStore, REDELIVERY_WINDOW_MS, type PruneReport } from "../../store/prune.js";

export interface PruneCommandOptions {
  /** Prune what is older than this duration (`30d`); default HOOKYARD_RETENTION. At least `3d`. */
  before?: string;
  /** Count what would go; remove nothing (on SQLite, beside a running server: it only reads). */
  dryRun?: boolean;
  /** A `HOOKYARD_STORE` URL (default from the environment). */
  store?: string;
  env?: NodeJS.ProcessEnv;
}

/**
 * One retention pass from the command line, with HOOKYARD_RETENTION / HOOKYARD_FAILED_RETENTION
 * (or `--before`). A SQLite store is written by one process: prune it while the server is stopped
 * (its background pruner does it while it runs); `--dry-run` reads beside a running server.
 *
 * @example
 * ```ts
 * const report = await pruneCommand({ dryRun: true, before: "30d" });
 * console.log(formatPruneReport(report));
 * ```
 */
export async function pruneCommand(o: PruneCommandOptions = {}): Promise<PruneReport> {
  const config = loadConfig({ ...(o.store !== undefined ? { store: o.store } : {}) } satisfies ConfigInput, o.env ?? process.env);
  let retentionMs = config.retention;
  if (o.before !== undefined) {
    const ms = parseDuration(o.before);
    if (ms === undefined || ms < REDELIVERY_WINDOW_MS) {
      throw new HookyardError("HOOKYARD_ERR_CLI_USAGE", `--before must be a duration of at least 3d (GitHub redelivers deliveries of the past three days), not "${o.before}"`);
    }
    retentionMs = ms;
  }
  if (retentionMs === 0) throw new HookyardError("HOOKYARD_ERR_CLI_USAGE", "HOOKYARD_RETENTION=0 keeps everything: pass --before (e.g. --before 30d) to prune anyway");
  const failedRetentionMs = config.failedRetention === 0 ? Number.MAX_SAFE_INTEGER : Math.max(config.failedRetention, retentionMs);
  const store = await openStore(config.store, { readOnly: o.dryRun ?? false, leaseMs: config.lease, pollIntervalMs: config.pollInterval });
  try {
    return await pruneStore(store, { retentionMs, failedRetentionMs, dryRun: o.dryRun ?? false, batch: 1000 });
  } finally {
    await store.close();
  }
}

/**
 * The report as one line.
 *
 * @example
 * ```ts
 * formatPruneReport(report); // "pruned 1200 deliveries, 2400 tasks, 14.1 MB of bodies, 30 tombstones (3 batches)"
 * ```
 */
export function formatPruneReport(r: PruneReport, dryRun = false): string {
  const mb = (r.bytes / 1_048_576).toFixed(1);
  return `${dryRun ? "would prune" : "pruned"} ${r.deliveries} deliveries, ${r.tasks} tasks, ${mb} MB of bodies, ${r.tombstones} tombstones (${r.batches} batch${r.batches === 1 ? "" : "es"})`;
}
