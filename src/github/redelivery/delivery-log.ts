import type { HookyardOctokit } from "../octokit.js";

/** One attempt of the App's delivery log (`GET /app/hook/deliveries`), as recovery needs it. */
export interface DeliveryAttempt {
  /** The attempt's id (what `POST /app/hook/deliveries/{id}/attempts` redelivers). Grows with time. */
  id: number;
  /** The delivery's id: `X-GitHub-Delivery`, the same for every attempt of one delivery. */
  guid: string;
  /** When GitHub made the attempt (epoch ms, GitHub's clock, whole seconds). */
  deliveredAt: number;
  /** The receiver's HTTP status; 0 when it could not be reached. */
  statusCode: number;
  redelivery: boolean;
  event: string;
  action: string | null;
}

/** What reading the log needs: an Octokit authenticated as the App (JWT). */
export type AppOctokit = Pick<HookyardOctokit, "request">;

/** True when the receiver answered 2xx: the delivery reached it. */
export function succeeded(attempt: Pick<DeliveryAttempt, "statusCode">): boolean {
  return attempt.statusCode >= 200 && attempt.statusCode < 300;
}

/** The `cursor` of a `Link: <…?cursor=…>; rel="next"` header, or the whole next URL when it has none. */
export function nextPage(link: string | undefined): { cursor: string } | { url: string } | undefined {
  const m = /<([^>]+)>;\s*rel="next"/.exec(link ?? "");
  if (!m?.[1]) return undefined;
  const cursor = new URL(m[1]).searchParams.get("cursor");
  return cursor ? { cursor } : { url: m[1] };
}

/** One page of the log; `end` on the last one says why it is the last. */
export interface LogPage {
  attempts: DeliveryAttempt[];
  /** `from`: an older attempt was reached; `log`: the log has no more pages; `max-pages`: the page budget is spent. */
  end?: "from" | "log" | "max-pages";
}

/**
 * Pages through the App's delivery log, newest first (100 attempts a page, following the
 * `Link` cursor), yielding each page's attempts made at or after `from`; it stops at the first
 * older attempt, at the end of the log, or after `maxPages` pages. A spent rate limit surfaces as
 * a `RateLimitedError` from the iteration.
 *
 * @example
 * ```ts
 * for await (const page of deliveryLogPages(await app.auth(), { from: Date.now() - 3_600_000 })) console.log(page.attempts.length);
 * ```
 */
export async function* deliveryLogPages(
  octokit: AppOctokit,
  o: { from: number; maxPages?: number; signal?: AbortSignal },
): AsyncGenerator<LogPage> {
  let next: { cursor: string } | { url: string } | undefined;
  for (let page = 1; ; page++) {
    const request = o.signal ? { signal: o.signal } : {};
    const res = next && "url" in next
      ? await octokit.request(`GET ${next.url}`, { request })
      : await octokit.request("GET /app/hook/deliveries", { per_page: 100, ...(next ? { cursor: next.cursor } : {}), request });
    const items = res.data as { id: number; guid: string; delivered_at: string; status_code: number; redelivery: boolean; event: string; action: string | null }[];
    const attempts: DeliveryAttempt[] = [];
    let reachedFrom = false;
    for (const d of items) {
      const deliveredAt = Date.parse(d.delivered_at);
      if (deliveredAt < o.from) {
        reachedFrom = true;
        break;
      }
      attempts.push({ id: d.id, guid: d.guid, deliveredAt, statusCode: d.status_code, redelivery: d.redelivery, event: d.event, action: d.action ?? null });
    }
    next = nextPage(res.headers.link);
    const end: LogPage["end"] = reachedFrom ? "from" : next === undefined ? "log" : o.maxPages !== undefined && page >= o.maxPages ? "max-pages" : undefined;
    yield { attempts, ...(end ? { end } : {}) };
    if (end) return;
  }
}
