import { z } from "zod";
import { HookyardError } from "../../errors.js";

/** Where GitHub's OAuth endpoints are, and the client's credentials. */
export interface OAuthClientOptions {
  /** e.g. `https://github.com` (login pages and token endpoint). */
  webUrl: string;
  /** e.g. `https://api.github.com` (`GET /user`, token revocation). */
  apiUrl: string;
  clientId: string;
  clientSecret: string;
  now: () => number;
}

/** The tokens GitHub issued. Times in ms; null when GitHub gave none (OAuth Apps: tokens that do not expire, no refresh token). */
export interface TokenSet {
  accessToken: string;
  expiresAt: number | null;
  refreshToken: string | null;
  refreshExpiresAt: number | null;
}

/** The user a token belongs to. */
export interface Profile {
  id: number;
  login: string;
  name: string | null;
  avatarUrl: string;
}

const tokenAnswer = z.union([
  z.object({ error: z.string(), error_description: z.string().optional() }),
  z.object({
    access_token: z.string().min(1),
    expires_in: z.coerce.number().optional(),
    refresh_token: z.string().optional(),
    refresh_token_expires_in: z.coerce.number().optional(),
  }),
]);

const profileAnswer = z.object({ id: z.number(), login: z.string(), name: z.string().nullable().optional(), avatar_url: z.string() });

const TIMEOUT_MS = 10_000;

/**
 * GitHub's OAuth web flow endpoints: the authorize URL, code and refresh-token exchanges (with
 * PKCE), token revocation and `GET /user`. Errors never carry a token or the client secret.
 *
 * @example
 * ```ts
 * const client = new GitHubOAuthClient({ webUrl: "https://github.com", apiUrl: "https://api.github.com", clientId, clientSecret, now: Date.now });
 * const tokens = await client.exchange(code, verifier, "https://app.example.com/auth/github/callback");
 * ```
 */
export class GitHubOAuthClient {
  constructor(private readonly o: OAuthClientOptions) {}

  /** Where the browser goes to authorize: state and PKCE S256 challenge included. */
  authorizeUrl(p: { state: string; challenge: string; redirectUri: string; scopes?: string }): string {
    const url = new URL(`${this.o.webUrl}/login/oauth/authorize`);
    url.searchParams.set("client_id", this.o.clientId);
    url.searchParams.set("redirect_uri", p.redirectUri);
    url.searchParams.set("state", p.state);
    url.searchParams.set("code_challenge", p.challenge);
    url.searchParams.set("code_challenge_method", "S256");
    if (p.scopes) url.searchParams.set("scope", p.scopes);
    return url.toString();
  }

  /** Exchanges a callback's code; `HOOKYARD_ERR_OAUTH_CODE_INVALID` when GitHub refuses it. */
  exchange(code: string, verifier: string, redirectUri: string): Promise<TokenSet> {
    return this.token({ grant_type: "authorization_code", code, code_verifier: verifier, redirect_uri: redirectUri }, "HOOKYARD_ERR_OAUTH_CODE_INVALID");
  }

  /** Uses a refresh token (they work once); `HOOKYARD_ERR_OAUTH_SESSION_EXPIRED` when GitHub refuses it. */
  refresh(refreshToken: string): Promise<TokenSet> {
    return this.token({ grant_type: "refresh_token", refresh_token: refreshToken }, "HOOKYARD_ERR_OAUTH_SESSION_EXPIRED");
  }

  /** Revokes one access token (logout). Resolves whether or not GitHub knew it. */
  async revoke(accessToken: string): Promise<void> {
    const basic = Buffer.from(`${this.o.clientId}:${this.o.clientSecret}`).toString("base64");
    const res = await this.fetch(`${this.o.apiUrl}/applications/${encodeURIComponent(this.o.clientId)}/token`, {
      method: "DELETE",
      headers: { authorization: `Basic ${basic}`, accept: "application/vnd.github+json", "content-type": "application/json" },
      body: JSON.stringify({ access_token: accessToken }),
    });
    if (res.status !== 204 && res.status !== 404) throw this.failed(`token revocation answered ${res.status}`);
  }

  /** The user a token belongs to. */
  async user(accessToken: string): Promise<Profile> {
    const res = await this.fetch(`${this.o.apiUrl}/user`, { headers: { authorization: `Bearer ${accessToken}`, accept: "application/vnd.github+json", "user-agent": "hookyard" } });
    if (res.status === 401) throw new HookyardError("HOOKYARD_ERR_OAUTH_SESSION_EXPIRED", "GitHub no longer accepts the session's token");
    if (res.status !== 200) throw this.failed(`GET /user answered ${res.status}`);
    const parsed = profileAnswer.safeParse(await res.json().catch(() => undefined));
    if (!parsed.success) throw this.failed("GET /user answered an unexpected body");
    return { id: parsed.data.id, login: parsed.data.login, name: parsed.data.name ?? null, avatarUrl: parsed.data.avatar_url };
  }

  private async token(params: Record<string, string>, refusedCode: "HOOKYARD_ERR_OAUTH_CODE_INVALID" | "HOOKYARD_ERR_OAUTH_SESSION_EXPIRED"): Promise<TokenSet> {
    const body = new URLSearchParams({ client_id: this.o.clientId, client_secret: this.o.clientSecret, ...params });
    const res = await this.fetch(`${this.o.webUrl}/login/oauth/access_token`, {
      method: "POST",
      headers: { accept: "application/json", "content-type": "application/x-www-form-urlencoded" },
      body: body.toString(),
    });
    if (res.status !== 200) throw this.failed(`the token endpoint answered ${res.status}`);
    const parsed = tokenAnswer.safeParse(await res.json().catch(() => undefined));
    if (!parsed.success) throw this.failed("the token endpoint answered an unexpected body");
    const a = parsed.data;
    if ("error" in a) {
      const refused = ["bad_verification_code", "redirect_uri_mismatch", "bad_refresh_token"].includes(a.error);
      // GitHub's error names and descriptions never contain the code or a token
      if (refused) throw new HookyardError(refusedCode, `GitHub refused the ${params.grant_type === "refresh_token" ? "refresh token" : "login code"}: ${a.error}`);
      throw this.failed(`the token endpoint answered ${a.error}`);
    }
    const now = this.o.now();
    return {
      accessToken: a.access_token,
      expiresAt: a.expires_in ? now + a.expires_in * 1000 : null,
      refreshToken: a.refresh_token || null,
      refreshExpiresAt: a.refresh_token && a.refresh_token_expires_in ? now + a.refresh_token_expires_in * 1000 : null,
    };
  }

  private async fetch(url: string, init: RequestInit): Promise<Response> {
    try {
      return await fetch(url, { ...init, redirect: "error", signal: AbortSignal.timeout(TIMEOUT_MS) });
    } catch (err) {
      throw this.failed(`GitHub could not be reached (${new URL(url).host})`, err);
    }
  }

  private failed(why: string, cause?: unknown): HookyardError {
    return new HookyardError("HOOKYARD_ERR_OAUTH_EXCHANGE_FAILED", why, cause === undefined ? undefined : { cause });
  }
}
