import type { FastifyInstance } from "fastify";
import type { Backend } from "../store/backend.js";
import { settlesBy } from "../observability/deadline.js";

/**
 * `GET /health` (liveness: the process answers) and `GET /ready` (200 only when the store answers
 * within `timeoutMs` and the process is not draining; a store that hangs makes it 503, not hang).
 */
export async function healthRoutes(app: FastifyInstance, o: { store: Backend; isDraining: () => boolean; timeoutMs: number }): Promise<void> {
  app.get("/health", async () => ({ status: "ok" }));
  app.get("/ready", async (_req, reply) => {
    if (o.isDraining()) return reply.code(503).send({ status: "draining" });
    let ok = false;
    const ping = o.store.ping().then(() => (ok = true), () => undefined);
    await settlesBy(ping, Date.now() + o.timeoutMs);
    if (ok) return { status: "ready", store: o.store.description };
    return reply.code(503).send({ status: "store-unavailable" });
  });
}
