import type { Logger } from "pino";
import type { HookyardConfig } from "../config/index.js";
import { userOctokit } from "../github/user-octokit.js";
import { OAuthService, oauthSettings } from "../identity/oauth/index.js";
import type { Backend } from "../store/backend.js";

/**
 * The app's GitHub login service, or undefined when GITHUB_CLIENT_ID, GITHUB_CLIENT_SECRET and
 * HOOKYARD_SESSION_SECRET are not set (some but not all: `HOOKYARD_ERR_OAUTH_NOT_CONFIGURED`).
 * Users' Octokits talk to `apiUrl`.
 *
 * @example
 * ```ts
 * const oauth = loginService({ config, apiUrl: "https://api.github.com", store: () => app.store, log, now: Date.now });
 * ```
 */
export function loginService(o: { config: HookyardConfig; apiUrl: string; store: () => Backend; log: Logger; now: () => number }): OAuthService | undefined {
  const settings = oauthSettings(o.config);
  if (!settings) return undefined;
  return new OAuthService({
    ...settings, apiUrl: o.apiUrl, store: o.store, log: o.log, now: o.now,
    octokitFor: (token, userId) => userOctokit({ baseUrl: o.apiUrl, token, log: o.log, userId, now: o.now }),
  });
}
