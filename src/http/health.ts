import type { FastifyInstance } from "fastify";
import type { CircuitReading } from "../observability/metrics.js";
import type { Backend } from "../store/backend.js";
import { settlesBy } from "../observability/deadline.js";
import { authorized } from "./api/index.js";

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

/** One named check of `/ready`: whether it passes and whether readiness needs it. */
interface Check {
  ok: boolean;
  required: boolean;
  /** The `github` check: the worst state of the GitHub circuits. */
  state?: CircuitReading["state"];
}

const WORST: readonly CircuitReading["state"][] = ["open", "half-open", "closed"];

/** The `github` check: not required (an open GitHub circuit defers tasks; ingress still takes deliveries). */
function githubCheck(circuits: readonly CircuitReading[]): Check {
  const states = new Set(circuits.filter((c) => c.name.startsWith("github:")).map((c) => c.state));
  const state = WORST.find((s) => states.has(s)) ?? "closed";
  return { ok: state === "closed", required: false, state };
}

/**
 * `GET /health` (liveness: the process answers) and `GET /ready`: a JSON body of named checks
 * (`store` answers a ping within `timeoutMs`, `workers` running, not `draining`, and the not
 * required `github`: its circuit breakers closed), 200 when every required check passes, else 503. A store that hangs makes it 503, not hang. No path or host is
 * shown unless the caller is authorized like the management API.
 *
 * @example
 * ```ts
 * await fastify.register(healthRoutes, { store, isDraining: () => false, timeoutMs: 5000, apiToken });
 * ```
 */
export async function healthRoutes(app: FastifyInstance, o: HealthOptions): Promise<void> {
  app.get("/health", async () => ({ status: "ok" }));
  app.get("/ready", async (req, reply) => {
    const draining = o.isDraining();
    let ok = false;
    const ping = o.store.ping().then(() => (ok = true), () => undefined);
    await settlesBy(ping, Date.now() + o.timeoutMs);
    const checks: Record<string, Check> = {
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
    const body = { status, checks, ...detail };
    return reply.code(ready ? 200 : 503).send(body);
  });
}
