import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import type { Logger } from "pino";
import { assertWebhookSecret, loadConfig, type ConfigInput, type HookyardConfig } from "./config/index.js";
import { HookyardError } from "./errors.js";
import type { Context } from "./events/context.js";
import { GitHubClients, type GitHubClientsOptions } from "./github/clients.js";
import type { HookyardOctokit } from "./github/octokit.js";
import { RepoConfigCache } from "./github/repo-config/index.js";
import { redeliverySchedulerFor, type RedeliveryScheduler } from "./github/redelivery/index.js";
import { HandlerRegistry, type Handler, type HandlerOptions, type RegisteredHandler } from "./events/registry.js";
import type { EventName } from "./events/types.js";
import { buildServer, type HookyardServer } from "./http/server.js";
import { mediaType, parsePayload } from "./ingress/parse.js";
import { Lifecycle } from "./observability/lifecycle.js";
import { createLogger } from "./observability/log.js";
import type { AcceptStatus, Backend, ClaimedTask, NewDelivery, NewTask } from "./store/backend.js";
import { openStore } from "./store/open.js";
import { applicationFunctionOptions, type ApplicationFunctionOptions } from "./probot/app-options.js";
import { PayloadCache } from "./tasks/payload-cache.js";
import { WorkerPool } from "./tasks/pool.js";
import { taskId } from "./tasks/ids.js";
import { runAttempt, type ErrorHandler } from "./tasks/runner.js";

/** Options of `new Hookyard()`: every setting of docs/reference/config.md, plus an opened store or a logger. */
export interface HookyardOptions extends Omit<ConfigInput, "store"> {
  /** A `HOOKYARD_STORE` URL, or a backend you opened yourself. */
  store?: string | Backend;
  /** A pino logger to use instead of one built from LOG_LEVEL / LOG_FORMAT. */
  logger?: Logger;
  /** Environment to read settings from (default `process.env`). */
  env?: NodeJS.ProcessEnv;
  /** GitHub client tuning: `throttle: false` stops pacing writes (tests); `now` replaces the clock. */
  github?: Omit<GitHubClientsOptions, "log">;
}

/** An app module: Probot's shape, `export default (app) => { app.on(…) }` (second argument: Probot's `{ getRouter, addHandler, cwd }`). */
export type AppFunction = (app: Hookyard, options: ApplicationFunctionOptions) => unknown;

/** A delivery handed to {@link Hookyard.receive} without HTTP (tests, benchmarks, custom transports). */
export interface ReceiveInput {
  id: string;
  name: string;
  payload: Record<string, unknown>;
}

/**
 * A Hookyard app: register handlers, then `start()` the HTTP server and workers.
 *
 * @example
 * ```ts
 * const app = new Hookyard();
 * app.on("issues.labeled", async (ctx) => ctx.log.info({ label: ctx.payload.label?.name }, "labelled"), { retries: 5 });
 * await app.start();
 * ```
 */
export class Hookyard {
  readonly config: HookyardConfig;
  readonly log: Logger;
  /** Lifecycle events: `delivery:accepted`, `task:start`, `task:complete`, `task:retry`, `task:failed`, … */
  readonly events: Lifecycle;
  /** Lease owner id of this process's workers. */
  readonly workerId = `${hostname()}:${process.pid}:${randomBytes(3).toString("hex")}`;
  private readonly registry = new HandlerRegistry();
  private readonly errorHandlers: ErrorHandler[] = [];
  private readonly payloads = new PayloadCache();
  /** GitHub clients: the App (when configured), its token cache, each handler's `ctx.octokit`. */
  readonly github: GitHubClients;
  /** Repository config files read by `ctx.config()`: cached per repository + file, ETag-revalidated, dropped by a `push` that changes them. */
  readonly repoConfig = new RepoConfigCache();
  /** Missed-delivery recovery, run by `start()` (undefined without an App or with HOOKYARD_REDELIVERY_INTERVAL=0). */
  readonly redelivery: RedeliveryScheduler | undefined;
  private storeOption: string | Backend;
  private backend: Backend | undefined;
  private pool: WorkerPool | undefined;
  private server: HookyardServer | undefined;
  private draining = false;
  private starting: Promise<void> | undefined;

  constructor(options: HookyardOptions = {}) {
    const { store, logger, env, github, ...rest } = options;
    this.config = loadConfig({ ...rest, ...(typeof store === "string" ? { store } : {}) }, env ?? process.env);
    this.storeOption = typeof store === "object" ? store : this.config.store;
    this.log = logger ?? createLogger(this.config);
    this.events = new Lifecycle(this.log);
    this.github = new GitHubClients(this.config, { ...github, log: this.log });
    this.redelivery = redeliverySchedulerFor({ config: this.config, github: this.github, store: () => this.store, log: this.log });
  }

  /**
   * Runs `handler` as a durable task for every delivery of `event` (`"issues"`) or `event.action`
   * (`"issues.labeled"`). Unknown names throw `HOOKYARD_ERR_EVENT_UNKNOWN`.
   *
   * @example
   * ```ts
   * app.on(["pull_request.opened", "pull_request.synchronize"], async (ctx) => { … }, { timeout: "2m" });
   * ```
   */
  on<E extends EventName>(event: E | readonly E[], handler: Handler<E>, options?: HandlerOptions): this {
    this.registry.add(typeof event === "string" ? [event] : event, handler as Handler, options);
    return this;
  }

  /**
   * Runs `handler` for every delivery, whatever its event.
   *
   * @example
   * ```ts
   * app.onAny(async (ctx) => ctx.log.info({ event: ctx.name }, "received"));
   * ```
   */
  onAny(handler: Handler, options?: HandlerOptions): this {
    this.registry.add("*", handler, options);
    return this;
  }

  /**
   * Called for every failed attempt, with whether the task will retry.
   *
   * @example
   * ```ts
   * app.onError((error, { task, willRetry }) => { if (!willRetry) alert(task.id, error.message); });
   * ```
   */
  onError(handler: ErrorHandler): this {
    this.errorHandlers.push(handler);
    return this;
  }

  /**
   * Loads an app function (Probot's shape) into this app.
   *
   * @example
   * ```ts
   * await app.load((app) => { app.on("ping", async (ctx) => ctx.log.info("pong")); });
   * ```
   */
  async load(fn: AppFunction): Promise<this> {
    if (typeof fn !== "function") throw new HookyardError("HOOKYARD_ERR_APP_MODULE", "an app must be a function (app) => { … }");
    await fn(this, applicationFunctionOptions());
    return this;
  }

  /**
   * An Octokit authenticated as the App (no argument) or as one installation — Probot's `app.auth()`.
   *
   * @example
   * ```ts
   * const octokit = await app.auth(42);
   * ```
   */
  async auth(installationId?: number): Promise<HookyardOctokit> {
    return installationId === undefined ? this.github.app.app() : this.github.app.installation(installationId);
  }

  /** The store (opened by `start()` or `open()`). */
  get store(): Backend {
    if (!this.backend) throw new HookyardError("HOOKYARD_ERR_STORE_UNAVAILABLE", "the store is not open: call app.start() or app.open() first");
    return this.backend;
  }

  /** The HTTP server's base URL once started, e.g. `http://127.0.0.1:3000`. */
  get url(): string | undefined {
    return this.server?.url;
  }

  /** True between `stop()` being called and the process ending. */
  get isDraining(): boolean {
    return this.draining;
  }

  /**
   * Opens the store and prepares the workers without the HTTP server (for `receive()`-driven use).
   *
   * @example
   * ```ts
   * await app.open(); await app.receive({ id: "1", name: "ping", payload: {} });
   * ```
   */
  async open(): Promise<void> {
    this.starting ??= (async () => {
      this.backend = typeof this.storeOption === "object" ? this.storeOption : await openStore(this.storeOption);
      // production checks that do not stop a start (e.g. Redis without AOF) are logged once
      for (const warning of (this.backend as { warnings?: readonly string[] }).warnings ?? []) this.log.warn({ store: this.backend.description }, warning);
      this.pool = new WorkerPool({
        backend: this.backend,
        owner: this.workerId,
        concurrency: this.config.concurrency,
        leaseMs: this.config.lease,
        pollIntervalMs: this.config.pollInterval,
        log: this.log,
        run: (task, stop) => runAttempt(task, stop, {
          registry: this.registry,
          loadPayload: (id) => this.loadPayload(id),
          log: this.log,
          lifecycle: this.events,
          defaultTimeoutMs: this.config.taskTimeout,
          errorHandlers: this.errorHandlers,
          octokit: (task, _payload, log) => this.github.forDelivery(task.event, _payload, task.deliveryId, log()).octokit,
          repoConfig: this.repoConfig,
        }),
      });
      if (this.config.workers) this.pool.start();
    })();
    await this.starting;
  }

  /**
   * Opens the store, starts the workers and the HTTP server. Refuses to start without a webhook
   * secret unless `HOOKYARD_INSECURE_NO_SECRET=1`.
   *
   * @example
   * ```ts
   * await app.start(); console.log(app.url);
   * ```
   */
  async start(): Promise<void> {
    if (this.config.role !== "worker") assertWebhookSecret(this.config);
    await this.open();
    this.server = await buildServer({
      config: this.config,
      log: this.log,
      store: this.store,
      isDraining: () => this.draining,
      receive: (delivery, payload) => this.accept(delivery, payload),
      replay: (id) => this.replay(id),
      lifecycle: this.events,
    });
    await this.server.listen();
    this.redelivery?.start();
    this.log.info({ url: this.server.url, store: this.store.description, webhookPath: this.config.webhookPath, handlers: this.registry.size }, "hookyard listening");
  }

  /**
   * Drains: the webhook path answers 503, running tasks get HOOKYARD_SHUTDOWN_TIMEOUT to finish,
   * then they are aborted and queued again; the server and store close.
   *
   * @example
   * ```ts
   * process.once("SIGTERM", () => void app.stop());
   * ```
   */
  async stop(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    await this.redelivery?.stop();
    await this.pool?.stop(this.config.shutdownTimeout);
    await this.server?.close();
    if (typeof this.storeOption !== "object") await this.backend?.close();
    await this.github.close();
    this.log.info("hookyard stopped");
  }

  /**
   * Accepts a delivery without HTTP: stored and queued exactly as if GitHub had posted it.
   *
   * @example
   * ```ts
   * await app.receive({ id: randomUUID(), name: "issues", payload });
   * ```
   */
  async receive(input: ReceiveInput): Promise<AcceptStatus> {
    await this.open();
    const payload = input.payload;
    if (payload === null || typeof payload !== "object" || Array.isArray(payload)) {
      throw new HookyardError("HOOKYARD_ERR_INGRESS_PAYLOAD_INVALID", "the payload must be a JSON object");
    }
    const body = Buffer.from(JSON.stringify(payload));
    const repository = (payload.repository as { full_name?: string } | undefined)?.full_name;
    const installation = (payload.installation as { id?: number } | undefined)?.id;
    return this.accept({
      id: input.id, event: input.name, action: typeof payload.action === "string" ? payload.action : null,
      repository: repository ?? null, installationId: installation ?? null,
      headers: { "x-github-event": input.name, "x-github-delivery": input.id, "content-type": "application/json" },
      body, contentType: "application/json", receivedAt: Date.now(),
    }, payload);
  }

  /** Stores a verified delivery with one task per matching handler; runs inline handlers' first attempt. */
  private async accept(delivery: NewDelivery, payload: Record<string, unknown>): Promise<AcceptStatus> {
    const handlers = this.registry.match(delivery.event, delivery.action);
    const tasks = handlers.map((h) => this.newTask(h));
    const inline = tasks.filter((t) => t.claimedBy);
    // When workers are idle, the delivery's other tasks are created already claimed by this
    // process and start right after the commit, without a claim round trip.
    const background = tasks.filter((t) => !t.claimedBy);
    const reserved = this.config.workers ? this.pool!.reserve(background.length) : 0;
    const early = background.slice(0, reserved);
    for (const t of early) t.claimedBy = { owner: this.workerId, leaseMs: this.config.lease };
    if (this.config.workers || inline.length > 0) this.payloads.put(delivery.id, payload, tasks.length);
    let status: AcceptStatus;
    try {
      status = await this.store.accept(delivery, tasks);
    } catch (err) {
      this.pool!.unreserve(reserved);
      this.payloads.drop(delivery.id);
      throw err;
    }
    // whether or not a handler wants it, a push that changed a config file drops it from the cache
    if (delivery.event === "push") this.repoConfig.onPush(payload);
    this.events.emit("delivery:accepted", { id: delivery.id, event: delivery.event, action: delivery.action, status, tasks: tasks.length });
    if (status !== "accepted") {
      this.pool!.unreserve(reserved);
      this.payloads.drop(delivery.id);
      return status;
    }
    for (const t of early) void this.pool!.runClaimed(claimedFrom(t, delivery), true);
    if (inline.length > 0) await Promise.all(inline.map((t) => this.pool!.runClaimed(claimedFrom(t, delivery))));
    return status;
  }

  /**
   * Runs a stored delivery again: one new task per handler that matches it now.
   *
   * @example
   * ```ts
   * const { tasks } = await app.replay("72d3162e-cc78-11e3-81ab-4c9367dc0958");
   * ```
   */
  async replay(deliveryId: string): Promise<{ delivery: string; tasks: string[] }> {
    const delivery = await this.store.getDelivery(deliveryId);
    if (!delivery) throw new HookyardError("HOOKYARD_ERR_API_NOT_FOUND", `no delivery ${deliveryId}`);
    const tasks = this.registry.match(delivery.event, delivery.action).map((h) => ({ ...this.newTask(h), claimedBy: undefined }));
    await this.store.addTasks(deliveryId, tasks);
    return { delivery: deliveryId, tasks: tasks.map((t) => t.id) };
  }

  private newTask(h: RegisteredHandler): NewTask {
    return {
      id: taskId(), name: h.name, maxAttempts: h.maxAttempts, backoff: h.backoff,
      timeoutMs: h.timeoutMs ?? this.config.taskTimeout,
      ...(h.inline ? { claimedBy: { owner: this.workerId, leaseMs: this.config.lease } } : {}),
    };
  }

  private async loadPayload(deliveryId: string): Promise<unknown> {
    const cached = this.payloads.take(deliveryId);
    if (cached !== undefined) return cached;
    const stored = await this.store.getBody(deliveryId);
    if (!stored) throw new HookyardError("HOOKYARD_ERR_API_NOT_FOUND", `delivery ${deliveryId} is not in the store`);
    return parsePayload(stored.body, mediaType(stored.contentType) ?? "application/json");
  }
}

function claimedFrom(t: NewTask, d: NewDelivery): ClaimedTask {
  return { id: t.id, name: t.name, deliveryId: d.id, event: d.event, action: d.action, attempt: 1, maxAttempts: t.maxAttempts, backoff: t.backoff, timeoutMs: t.timeoutMs };
}

export type { Context, Handler, HandlerOptions };
