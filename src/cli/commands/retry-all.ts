import { errorLine } from "../args.js";
import type { ApiClient, ApiTask } from "../client.js";
import type { Progress } from "./progress.js";

export interface RetryAllOptions {
  /** Only tasks that failed within this many ms (their last update). */
  sinceMs?: number;
  /** Only tasks of this handler. */
  name?: string;
  progress?: Progress;
  /** Page size while listing (default 100). */
  pageSize?: number;
}

export interface RetryAllReport {
  /** Failed tasks that matched. */
  matched: number;
  retried: ApiTask[];
  /** Tasks the server refused to retry (e.g. retried meanwhile by someone else), with why. */
  refused: { id: string; error: string }[];
}

/**
 * Retries every failed task (of a handler, failed within `sinceMs`): lists them page by page
 * first, then retries each through the API, reporting progress.
 *
 * @example
 * ```ts
 * const report = await retryAllFailed(api, { sinceMs: 3_600_000 });
 * ```
 */
export async function retryAllFailed(api: ApiClient, o: RetryAllOptions = {}): Promise<RetryAllReport> {
  const cutoff = o.sinceMs === undefined ? undefined : Date.now() - o.sinceMs;
  const ids: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await api.listTasks({ state: "failed", limit: o.pageSize ?? 100, ...(o.name ? { name: o.name } : {}), ...(cursor ? { cursor } : {}) });
    for (const t of page.items) if (cutoff === undefined || Date.parse(t.updatedAt) >= cutoff) ids.push(t.id);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  const report: RetryAllReport = { matched: ids.length, retried: [], refused: [] };
  o.progress?.start(ids.length);
  for (const id of ids) {
    try {
      report.retried.push(await api.retryTask(id));
    } catch (err) {
      report.refused.push({ id, error: errorLine(err).replace(/^hookyard: /, "") });
    }
    o.progress?.step();
  }
  o.progress?.end();
  return report;
}

/** The report as lines: one per refused task, then the count. */
export function formatRetryAll(r: RetryAllReport): string {
  const lines = r.refused.map((f) => `not retried ${f.id}: ${f.error}`);
  lines.push(`retried ${r.retried.length} of ${r.matched} failed task${r.matched === 1 ? "" : "s"}`);
  return lines.join("\n");
}
