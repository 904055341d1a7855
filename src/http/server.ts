import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from "fastify";
import type { Logger } from "pino";
import type { HookyardConfig } from "../config/index.js";
import { HookyardError } from "../errors.js";
import { ManifestSetup } from "../github/manifest/index.js";
import { apiBaseUrl } from "../github/settings.js";
import { ingressLimits } from "../ingress/limits.js";
import type { IngressOptions } from "../ingress/handle.js";
import type { Lifecycle } from "../observability/lifecycle.js";
import type { CircuitReading } from "../observability/metrics.js";
import type { Backend } from "../store/backend.js";
import { managementApi } from "./api/index.js";
import { appRoutes, type AppRoutesOptions } from "./app-routes.js";
import { consoleRoutes } from "./console/index.js";
import { consoleSetup } from "./console/setup.js";
import { Connections } from "./connections.js";
import { requestIdOf } from "./request-id.js";
import { clientErrorHandler, frameworkErrors, rootErrorHandler, sendError } from "./errors.js";
import { openApiDocs } from "./docs.js";
import { httpStatus } from "./error-status.js";
import { healthRoutes } from "./health.js";
import { instrument } from "./instrument.js";
import { listenFailed } from "./listen.js";
import { setupRoutes } from "./setup.js";
import { frontServer, webhookRoute, type FrontRoute } from "./webhook-front.js";

export interface ServerDeps {
  config: HookyardConfig;
  log: Logger;
  store: Backend;
  isDraining: () => boolean;
  receive: IngressOptions["receive"];
  replay: (deliveryId: string) => Promise<{ delivery: string; tasks: string[] }>;
  lifecycle: Lifecycle;
  /** The app's own routes (`app.route()`) and GitHub login, registered before the not-found handler. */
  appRoutes?: AppRoutesOptions;
  /** Whether this process's workers are running (the `/ready` check `workers`). */
  workersRunning?: () => boolean;
  /** The app's circuit breakers (`/ready` check `github`, gauge `hookyard_circuit_state`). */
  circuits?: () => readonly CircuitReading[];
}

/** The assembled HTTP server: webhook ingress, health, management API, web console. */
export interface HookyardServer {
  readonly fastify: FastifyInstance;
  readonly url: string | undefined;
  /** Listens; a failure is `HOOKYARD_ERR_HTTP_LISTEN_FAILED` naming host and port. */
  listen(): Promise<string>;
  /**
   * Stops listening and closes every connection: at once those without a request in progress;
   * requests in progress may finish until `deadline` (epoch ms, default now), then they are
   * answered 503 and their connections closed.
   */
  close(deadline?: number): Promise<void>;
}

/** How often Node checks the headers and request timeouts: a fraction of the shorter one, at most once a second. */
function checkingInterval(config: HookyardConfig): number {
  const shortest = Math.min(config.headersTimeout, config.requestTimeout > 0 ? config.requestTimeout : Infinity);
  return Math.max(25, Math.min(1000, Math.floor(shortest / 4)));
}

/**
 * Assembles the Fastify server. Only this module (and src/app/, cli/) wires implementations together.
 * Every answer, Fastify's and Node's own included, is in the documented error shape.
 *
 * @example
 * ```ts
 * const server = await buildServer(deps); await server.listen();
 * ```
 */
export async function buildServer(deps: ServerDeps): Promise<HookyardServer> {
  const { config } = deps;
  // the webhook route is served in front of Fastify (webhook-front.ts); every other request goes to Fastify
  const front: { route?: FrontRoute } = {};
  const fastify: FastifyInstance = Fastify({
    serverFactory: (handler, opts) => frontServer({ http: opts.http ?? {}, keepAliveTimeout: config.keepAliveTimeout, requestTimeout: config.requestTimeout, connectionTimeout: config.socketTimeout }, handler, front),
    loggerInstance: deps.log as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true, requestIdLogLabel: "requestId" }),
    bodyLimit: 1024 * 1024,
    forceCloseConnections: "idle",
    return503OnClosing: false, // Connections answers in the documented shape
    keepAliveTimeout: config.keepAliveTimeout,
    requestTimeout: config.requestTimeout,
    connectionTimeout: config.socketTimeout,
    http: { headersTimeout: config.headersTimeout, requestTimeout: config.requestTimeout, connectionsCheckingInterval: checkingInterval(config) },
    clientErrorHandler,
    frameworkErrors,
    genReqId: requestIdOf(config.webhookPath),
  });
  const connections = new Connections(fastify.server, deps.isDraining);
  connections.install(fastify);
  fastify.setErrorHandler(rootErrorHandler);
  // before the routes it documents (those with a zod schema): /api/v1/openapi.json and /docs
  await openApiDocs(fastify);
  // before the routes, so that their requests are timed and their ids echoed
  const instruments = await instrument(fastify, deps);
  // a worker process takes no deliveries: its webhook path is simply not a route
  if (config.role !== "worker") front.route = webhookRoute({
    ingress: {
      path: config.webhookPath,
      maxBody: config.maxBody,
      secrets: config.webhookSecret,
      isDraining: deps.isDraining,
      receive: deps.receive,
      status: httpStatus,
      onRejected: (code, status, source, delivery) => deps.lifecycle.emit("delivery:rejected", { code, status, source, ...(delivery ? { delivery } : {}) }),
      limits: ingressLimits(config),
    },
    requestId: requestIdOf(config.webhookPath),
    connections,
    answered: (status, seconds) => instruments.metrics.ingressDuration.observe({ status: String(status) }, seconds),
    log: deps.log,
  });
  const workersRunning = config.workers ? { workersRunning: deps.workersRunning ?? (() => true) } : {};
  const circuits = deps.circuits ? { circuits: deps.circuits } : {};
  await fastify.register(healthRoutes, { store: deps.store, isDraining: deps.isDraining, timeoutMs: config.acceptTimeout, apiToken: config.apiToken, ...workersRunning, ...circuits });
  const web = consoleSetup(config, deps.appRoutes?.oauth);
  const api = { store: deps.store, apiToken: config.apiToken, replay: deps.replay, lifecycle: deps.lifecycle, ...web.api };
  await fastify.register((scope, _opts) => managementApi(scope, api), { prefix: "/api/v1" });
  await fastify.register(consoleRoutes, web.routes);
  let setupToken: string | undefined;
  if (config.appId === undefined) {
    // no App yet: /setup creates one from a manifest and writes its credentials to .env
    const setup = new ManifestSetup({ apiBaseUrl: apiBaseUrl(config), webhookPath: config.webhookPath, ...(config.publicUrl ? { publicUrl: config.publicUrl } : {}) });
    await fastify.register(setupRoutes, { setup, log: deps.log });
    setupToken = setup.token;
  }
  if (deps.appRoutes) await fastify.register(appRoutes, deps.appRoutes);
  fastify.setNotFoundHandler((req, reply) => sendError(reply, new HookyardError("HOOKYARD_ERR_API_NOT_FOUND", `no route ${req.method} ${req.url.split("?")[0]}`)));

  let url: string | undefined;
  return {
    fastify,
    get url() {
      return url;
    },
    async listen() {
      const address = await fastify.listen({ port: config.port, host: config.host }).catch(async (err: unknown) => {
        await fastify.close().catch(() => undefined);
        await instruments.close();
        throw listenFailed(err, config.host, config.port);
      });
      await instruments.listen().catch(async (err: unknown) => {
        await fastify.close().catch(() => undefined);
        await instruments.close();
        throw err;
      });
      const { port } = fastify.server.address() as { port: number };
      const host = ["0.0.0.0", "::", "localhost"].includes(config.host) ? "127.0.0.1" : config.host;
      url = address ? `http://${host.includes(":") ? `[${host}]` : host}:${port}` : address;
      // said once the server listens, so that a start that fails says only why
      if (setupToken) deps.log.info({ setup: `/setup?token=${setupToken}` }, "no GitHub App configured: open /setup (from this machine, or anywhere with the token) to create one");
      return url;
    },
    close(deadline = Date.now()) {
      return connections.close(() => fastify.close(), deadline).finally(() => instruments.close());
    },
  };
}
