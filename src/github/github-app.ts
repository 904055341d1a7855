import type { Logger } from "pino";
import { HookyardError } from "../errors.js";
import { AppJwt } from "./app-jwt.js";
import { createOctokit, type HookyardOctokit } from "./octokit.js";
import type { GitHubSettings } from "./settings.js";
import type { CachedToken, TokenStore } from "./token-store.js";
import { InstallationTokens, type TokenRequest } from "./tokens.js";

export interface GitHubAppOptions {
  log: Logger;
  store: TokenStore;
  /** Pace writes per installation as GitHub recommends (default true). */
  throttle?: boolean;
  now?: () => number;
  /** Let tasks retry after a 4xx answer that is not a rate limit (default false: it fails them). */
  retryClientErrors?: boolean;
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
    const octokit = createOctokit({ baseUrl: this.settings.baseUrl, log: this.o.log, throttle: false, ...(this.o.now ? { now: this.o.now } : {}) });
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
      ...(this.o.now ? { now: this.o.now } : {}),
      ...(this.o.retryClientErrors ? { retryClientErrors: true } : {}),
    });
    const req: TokenRequest = { installationId };
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

  private async fetchToken(req: TokenRequest): Promise<CachedToken> {
    try {
      const { data } = await this.app().request("POST /app/installations/{installation_id}/access_tokens", {
        installation_id: req.installationId,
        ...(req.permissions ? { permissions: req.permissions } : {}),
        ...(req.repositoryIds ? { repository_ids: req.repositoryIds } : {}),
      });
      this.o.log.debug({ installation: req.installationId, expiresAt: data.expires_at }, "installation token issued");
      return { token: data.token, expiresAt: Date.parse(data.expires_at), permissions: data.permissions as Record<string, string>, ...(data.repository_selection ? { repositorySelection: data.repository_selection } : {}) };
    } catch (err) {
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
export function unauthenticatedOctokit(baseUrl: string, log: Logger, reason: UnauthenticatedReason, deliveryId?: string): HookyardOctokit {
  const octokit = createOctokit({ baseUrl, log, throttle: false, ...(deliveryId ? { deliveryId } : {}) });
  let warned = false;
  octokit.hook.before("request", () => {
    if (!warned) log.warn({ reason }, "ctx.octokit is not authenticated");
    warned = true;
  });
  return octokit;
}
