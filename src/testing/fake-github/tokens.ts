import { createHash } from "node:crypto";
import type { FakeClock } from "./clock.js";
import { randomToken } from "./ids.js";
import type { AccountRecord, AppRecord, InstallationRecord, Permissions } from "./state.js";

/** An installation access token the fake handed out (`POST /app/installations/{id}/access_tokens`). */
export interface IssuedToken {
  /** `ghs_…` */
  token: string;
  appId: number;
  installationId: number;
  /** By the fake's clock. */
  issuedAt: Date;
  expiresAt: Date;
  permissions: Permissions;
  /** `null`: every repository the installation can see. */
  repositoryIds: number[] | null;
}

/** A user access token from the OAuth web flow. */
export interface UserToken {
  token: string;
  refreshToken: string;
  appId: number;
  user: AccountRecord;
  expiresAt: number;
  refreshExpiresAt: number;
}

/** A code made by `fake.createOAuthCode`, waiting to be exchanged. */
export interface OAuthCode {
  code: string;
  appId: number;
  user: AccountRecord;
  codeChallenge: string | undefined;
  redirectUri: string | undefined;
  expiresAt: number;
}

const USER_TOKEN_TTL_MS = 8 * 3600_000;
const REFRESH_TOKEN_TTL_MS = 15_897_600_000; // 184 days, what GitHub answers in refresh_token_expires_in
const CODE_TTL_MS = 10 * 60_000;

/** Every credential the fake has issued, and their lookups. */
export class TokenStore {
  readonly issued: IssuedToken[] = [];
  private readonly installationTokens = new Map<string, IssuedToken>();
  private readonly userTokens = new Map<string, UserToken>();
  private readonly refreshTokens = new Map<string, UserToken>();
  private readonly codes = new Map<string, OAuthCode>();

  constructor(private readonly clock: FakeClock, private readonly ttlMs: number) {}

  issueInstallationToken(app: AppRecord, inst: InstallationRecord, permissions: Permissions, repositoryIds: number[] | null): IssuedToken {
    const now = this.clock.now();
    const t: IssuedToken = {
      token: randomToken("ghs_"),
      appId: app.id,
      installationId: inst.id,
      issuedAt: new Date(now),
      expiresAt: new Date(now + this.ttlMs),
      permissions,
      repositoryIds,
    };
    this.installationTokens.set(t.token, t);
    this.issued.push(t);
    return t;
  }

  /** A live installation token, or undefined when unknown or expired by the fake's clock. */
  installationToken(token: string): IssuedToken | undefined {
    const t = this.installationTokens.get(token);
    return t && t.expiresAt.getTime() > this.clock.now() ? t : undefined;
  }

  createCode(app: AppRecord, user: AccountRecord, codeChallenge: string | undefined, redirectUri: string | undefined): string {
    const code = randomToken("").slice(0, 20).toLowerCase();
    this.codes.set(code, { code, appId: app.id, user, codeChallenge, redirectUri, expiresAt: this.clock.now() + CODE_TTL_MS });
    return code;
  }

  /** Takes a code out of the store (codes work once), or undefined when unknown or expired. */
  takeCode(code: string): OAuthCode | undefined {
    const c = this.codes.get(code);
    if (!c) return undefined;
    this.codes.delete(code);
    return c.expiresAt > this.clock.now() ? c : undefined;
  }

  issueUserToken(appId: number, user: AccountRecord): UserToken {
    const now = this.clock.now();
    const t: UserToken = {
      token: randomToken("ghu_"),
      refreshToken: randomToken("ghr_"),
      appId,
      user,
      expiresAt: now + USER_TOKEN_TTL_MS,
      refreshExpiresAt: now + REFRESH_TOKEN_TTL_MS,
    };
    this.userTokens.set(t.token, t);
    this.refreshTokens.set(t.refreshToken, t);
    return t;
  }

  userToken(token: string): UserToken | undefined {
    const t = this.userTokens.get(token);
    return t && t.expiresAt > this.clock.now() ? t : undefined;
  }

  /** Uses up a refresh token (they work once) and returns what it refreshes, if still valid. */
  takeRefreshToken(refreshToken: string): UserToken | undefined {
    const t = this.refreshTokens.get(refreshToken);
    if (!t) return undefined;
    this.refreshTokens.delete(refreshToken);
    return t.refreshExpiresAt > this.clock.now() ? t : undefined;
  }

  /** Revokes one user token and its refresh token (`DELETE /applications/{client_id}/token`); false when unknown. */
  revokeUserToken(appId: number, token: string): boolean {
    const t = this.userTokens.get(token);
    if (!t || t.appId !== appId) return false;
    this.userTokens.delete(token);
    this.refreshTokens.delete(t.refreshToken);
    return true;
  }

  /** Revokes every token and refresh token of one user for one App (the user revoked its authorization). */
  revokeUser(appId: number, userId: number): void {
    for (const map of [this.userTokens, this.refreshTokens]) {
      for (const [key, t] of map) if (t.appId === appId && t.user.id === userId) map.delete(key);
    }
  }
}

/** PKCE S256: base64url(sha256(verifier)). */
export function pkceChallenge(verifier: string): string {
  return createHash("sha256").update(verifier).digest("base64url");
}

export const USER_TOKEN_TTL_S = USER_TOKEN_TTL_MS / 1000;
export const REFRESH_TOKEN_TTL_S = REFRESH_TOKEN_TTL_MS / 1000;
