import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { HookyardError } from "../../errors.js";
import type { ApiOptions } from "./options.js";
import { presentDelivery, presentDeliveryDetail } from "./present.js";
import { defined, optionalText, pageQuery, parseQuery } from "./query.js";

const listQuery = z.object({
  event: optionalText,
  action: optionalText,
  repository: optionalText,
  status: z.enum(["accepted", "ignored"]).optional(),
  ...pageQuery,
});

/** `GET /deliveries`, `GET /deliveries/:id`, `POST /deliveries/:id/replay`. */
export async function deliveryRoutes(app: FastifyInstance, o: ApiOptions): Promise<void> {
  app.get("/deliveries", async (req) => {
    const page = await o.store.listDeliveries(defined(parseQuery(listQuery, req.query)));
    return { items: page.items.map(presentDelivery), nextCursor: page.nextCursor };
  });

  app.get<{ Params: { id: string } }>("/deliveries/:id", async (req) => {
    const delivery = await o.store.getDelivery(req.params.id);
    if (!delivery) throw new HookyardError("HOOKYARD_ERR_API_NOT_FOUND", `no delivery ${req.params.id}`);
    return presentDeliveryDetail(delivery);
  });

  app.post<{ Params: { id: string } }>("/deliveries/:id/replay", async (req, reply) => {
    const result = await o.replay(req.params.id);
    return reply.code(202).send(result);
  });
}
