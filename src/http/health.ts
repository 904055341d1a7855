import type { FastifyInstance } from "fastify";
import type { Backend } from "../store/backend.js";

/**
 * `GET /health` (liveness: the process answers) and `GET /ready` (200 only when the store answers
 * and the process is not draining).
 */
export async function healthRoutes(app: FastifyInstance, o: { store: Backend; isDraining: () => boolean }): Promise<void> {
  app.get("/health", async () => ({ status: "ok" }));
  app.get("/ready", async (_req, reply) => {
    if (o.isDraining()) return reply.code(503).send({ status: "draining" });
    try {
      await o.store.ping();
      return { status: "ready", store: o.store.description };
    } catch {
      return reply.code(503).send({ status: "store-unavailable" });
    }
  });
}
