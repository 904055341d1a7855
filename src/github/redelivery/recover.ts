import type { Logger } from "pino";
import { HookyardError } from "../../errors.js";
import type { Backend } from "../../store/backend.js";
import { RateLimitedError } from "../rate-limit.js";
import { deliveryLogPages, type AppOctokit, type DeliveryAttempt, type LogPage } from "./delivery-log.js";
import { missedDeliveries, type MissedDelivery } from "./select.js";
import { MemoryRecoveryState, type RecoveryState, type RecoveryStateStore } from "./state.js";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
/** GitHub redelivers deliveries of the past three days. */
export const REDELIVERY_WINDOW_MS = 3 * 24 * HOUR;

export interface RecoverOptions {
  /** An Octokit authenticated as the App (JWT): `await app.auth()`. */
  github: AppOctokit;
  /** Tells whether a delivery id is stored. */
  store: Pick<Backend, "getDelivery">;
  /** Checkpoint and requested redeliveries between runs (default: a fresh in-memory state). */
  state?: RecoveryStateStore;
  /** Look back to this time (epoch ms) instead of to the checkpoint. */
  since?: number;
  /** Without `since` and without a checkpoint: how far back to look (default and maximum 3 days). */
  lookbackMs?: number;
  /** How far before the checkpoint a run starts, for attempts logged late (default 5 minutes). */
  overlapMs?: number;
  /** How long a requested redelivery that GitHub has not logged yet is waited for before asking again (default 1 hour). */
  pendingMs?: number;
  /** How often one delivery is asked for at most, when its redeliveries fail too (default 3). */
  maxRequests?: number;
  /** Pages (of 100 attempts) read at most in one run (default 100). */
  maxPages?: number;
  /** Find and report, but ask GitHub for nothing and remember nothing. */
  dryRun?: boolean;
  log?: Logger;
  now?: () => number;
  signal?: AbortSignal;
}

/** What one run found and did; every list holds delivery guids. */
export interface RecoveryReport {
  /** The time the run looked back to (epoch ms). */
  from: number;
  /** The oldest attempt examined (epoch ms, GitHub's clock), or null when none was. */
  lookedBackTo: number | null;
  pages: number;
  /** Attempts examined. */
  scanned: number;
  /** Deliveries examined (distinct guids). */
  deliveries: number;
  /** Deliveries every examined attempt of which failed. */
  missed: number;
  /** Redeliveries asked for (or, in a dry run, that would be). */
  redelivered: string[];
  /** Failed at GitHub, yet in the store: they did arrive (or were received otherwise). */
  alreadyStored: string[];
  /** Asked for earlier; GitHub has not logged the redelivery yet. */
  pending: string[];
  /** Asked for `maxRequests` times already, failing each time; not asked again. */
  gaveUp: string[];
  /** GitHub refused the redelivery request (the guid is tried again by the next run). */
  failedToRequest: string[];
  /** Why the run ended early: a spent rate limit, `signal`, or the page budget (older attempts not examined). */
  stopped?: "rate-limited" | "aborted" | "max-pages";
  /** With `stopped: "rate-limited"`: when GitHub's limit resets (epoch ms). */
  rateLimitedUntil?: number;
  /** Another process holds the run lock; nothing was done. */
  skipped?: "locked";
  /** The checkpoint after the run. */
  checkpoint: number | null;
  dryRun: boolean;
}

const LOCK_TTL_MS = 15 * MINUTE;

/**
 * Finds deliveries GitHub could not deliver and asks it to redeliver them (GitHub never retries a
 * failed delivery). Pages through the App's delivery log, newest first, back to `since`, else to
 * the last run's checkpoint (less `overlapMs`), else `lookbackMs` — never past GitHub's three-day
 * window. A delivery is redelivered when every attempt of it failed, it is not in the store, and
 * no redelivery asked for earlier is still pending; GitHub redelivers it with the same
 * `X-GitHub-Delivery`, so the store deduplicates should it arrive twice. A spent rate limit ends
 * the run (`stopped: "rate-limited"`); the next run resumes. Throws
 * `HOOKYARD_ERR_REDELIVERY_FAILED` when the log cannot be read.
 *
 * @example
 * ```ts
 * const report = await recoverMissedDeliveries({ github: await app.auth(), store: app.store, since: Date.now() - 2 * 3_600_000 });
 * console.log(`${report.redelivered.length} redelivered`);
 * ```
 */
export async function recoverMissedDeliveries(o: RecoverOptions): Promise<RecoveryReport> {
  const now = o.now ?? Date.now;
  const stateStore = o.state ?? new MemoryRecoveryState();
  const release = await stateStore.lock(LOCK_TTL_MS);
  const dryRun = o.dryRun ?? false;
  if (!release) {
    o.log?.info({ state: stateStore.description }, "missed-delivery recovery skipped: another process is running it");
    return { ...emptyReport(now(), null, dryRun), skipped: "locked" };
  }
  try {
    const state = await stateStore.load();
    const report = await run(o, state, now, dryRun);
    if (!dryRun) await stateStore.save(state);
    logReport(o.log, report);
    return report;
  } finally {
    await release();
  }
}

function emptyReport(from: number, checkpoint: number | null, dryRun: boolean): RecoveryReport {
  return { from, lookedBackTo: null, pages: 0, scanned: 0, deliveries: 0, missed: 0, redelivered: [], alreadyStored: [], pending: [], gaveUp: [], failedToRequest: [], checkpoint, dryRun };
}

async function run(o: RecoverOptions, state: RecoveryState, now: () => number, dryRun: boolean): Promise<RecoveryReport> {
  const startedAt = now();
  const floor = startedAt - REDELIVERY_WINDOW_MS;
  const lookback = Math.min(o.lookbackMs ?? REDELIVERY_WINDOW_MS, REDELIVERY_WINDOW_MS);
  const wanted = o.since ?? (state.checkpoint !== null ? state.checkpoint - (o.overlapMs ?? 5 * MINUTE) : startedAt - lookback);
  const from = Math.max(wanted, floor);
  const report = emptyReport(from, state.checkpoint, dryRun);

  // 1. read the log back to `from`
  const attempts: DeliveryAttempt[] = [];
  let end: LogPage["end"];
  try {
    for await (const page of deliveryLogPages(o.github, { from, maxPages: o.maxPages ?? 100, ...(o.signal ? { signal: o.signal } : {}) })) {
      report.pages++;
      attempts.push(...page.attempts);
      end = page.end;
      if (o.signal?.aborted) break;
    }
  } catch (err) {
    if (!stopEarly(err, report, o.signal)) {
      const status = (err as { status?: number }).status;
      throw new HookyardError("HOOKYARD_ERR_REDELIVERY_FAILED", `cannot read the App's delivery log${status ? ` (HTTP ${status})` : ""}: ${(err as Error).message}`, { cause: err });
    }
  }
  if (end === undefined && report.stopped === undefined) report.stopped = "aborted";
  if (end === "max-pages") report.stopped = "max-pages";
  report.scanned = attempts.length;
  report.deliveries = new Set(attempts.map((a) => a.guid)).size;
  report.lookedBackTo = attempts.length > 0 ? attempts.reduce((t, a) => Math.min(t, a.deliveredAt), Number.POSITIVE_INFINITY) : null;
  if (report.stopped === "rate-limited" || report.stopped === "aborted") return report; // decide nothing on half a log

  // 2. which missed deliveries to ask for
  const missed = missedDeliveries(attempts);
  report.missed = missed.length;
  const toRequest: MissedDelivery[] = [];
  // deliveries still owed a redelivery: the checkpoint stays before them so the next run sees them again
  const owed: MissedDelivery[] = [];
  for (const m of missed) {
    if ((await o.store.getDelivery(m.guid)) !== null) {
      report.alreadyStored.push(m.guid);
      continue;
    }
    const asked = state.requested[m.guid];
    if (asked && m.newest.id <= asked.afterAttempt && startedAt - asked.at < (o.pendingMs ?? HOUR)) {
      report.pending.push(m.guid);
      owed.push(m);
    } else if (asked && asked.count >= (o.maxRequests ?? 3)) {
      report.gaveUp.push(m.guid);
    } else {
      toRequest.push(m);
    }
  }

  // 3. ask, oldest first
  for (const [i, m] of toRequest.entries()) {
    if (dryRun) {
      report.redelivered.push(m.guid);
      continue;
    }
    if (o.signal?.aborted) {
      report.stopped = "aborted";
      owed.push(...toRequest.slice(i));
      break;
    }
    try {
      await o.github.request("POST /app/hook/deliveries/{delivery_id}/attempts", { delivery_id: m.newest.id, ...(o.signal ? { request: { signal: o.signal } } : {}) });
      report.redelivered.push(m.guid);
      const asked = state.requested[m.guid];
      state.requested[m.guid] = { at: now(), count: (asked?.count ?? 0) + 1, afterAttempt: m.newest.id };
    } catch (err) {
      if (stopEarly(err, report, o.signal)) {
        owed.push(...toRequest.slice(i));
        break;
      }
      const status = (err as { status?: number }).status;
      o.log?.warn({ guid: m.guid, attempt: m.newest.id, status, err: (err as Error).message }, "GitHub refused to redeliver a missed delivery");
      report.failedToRequest.push(m.guid);
      owed.push(m);
    }
  }

  // 4. the checkpoint: the newest attempt examined, held back to the oldest delivery still owed
  if (!dryRun) {
    const covered = state.checkpoint === null || from <= Math.max(state.checkpoint, floor);
    const newest = attempts.reduce((t, a) => Math.max(t, a.deliveredAt), state.checkpoint ?? Number.NEGATIVE_INFINITY);
    let next = covered && Number.isFinite(newest) ? newest : state.checkpoint;
    if (next !== null) for (const m of owed) next = Math.min(next, m.first.deliveredAt);
    state.checkpoint = next;
    for (const [guid, r] of Object.entries(state.requested)) if (r.at < floor - HOUR) delete state.requested[guid];
    report.checkpoint = next;
  }
  return report;
}

/** True (and recorded) when `err` ends the run early without failing it: a rate limit or the signal. */
function stopEarly(err: unknown, report: RecoveryReport, signal: AbortSignal | undefined): boolean {
  if (err instanceof RateLimitedError) {
    report.stopped = "rate-limited";
    report.rateLimitedUntil = err.resetAt;
    return true;
  }
  if (signal?.aborted) {
    report.stopped = "aborted";
    return true;
  }
  return false;
}

function logReport(log: Logger | undefined, r: RecoveryReport): void {
  if (!log) return;
  const summary = {
    from: new Date(r.from).toISOString(), pages: r.pages, scanned: r.scanned, missed: r.missed,
    redelivered: r.redelivered, alreadyStored: r.alreadyStored.length, pending: r.pending.length,
    gaveUp: r.gaveUp, failedToRequest: r.failedToRequest, ...(r.dryRun ? { dryRun: true } : {}),
  };
  if (r.stopped === "rate-limited") {
    log.warn({ ...summary, rateLimitedUntil: new Date(r.rateLimitedUntil ?? 0).toISOString() }, "missed-delivery recovery stopped: GitHub's rate limit is spent; the next run resumes");
  } else if (r.stopped === "max-pages") {
    log.warn({ ...summary, lookedBackTo: r.lookedBackTo && new Date(r.lookedBackTo).toISOString() }, "missed-delivery recovery read its page budget; older deliveries were not examined");
  } else if (r.redelivered.length + r.failedToRequest.length + r.gaveUp.length > 0) {
    log.info(summary, `missed-delivery recovery: asked GitHub to redeliver ${r.redelivered.length} deliver${r.redelivered.length === 1 ? "y" : "ies"}`);
  } else {
    log.debug(summary, "missed-delivery recovery: nothing missed");
  }
}
