import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import { Hookyard } from "../app/index.js";
import { HookyardError } from "../errors.js";
import type { Handler, HandlerOptions } from "../events/registry.js";
import type { EventName } from "../events/types.js";
import type { HookyardOctokit } from "../github/octokit.js";
import { verifySignature } from "../ingress/verify.js";
import type { ErrorHandler } from "../tasks/runner.js";
import type { NodeHandler } from "../http/node-handlers.js";
import { NodeHandlers } from "../http/node-handlers.js";
import { DeliveryWatcher } from "./delivery-watcher.js";
import { webhookMiddleware, type NodeMiddleware } from "./middleware.js";
import { hookyardOptions, type ProbotOptions } from "./options.js";
import { HOOKYARD_VERSION } from "./version.js";

/** What `probot.load(appFn, options)` hands the app function, as Probot: whatever the caller passed (Probot's server passes `{ cwd, addHandler }`). */
export interface ProbotLoadOptions {
  cwd?: string;
  addHandler?: (handler: NodeHandler) => void;
  [key: string]: unknown;
}

/** A Probot app function: `(app, { cwd, addHandler }) => { app.on(…) }`. */
export type ApplicationFunction = (app: Probot, options: ProbotLoadOptions) => unknown;

/** A delivery as Probot's `receive()` takes it; `id` defaults to a random UUID. */
export interface ProbotEvent {
  id?: string;
  /** The event name without the action, e.g. `"issues"`. */
  name: string;
  payload: Record<string, unknown>;
}

/** The error `receive()` rejects with, like Probot's: every handler error in `errors`, the delivery in `event`. */
export type ProbotReceiveError = AggregateError & { event: ProbotEvent & { id: string } };

/** Probot's `probot.webhooks` (an `@octokit/webhooks` instance there), the parts Hookyard provides. */
export interface ProbotWebhooks {
  on: Probot["on"];
  onAny: Probot["onAny"];
  onError: Probot["onError"];
  receive: Probot["receive"];
  /** Whether `signature` (`sha256=…`, X-Hub-Signature-256) matches `payload` for one of the secrets. */
  verify(payload: string | object, signature: string): Promise<boolean>;
  /** `verify`, then `receive`; rejects with a `HOOKYARD_ERR_INGRESS_SIGNATURE_INVALID` error when it does not match. */
  verifyAndReceive(event: ProbotEvent & { signature: string }): Promise<void>;
}

/**
 * Probot's `Probot` class, backed by a {@link Hookyard}: handlers run as Hookyard tasks (timeouts,
 * durable when the store is). As Probot: it reads nothing from `process.env`, keeps tasks in memory
 * unless `store` says otherwise, runs each handler once (no retries unless `app.on`'s third argument
 * asks), and keeps no handle that holds the process open unless a server was started.
 * `receive()` resolves once every handler of the delivery has run, and rejects like Probot when
 * one threw.
 *
 * @example
 * ```ts
 * import { Probot } from "hookyard/probot";
 * const probot = new Probot({ appId, privateKey, secret, baseUrl: fake.url });
 * await probot.load((app) => app.on("issues.opened", async (context) => {
 *   await context.octokit.issues.createComment(context.issue({ body: "Thanks!" }));
 * }));
 * await probot.receive({ id: "1", name: "issues", payload });
 * ```
 */
export class Probot {
  /** The Hookyard underneath: `start()`, `stop()`, `events`, `store`, … */
  readonly hookyard: Hookyard;
  readonly log: Logger;
  readonly webhooks: ProbotWebhooks;
  /** Hookyard's version (Probot's `Probot.version` is Probot's). */
  static readonly version = HOOKYARD_VERSION;
  readonly version = HOOKYARD_VERSION;
  private readonly watcher: DeliveryWatcher;

  /** A subclass whose constructor starts from `defaults` (Probot's `Probot.defaults`). */
  static defaults<S extends new (options?: ProbotOptions) => Probot>(this: S, defaults: ProbotOptions): S {
    const Base = this as new (options?: ProbotOptions) => Probot;
    return class extends Base {
      constructor(options: ProbotOptions = {}) {
        super({ ...defaults, ...options });
      }
    } as unknown as S;
  }

  constructor(options: ProbotOptions = {}) {
    const { options: settings, ignored } = hookyardOptions(options);
    // as Probot: a script that loads and receives exits when it is done
    this.hookyard = new Hookyard({ keepAlive: false, ...settings });
    this.log = this.hookyard.log;
    for (const key of ignored) this.log.warn({ option: key }, `Probot option ${key} is ignored`);
    this.watcher = new DeliveryWatcher(this.hookyard);
    this.webhooks = {
      on: (event, handler, o) => this.on(event, handler, o),
      onAny: (handler, o) => this.onAny(handler, o),
      onError: (handler) => this.onError(handler),
      receive: (event) => this.receive(event),
      verify: async (payload, signature) => this.verify(payload, signature),
      verifyAndReceive: async (event) => {
        if (!this.verify(event.payload, event.signature)) {
          throw new HookyardError("HOOKYARD_ERR_INGRESS_SIGNATURE_INVALID", "the signature does not match the payload for any configured secret");
        }
        await this.receive(event);
      },
    };
  }

  /**
   * Runs `handler` for `event` or `event.action` as a Hookyard task (third argument: retries,
   * timeout, … as for `app.on`).
   *
   * @example
   * ```ts
   * probot.on("issues.opened", async (context) => context.log.info("opened"));
   * ```
   */
  on<E extends EventName>(event: E | readonly E[], handler: Handler<E>, options?: HandlerOptions): this {
    this.hookyard.on(event, handler, { retries: 0, ...options });
    return this;
  }

  /**
   * Runs `handler` for every delivery.
   *
   * @example
   * ```ts
   * probot.onAny(async (context) => context.log.info({ event: context.name }, "received"));
   * ```
   */
  onAny(handler: Handler, options?: HandlerOptions): this {
    this.hookyard.onAny(handler, { retries: 0, ...options });
    return this;
  }

  /**
   * Called with each failed attempt's error (Hookyard's `onError`: the handler's own Error, plus
   * `{ ctx, task, willRetry }`).
   *
   * @example
   * ```ts
   * probot.onError((error) => probot.log.error(error));
   * ```
   */
  onError(handler: ErrorHandler): this {
    this.hookyard.onError(handler);
    return this;
  }

  /**
   * An Octokit authenticated as the App (no argument) or as an installation.
   *
   * @example
   * ```ts
   * const { data } = await (await probot.auth()).rest.apps.getAuthenticated();
   * ```
   */
  auth(installationId?: number): Promise<HookyardOctokit> {
    return this.hookyard.auth(installationId);
  }

  /**
   * Calls each app function with this Probot and `options`, as Probot (its server passes
   * `{ cwd, addHandler }`; `createNodeMiddleware()` and `run()` do the same here).
   *
   * @example
   * ```ts
   * await probot.load([triage, welcome]);
   * ```
   */
  async load(appFn: ApplicationFunction | readonly ApplicationFunction[], options: ProbotLoadOptions = {}): Promise<void> {
    for (const fn of Array.isArray(appFn) ? appFn : [appFn]) await (fn as ApplicationFunction)(this, options);
  }

  /**
   * Resolves with this Probot once its store is open (Probot 14's `ready()`).
   *
   * @example
   * ```ts
   * await probot.ready();
   * ```
   */
  async ready(): Promise<this> {
    await this.hookyard.open();
    return this;
  }

  /** The webhook path (`WEBHOOK_PATH`, default `/api/github/webhooks`). */
  get webhookPath(): string {
    return this.hookyard.config.webhookPath;
  }

  /**
   * Probot 14's `getNodeMiddleware()`: a Node middleware answering the webhook path (deliveries
   * verified and stored as `hookyard serve` stores them), calling `next()` (or answering 404) for
   * anything else.
   *
   * @example
   * ```ts
   * createServer(await probot.getNodeMiddleware()).listen(3000);
   * ```
   */
  getNodeMiddleware(options: { path?: string } = {}): Promise<NodeMiddleware> {
    return webhookMiddleware(this, new NodeHandlers(), options.path);
  }

  /**
   * Stores the delivery and runs its handlers as tasks; resolves once each has run, or rejects
   * with an `AggregateError` of the handlers' errors (`errors`, `event`), as Probot. Nothing runs
   * again in the background (handlers have no retries unless `app.on` asked for them). A delivery
   * id already received is not run again (Hookyard deduplicates by id): a warning is logged.
   *
   * @example
   * ```ts
   * await probot.receive({ id: "123", name: "issues", payload });
   * ```
   */
  async receive(event: ProbotEvent): Promise<void> {
    const delivered = { ...event, id: event.id ?? randomUUID() };
    const status = await this.hookyard.receive({ id: delivered.id, name: delivered.name, payload: delivered.payload });
    if (status === "duplicate") {
      this.log.warn({ delivery: delivered.id }, "delivery id received before: its handlers do not run again (Hookyard deduplicates deliveries by id)");
      return;
    }
    if (status !== "accepted" || !this.hookyard.config.workers) return;
    const errors = (await this.watcher.settle([delivered.id])).flatMap((t) => (t.error ? [t.error] : []));
    if (errors.length > 0) {
      const err = new AggregateError(errors, errors.map((e) => e.message).join("\n")) as ProbotReceiveError;
      err.event = delivered;
      throw err;
    }
  }

  private verify(payload: string | object, signature: string): boolean {
    const body = Buffer.from(typeof payload === "string" ? payload : JSON.stringify(payload));
    return verifySignature(this.hookyard.config.webhookSecret, body, signature) === "ok";
  }
}
