import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import { Hookyard } from "../app.js";
import { HookyardError } from "../errors.js";
import type { Handler, HandlerOptions } from "../events/registry.js";
import type { EventName } from "../events/types.js";
import type { HookyardOctokit } from "../github/octokit.js";
import { verifySignature } from "../ingress/verify.js";
import type { ErrorHandler } from "../tasks/runner.js";
import { applicationFunctionOptions, type ApplicationFunctionOptions } from "./app-options.js";
import { DeliveryWatcher } from "./delivery-watcher.js";
import { hookyardOptions, type ProbotOptions } from "./options.js";

/** A Probot app function: `(app, { getRouter, addHandler, cwd }) => { app.on(…) }`. */
export type ApplicationFunction = (app: Probot, options: ApplicationFunctionOptions) => unknown;

/** A delivery as Probot's `receive()` takes it; `id` defaults to a random UUID. */
export interface ProbotEvent {
  id?: string;
  /** The event name without the action, e.g. `"issues"`. */
  name: string;
  payload: Record<string, unknown>;
}

/** The error `receive()` rejects with, like Probot's: every handler error in `errors`, the delivery in `event`. */
export type ProbotReceiveError = AggregateError & { event: ProbotEvent & { id: string } };

/** Probot's `probot.webhooks`, the parts Hookyard provides. */
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
 * Probot's `Probot` class, backed by a {@link Hookyard}: handlers run as Hookyard tasks (retries,
 * timeouts, durable when the store is). Unlike `hookyard serve`, it reads nothing from
 * `process.env` (as Probot's constructor) and keeps tasks in memory unless `store` says otherwise.
 * `receive()` resolves once every handler of the delivery has run its first attempt, and rejects
 * like Probot when one threw.
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
    this.hookyard = new Hookyard(settings);
    this.log = this.hookyard.log;
    for (const key of ignored) this.log.warn({ option: key }, `Probot option ${key} is ignored: handlers get Hookyard's Octokit`);
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
    this.hookyard.on(event, handler, options);
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
    this.hookyard.onAny(handler, options);
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
   * Calls each app function with this Probot and Probot's `{ getRouter, addHandler, cwd }`
   * (`getRouter` and `addHandler` throw `HOOKYARD_ERR_PROBOT_UNSUPPORTED`).
   *
   * @example
   * ```ts
   * await probot.load([triage, welcome]);
   * ```
   */
  async load(appFn: ApplicationFunction | readonly ApplicationFunction[], options: Partial<ApplicationFunctionOptions> = {}): Promise<void> {
    for (const fn of Array.isArray(appFn) ? appFn : [appFn]) {
      await (fn as ApplicationFunction)(this, { ...applicationFunctionOptions(), ...options });
    }
  }

  /**
   * Stores the delivery and runs its handlers as tasks; resolves once each has run its first
   * attempt, or rejects with an `AggregateError` of the handlers' errors (`errors`, `event`).
   * A failed attempt still retries by its policy. A delivery id already received is not run again
   * (Hookyard deduplicates by id): a warning is logged.
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
