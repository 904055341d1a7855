import type { Redis } from "ioredis";
import type { Logger } from "pino";
import type { HookyardConfig } from "../config/index.js";
import { HookyardError } from "../errors.js";
import type { Circuit } from "../steering/circuit.js";
import type { Circuits } from "../steering/circuits.js";
import type { DeliveryMeta } from "../ingress/delivery-meta.js";
import { githubCircuit } from "./circuit.js";
import { loadIoredis } from "../store/peers.js";
import { GitHubApp, unauthenticatedOctokit, type UnauthenticatedReason } from "./github-app.js";
import type { HookyardOctokit, OctokitFactoryOptions } from "./octokit.js";
import { apiBaseUrl, githubSettings, type GitHubSettings } from "./settings.js";
import { SharedThrottle } from "./shared-throttle.js";
import { MemoryTokenStore, RedisTokenStore } from "./token-store.js";

export interface GitHubClientsOptions {
  log: Logger;
  /** Pace writes per installation as GitHub recommends (default true). */
  throttle?: boolean;
  /** The app's circuit breakers: requests to the GitHub host go through its circuit. */
  circuits?: Circuits;
  now?: () => number;
  /** The Octokit class handlers and `auth()` get (Probot's `Octokit` option); default Hookyard's. */
  Octokit?: OctokitFactoryOptions["Octokit"];
  /** Let tasks retry after GitHub refused a request with a 4xx that is not a rate limit (default false: the task fails for good). */
  retryClientErrors?: boolean;
  /** Prefix of the shared limiters' ids in Redis (default `hookyard:`); tests use their own. */
  throttleNamespace?: string;
}

/** The Octokit a handler gets, and whether (and why not) it is installation-authenticated. */
export interface DeliveryOctokit {
  octokit: HookyardOctokit;
  installationId: number | null;
  reason?: UnauthenticatedReason;
}

/**
 * Everything a Hookyard process uses to reach GitHub: the App (when `APP_ID` and a key are set),
 * its token cache and write pacing (in Redis, shared with the fleet, when `REDIS_URL` is set, else
 * in this process), and per-delivery clients.
 *
 * @example
 * ```ts
 * const github = new GitHubClients(config, { log });
 * const { octokit } = github.forDelivery(deliveryMeta("issues", payload), deliveryId, log);
 * ```
 */
export class GitHubClients {
  readonly baseUrl: string;
  readonly settings: GitHubSettings | undefined;
  /** The GitHub host's circuit breaker (`github:<host>`), when the app has circuits. */
  readonly circuit: Circuit | undefined;
  /** Write pacing shared through `REDIS_URL` (undefined without it, or with throttling off). */
  readonly throttle: SharedThrottle | undefined;
  private appInstance: GitHubApp | undefined;
  private redis: Promise<Redis> | undefined;

  constructor(private readonly config: HookyardConfig, private readonly o: GitHubClientsOptions) {
    this.baseUrl = apiBaseUrl(config);
    this.settings = githubSettings(config);
    this.circuit = o.circuits ? githubCircuit(o.circuits, config, this.baseUrl) : undefined;
    this.throttle = config.redisUrl && o.throttle !== false
      ? new SharedThrottle({ url: config.redisUrl, log: o.log, ...(o.throttleNamespace ? { namespace: o.throttleNamespace } : {}) })
      : undefined;
  }

  /** The App, or a `HOOKYARD_ERR_GITHUB_NOT_CONFIGURED` error naming what is missing. */
  get app(): GitHubApp {
    if (!this.settings) {
      throw new HookyardError("HOOKYARD_ERR_GITHUB_NOT_CONFIGURED", "no GitHub App is configured: set APP_ID and PRIVATE_KEY (or PRIVATE_KEY_PATH), or run `hookyard setup`");
    }
    if (!this.appInstance) {
      let store;
      if (this.config.redisUrl) {
        const url = this.config.redisUrl;
        this.redis = loadIoredis("REDIS_URL (the token cache)").then((Redis) => new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 3, connectionName: "hookyard:tokens" }));
        store = new RedisTokenStore(this.redis, this.settings.privateKey, "hookyard:tokens:", this.o.now);
      } else {
        store = new MemoryTokenStore(this.o.now);
      }
      this.appInstance = new GitHubApp(this.settings, {
        log: this.o.log, store, ...(this.o.throttle === false ? { throttle: false } : {}), ...(this.throttle ? { sharedThrottle: this.throttle } : {}), ...(this.o.now ? { now: this.o.now } : {}),
        ...(this.circuit ? { circuit: this.circuit } : {}),
        ...(this.o.Octokit ? { Octokit: this.o.Octokit } : {}),
        ...(this.o.retryClientErrors ? { retryClientErrors: true } : {}),
      });
    }
    return this.appInstance;
  }

  /** The client for a handler of this delivery (`meta` from `deliveryMeta(event, payload)`). */
  forDelivery(meta: Pick<DeliveryMeta, "event" | "action" | "installation">, deliveryId: string, log: Logger): DeliveryOctokit {
    const id = meta.installation ?? null;
    const unauthenticated = (reason: UnauthenticatedReason): DeliveryOctokit =>
      ({ octokit: unauthenticatedOctokit(this.baseUrl, log, reason, deliveryId, this.circuit), installationId: id, reason });
    if (!this.settings) return unauthenticated("no App configured");
    if (id === null) return unauthenticated("no installation in the payload");
    // the installation is gone: GitHub will not issue it tokens any more
    if (meta.event === "installation" && meta.action === "deleted") return unauthenticated("installation.deleted");
    return { octokit: this.app.installation(id, { deliveryId, log }), installationId: id };
  }

  async close(): Promise<void> {
    await this.throttle?.close();
    const redis = await this.redis?.catch(() => undefined);
    if (redis && redis.status !== "end") await redis.quit().catch(() => redis.disconnect());
  }
}
