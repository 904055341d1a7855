import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { HookyardError } from "../../errors.js";
import type { ApiOptions } from "./options.js";
import { presentDelivery, presentDeliveryDetail } from "./present.js";
import { defined, optionalText, pageQuery } from "./query.js";
import { API_ERRORS, API_ROUTE, Delivery, DeliveryDetail, ErrorAnswer, IdParams, pageOf, Replayed } from "./schemas.js";

const listQuery = z.object({
  event: optionalText,
  action: optionalText,
  repository: optionalText.meta({ description: "owner/name" }),
  status: z.enum(["accepted", "ignored"]).optional(),
  ...pageQuery,
});

const tags = ["deliveries"];

/** `GET /deliveries`, `GET /deliveries/:id`, `POST /deliveries/:id/replay`. */
export async function deliveryRoutes(fastify: FastifyInstance, o: ApiOptions): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  app.get("/deliveries", {
    schema: { ...API_ROUTE, tags, operationId: "listDeliveries", summary: "List deliveries, newest first", querystring: listQuery, response: { 200: pageOf(Delivery, "DeliveryPage"), ...API_ERRORS } },
  }, async (req) => {
    const page = await o.store.listDeliveries(defined(req.query));
    return { items: page.items.map(presentDelivery), nextCursor: page.nextCursor };
  });

  app.get("/deliveries/:id", {
    schema: { ...API_ROUTE, tags, operationId: "getDelivery", summary: "A delivery with its headers, payload and tasks", params: IdParams, response: { 200: DeliveryDetail, ...API_ERRORS, 404: ErrorAnswer } },
  }, async (req) => {
    const delivery = await o.store.getDelivery(req.params.id);
    if (!delivery) throw new HookyardError("HOOKYARD_ERR_STORE_NOT_FOUND", `no delivery ${req.params.id}`);
    return presentDeliveryDetail(delivery);
  });

  app.post("/deliveries/:id/replay", {
    schema: { ...API_ROUTE, tags, operationId: "replayDelivery", summary: "Run a stored delivery's handlers again: one new task per handler matching it now", params: IdParams, response: { 202: Replayed, ...API_ERRORS, 404: ErrorAnswer } },
  }, async (req, reply) => {
    const result = await o.replay(req.params.id);
    return reply.code(202).send(result);
  });
}
