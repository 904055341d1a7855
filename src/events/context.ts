import type { Logger } from "pino";
import type { HookyardOctokit } from "../github/octokit.js";
import type { MergeOptions } from "../github/repo-config/merge.js";
import { sentByBot, type DeliveryMeta } from "../ingress/delivery-meta.js";
import type { EventName, EventOf, PayloadOf } from "./types.js";

/** What every handler receives. Shaped like Probot's `context`, plus the task's own fields. */
export interface Context<E extends EventName = EventName> {
  /** The delivery id (`X-GitHub-Delivery`). */
  readonly id: string;
  /** The event name without the action (`X-GitHub-Event`), e.g. `"issues"`. */
  readonly name: EventOf<E>;
  readonly payload: PayloadOf<E>;
  /** A pino logger bound to the delivery id, task id, task name and attempt. */
  readonly log: Logger;
  /** Aborted when the handler's timeout passes, when the task is cancelled, and on shutdown. */
  readonly signal: AbortSignal;
  /** 1-based attempt number. */
  readonly attempt: number;
  /** The task id. */
  readonly task: string;
  /**
   * An Octokit authenticated as the installation the delivery names (REST methods as
   * `octokit.rest.issues.…` and `octokit.issues.…`, pagination, retries). Without an App or an
   * installation it is unauthenticated, and says why in the log on its first request. A spent rate
   * limit fails the request with `HOOKYARD_ERR_GITHUB_RATE_LIMITED`; left uncaught, the task is
   * queued for the reset time and the attempt does not count.
   */
  readonly octokit: HookyardOctokit;
  /** True when the sender is a bot (`payload.sender.type === "Bot"`). */
  readonly isBot: boolean;
  /** `{ owner, repo }` of the payload's repository, merged with `extra`. */
  repo<T extends object = object>(extra?: T): { owner: string; repo: string } & T;
  /** `{ owner, repo, issue_number }` of the payload's issue or pull request, merged with `extra`. */
  issue<T extends object = object>(extra?: T): { owner: string; repo: string; issue_number: number } & T;
  /** `{ owner, repo, pull_number }` of the payload's pull request (or issue), merged with `extra`. */
  pullRequest<T extends object = object>(extra?: T): { owner: string; repo: string; pull_number: number } & T;
  /**
   * Probot's `context.config`: `.github/<fileName>` (YAML, or JSON for `.json`) of the payload's
   * repository at its default branch, else of the owner's `.github` repository, with `_extends`
   * followed, deep-merged over `defaults` (arrays concatenate unless `mergeOptions.arrayMerge` says
   * otherwise). Null when there is no file and no defaults. Read through `ctx.octokit`, cached per
   * repository + file in this process and revalidated with an ETag (a `304` costs no rate budget);
   * a `push` changing the file on the default branch drops it from the cache. An unusable file
   * raises `HOOKYARD_ERR_CONFIG_REPO_INVALID` naming it.
   *
   * @example
   * ```ts
   * const config = await ctx.config("triage.yml", { label: "needs-triage" });
   * ```
   */
  config<T extends object>(fileName: string, defaults: T, mergeOptions?: MergeOptions): Promise<T>;
  config<T extends object = Record<string, unknown>>(fileName: string, defaults?: undefined, mergeOptions?: MergeOptions): Promise<T | null>;
}

/** Reads repository config files for `ctx.config()` (the app's `RepoConfigCache`). */
export interface ConfigReader {
  read<T extends object>(octokit: HookyardOctokit, repo: { owner: string; repo: string }, fileName: string, defaults?: T, mergeOptions?: MergeOptions): Promise<T | null>;
}

interface LoosePayload {
  repository?: { name?: string; owner?: { login?: string } };
  issue?: { number?: number };
  pull_request?: { number?: number };
  number?: number;
}

/** Everything a context is made of. */
export interface ContextInit {
  id: string;
  /** The delivery's event and metadata (`deliveryMeta(event, payload)`); `ctx.name` and `ctx.isBot` come from it. */
  meta: DeliveryMeta;
  payload: unknown;
  /** The logger, or a function that makes it on first use. */
  log: Logger | (() => Logger);
  /** The signal, or a function that makes it on first use. */
  signal: AbortSignal | (() => AbortSignal);
  attempt: number;
  task: string;
  /** Makes the handler's Octokit on first use. */
  octokit: () => HookyardOctokit;
  /** Where `ctx.config()` reads from. */
  config: ConfigReader;
}

/**
 * Builds a handler context.
 *
 * The context is a class instance with its getters and helpers on the prototype (as Probot's
 * `Context` is), not an object literal with getters (why: docs/benchmarks.md, "Garbage collection
 * on the hot path").
 *
 * @example
 * ```ts
 * const ctx = createContext({ id, meta: deliveryMeta("issues", payload), payload, log, signal, attempt: 1, task: "t1", octokit: () => octokit, config: new RepoConfigCache() });
 * ctx.issue({ body: "hi" }); // { owner, repo, issue_number, body: "hi" }
 * ```
 */
export function createContext<E extends EventName = EventName>(init: ContextInit): Context<E> {
  return new HandlerContext(init) as unknown as Context<E>;
}

class HandlerContext {
  readonly id: string;
  readonly name: string;
  readonly payload: unknown;
  readonly attempt: number;
  readonly task: string;
  readonly isBot: boolean;
  #init: ContextInit;
  #client: HookyardOctokit | undefined;

  constructor(init: ContextInit) {
    this.id = init.id;
    this.name = init.meta.event;
    this.payload = init.payload;
    this.attempt = init.attempt;
    this.task = init.task;
    this.isBot = sentByBot(init.meta);
    this.#init = init;
  }

  get log(): Logger {
    const log = this.#init.log;
    return typeof log === "function" ? log() : log;
  }

  get signal(): AbortSignal {
    const signal = this.#init.signal;
    return typeof signal === "function" ? signal() : signal;
  }

  get octokit(): HookyardOctokit {
    return (this.#client ??= this.#init.octokit());
  }

  repo<T extends object>(extra?: T): { owner: string; repo: string } & T {
    return { ...this.#base(), ...(extra as object | undefined) } as { owner: string; repo: string } & T;
  }

  issue<T extends object>(extra?: T): { owner: string; repo: string; issue_number: number } & T {
    return { ...this.#base(), issue_number: this.#number() as number, ...(extra as object | undefined) } as never;
  }

  pullRequest<T extends object>(extra?: T): { owner: string; repo: string; pull_number: number } & T {
    return { ...this.#base(), pull_number: this.#number() as number, ...(extra as object | undefined) } as never;
  }

  config<T extends object>(fileName: string, defaults?: T, mergeOptions?: MergeOptions): Promise<T | null> {
    return Promise.resolve().then(() => this.#init.config.read(this.octokit, this.#base(), fileName, defaults, mergeOptions));
  }

  #base(): { owner: string; repo: string } {
    const p = this.payload as LoosePayload | null;
    const owner = p?.repository?.owner?.login;
    const name = p?.repository?.name;
    if (owner === undefined || name === undefined) {
      throw new Error(`context.repo() is not supported for this webhook event: the ${this.name} payload has no repository`);
    }
    return { owner, repo: name };
  }

  #number(): number | undefined {
    const p = this.payload as LoosePayload | null;
    return p?.issue?.number ?? p?.pull_request?.number ?? p?.number;
  }
}
