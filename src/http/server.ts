import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from "fastify";
import type { Logger } from "pino";
import type { HookyardConfig } from "../config/index.js";
import { HookyardError } from "../errors.js";
import { ManifestSetup } from "../github/manifest/index.js";
import { apiBaseUrl } from "../github/settings.js";
import { ingressRoute, type IngressOptions } from "../ingress/route.js";
import type { Lifecycle } from "../observability/lifecycle.js";
import type { Backend } from "../store/backend.js";
import { managementApi } from "./api/index.js";
import { appRoutes, type AppRoutesOptions } from "./app-routes.js";
import { healthRoutes } from "./health.js";
import { setupRoutes } from "./setup.js";

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
}

/** The assembled HTTP server: webhook ingress, health, management API. */
export interface HookyardServer {
  readonly fastify: FastifyInstance;
  readonly url: string | undefined;
  listen(): Promise<string>;
  close(): Promise<void>;
}

/**
 * Assembles the Fastify server. Only this module (and app.ts, cli/) wires implementations together.
 *
 * @example
 * ```ts
 * const server = await buildServer(deps); await server.listen();
 * ```
 */
export async function buildServer(deps: ServerDeps): Promise<HookyardServer> {
  const fastify: FastifyInstance = Fastify({
    loggerInstance: deps.log as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 1024 * 1024,
    forceCloseConnections: "idle",
    return503OnClosing: true,
  });
  // a worker process takes no deliveries: its webhook path is simply not a route
  if (deps.config.role !== "worker") await fastify.register(ingressRoute, {
    path: deps.config.webhookPath,
    maxBody: deps.config.maxBody,
    secrets: deps.config.webhookSecret,
    isDraining: deps.isDraining,
    receive: deps.receive,
    onRejected: (code, status) => deps.lifecycle.emit("delivery:rejected", { code, status }),
  });
  await fastify.register(healthRoutes, { store: deps.store, isDraining: deps.isDraining });
  const api = { store: deps.store, apiToken: deps.config.apiToken, replay: deps.replay };
  await fastify.register((scope, _opts) => managementApi(scope, api), { prefix: "/api/v1" });
  if (deps.config.appId === undefined) {
    // no App yet: /setup creates one from a manifest and writes its credentials to .env
    const setup = new ManifestSetup({ apiBaseUrl: apiBaseUrl(deps.config), webhookPath: deps.config.webhookPath, ...(deps.config.publicUrl ? { publicUrl: deps.config.publicUrl } : {}) });
    await fastify.register(setupRoutes, { setup, log: deps.log });
    deps.log.info({ setup: `/setup?token=${setup.token}` }, "no GitHub App configured: open /setup (from this machine, or anywhere with the token) to create one");
  }
  if (deps.appRoutes) await fastify.register(appRoutes, deps.appRoutes);
  fastify.setNotFoundHandler((req, reply) => {
    const err = new HookyardError("HOOKYARD_ERR_API_NOT_FOUND", `no route ${req.method} ${req.url.split("?")[0]}`);
    return reply.code(404).send(err.toJSON());
  });

  let url: string | undefined;
  return {
    fastify,
    get url() {
      return url;
    },
    async listen() {
      const address = await fastify.listen({ port: deps.config.port, host: deps.config.host });
      const { port } = fastify.server.address() as { port: number };
      const host = ["0.0.0.0", "::", "localhost"].includes(deps.config.host) ? "127.0.0.1" : deps.config.host;
      url = address ? `http://${host.includes(":") ? `[${host}]` : host}:${port}` : address;
      return url;
    },
    async close() {
      await fastify.close();
    },
  };
}
