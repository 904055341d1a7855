import type { HookyardConfig } from "../../config/index.js";
import { HookyardError } from "../../errors.js";

/** The login settings of a configuration. */
export interface OAuthSettings {
  clientId: string;
  clientSecret: string;
  sessionSecrets: string[];
  sessionTtlMs: number;
  scopes: string | undefined;
  webUrl: string;
  publicUrl: string | undefined;
}

/**
 * GitHub's web address (login pages, token endpoint): `HOOKYARD_GITHUB_WEB_URL`, else
 * `GHE_PROTOCOL://GHE_HOST`, else `HOOKYARD_GITHUB_API_URL` without `/api/v3` (GHES, or a fake
 * GitHub that serves both), else `https://github.com`.
 *
 * @example
 * ```ts
 * githubWebUrl(loadConfig({ gheHost: "ghe.example.com" })); // "https://ghe.example.com"
 * ```
 */
export function githubWebUrl(config: Pick<HookyardConfig, "githubWebUrl" | "gheHost" | "gheProtocol" | "githubApiUrl">): string {
  if (config.githubWebUrl) return config.githubWebUrl;
  if (config.gheHost) return `${config.gheProtocol}://${config.gheHost.replace(/\/+$/, "")}`;
  if (config.githubApiUrl) {
    const api = config.githubApiUrl.replace(/\/+$/, "");
    return new URL(api).hostname === "api.github.com" ? "https://github.com" : api.replace(/\/api\/v3$/, "");
  }
  return "https://github.com";
}

/**
 * The login settings, or undefined when none of GITHUB_CLIENT_ID, GITHUB_CLIENT_SECRET and
 * HOOKYARD_SESSION_SECRET is set. Some but not all of them is `HOOKYARD_ERR_OAUTH_NOT_CONFIGURED`,
 * raised when the app is built rather than at the first login.
 *
 * @example
 * ```ts
 * const settings = oauthSettings(loadConfig());
 * ```
 */
export function oauthSettings(config: HookyardConfig): OAuthSettings | undefined {
  const secrets = config.sessionSecret ?? [];
  const given = { GITHUB_CLIENT_ID: config.clientId, GITHUB_CLIENT_SECRET: config.clientSecret, HOOKYARD_SESSION_SECRET: secrets[0] };
  const missing = Object.entries(given).filter(([, v]) => v === undefined).map(([k]) => k);
  if (missing.length === 3) return undefined;
  // `hookyard setup` writes the client id and secret: without a session secret they only mean the App has them
  if (missing.length === 1 && missing[0] === "HOOKYARD_SESSION_SECRET") return undefined;
  if (missing.length > 0) {
    throw new HookyardError("HOOKYARD_ERR_OAUTH_NOT_CONFIGURED", `GitHub login needs GITHUB_CLIENT_ID, GITHUB_CLIENT_SECRET and HOOKYARD_SESSION_SECRET together; missing: ${missing.join(", ")}`);
  }
  return {
    clientId: config.clientId as string,
    clientSecret: config.clientSecret as string,
    sessionSecrets: secrets,
    sessionTtlMs: config.sessionTtl,
    scopes: config.oauthScopes,
    webUrl: githubWebUrl(config),
    publicUrl: config.publicUrl,
  };
}
