import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { TASK_STATES, type Backend, type TaskCounts } from "../../store/backend.js";
import type { ApiOptions } from "./options.js";

const MINUTE = 60_000;
/** The window the per-minute series cover. */
export const STATS_WINDOW_MINUTES = 60;
/** At most this many rows are read per series; past it the answer says `partial`. */
export const STATS_SCAN_LIMIT = 2_000;
const PAGE = 500;

/** `GET /stats` answers this. */
export const statsResponse = z.object({
  now: z.string().describe("When the figures were computed (ISO 8601)."),
  windowMinutes: z.number().int(),
  deliveriesPerMinute: z.array(z.number().int()).describe("Deliveries received in each minute of the window, oldest first."),
  deliveriesLastHour: z.number().int(),
  failuresPerMinute: z.array(z.number().int()).describe("Tasks that reached `failed` in each minute of the window (by their last update), oldest first."),
  failuresLastHour: z.number().int(),
  tasksByState: z.object(Object.fromEntries(TASK_STATES.map((s) => [s, z.number().int()])) as Record<(typeof TASK_STATES)[number], z.ZodNumber>),
  queueDepth: z.number().int().describe("Tasks waiting to run: queued plus retrying."),
  partial: z.boolean().describe(`True when a series stopped at ${STATS_SCAN_LIMIT} rows (the older minutes then undercount).`),
});
export type Stats = z.infer<typeof statsResponse>;

/** Counts `times` into per-minute buckets of the window ending at `now`, oldest first. */
function buckets(times: number[], now: number): number[] {
  const start = now - STATS_WINDOW_MINUTES * MINUTE;
  const out = new Array<number>(STATS_WINDOW_MINUTES).fill(0);
  for (const t of times) {
    const i = Math.floor((t - start) / MINUTE);
    if (i >= 0 && i < STATS_WINDOW_MINUTES) out[i] = (out[i] ?? 0) + 1;
    else if (i === STATS_WINDOW_MINUTES) out[STATS_WINDOW_MINUTES - 1] = (out[STATS_WINDOW_MINUTES - 1] ?? 0) + 1;
  }
  return out;
}

/**
 * Reads pages (newest first) while `keep` says so, up to {@link STATS_SCAN_LIMIT} rows; returns
 * the times kept and whether the limit cut the scan short.
 */
async function scan<T>(
  read: (cursor: string | undefined) => Promise<{ items: T[]; nextCursor: string | null }>,
  time: (item: T) => number,
  since: number,
  stopAtOlder: boolean,
): Promise<{ times: number[]; partial: boolean }> {
  const times: number[] = [];
  let cursor: string | undefined;
  for (let read_ = 0; read_ < STATS_SCAN_LIMIT; ) {
    const page = await read(cursor);
    read_ += page.items.length;
    for (const item of page.items) {
      const t = time(item);
      if (t >= since) times.push(t);
      else if (stopAtOlder) return { times, partial: false };
    }
    if (page.nextCursor === null) return { times, partial: false };
    cursor = page.nextCursor;
  }
  return { times, partial: true };
}

/**
 * The console's overview figures, from the store's ordinary reads (so every backend answers them):
 * task counts by state, and the last hour's deliveries (newest first, stopping at the first older
 * one) and failed tasks (by their last update), each read at most {@link STATS_SCAN_LIMIT} rows deep.
 *
 * @example
 * ```ts
 * const { queueDepth, deliveriesPerMinute } = await computeStats(app.store, Date.now());
 * ```
 */
export async function computeStats(store: Backend, now: number): Promise<Stats> {
  const since = now - STATS_WINDOW_MINUTES * MINUTE;
  const [counts, deliveries, failures] = await Promise.all([
    store.countTasks(),
    scan((cursor) => store.listDeliveries({ limit: PAGE, ...(cursor ? { cursor } : {}) }), (d) => d.receivedAt, since, true),
    // a task created long ago may have failed a minute ago: failed tasks are read whatever their age
    scan((cursor) => store.listTasks({ state: "failed", limit: PAGE, ...(cursor ? { cursor } : {}) }), (t) => t.updatedAt, since, false),
  ]);
  const tasksByState: TaskCounts = counts;
  return {
    now: new Date(now).toISOString(),
    windowMinutes: STATS_WINDOW_MINUTES,
    deliveriesPerMinute: buckets(deliveries.times, now),
    deliveriesLastHour: deliveries.times.length,
    failuresPerMinute: buckets(failures.times, now),
    failuresLastHour: failures.times.length,
    tasksByState,
    queueDepth: counts.queued + counts.retrying,
    partial: deliveries.partial || failures.partial,
  };
}

/** `GET /stats`: the console's overview figures. */
export async function statsRoutes(app: FastifyInstance, o: ApiOptions): Promise<void> {
  app.get("/stats", async () => computeStats(o.store, Date.now()));
}
