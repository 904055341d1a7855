import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import type { Backend } from "../store/backend.js";
import { settlesBy } from "../observability/deadline.js";
import { authorized } from "./api/index.js";
import { useZodSchemas } from "./api/zod.js";

export interface HealthOptions {
  store: Backend;
  isDraining: () => boolean;
  timeoutMs: number;
  /** Whether this process's workers are running; `undefined` when it runs none (role ingress). */
  workersRunning?: () => boolean;
  /** Callers with it (or loopback ones when unset) also see the store's description. */
  apiToken: string | undefined;
}

const CheckSchema = z.object({ ok: z.boolean(), required: z.boolean() });
const Ready = z.object({
  status: z.enum(["ready", "draining", "store-unavailable", "not-ready"]),
  checks: z.object({ store: CheckSchema, workers: CheckSchema, draining: CheckSchema }),
  store: z.string().optional().meta({ description: "The store's description, for callers authorized like the management API" }),
}).meta({ id: "Readiness" });

/** One named check of `/ready`: whether it passes and whether readiness needs it. */
interface Check {
  ok: boolean;
  required: boolean;
}

/**
 * `GET /health` (liveness: the process answers) and `GET /ready`: a JSON body of named checks
 * (`store` answers a ping within `timeoutMs`, `workers` running, not `draining`), 200 when every
 * required check passes, else 503. A store that hangs makes it 503, not hang. No path or host is
 * shown unless the caller is authorized like the management API.
 *
 * @example
 * ```ts
 * await fastify.register(healthRoutes, { store, isDraining: () => false, timeoutMs: 5000, apiToken });
 * ```
 */
export async function healthRoutes(fastify: FastifyInstance, o: HealthOptions): Promise<void> {
  useZodSchemas(fastify);
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const tags = ["health"];
  app.get("/health", { schema: { tags, operationId: "getHealth", summary: "Liveness: 200 while the process runs", response: { 200: z.object({ status: z.literal("ok") }) } } }, async () => ({ status: "ok" as const }));
  app.get("/ready", { schema: { tags, operationId: "getReady", summary: "Readiness: 200 when every required check passes, else 503", response: { 200: Ready, 503: Ready } } }, async (req, reply) => {
    const draining = o.isDraining();
    let ok = false;
    const ping = o.store.ping().then(() => (ok = true), () => undefined);
    await settlesBy(ping, Date.now() + o.timeoutMs);
    const checks: Record<"store" | "workers" | "draining", Check> = {
      store: { ok, required: true },
      workers: { ok: o.workersRunning?.() ?? true, required: o.workersRunning !== undefined },
      draining: { ok: !draining, required: true },
    };
    const ready = Object.values(checks).every((c) => c.ok || !c.required);
    const status = ready ? "ready" : draining ? "draining" : !ok ? "store-unavailable" : "not-ready";
    const body = { status: status as z.infer<typeof Ready>["status"], checks, ...(authorized(req, o.apiToken) ? { store: o.store.description } : {}) };
    return reply.code(ready ? 200 : 503).send(body);
  });
}
