import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from "fastify";
import type { Logger } from "pino";
import type { HookyardConfig } from "../config/index.js";
import type { Lifecycle } from "../observability/lifecycle.js";
import { HookyardMetrics, type CircuitReading } from "../observability/metrics.js";
import type { Backend } from "../store/backend.js";
import { listenFailed } from "./listen.js";
import { metricsRoute } from "./metrics-route.js";
import { observe } from "./observe.js";
import { requestIds } from "./request-id.js";

export interface Instruments {
  readonly metrics: HookyardMetrics;
  /** Listens on HOOKYARD_METRICS_PORT when it is set (else nothing). */
  listen(): Promise<void>;
  /** Stops listening to lifecycle events and closes the metrics listener. */
  close(): Promise<void>;
}

/**
 * Adds request ids, metrics and the observing of lifecycle events to the server: `/metrics` on the
 * server itself (authorized like the management API), or on its own unauthenticated listener at
 * HOOKYARD_METRICS_PORT (same host). Webhook answers are timed into `hookyard_ingress_duration_seconds`
 * by the webhook route itself (webhook-front.ts), which Fastify's hooks do not see.
 *
 * @example
 * ```ts
 * const instruments = await instrument(fastify, { config, log, store, lifecycle });
 * ```
 */
export async function instrument(fastify: FastifyInstance, deps: { config: HookyardConfig; log: Logger; store: Backend; lifecycle: Lifecycle; circuits?: () => readonly CircuitReading[] }): Promise<Instruments> {
  const { config } = deps;
  const metrics = new HookyardMetrics({ store: () => deps.store, ...(deps.circuits ? { circuits: deps.circuits } : {}) });
  const stop = observe({ lifecycle: deps.lifecycle, log: deps.log, metrics });
  requestIds(fastify, "/api/v1/");
  let own: FastifyInstance | undefined;
  if (config.metricsPort === undefined) {
    await fastify.register(metricsRoute, { metrics, apiToken: config.apiToken });
  } else {
    own = Fastify({ loggerInstance: deps.log as FastifyBaseLogger, logController: new LogController({ disableRequestLogging: true }) });
    await own.register(metricsRoute, { metrics, apiToken: undefined, open: true });
  }
  return {
    metrics,
    async listen() {
      await own?.listen({ port: config.metricsPort, host: config.host }).catch(async (err: unknown) => {
        await own?.close().catch(() => undefined);
        throw listenFailed(err, config.host, config.metricsPort ?? 0);
      });
    },
    async close() {
      stop();
      await own?.close();
    },
  };
}
