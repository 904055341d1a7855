import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { isHookyardError } from "../../errors.js";
import { MAX_PAGE_SIZE, type Backend } from "../../store/backend.js";
import type { ApiOptions } from "./options.js";
import { API_ERRORS, API_ROUTE } from "./schemas.js";

/** At most this many tasks are retried by one call; `more` says when others matched. */
export const BULK_RETRY_LIMIT = 10_000;

/** `POST /tasks/retry` takes this body. */
export const bulkRetryBody = z.object({
  state: z.enum(["failed", "cancelled"]).describe("Which tasks to retry: the dead letters (`failed`) or `cancelled` ones."),
  name: z.string().min(1).max(200).optional().describe("Only tasks of this handler name."),
  since: z.union([z.number().int().min(0), z.iso.datetime({ offset: true })]).optional().describe("Only tasks that reached the state at or after this time (ISO 8601 or epoch ms)."),
}).strict();

/** `POST /tasks/retry` answers this. */
export const bulkRetryResponse = z.object({
  retried: z.number().int().describe("Tasks queued again."),
  skipped: z.number().int().describe("Tasks that matched but changed state before their retry (another retry, a cancel)."),
  more: z.boolean().describe(`True when more than ${BULK_RETRY_LIMIT} tasks matched: call again for the rest.`),
});
export type BulkRetryResult = z.infer<typeof bulkRetryResponse>;

/**
 * Queues again every task in `state` (with `name`, and updated at or after `since`), with a fresh
 * attempt budget, as `POST /tasks/:id/retry` does one by one.
 *
 * @example
 * ```ts
 * const { retried } = await retryTasks(app.store, { state: "failed", name: "triage" });
 * ```
 */
export async function retryTasks(store: Backend, body: z.infer<typeof bulkRetryBody>): Promise<BulkRetryResult> {
  const since = body.since === undefined ? 0 : typeof body.since === "number" ? body.since : Date.parse(body.since);
  const ids: string[] = [];
  let cursor: string | undefined;
  let more = false;
  do {
    const page = await store.listTasks({ state: body.state, limit: MAX_PAGE_SIZE, ...(body.name ? { name: body.name } : {}), ...(cursor ? { cursor } : {}) });
    for (const t of page.items) if (t.updatedAt >= since) ids.push(t.id);
    cursor = page.nextCursor ?? undefined;
    if (ids.length > BULK_RETRY_LIMIT) more = true;
  } while (cursor && !more);
  let retried = 0;
  let skipped = 0;
  for (const id of ids.slice(0, BULK_RETRY_LIMIT)) {
    try {
      await store.retryTask(id);
      retried++;
    } catch (err) {
      if (!isHookyardError(err) || (err.code !== "HOOKYARD_ERR_TASK_STATE_CONFLICT" && err.code !== "HOOKYARD_ERR_STORE_NOT_FOUND")) throw err;
      skipped++;
    }
  }
  return { retried, skipped, more };
}

/** `POST /tasks/retry`: bulk retry of failed (or cancelled) tasks. */
export async function bulkRetryRoutes(app: FastifyInstance, o: ApiOptions): Promise<void> {
  app.withTypeProvider<ZodTypeProvider>().post("/tasks/retry", {
    schema: { ...API_ROUTE, tags: ["tasks"], operationId: "retryTasks", summary: "Retry every failed (or cancelled) task, of a handler, since a time", body: bulkRetryBody, response: { 200: bulkRetryResponse, ...API_ERRORS } },
  }, async (req) => retryTasks(o.store, req.body));
}
