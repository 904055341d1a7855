import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type { FastifyReply, FastifyRequest } from "fastify";
import type { Logger } from "pino";
import { HookyardError, isHookyardError } from "../../errors.js";
import type { HookyardOctokit } from "../../github/octokit.js";
import type { Backend } from "../../store/backend.js";
import { GitHubOAuthClient, type TokenSet } from "./github-oauth.js";
import { safeReturnTo } from "./return-to.js";
import { recordRevocation, revokedAt } from "./revocations.js";
import { Sealer } from "./seal.js";
import { LOGIN_TTL_MS, loginSchema, REFRESH_MARGIN_MS, sessionSchema, type SessionData } from "./session.js";
import { readCookie, siteOf, writeCookie, type Site } from "./site.js";
import { AnswerCache, makeUser, type GitHubUser } from "./user.js";

/** What the login service needs: the client's credentials, the session secrets, and the app's parts. */
export interface OAuthServiceOptions {
  clientId: string;
  clientSecret: string;
  /** The first seals, every one opens. */
  sessionSecrets: readonly string[];
  sessionTtlMs: number;
  /** OAuth Apps' scopes (space-separated); unset for GitHub Apps. */
  scopes?: string | undefined;
  /** GitHub's web and API base URLs. */
  webUrl: string;
  apiUrl: string;
  /** HOOKYARD_PUBLIC_URL, when set: the callback URL is built from it. */
  publicUrl?: string | undefined;
  store: () => Backend;
  octokitFor: (token: string, userId: number) => HookyardOctokit;
  log: Logger;
  now?: () => number;
  /** How long permission and team answers are kept per user (default 60 s). */
  answerTtlMs?: number;
}

const b64url = (bytes: number) => randomBytes(bytes).toString("base64url");
const sha256 = (s: string) => createHash("sha256").update(s).digest("base64url");
const SEAL_SESSION = "session";
const SEAL_LOGIN = "login";
/** A refresh's result is reused this long by requests still carrying the previous cookie. */
const REFRESH_REUSE_MS = 2 * 60_000;

/**
 * GitHub login for an app: the OAuth web flow with `state` and PKCE S256, sessions in a sealed
 * cookie (HttpOnly, SameSite=Lax, Secure unless on localhost) holding the user's tokens, refresh
 * of the 8-hour token, and the end of sessions when the user revokes the App's authorization.
 *
 * @example
 * ```ts
 * const oauth = new OAuthService({ clientId, clientSecret, sessionSecrets: [secret], sessionTtlMs: 7 * 86_400_000,
 *   webUrl: "https://github.com", apiUrl: "https://api.github.com", store: () => app.store, octokitFor, log });
 * ```
 */
export class OAuthService {
  readonly client: GitHubOAuthClient;
  /** Permission and team answers, per user. */
  readonly answers: AnswerCache;
  private readonly sealer: Sealer;
  private readonly now: () => number;
  /** State hash → when it may be forgotten (a replayed callback is refused while its login could still be valid). */
  private readonly usedStates = new Map<string, number>();
  /** Refresh-token hash → the refreshed session, shared by concurrent requests (refresh tokens work once). */
  private readonly refreshes = new Map<string, { session: Promise<SessionData>; until: number }>();

  constructor(private readonly o: OAuthServiceOptions) {
    this.now = o.now ?? Date.now;
    this.sealer = new Sealer(o.sessionSecrets);
    this.client = new GitHubOAuthClient({ webUrl: o.webUrl, apiUrl: o.apiUrl, clientId: o.clientId, clientSecret: o.clientSecret, now: this.now });
    this.answers = new AnswerCache(o.answerTtlMs ?? 60_000, this.now);
  }

  /** Starts a login: sets the pending-login cookie and returns GitHub's authorize URL. */
  beginLogin(req: FastifyRequest, reply: FastifyReply): string {
    const returnTo = safeReturnTo((req.query as Record<string, unknown> | undefined)?.return_to);
    const site = this.siteOf(req);
    const state = b64url(32);
    const verifier = b64url(48);
    const redirectUri = `${site.origin}/auth/github/callback`;
    const pending = { state, verifier, returnTo, redirectUri, exp: this.now() + LOGIN_TTL_MS };
    writeCookie(reply, site, "login", this.sealer.seal(SEAL_LOGIN, pending), LOGIN_TTL_MS);
    return this.client.authorizeUrl({ state, challenge: sha256(verifier), redirectUri, scopes: this.o.scopes?.split(/[\s,]+/).filter(Boolean).join(" ") });
  }

  /** Completes a login from GitHub's redirect: checks state, exchanges the code, sets the session. Returns where to go. */
  async completeLogin(req: FastifyRequest, reply: FastifyReply): Promise<string> {
    const site = this.siteOf(req);
    const q = (req.query ?? {}) as Record<string, unknown>;
    const raw = readCookie(req, site, "login");
    writeCookie(reply, site, "login", undefined); // one attempt per login, whatever happens
    const opened = raw === undefined ? undefined : loginSchema.safeParse(this.sealer.open(SEAL_LOGIN, raw));
    if (typeof q.state !== "string" || q.state === "" || !opened?.success || opened.data.exp <= this.now()) {
      throw new HookyardError("HOOKYARD_ERR_OAUTH_STATE_MISSING", "no login is in progress in this browser (or it expired): start again at /auth/github/login");
    }
    const pending = opened.data;
    this.forgetOldStates();
    if (this.usedStates.has(sha256(pending.state))) throw new HookyardError("HOOKYARD_ERR_OAUTH_STATE_REUSED", "this login was already completed: start again at /auth/github/login");
    const given = Buffer.from(sha256(q.state));
    if (!timingSafeEqual(given, Buffer.from(sha256(pending.state)))) throw new HookyardError("HOOKYARD_ERR_OAUTH_STATE_MISMATCH", "the state does not match the login this browser started");
    this.usedStates.set(sha256(pending.state), pending.exp);
    if (q.error !== undefined) throw new HookyardError("HOOKYARD_ERR_OAUTH_DENIED", "the App was not authorized on GitHub");
    if (typeof q.code !== "string" || q.code === "") throw new HookyardError("HOOKYARD_ERR_OAUTH_CODE_INVALID", "GitHub's redirect carries no code");
    const tokens = await this.client.exchange(q.code, pending.verifier, pending.redirectUri);
    const profile = await this.client.user(tokens.accessToken);
    const now = this.now();
    const session: SessionData = { v: 1, uid: profile.id, login: profile.login, name: profile.name, avatar: profile.avatarUrl, ...this.tokenFields(tokens), iat: now, end: now + this.o.sessionTtlMs };
    this.writeSession(reply, site, session);
    this.o.log.info({ user: profile.login, userId: profile.id }, "user logged in with GitHub");
    return pending.returnTo;
  }

  /**
   * The user of a request's session, refreshing their token when it is about to expire. Throws
   * (and clears the cookie) when there is no usable session: `HOOKYARD_ERR_OAUTH_LOGIN_REQUIRED`,
   * `…_SESSION_INVALID`, `…_SESSION_EXPIRED`, `…_SESSION_REVOKED`.
   */
  async resolve(req: FastifyRequest, reply: FastifyReply): Promise<GitHubUser> {
    const site = this.siteOf(req);
    const raw = readCookie(req, site, "session");
    if (raw === undefined || raw === "") throw new HookyardError("HOOKYARD_ERR_OAUTH_LOGIN_REQUIRED", "log in with GitHub at /auth/github/login");
    const end = (code: "HOOKYARD_ERR_OAUTH_SESSION_INVALID" | "HOOKYARD_ERR_OAUTH_SESSION_EXPIRED" | "HOOKYARD_ERR_OAUTH_SESSION_REVOKED", message: string) => {
      writeCookie(reply, site, "session", undefined);
      return new HookyardError(code, message);
    };
    const parsed = sessionSchema.safeParse(this.sealer.open(SEAL_SESSION, raw));
    if (!parsed.success) throw end("HOOKYARD_ERR_OAUTH_SESSION_INVALID", "the session cookie cannot be read: log in again");
    let session = parsed.data;
    const now = this.now();
    if (session.end <= now) throw end("HOOKYARD_ERR_OAUTH_SESSION_EXPIRED", "the session has ended: log in again");
    const revoked = await revokedAt(this.o.store(), session.uid);
    if (revoked !== undefined && revoked >= session.iat) throw end("HOOKYARD_ERR_OAUTH_SESSION_REVOKED", "the App's authorization was revoked on GitHub: log in again");
    const expires = session.exp;
    if (expires !== null && expires - now < REFRESH_MARGIN_MS) {
      try {
        session = await this.refreshed(session);
      } catch (err) {
        if (isHookyardError(err, "HOOKYARD_ERR_OAUTH_SESSION_EXPIRED")) throw end("HOOKYARD_ERR_OAUTH_SESSION_EXPIRED", err.message);
        if (expires > now) this.o.log.warn({ err, userId: session.uid }, "token refresh failed; the current token is still valid");
        else throw err;
      }
      if (session !== parsed.data) this.writeSession(reply, site, session);
    }
    return makeUser({ id: session.uid, login: session.login, name: session.name, avatarUrl: session.avatar }, session.at, this.o.octokitFor, this.answers);
  }

  /** Ends the request's session: its token is revoked on GitHub (best effort) and the cookie cleared. */
  async logout(req: FastifyRequest, reply: FastifyReply): Promise<void> {
    const site = this.siteOf(req);
    const raw = readCookie(req, site, "session");
    writeCookie(reply, site, "session", undefined);
    const parsed = raw === undefined ? undefined : sessionSchema.safeParse(this.sealer.open(SEAL_SESSION, raw));
    if (!parsed?.success) return;
    await this.client.revoke(parsed.data.at).catch((err: unknown) => this.o.log.warn({ code: (err as { code?: string }).code, userId: parsed.data.uid }, "could not revoke the token at logout"));
    this.o.log.info({ user: parsed.data.login, userId: parsed.data.uid }, "user logged out");
  }

  /** The user revoked the App's authorization: sessions that began before `at` are over, everywhere. */
  async revoked(userId: number, at: number = this.now()): Promise<void> {
    await recordRevocation(this.o.store(), userId, at);
    this.answers.forget(userId);
  }

  /** Where the browser reached this app (HOOKYARD_PUBLIC_URL, or the request's scheme and host). */
  siteOf(req: FastifyRequest): Site {
    return siteOf(req, this.o.publicUrl);
  }

  private tokenFields(t: TokenSet): Pick<SessionData, "at" | "exp" | "rt" | "rexp"> {
    return { at: t.accessToken, exp: t.expiresAt, rt: t.refreshToken, rexp: t.refreshExpiresAt };
  }

  private writeSession(reply: FastifyReply, site: Site, s: SessionData): void {
    writeCookie(reply, site, "session", this.sealer.seal(SEAL_SESSION, s), s.end - this.now());
  }

  /** The session with fresh tokens; one refresh per refresh token, shared by concurrent requests. */
  private refreshed(s: SessionData): Promise<SessionData> {
    const now = this.now();
    if (s.rt === null || (s.rexp !== null && s.rexp <= now)) {
      return Promise.reject(new HookyardError("HOOKYARD_ERR_OAUTH_SESSION_EXPIRED", "the session's GitHub token expired and cannot be refreshed: log in again"));
    }
    for (const [k, v] of this.refreshes) if (v.until <= now) this.refreshes.delete(k);
    const key = sha256(s.rt);
    const known = this.refreshes.get(key);
    if (known) return known.session;
    const session = this.client.refresh(s.rt).then((t) => ({ ...s, ...this.tokenFields(t) }));
    this.refreshes.set(key, { session, until: now + REFRESH_REUSE_MS });
    session.catch(() => this.refreshes.delete(key));
    return session;
  }

  private forgetOldStates(): void {
    const now = this.now();
    for (const [k, until] of this.usedStates) if (until <= now) this.usedStates.delete(k);
  }
}
