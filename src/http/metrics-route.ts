import type { FastifyInstance } from "fastify";
import { HookyardError } from "../errors.js";
import type { HookyardMetrics } from "../observability/metrics.js";
import { authorized } from "./api/index.js";

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
  app.get("/metrics", async (req, reply) => {
    if (!o.open && !authorized(req, o.apiToken)) {
      const hint = o.apiToken === undefined ? "no HOOKYARD_API_TOKEN is set, so only loopback callers are answered" : "send Authorization: Bearer <HOOKYARD_API_TOKEN>";
      return reply.code(401).send(new HookyardError("HOOKYARD_ERR_API_UNAUTHORIZED", `unauthorized: ${hint}`).toJSON());
    }
    return reply.type(o.metrics.registry.contentType).send(await o.metrics.registry.metrics());
  });
}
