import { randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { hostname } from "node:os";
import type { Logger } from "pino";
import { loadConfig, type HookyardConfig } from "../config/index.js";
import { HookyardError } from "../errors.js";
import { GitHubClients } from "../github/clients.js";
import type { HookyardOctokit } from "../github/octokit.js";
import { RepoConfigCache } from "../github/repo-config/index.js";
import { redeliverySchedulerFor, type RedeliveryScheduler } from "../github/redelivery/index.js";
import { HandlerRegistry, type Handler, type HandlerOptions } from "../events/registry.js";
import type { EventName } from "../events/types.js";
import type { RoutePlugin } from "../http/app-routes.js";
import { loginService } from "../http/login.js";
import type { OAuthService } from "../identity/oauth/index.js";
import { endSessionsOnRevoke } from "../identity/oauth/revoked-handler.js";
import { Lifecycle } from "../observability/lifecycle.js";
import { createLogger } from "../observability/log.js";
import { StoreOutage } from "../observability/outage.js";
import { installNotifier } from "../notify/notifier.js";
import { TraceParents } from "../observability/tracing-task.js";
import type { AcceptStatus, Backend } from "../store/backend.js";
import type { Pruner } from "../store/pruner.js";
import { applicationFunctionOptions, type AppFunctionOptionsInput } from "../http/app-function-options.js";
import { NodeHandlers } from "../http/node-handlers.js";
import { DeliveryIntake, type ReceiveInput } from "../tasks/intake.js";
import { Circuits } from "../steering/circuits.js";
import type { ErrorHandler } from "../tasks/runner.js";
import type { AppFunction, HookyardOptions } from "./options.js";
import { AppRuntime } from "./runtime.js";
import { buildPruner, type AppParts } from "./wiring.js";

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
  // as Probot 14: a name GitHub does not send is warned about (the app may receive() it itself)
  private readonly registry = new HandlerRegistry(
    (name) => this.log.warn({ event: name }, `"${name}" is not a known webhook name; it runs only when the app receives it itself`),
    (handler, err) => this.log.warn({ handler, err }, `the "when" of handler "${handler}" threw: its deliveries get a task all the same (logged once)`),
  );
  private readonly errorHandlers: ErrorHandler[] = [];
  /** Circuit breakers of this process (`github:<host>`, `agent`): state changes are logged and emitted as `circuit:change`. */
  readonly circuits: Circuits;
  /** GitHub clients: the App (when configured), its token cache, each handler's `ctx.octokit`. */
  readonly github: GitHubClients;
  /** Repository config files read by `ctx.config()`: cached per repository + file, ETag-revalidated, dropped by a `push` that changes them. */
  readonly repoConfig = new RepoConfigCache();
  /** Missed-delivery recovery, run by `start()` (undefined without an App or with HOOKYARD_REDELIVERY_INTERVAL=0). */
  readonly redelivery: RedeliveryScheduler | undefined;
  /** The background retention pruner, run by `start()` (undefined with HOOKYARD_RETENTION=0 or HOOKYARD_PRUNE_INTERVAL=0). */
  readonly pruner: Pruner | undefined;
  /** GitHub login (`/auth/github/*`, `requireUser()`), when GITHUB_CLIENT_ID, GITHUB_CLIENT_SECRET and HOOKYARD_SESSION_SECRET are set. */
  readonly oauth: OAuthService | undefined;
  private readonly routes: { plugin: RoutePlugin; prefix: string | undefined }[] = [];
  /** Node handlers the app added with Probot's `addHandler` (and `getRouter`'s Express routers), served after every route. */
  readonly httpHandlers = new NodeHandlers();
  /** The trace context of each delivery's ingress span, for its tasks' spans (tracing on only). */
  private readonly traceParents = new TraceParents(() => this.store);
  /** Opens, starts and stops the store, the workers and the HTTP server. */
  private readonly runtime: AppRuntime;

  constructor(options: HookyardOptions = {}) {
    const { store, logger, env: givenEnv, github, keepAlive, now: taskClock, ...rest } = options;
    const env = givenEnv ?? process.env;
    this.config = loadConfig({ ...rest, ...(typeof store === "string" ? { store } : {}) }, env);
    this.log = logger ?? createLogger(this.config);
    this.events = new Lifecycle(this.log);
    this.circuits = new Circuits({ log: this.log, lifecycle: this.events });
    this.github = new GitHubClients(this.config, { ...github, log: this.log, circuits: this.circuits });
    const now = github?.now ?? Date.now;
    this.oauth = loginService({ config: this.config, apiUrl: this.github.baseUrl, store: () => this.store, log: this.log, now });
    this.redelivery = redeliverySchedulerFor({ config: this.config, github: this.github, store: () => this.store, log: this.log });
    // store failures of accepts and claims, logged once per outage
    const outage = new StoreOutage(this.log, () => this.runtime.describeStore());
    const parts: AppParts = {
      config: this.config, log: this.log, events: this.events, registry: this.registry, owner: this.workerId,
      store: () => this.store, outage, repoConfig: this.repoConfig,
    };
    this.pruner = buildPruner(parts);
    this.runtime = new AppRuntime({
      parts, store: typeof store === "object" ? store : this.config.store, env, keepAlive: keepAlive ?? true, taskClock,
      github: this.github, errorHandlers: this.errorHandlers, traceParents: this.traceParents,
      circuits: this.circuits, oauth: this.oauth, redelivery: this.redelivery, pruner: this.pruner,
      routes: () => [...this.routes, { plugin: this.httpHandlers.plugin(this.config.webhookPath), prefix: undefined }],
    });
    installNotifier({ config: this.config, registry: this.registry, store: () => this.store, lifecycle: this.events, log: this.log });
    if (this.oauth) this.on("github_app_authorization.revoked", endSessionsOnRevoke(this.oauth, () => this.store, now), { name: "hookyard:oauth-revoked" });
  }

  /**
   * Adds routes to the app's HTTP server (Hookyard's counterpart of Probot's `getRouter`): `plugin`
   * gets a Fastify scope, under `prefix` when given. Guard routes with `requireUser()` (GitHub
   * login) or `requireActionsToken()` (GitHub Actions OIDC). Call it before `start()`.
   *
   * @example
   * ```ts
   * app.route((http) => {
   *   http.get("/hello", { preHandler: requireUser() }, async (req) => ({ hello: req.user?.login }));
   * });
   * ```
   */
  route(plugin: RoutePlugin, options: { prefix?: string } = {}): this {
    if (typeof plugin !== "function") throw new HookyardError("HOOKYARD_ERR_PROBOT_UNSUPPORTED", "app.route(path) returning an Express router (Probot ≤ 10) is not supported: pass a function (fastify) => { fastify.get(…) }");
    if (this.runtime.serving) throw new HookyardError("HOOKYARD_ERR_APP_ROUTE_LATE", "app.route() must be called before app.start()");
    this.routes.push({ plugin, prefix: options.prefix });
    return this;
  }

  /**
   * Runs `handler` as a durable task for every delivery of `event` (`"issues"`) or `event.action`
   * (`"issues.labeled"`). A name GitHub does not send is warned about, and runs when `receive()`d.
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
   * Loads an app function (Probot's shape) into this app, with Probot 14's `{ cwd, addHandler }`
   * (and `getRouter` when `options.getRouter`, for apps written for Probot ≤ 13).
   *
   * @example
   * ```ts
   * await app.load((app) => { app.on("ping", async (ctx) => ctx.log.info("pong")); });
   * ```
   */
  async load(fn: AppFunction, options: AppFunctionOptionsInput = {}): Promise<this> {
    if (typeof fn !== "function") throw new HookyardError("HOOKYARD_ERR_APP_MODULE", "an app must be a function (app) => { … }");
    await fn(this, applicationFunctionOptions(this.httpHandlers, options));
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

  /**
   * Whether a handler with this task name is registered.
   *
   * @example
   * ```ts
   * if (!app.hasHandler("agent:issue")) agentWorkflow(app);
   * ```
   */
  hasHandler(name: string): boolean {
    return this.registry.get(name) !== undefined;
  }

  /** The store (opened by `start()` or `open()`). */
  get store(): Backend {
    return this.runtime.store;
  }

  /** The HTTP server's base URL once started, e.g. `http://127.0.0.1:3000`. */
  get url(): string | undefined {
    return this.runtime.server?.url;
  }

  /** True between `stop()` being called and the process ending. */
  get isDraining(): boolean {
    return this.runtime.draining;
  }

  /**
   * Opens the store and prepares the workers without the HTTP server (for `receive()`-driven use).
   *
   * @example
   * ```ts
   * await app.open(); await app.receive({ id: "1", name: "ping", payload: {} });
   * ```
   */
  open(): Promise<void> {
    return this.runtime.open();
  }

  /**
   * The server's routes as a Node request listener, without listening (Probot's
   * `createNodeMiddleware`): deliveries are verified and stored as by `start()`, and the workers run.
   *
   * @example
   * ```ts
   * http.createServer(await app.requestListener()).listen(3000);
   * ```
   */
  requestListener(): Promise<(req: IncomingMessage, res: ServerResponse) => void> {
    return this.runtime.requestListener();
  }

  /**
   * Opens the store, listens, then starts the workers. Refuses to start without a webhook secret
   * unless `HOOKYARD_INSECURE_NO_SECRET=1`; a port that cannot be listened on fails the start with
   * `HOOKYARD_ERR_HTTP_LISTEN_FAILED` before any worker has claimed a task.
   *
   * @example
   * ```ts
   * await app.start(); console.log(app.url);
   * ```
   */
  start(options: { listen?: boolean } = {}): Promise<void> {
    return this.runtime.start(options);
  }

  /**
   * Drains (see `shutDown`): the webhook path answers 503, running tasks and open requests get
   * HOOKYARD_SHUTDOWN_TIMEOUT, then tasks are queued again, requests answered 503, connections and
   * the store closed. Ends within HOOKYARD_SHUTDOWN_TIMEOUT + HOOKYARD_ACCEPT_TIMEOUT (+ 2 s).
   *
   * @example
   * ```ts
   * process.once("SIGTERM", () => void app.stop());
   * ```
   */
  stop(): Promise<void> {
    return this.runtime.stop();
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
    const { delivery, payload } = DeliveryIntake.fromInput(input);
    return this.runtime.intake.accept(delivery, payload);
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
    return this.runtime.intake.replay(deliveryId);
  }
}

