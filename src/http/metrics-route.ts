import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { HookyardError } from "../errors.js";
import type { HookyardMetrics } from "../observability/metrics.js";
import { authorized } from "./api/index.js";
import { ErrorAnswer } from "./api/schemas.js";
import { useZodSchemas } from "./api/zod.js";

/**
 * `GET /metrics`: the Prometheus text format. Answered with the management API's rule (bearer
 * `HOOKYARD_API_TOKEN`, or loopback callers only when no token is set), unless `open` (the
 * separate `HOOKYARD_METRICS_PORT` listener, which has no other route).
 *
 * @example
 * ```ts
 * await fastify.register(metricsRoute, { metrics, apiToken: config.apiToken });
 * ```
 */
export async function metricsRoute(app: FastifyInstance, o: { metrics: HookyardMetrics; apiToken: string | undefined; open?: boolean }): Promise<void> {
  useZodSchemas(app);
  const schema = {
    tags: ["health"], operationId: "getMetrics", summary: "Prometheus metrics (text format)", security: [{ bearer: [] }],
    response: { 200: { description: "Prometheus text format", content: { "text/plain": { schema: z.string() } } }, 401: ErrorAnswer },
  };
  app.get("/metrics", { schema }, async (req, reply) => {
    if (!o.open && !authorized(req, o.apiToken)) {
      const hint = o.apiToken === undefined ? "no HOOKYARD_API_TOKEN is set, so only loopback callers are answered" : "send Authorization: Bearer <HOOKYARD_API_TOKEN>";
      return reply.code(401).send(new HookyardError("HOOKYARD_ERR_API_UNAUTHORIZED", `unauthorized: ${hint}`).toJSON());
    }
    return reply.type(o.metrics.registry.contentType).send(await o.metrics.registry.metrics());
  });
}
