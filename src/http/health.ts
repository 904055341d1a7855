import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import type { CircuitReading } from "../observability/metrics.js";
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
  /** The app's circuit breakers: the `github` check passes while every `github:<host>` circuit is closed. */
  circuits?: () => readonly CircuitReading[];
}

const CheckSchema = z.object({ ok: z.boolean(), required: z.boolean() });
const CircuitState = z.enum(["closed", "half-open", "open"]);
const Ready = z.object({
  status: z.enum(["ready", "draining", "store-unavailable", "not-ready"]),
  checks: z.object({
    store: CheckSchema, workers: CheckSchema, draining: CheckSchema,
    github: CheckSchema.extend({ state: CircuitState }).optional().meta({ description: "Never required: ok while every GitHub circuit breaker is closed; `state` is the worst one's" }),
  }),
  store: z.string().optional().meta({ description: "The store's description, for callers authorized like the management API" }),
  circuits: z.array(z.object({ name: z.string(), state: CircuitState })).optional().meta({ description: "Every circuit breaker (`github:<host>`, `agent`), for callers authorized like the management API" }),
}).meta({ id: "Readiness" });

/** One named check of `/ready`: whether it passes and whether readiness needs it. */
interface Check {
  ok: boolean;
  required: boolean;
}

const WORST: readonly CircuitReading["state"][] = ["open", "half-open", "closed"];

/** The `github` check: not required (an open GitHub circuit defers tasks; ingress still takes deliveries). */
function githubCheck(circuits: readonly CircuitReading[]): Check & { state: CircuitReading["state"] } {
  const states = new Set(circuits.filter((c) => c.name.startsWith("github:")).map((c) => c.state));
  const state = WORST.find((s) => states.has(s)) ?? "closed";
  return { ok: state === "closed", required: false, state };
}

/**
 * `GET /health` (liveness: the process answers) and `GET /ready`: a JSON body of named checks
 * (`store` answers a ping within `timeoutMs`, `workers` running, not `draining`, and the not
 * required `github`: its circuit breakers closed), 200 when every required check passes, else
 * 503. A store that hangs makes it 503, not hang. No path or host is shown unless the caller is
 * authorized like the management API.
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
    const checks: Record<"store" | "workers" | "draining", Check> & { github?: Check & { state: CircuitReading["state"] } } = {
      store: { ok, required: true },
      workers: { ok: o.workersRunning?.() ?? true, required: o.workersRunning !== undefined },
      draining: { ok: !draining, required: true },
    };
    const circuits = o.circuits?.();
    if (circuits) checks.github = githubCheck(circuits);
    const ready = Object.values(checks).every((c) => c.ok || !c.required);
    const status = ready ? "ready" : draining ? "draining" : !ok ? "store-unavailable" : "not-ready";
    // hosts are named only to callers authorized like the management API
    const detail = authorized(req, o.apiToken) ? { store: o.store.description, ...(circuits ? { circuits } : {}) } : {};
    const body = { status: status as z.infer<typeof Ready>["status"], checks, ...detail };
    return reply.code(ready ? 200 : 503).send(body);
  });
}
