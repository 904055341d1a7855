import type { Logger } from "pino";
import { HookyardError } from "../errors.js";
import type { Circuit } from "../steering/circuit.js";
import { DeferError } from "../steering/defer.js";
import { AppJwt } from "./app-jwt.js";
import { createOctokit, type HookyardOctokit, type OctokitFactoryOptions } from "./octokit.js";
import type { GitHubSettings } from "./settings.js";
import type { SharedThrottle } from "./shared-throttle.js";
import type { CachedToken, TokenStore } from "./token-store.js";
import { InstallationTokens, type TokenRequest } from "./tokens.js";

export interface GitHubAppOptions {
  log: Logger;
  store: TokenStore;
  /** Pace writes per installation as GitHub recommends (default true). */
  throttle?: boolean;
  /** Pace them in Redis, shared with the fleet (`REDIS_URL`), instead of in this process. */
  sharedThrottle?: SharedThrottle;
  /** The GitHub host's circuit breaker, shared by every client of this App. */
  circuit?: Circuit;
  now?: () => number;
  /** The Octokit class to build (Probot's `Octokit` option); default Hookyard's. */
  Octokit?: OctokitFactoryOptions["Octokit"];
  /** Let tasks retry after a 4xx answer that is not a rate limit (default false: it fails them). */
  retryClientErrors?: boolean;
}

/** What `octokit.auth({ type })` resolves with, in `@octokit/auth-app`'s shapes. */
export type AppAuthentication =
  | { type: "app"; token: string; appId: number | string; expiresAt: string }
  | { type: "token"; tokenType: "installation"; token: string; installationId: number; permissions: Record<string, string>; expiresAt: string; repositorySelection?: string };

/** `auth()`'s options, as `@octokit/auth-app` takes them (`refresh` skips the cache). */
export interface AppAuthOptions {
  type?: "app" | "installation";
  installationId?: number;
  permissions?: Record<string, string>;
  repositoryIds?: number[];
  refresh?: boolean;
}

/** Why a handler's `ctx.octokit` is not installation-authenticated. */
export type UnauthenticatedReason = "no App configured" | "no installation in the payload" | "installation.deleted";

const SKEW_COMPLAINT = /'(Issued at|Expiration time)' claim/;

/**
 * The GitHub App: App JWTs on GitHub's clock, installation tokens (cached by `expires_at`, one
 * fetch per key), and Octokit clients for the App or an installation.
 *
 * @example
 * ```ts
 * const app = new GitHubApp(settings, { log, store: new MemoryTokenStore() });
 * const octokit = app.installation(42, { deliveryId });
 * await octokit.rest.issues.createComment({ owner, repo, issue_number: 1, body: "hi" });
 * ```
 */
export class GitHubApp {
  readonly jwt: AppJwt;
  readonly tokens: InstallationTokens;
  private appClient: HookyardOctokit | undefined;

  constructor(readonly settings: GitHubSettings, private readonly o: GitHubAppOptions) {
    this.jwt = new AppJwt(settings.appId, settings.privateKey, o.now);
    this.tokens = new InstallationTokens({
      scope: `${settings.appId}@${new URL(settings.baseUrl).host}`,
      store: o.store,
      fetch: (req) => this.fetchToken(req),
      ...(o.now ? { now: o.now } : {}),
    });
  }

  /** An Octokit authenticated as the App (JWT): `/app/…` routes. */
  app(): HookyardOctokit {
    if (this.appClient) return this.appClient;
    const octokit = createOctokit({ baseUrl: this.settings.baseUrl, log: this.o.log, throttle: false, ...this.shared() });
    octokit.auth = (options?: unknown) => this.authenticate((options ?? { type: "app" }) as AppAuthOptions);
    octokit.hook.wrap("request", async (request, options) => {
      const send = async () => {
        options.headers.authorization = `bearer ${await this.jwt.token()}`;
        const res = await request(options);
        this.jwt.observeDate(String(res.headers.date ?? ""));
        return res;
      };
      try {
        return await send();
      } catch (err) {
        const e = err as { status?: number; message?: string; response?: { headers?: Record<string, unknown> } };
        // our clock is off from GitHub's: learn its time from the answer and sign again, once
        if (e.status === 401 && SKEW_COMPLAINT.test(e.message ?? "") && this.jwt.observeDate(String(e.response?.headers?.date ?? ""))) {
          this.o.log.warn({ skewMs: this.jwt.skew }, "GitHub's clock differs from ours; App JWTs now follow GitHub's");
          return send();
        }
        throw err;
      }
    });
    return (this.appClient = octokit);
  }

  /** An Octokit authenticated as one installation; its token is taken from the cache per request. */
  installation(installationId: number, extra: { deliveryId?: string; log?: Logger } = {}): HookyardOctokit {
    const octokit = createOctokit({
      baseUrl: this.settings.baseUrl,
      log: extra.log ?? this.o.log,
      throttleId: `${this.settings.appId}:${installationId}`, installationId,
      ...(extra.deliveryId ? { deliveryId: extra.deliveryId } : {}),
      ...(this.o.throttle === false ? { throttle: false } : {}),
      ...(this.o.sharedThrottle ? { sharedThrottle: this.o.sharedThrottle } : {}),
      ...this.shared(),
      ...(this.o.retryClientErrors ? { retryClientErrors: true } : {}),
    });
    const req: TokenRequest = { installationId };
    octokit.auth = (options?: unknown) => this.authenticate({ type: "installation", installationId, ...(options as AppAuthOptions | undefined) });
    octokit.hook.wrap("request", async (request, options) => {
      const send = async () => {
        options.headers.authorization = `token ${(await this.tokens.get(req)).token}`;
        return request(options);
      };
      try {
        return await send();
      } catch (err) {
        if ((err as { status?: number }).status !== 401) throw err;
        // a revoked token: forget it and try once with a fresh one
        await this.tokens.invalidate(req);
        return send();
      }
    });
    return octokit;
  }

  /**
   * Probot's `octokit.auth({ type })`: the App's JWT (`type: "app"`) or an installation token from
   * the shared cache (`type: "installation"`), in `@octokit/auth-app`'s shapes.
   *
   * @example
   * ```ts
   * const { token } = await app.authenticate({ type: "installation", installationId: 42 });
   * ```
   */
  async authenticate(options: AppAuthOptions): Promise<AppAuthentication> {
    if (options.type === "app") {
      const token = await this.jwt.token();
      const appId = /^\d+$/.test(this.settings.appId) ? Number(this.settings.appId) : this.settings.appId;
      return { type: "app", token, appId, expiresAt: new Date(this.jwt.expiresAt ?? this.now()).toISOString() };
    }
    if (options.type !== "installation" || typeof options.installationId !== "number") {
      throw new HookyardError("HOOKYARD_ERR_GITHUB_AUTH_OPTIONS", 'auth() takes { type: "app" } or { type: "installation", installationId }');
    }
    const req: TokenRequest = {
      installationId: options.installationId,
      ...(options.permissions ? { permissions: options.permissions } : {}),
      ...(options.repositoryIds ? { repositoryIds: options.repositoryIds } : {}),
    };
    if (options.refresh) await this.tokens.invalidate(req);
    const t = await this.tokens.get(req);
    return {
      type: "token", tokenType: "installation", token: t.token, installationId: options.installationId, permissions: t.permissions ?? {},
      expiresAt: new Date(t.expiresAt).toISOString(), ...(t.repositorySelection ? { repositorySelection: t.repositorySelection } : {}),
    };
  }

  private now(): number {
    return (this.o.now ?? Date.now)();
  }

  /** Factory options every client of this App shares: the clock, the host's circuit, the Octokit class. */
  private shared(): Pick<OctokitFactoryOptions, "now" | "Octokit" | "circuit"> {
    return { ...(this.o.now ? { now: this.o.now } : {}), ...(this.o.circuit ? { circuit: this.o.circuit } : {}), ...(this.o.Octokit ? { Octokit: this.o.Octokit } : {}) };
  }

  private async fetchToken(req: TokenRequest): Promise<CachedToken> {
    try {
      const { data } = await this.app().request("POST /app/installations/{installation_id}/access_tokens", {
        installation_id: req.installationId,
        ...(req.permissions ? { permissions: req.permissions } : {}),
        ...(req.repositoryIds ? { repository_ids: req.repositoryIds } : {}),
      });
      this.o.log.debug({ installation: req.installationId, expiresAt: data.expires_at }, "installation token issued");
      // an answer without expires_at (a test double) is taken as GitHub's one hour, less a minute
      const expiresAt = Date.parse(data.expires_at);
      return { token: data.token, expiresAt: Number.isNaN(expiresAt) ? this.now() + 59 * 60_000 : expiresAt, permissions: (data.permissions ?? {}) as Record<string, string>, ...(data.repository_selection ? { repositorySelection: data.repository_selection } : {}) };
    } catch (err) {
      // a rate limit or an open circuit defers the task that wanted the token
      if (err instanceof DeferError) throw err;
      const status = (err as { status?: number }).status;
      throw new HookyardError(
        "HOOKYARD_ERR_GITHUB_TOKEN_FAILED",
        `GitHub did not issue a token for installation ${req.installationId}${status ? ` (HTTP ${status})` : ""}: ${(err as Error).message}`,
        { cause: err },
      );
    }
  }
}

/**
 * An Octokit without credentials, for a handler whose delivery names no installation; `reason`
 * says why (also logged once when a request is made).
 */
export function unauthenticatedOctokit(baseUrl: string, log: Logger, reason: UnauthenticatedReason, deliveryId?: string, circuit?: Circuit): HookyardOctokit {
  const octokit = createOctokit({ baseUrl, log, throttle: false, ...(deliveryId ? { deliveryId } : {}), ...(circuit ? { circuit } : {}) });
  let warned = false;
  octokit.hook.before("request", () => {
    if (!warned) log.warn({ reason }, "ctx.octokit is not authenticated");
    warned = true;
  });
  return octokit;
}
