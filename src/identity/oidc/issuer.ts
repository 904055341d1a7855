import { createRemoteJWKSet, type JWTVerifyGetKey } from "jose";
import { z } from "zod";
import { HookyardError } from "../../errors.js";

/** The issuer of github.com's Actions tokens. GHES: `https://HOST/_services/token`; enterprises with a custom issuer: `…/<enterprise-slug>`. */
export const GITHUB_ACTIONS_ISSUER = "https://token.actions.githubusercontent.com";

/** How long an issuer's JWKS is trusted, and how often an unknown `kid` may trigger a re-fetch. */
export const JWKS_CACHE_MAX_AGE_MS = 10 * 60_000;
export const JWKS_COOLDOWN_MS = 30_000;
const FETCH_TIMEOUT_MS = 5_000;

const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])$/i;

/**
 * Checks an issuer URL: https, or plain http only on a loopback host (tests). No query or fragment.
 *
 * @example
 * ```ts
 * checkIssuer("https://token.actions.githubusercontent.com");
 * ```
 */
export function checkIssuer(issuer: string): URL {
  let url: URL;
  try {
    url = new URL(issuer);
  } catch {
    throw new HookyardError("HOOKYARD_ERR_OIDC_OPTIONS_INVALID", "the issuer must be a URL such as https://token.actions.githubusercontent.com");
  }
  const loopbackHttp = url.protocol === "http:" && LOOPBACK.test(url.hostname);
  if (url.protocol !== "https:" && !loopbackHttp) {
    throw new HookyardError("HOOKYARD_ERR_OIDC_OPTIONS_INVALID", `the issuer must be https (plain http only on loopback, for tests), not ${url.protocol}//${url.host}`);
  }
  if (url.search || url.hash || url.username || url.password) throw new HookyardError("HOOKYARD_ERR_OIDC_OPTIONS_INVALID", "the issuer URL must have no credentials, query or fragment");
  return url;
}

const discoverySchema = z.object({ issuer: z.string(), jwks_uri: z.string() });

function unavailable(issuer: string, why: string, cause?: unknown): HookyardError {
  return new HookyardError("HOOKYARD_ERR_OIDC_JWKS_UNAVAILABLE", `the keys of ${issuer} could not be loaded: ${why}`, { cause });
}

async function discover(issuer: string): Promise<URL> {
  const base = checkIssuer(issuer);
  const url = `${issuer.replace(/\/+$/, "")}/.well-known/openid-configuration`;
  let res: Response;
  try {
    res = await fetch(url, { redirect: "error", signal: AbortSignal.timeout(FETCH_TIMEOUT_MS), headers: { accept: "application/json" } });
  } catch (err) {
    throw unavailable(issuer, "its OpenID configuration could not be fetched", err);
  }
  if (res.status !== 200) throw unavailable(issuer, `its OpenID configuration answered ${res.status}`);
  const parsed = discoverySchema.safeParse(await res.json().catch(() => undefined));
  if (!parsed.success) throw unavailable(issuer, "its OpenID configuration has no issuer and jwks_uri");
  if (parsed.data.issuer !== issuer) throw unavailable(issuer, `its OpenID configuration names another issuer (${parsed.data.issuer})`);
  let jwks: URL;
  try {
    jwks = new URL(parsed.data.jwks_uri);
  } catch {
    throw unavailable(issuer, "its jwks_uri is not a URL");
  }
  // the keys must come from the issuer's own origin: a configuration cannot point verification elsewhere
  if (jwks.origin !== base.origin) throw unavailable(issuer, `its jwks_uri is on another origin (${jwks.origin})`);
  return jwks;
}

/**
 * One issuer's signing keys: its `jwks_uri` found once through `<issuer>/.well-known/openid-configuration`,
 * then jose's remote key set (cached for 10 minutes, re-fetched on an unknown `kid` at most once per
 * 30 s cooldown). A failed discovery is not cached: the next verification tries again.
 */
export class IssuerKeys {
  private pending: Promise<JWTVerifyGetKey> | undefined;

  constructor(readonly issuer: string, private readonly cooldownMs = JWKS_COOLDOWN_MS) {
    checkIssuer(issuer);
  }

  /** The key resolver for `jwtVerify`. */
  keys(): Promise<JWTVerifyGetKey> {
    this.pending ??= discover(this.issuer).then(
      (url) => createRemoteJWKSet(url, { cooldownDuration: this.cooldownMs, cacheMaxAge: JWKS_CACHE_MAX_AGE_MS, timeoutDuration: FETCH_TIMEOUT_MS }),
      (err: unknown) => {
        this.pending = undefined;
        throw err;
      },
    );
    return this.pending;
  }
}

const shared = new Map<string, IssuerKeys>();

/** The process-wide {@link IssuerKeys} of an issuer, so every verification shares one cache. */
export function keysOf(issuer: string): IssuerKeys {
  let keys = shared.get(issuer);
  if (!keys) shared.set(issuer, (keys = new IssuerKeys(issuer)));
  return keys;
}
