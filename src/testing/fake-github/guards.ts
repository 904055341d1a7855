import type { FastifyReply, FastifyRequest } from "fastify";
import { JWT_MESSAGES, verifyAppJwt } from "./app-auth.js";
import { bucketKey, bucketSubject, type AuthInfo, type FakeContext } from "./context.js";
import { GitHubApiError, badCredentials, notAccessible } from "./errors.js";
import { rateHeaders } from "./rate-limit.js";

/**
 * What a route accepts: an App JWT, an installation or user token (`token`), only a user token,
 * or any of them (`any`, e.g. `GET /rate_limit`).
 */
export type AuthRequirement = "app" | "token" | "user" | "any";

const JWT_SHAPE = /^[\w-]+\.[\w-]+\.[\w-]+$/;
const RATE_DOCS = "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api";
const SECONDARY_DOCS = "https://docs.github.com/free-pro-team@latest/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits";

/** The credential in `Authorization: Bearer|token <credential>`, if any. */
export function credentialOf(req: FastifyRequest): string | undefined {
  const m = /^(?:bearer|token)\s+(\S+)\s*$/i.exec(req.headers.authorization ?? "");
  return m?.[1];
}

/** The username and password of `Authorization: Basic …` (how git sends a token), if any. */
export function basicCredentials(req: FastifyRequest): { username: string; password: string } | undefined {
  const m = /^basic\s+(\S+)\s*$/i.exec(req.headers.authorization ?? "");
  if (!m?.[1]) return undefined;
  const text = Buffer.from(m[1], "base64").toString("utf8");
  const colon = text.indexOf(":");
  return colon === -1 ? undefined : { username: text.slice(0, colon), password: text.slice(colon + 1) };
}

/** What kind of credential the caller presented (for the request log), valid or not. */
export function presentedKind(req: FastifyRequest): "app" | "installation" | "user" | "none" | "unknown" {
  const cred = credentialOf(req) ?? basicCredentials(req)?.password;
  if (cred === undefined) return req.headers.authorization ? "unknown" : "none";
  if (JWT_SHAPE.test(cred)) return "app";
  if (cred.startsWith("ghs_")) return "installation";
  if (cred.startsWith("ghu_")) return "user";
  return "unknown";
}

async function authenticate(ctx: FakeContext, req: FastifyRequest, need: AuthRequirement): Promise<AuthInfo> {
  const cred = credentialOf(req);
  if (cred === undefined) throw new GitHubApiError(401, "Requires authentication");
  if (JWT_SHAPE.test(cred)) {
    const app = await verifyAppJwt(ctx.state, cred, ctx.clock.now());
    if (need !== "app" && need !== "any") throw notAccessible();
    return { kind: "app", app };
  }
  if (need === "app") throw new GitHubApiError(401, JWT_MESSAGES.undecodable);
  const inst = ctx.tokens.installationToken(cred);
  if (inst) {
    if (need === "user") throw notAccessible();
    const installation = ctx.state.installations.get(inst.installationId);
    const app = ctx.state.app(inst.appId);
    if (!installation || !app) throw badCredentials();
    return { kind: "installation", app, installation, token: inst };
  }
  const user = ctx.tokens.userToken(cred);
  if (user) {
    const app = ctx.state.app(user.appId);
    if (!app) throw badCredentials();
    return { kind: "user", app, user: user.user, token: user };
  }
  throw badCredentials();
}

function utcStamp(ms: number): string {
  return new Date(ms).toISOString().replace("T", " ").replace(/\.\d+Z$/, " UTC");
}

/**
 * A preHandler that authenticates the caller as `need` demands, then applies secondary and
 * primary rate limits (counting the request unless `count` is false).
 */
export function guard(ctx: FakeContext, need: AuthRequirement, options: { count?: boolean } = {}) {
  return async function checkAuth(req: FastifyRequest, _reply: FastifyReply): Promise<void> {
    const auth = await authenticate(ctx, req, need);
    const info = ctx.info(req);
    info.auth = auth;
    const key = bucketKey(auth);
    info.bucket = key;
    const stamp = `request ID ${req.id} and timestamp ${utcStamp(ctx.clock.now())}`;
    const secondary = ctx.rate.takeSecondary(key);
    if (secondary) {
      throw new GitHubApiError(
        secondary.status,
        `You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the ${stamp}.`,
        { documentationUrl: SECONDARY_DOCS, headers: { "retry-after": String(secondary.retryAfterSeconds) } },
      );
    }
    if (options.count === false) return;
    if (!ctx.rate.take(key)) {
      throw new GitHubApiError(
        403,
        `API rate limit exceeded for ${bucketSubject(auth)}. If you reach out to GitHub Support for help, please include the ${stamp}.`,
        { documentationUrl: RATE_DOCS, headers: rateHeaders(ctx.rate.bucket(key)) },
      );
    }
    info.counted = key;
  };
}

/** The caller's authentication (after a {@link guard} ran). */
export function authOf(ctx: FakeContext, req: FastifyRequest): AuthInfo {
  const auth = ctx.info(req).auth;
  if (!auth) throw badCredentials();
  return auth;
}
