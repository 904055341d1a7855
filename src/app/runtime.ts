import type { IncomingMessage, ServerResponse } from "node:http";
import { assertWebhookSecret } from "../config/index.js";
import { HookyardError } from "../errors.js";
import type { GitHubClients } from "../github/clients.js";
import type { RedeliveryScheduler } from "../github/redelivery/index.js";
import type { RoutePlugin } from "../http/app-routes.js";
import type { HookyardServer } from "../http/server.js";
import type { OAuthService } from "../identity/oauth/index.js";
import { flushTracing } from "../observability/tracing-start.js";
import type { TraceParents } from "../observability/tracing-task.js";
import type { Backend } from "../store/backend.js";
import type { Pruner } from "../store/pruner.js";
import type { Circuits } from "../steering/circuits.js";
import type { DeliveryIntake } from "../tasks/intake.js";
import { PayloadCache } from "../tasks/payload-cache.js";
import type { WorkerPool } from "../tasks/pool.js";
import type { ErrorHandler } from "../tasks/runner.js";
import { shutDown } from "./shutdown.js";
import { buildAppServer, buildIntake, buildPool, openBackend, type AppParts } from "./wiring.js";

/** What an app's runtime opens, starts and stops. */
export interface RuntimeOptions {
  parts: AppParts;
  /** A `HOOKYARD_STORE` URL (opened and closed here), or a backend the caller opened (and closes). */
  store: string | Backend;
  env: NodeJS.ProcessEnv;
  keepAlive: boolean;
  taskClock: (() => number) | undefined;
  github: GitHubClients;
  errorHandlers: ErrorHandler[];
  traceParents: TraceParents;
  circuits: Circuits;
  oauth: OAuthService | undefined;
  redelivery: RedeliveryScheduler | undefined;
  pruner: Pruner | undefined;
  /** The app's own routes, in order (its Node handlers last), read when the server is built. */
  routes: () => { plugin: RoutePlugin; prefix: string | undefined }[];
}

/**
 * The running side of a `Hookyard`: opens the store, builds the worker pool, the intake and the
 * HTTP server (in that order: each gets the parts built before it), starts them and drains them.
 *
 * @example
 * ```ts
 * const runtime = new AppRuntime(options); await runtime.start(); await runtime.stop();
 * ```
 */
export class AppRuntime {
  backend: Backend | undefined;
  pool: WorkerPool | undefined;
  private deliveries: DeliveryIntake | undefined;
  server: HookyardServer | undefined;
  /** Set by `start()`: routes can no longer be added. */
  serving = false;
  draining = false;
  private starting: Promise<void> | undefined;

  constructor(private readonly o: RuntimeOptions) {}

  /** The store (opened by `start()` or `open()`). */
  get store(): Backend {
    if (!this.backend) throw new HookyardError("HOOKYARD_ERR_STORE_UNAVAILABLE", "the store is not open: call app.start() or app.open() first");
    return this.backend;
  }

  /** The intake of deliveries (built by `start()` or `open()`). */
  get intake(): DeliveryIntake {
    if (!this.deliveries) throw new HookyardError("HOOKYARD_ERR_STORE_UNAVAILABLE", "the store is not open: call app.start() or app.open() first");
    return this.deliveries;
  }

  /** A description of the store for logs, before it is open too. */
  describeStore(): string {
    return this.backend?.description ?? String(this.o.store);
  }

  /** Opens the store and starts the workers (when this process runs them), without the HTTP server. */
  async open(): Promise<void> {
    await this.prepare();
    if (this.o.parts.config.workers) this.pool?.start();
  }

  /** Opens the store and builds the worker pool (not started) and the intake, once. */
  private prepare(): Promise<void> {
    this.starting ??= (async () => {
      const { parts, store, env } = this.o;
      const backend = await openBackend(store, parts.config, env, parts.log);
      this.backend = backend;
      const payloads = new PayloadCache(backend);
      const pool = buildPool(parts, {
        backend, payloads, github: this.o.github, errorHandlers: this.o.errorHandlers,
        traceParents: this.o.traceParents, keepAlive: this.o.keepAlive, taskClock: this.o.taskClock,
      });
      this.pool = pool;
      this.deliveries = buildIntake(parts, { backend, pool, payloads });
    })();
    return this.starting;
  }

  /** The server's routes as a Node request listener (the server is built, not listening, on the first call). */
  async requestListener(): Promise<(req: IncomingMessage, res: ServerResponse) => void> {
    if (!this.server) {
      await this.start({ listen: false });
    }
    const fastify = (this.server as HookyardServer).fastify;
    await fastify.ready();
    return (req, res) => fastify.routing(req, res);
  }

  /** Opens the store, builds the server and listens (unless `listen: false`), then starts the workers and the background jobs. */
  async start(options: { listen?: boolean } = {}): Promise<void> {
    const { config, log, registry } = this.o.parts;
    if (config.role !== "worker") assertWebhookSecret(config);
    this.serving = true;
    await this.prepare();
    this.server = await buildAppServer(this.o.parts, {
      store: this.store, intake: this.intake, traceParents: this.o.traceParents, circuits: this.o.circuits, oauth: this.o.oauth,
      routes: this.o.routes(), isDraining: () => this.draining, workersRunning: () => this.pool?.working ?? false,
    });
    if (options.listen !== false) await this.server.listen().catch(async (err: unknown) => {
      // nothing ran yet: the store is released without a word (the error says it all)
      this.server = undefined;
      if (typeof this.o.store !== "object") await this.backend?.close().catch(() => undefined);
      throw err;
    });
    if (config.workers) this.pool?.start();
    if (!this.o.oauth && config.clientId) log.info("GitHub login is off: set HOOKYARD_SESSION_SECRET (32+ characters) to serve /auth/github");
    this.o.redelivery?.start();
    this.o.pruner?.start();
    log.info({ url: this.server.url, store: this.store.description, webhookPath: config.webhookPath, handlers: registry.size }, "hookyard listening");
  }

  /** Drains and stops everything `start()` or `open()` started (see `shutDown`), once. */
  async stop(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    const { config, log } = this.o.parts;
    const backend = this.backend;
    await shutDown({
      log, drainMs: config.shutdownTimeout, storeMs: config.acceptTimeout,
      redelivery: this.o.redelivery, pruner: this.o.pruner, pool: this.pool, server: this.server,
      ...(typeof this.o.store !== "object" && backend ? { closeStore: () => backend.close() } : {}),
      closeGithub: () => this.o.github.close(),
    });
    await flushTracing();
    log.info("hookyard stopped");
  }
}
