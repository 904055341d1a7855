import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { HookyardError } from "../../errors.js";
import { TASK_STATES } from "../../store/backend.js";
import type { ApiOptions } from "./options.js";
import { presentTask, presentTaskDetail } from "./present.js";
import { defined, optionalText, pageQuery } from "./query.js";
import { API_ERRORS, API_ROUTE, ErrorAnswer, IdParams, pageOf, Task, TaskDetail } from "./schemas.js";

const listQuery = z.object({
  state: z.enum(TASK_STATES).optional(),
  name: optionalText.meta({ description: "The handler's name" }),
  event: optionalText,
  repository: optionalText.meta({ description: "owner/name" }),
  delivery: optionalText.meta({ description: "A delivery id: its tasks only" }),
  ...pageQuery,
});

const tags = ["tasks"];
const actionAnswers = { 200: Task, ...API_ERRORS, 404: ErrorAnswer, 409: ErrorAnswer };

/** `GET /tasks`, `GET /tasks/:id`, `POST /tasks/:id/retry`, `POST /tasks/:id/cancel`. */
export async function taskRoutes(fastify: FastifyInstance, o: ApiOptions): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  app.get("/tasks", {
    schema: { ...API_ROUTE, tags, operationId: "listTasks", summary: "List tasks, newest first", querystring: listQuery, response: { 200: pageOf(Task, "TaskPage"), ...API_ERRORS } },
  }, async (req) => {
    const { delivery, ...q } = req.query;
    const page = await o.store.listTasks(defined({ ...q, deliveryId: delivery }));
    return { items: page.items.map(presentTask), nextCursor: page.nextCursor };
  });

  app.get("/tasks/:id", {
    schema: { ...API_ROUTE, tags, operationId: "getTask", summary: "A task with its attempt log", params: IdParams, response: { 200: TaskDetail, ...API_ERRORS, 404: ErrorAnswer } },
  }, async (req) => {
    const task = await o.store.getTask(req.params.id);
    if (!task) throw new HookyardError("HOOKYARD_ERR_STORE_NOT_FOUND", `no task ${req.params.id}`);
    return presentTaskDetail(task);
  });

  app.post("/tasks/:id/retry", {
    schema: { ...API_ROUTE, tags, operationId: "retryTask", summary: "Put a failed or cancelled task back in the queue (409 otherwise)", params: IdParams, response: actionAnswers },
  }, async (req) => presentTask(await o.store.retryTask(req.params.id)));

  app.post("/tasks/:id/cancel", {
    schema: { ...API_ROUTE, tags, operationId: "cancelTask", summary: "Cancel a queued, retrying or running task (409 otherwise)", params: IdParams, response: actionAnswers },
  }, async (req) => presentTask(await o.store.cancelTask(req.params.id)));
}
