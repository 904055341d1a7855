import type { KeyObject } from "node:crypto";
import { SignJWT } from "jose";

/** GitHub refuses App JWTs that live longer than ten minutes. */
const MAX_LIFETIME_S = 600;
/** `iat` is backdated so a server clock slightly ahead of ours still sees it in the past. */
const BACKDATE_S = 60;

/**
 * Signs App JWTs (RS256, `iss` = App id, `iat` backdated 60 s, `exp` within GitHub's ten minutes)
 * on GitHub's clock: the skew is learned from the `Date` header of GitHub's answers. A token is
 * reused until a minute before it expires.
 *
 * @example
 * ```ts
 * const jwt = new AppJwt("12345", privateKey);
 * await jwt.token(); // "eyJhbGciOiJSUzI1NiJ9…"
 * ```
 */
export class AppJwt {
  /** GitHub's clock minus ours, in ms. */
  private skewMs = 0;
  private cached: { token: string; exp: number } | undefined;

  constructor(
    private readonly appId: string,
    private readonly key: KeyObject,
    private readonly now: () => number = Date.now,
  ) {}

  /** GitHub's current time in seconds, as far as we know it. */
  private githubNowS(): number {
    return Math.floor((this.now() + this.skewMs) / 1000);
  }

  async token(): Promise<string> {
    const nowS = this.githubNowS();
    if (this.cached && this.cached.exp - nowS > 60) return this.cached.token;
    const iat = nowS - BACKDATE_S;
    // exp counted from GitHub's now, a little inside the limit so a slow request still passes
    const exp = nowS + MAX_LIFETIME_S - BACKDATE_S;
    const token = await new SignJWT({}).setProtectedHeader({ alg: "RS256", typ: "JWT" }).setIssuer(this.appId).setIssuedAt(iat).setExpirationTime(exp).sign(this.key);
    this.cached = { token, exp };
    return token;
  }

  /** When the token `token()` returned last expires (epoch ms, on our clock), or undefined before the first. */
  get expiresAt(): number | undefined {
    return this.cached ? this.cached.exp * 1000 - this.skewMs : undefined;
  }

  /**
   * Learns GitHub's clock from an answer's `Date` header. Returns true when the skew changed by
   * more than the header's one-second resolution (a cached token is then dropped).
   */
  observeDate(date: string | undefined): boolean {
    const at = date ? Date.parse(date) : NaN;
    if (Number.isNaN(at)) return false;
    const skew = at - this.now();
    // the header has whole seconds: only a difference beyond that is news
    if (Math.abs(skew - this.skewMs) < 2000) return false;
    this.skewMs = skew;
    this.cached = undefined;
    return true;
  }

  /** The skew in ms (GitHub minus local), for logs and tests. */
  get skew(): number {
    return this.skewMs;
  }
}
