import { pino, type Logger } from "pino";
import { loadConfig, parseDuration, type ConfigInput } from "../../config/index.js";
import { HookyardError } from "../../errors.js";
import { GitHubClients } from "../../github/clients.js";
import { recoverMissedDeliveries, recoveryStateFor, REDELIVERY_WINDOW_MS, type RecoveryReport } from "../../github/redelivery/index.js";
import { REDACT_PATHS } from "../../observability/log.js";
import { openStore } from "../../store/open.js";

export interface RedeliverOptions {
  /** How far back to look, a duration (`2h`, `3d`); omitted: back to the last run's checkpoint, else HOOKYARD_REDELIVERY_LOOKBACK. */
  since?: string;
  /** Report what would be redelivered without asking GitHub. */
  dryRun?: boolean;
  /** A `HOOKYARD_STORE` URL (default from the environment). */
  store?: string;
  env?: NodeJS.ProcessEnv;
  logger?: Logger;
}

/**
 * One missed-delivery recovery run from the command line: the App from `APP_ID` / `PRIVATE_KEY`,
 * the store from `HOOKYARD_STORE` (and its checkpoint file), then the report.
 *
 * @example
 * ```ts
 * const report = await redeliverMissed({ since: "2h" });
 * console.log(formatRecoveryReport(report).join("\n"));
 * ```
 */
export async function redeliverMissed(o: RedeliverOptions = {}): Promise<RecoveryReport> {
  let sinceMs: number | undefined;
  if (o.since !== undefined) {
    sinceMs = parseDuration(o.since);
    if (sinceMs === undefined || sinceMs <= 0) throw new HookyardError("HOOKYARD_ERR_CLI_USAGE", `--since must be a duration like 30m, 2h or 3d, not "${o.since}"`);
    if (sinceMs > REDELIVERY_WINDOW_MS) throw new HookyardError("HOOKYARD_ERR_CLI_USAGE", "--since can be at most 3d: GitHub redelivers deliveries of the past three days");
  }
  const input: ConfigInput = { ...(o.store !== undefined ? { store: o.store } : {}) };
  const env = o.env ?? process.env;
  const config = loadConfig(input, env);
  // stdout is the command's answer; logs (warnings only, unless LOG_LEVEL says otherwise) go to stderr
  const log = o.logger ?? pino({ name: "hookyard", level: env.LOG_LEVEL ? config.logLevel : "warn", redact: { paths: REDACT_PATHS, censor: "[redacted]" } }, pino.destination({ dest: 2, sync: true }));
  const github = new GitHubClients(config, { log });
  const octokit = github.app.app(); // HOOKYARD_ERR_GITHUB_NOT_CONFIGURED without an App
  // only reads (is this delivery stored?): read-only, beside a server that holds the store
  const store = await openStore(config.store, { readOnly: true, leaseMs: config.lease, pollIntervalMs: config.pollInterval });
  try {
    return await recoverMissedDeliveries({
      github: octokit, store, state: recoveryStateFor(store.description, log), log,
      lookbackMs: config.redeliveryLookback, dryRun: o.dryRun ?? false,
      ...(sinceMs !== undefined ? { since: Date.now() - sinceMs } : {}),
    });
  } finally {
    await store.close();
    await github.close();
  }
}

/**
 * The report as lines: one per redelivered delivery, then a summary.
 *
 * @example
 * ```ts
 * formatRecoveryReport(report); // ["redelivered 72d3162e-…", "examined 12 attempts …"]
 * ```
 */
export function formatRecoveryReport(r: RecoveryReport): string[] {
  if (r.skipped) return ["another process is running the missed-delivery recovery on this store; nothing done"];
  const verb = r.dryRun ? "would redeliver" : "redelivered";
  const lines = r.redelivered.map((guid) => `${verb} ${guid}`);
  for (const guid of r.failedToRequest) lines.push(`GitHub refused to redeliver ${guid}`);
  for (const guid of r.gaveUp) lines.push(`gave up on ${guid} (asked for too often already)`);
  const parts = [
    `${r.redelivered.length} ${verb}`, `${r.alreadyStored.length} already stored`,
    ...(r.pending.length > 0 ? [`${r.pending.length} pending`] : []),
    ...(r.failedToRequest.length > 0 ? [`${r.failedToRequest.length} refused`] : []),
    ...(r.gaveUp.length > 0 ? [`${r.gaveUp.length} given up`] : []),
  ];
  lines.push(`examined ${r.scanned} attempt${r.scanned === 1 ? "" : "s"} of ${r.deliveries} deliver${r.deliveries === 1 ? "y" : "ies"} since ${new Date(r.from).toISOString()}: ${r.missed} missed; ${parts.join(", ")}`);
  if (r.stopped === "rate-limited") lines.push(`stopped early: GitHub's rate limit is spent until ${new Date(r.rateLimitedUntil ?? 0).toISOString()}; run again then`);
  if (r.stopped === "max-pages") lines.push("stopped early: the page budget is spent; older deliveries were not examined");
  return lines;
}
