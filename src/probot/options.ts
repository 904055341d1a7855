import type { Logger } from "pino";
import type { HookyardOptions } from "../app/index.js";
import { CONFIG_FIELDS, type HookyardConfig } from "../config/index.js";
import { HookyardError } from "../errors.js";
import type { HookyardOctokit } from "../github/octokit.js";
import type { Backend } from "../store/backend.js";

/** Redis as Probot's `redisConfig` takes it: a URL, or ioredis-style fields. */
export type RedisConfig = string | { host?: string; port?: number; username?: string; password?: string; db?: number; tls?: unknown };

/**
 * Options of `new Probot()`: Probot's, plus Hookyard's `store`, `env` and `hookyard`. Probot's
 * `request` is ignored; `githubToken` is not supported.
 */
export interface ProbotOptions {
  /** The GitHub App's id (or client id). */
  appId?: number | string;
  /** The App's private key (PEM). */
  privateKey?: string;
  /** The webhook secret. */
  secret?: string;
  /** GitHub's REST API base URL (GitHub Enterprise Server: `https://ghe.example.com/api/v3`). */
  baseUrl?: string;
  logLevel?: HookyardConfig["logLevel"];
  /** A pino logger to use. */
  log?: Logger;
  webhookPath?: string;
  port?: number;
  host?: string;
  /** Redis for the shared installation-token cache. */
  redisConfig?: RedisConfig;
  /** Not supported (a token instead of an App): throws `HOOKYARD_ERR_PROBOT_UNSUPPORTED`. */
  githubToken?: string;
  /**
   * The Octokit class for `context.octokit` and `auth()`, usually `ProbotOctokit.defaults({ retry: { enabled: false },
   * throttle: { enabled: false } })` in tests: its retry and throttle defaults are kept.
   */
  Octokit?: typeof HookyardOctokit | { defaults: unknown };
  /** Ignored, with a warning. */
  request?: unknown;
  /** Hookyard: where deliveries and tasks live. Default: `HOOKYARD_STORE` of `env`, else `memory:`. */
  store?: string | Backend;
  /** Hookyard: environment for settings not given here. Default none — like Probot's constructor, nothing is read from `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Hookyard: any other Hookyard option (`concurrency`, `taskTimeout`, `github: { throttle: false }`, …). */
  hookyard?: HookyardOptions;
}

const IGNORED = ["request"] as const;

/**
 * `redis://user:pass@host:port/db` from ioredis-style fields (a string is taken as is).
 *
 * @example
 * ```ts
 * redisUrl({ host: "cache", port: 6380, db: 2 }); // "redis://cache:6380/2"
 * ```
 */
export function redisUrl(config: RedisConfig): string {
  if (typeof config === "string") return config;
  const auth = config.password !== undefined ? `${encodeURIComponent(config.username ?? "")}:${encodeURIComponent(config.password)}@` : "";
  const scheme = config.tls ? "rediss" : "redis";
  return `${scheme}://${auth}${config.host ?? "127.0.0.1"}:${config.port ?? 6379}${config.db !== undefined ? `/${config.db}` : ""}`;
}

/**
 * Hookyard's options for Probot's, and the Probot options that were ignored.
 *
 * @example
 * ```ts
 * const { options } = hookyardOptions({ appId: 1, privateKey, secret: "s3cret" });
 * const app = new Hookyard(options);
 * ```
 */
export function hookyardOptions(o: ProbotOptions): { options: HookyardOptions; ignored: string[] } {
  if (o.githubToken !== undefined) {
    throw new HookyardError("HOOKYARD_ERR_PROBOT_UNSUPPORTED", "githubToken is not supported by Hookyard: configure a GitHub App (appId + privateKey); see docs/guides/probot.md");
  }
  const env = o.env ?? {};
  const options: HookyardOptions = {
    // Probot does not look for missed deliveries: a Probot (or its middleware) does not either, unless asked
    ...(env.HOOKYARD_REDELIVERY_INTERVAL ? {} : { redeliveryInterval: 0 }),
    ...o.hookyard,
    env,
    store: o.store ?? o.hookyard?.store ?? (env.HOOKYARD_STORE ? undefined : "memory:"),
    ...(o.appId !== undefined ? { appId: o.appId } : {}),
    ...(o.privateKey !== undefined ? { privateKey: o.privateKey } : {}),
    // as Probot's constructor: "development" when no secret is given (nor WEBHOOK_SECRET in env)
    ...(o.secret !== undefined ? { webhookSecret: o.secret } : env.WEBHOOK_SECRET ? {} : { webhookSecret: "development" }),
    ...(o.baseUrl !== undefined ? { githubApiUrl: o.baseUrl } : {}),
    ...(o.logLevel !== undefined ? { logLevel: o.logLevel } : {}),
    ...(o.log !== undefined ? { logger: o.log } : {}),
    ...(o.webhookPath !== undefined ? { webhookPath: o.webhookPath } : {}),
    ...(o.port !== undefined ? { port: o.port } : {}),
    ...(o.host !== undefined ? { host: o.host } : {}),
    ...(o.redisConfig !== undefined ? { redisUrl: redisUrl(o.redisConfig) } : {}),
    ...(o.Octokit !== undefined ? { github: { ...o.hookyard?.github, Octokit: o.Octokit as typeof HookyardOctokit } } : {}),
  };
  if (options.store === undefined) delete options.store;
  return { options, ignored: IGNORED.filter((k) => o[k] !== undefined) };
}

/** Which environment variable sets each Probot option (for `createProbot`'s defaults < env < overrides). */
export const PROBOT_ENV: Record<keyof ProbotOptions, string[]> = {
  appId: [CONFIG_FIELDS.appId.env],
  privateKey: [CONFIG_FIELDS.privateKey.env, CONFIG_FIELDS.privateKeyPath.env],
  secret: [CONFIG_FIELDS.webhookSecret.env],
  baseUrl: [CONFIG_FIELDS.githubApiUrl.env, CONFIG_FIELDS.gheHost.env],
  logLevel: [CONFIG_FIELDS.logLevel.env],
  webhookPath: [CONFIG_FIELDS.webhookPath.env],
  port: [CONFIG_FIELDS.port.env],
  host: [CONFIG_FIELDS.host.env],
  redisConfig: [CONFIG_FIELDS.redisUrl.env],
  store: [CONFIG_FIELDS.store.env],
  log: [],
  githubToken: [],
  Octokit: [],
  request: [],
  env: [],
  hookyard: [],
};
