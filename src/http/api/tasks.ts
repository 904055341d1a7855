import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { HookyardError } from "../../errors.js";
import { TASK_STATES } from "../../store/backend.js";
import type { ApiOptions } from "./options.js";
import { presentTask, presentTaskDetail } from "./present.js";
import { defined, optionalText, pageQuery, parseQuery } from "./query.js";

const listQuery = z.object({
  state: z.enum(TASK_STATES).optional(),
  name: optionalText,
  event: optionalText,
  repository: optionalText,
  delivery: optionalText,
  ...pageQuery,
});

/** `GET /tasks`, `GET /tasks/:id`, `POST /tasks/:id/retry`, `POST /tasks/:id/cancel`. */
export async function taskRoutes(app: FastifyInstance, o: ApiOptions): Promise<void> {
  app.get("/tasks", async (req) => {
    const { delivery, ...q } = parseQuery(listQuery, req.query);
    const page = await o.store.listTasks(defined({ ...q, deliveryId: delivery }));
    return { items: page.items.map(presentTask), nextCursor: page.nextCursor };
  });

  app.get<{ Params: { id: string } }>("/tasks/:id", async (req) => {
    const task = await o.store.getTask(req.params.id);
    if (!task) throw new HookyardError("HOOKYARD_ERR_API_NOT_FOUND", `no task ${req.params.id}`);
    return presentTaskDetail(task);
  });

  app.post<{ Params: { id: string } }>("/tasks/:id/retry", async (req) => presentTask(await o.store.retryTask(req.params.id)));
  app.post<{ Params: { id: string } }>("/tasks/:id/cancel", async (req) => presentTask(await o.store.cancelTask(req.params.id)));
}
