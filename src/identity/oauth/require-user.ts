import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { HookyardError, isHookyardError, type ErrorCode } from "../../errors.js";
import { safeReturnTo } from "./return-to.js";
import type { OAuthService } from "./service.js";
import type { GitHubUser } from "./user.js";

declare module "fastify" {
  interface FastifyRequest {
    /** The logged-in GitHub user, set by `requireUser()`. */
    user?: GitHubUser;
  }
}

/** The decoration under which app routes find the login service. */
export const OAUTH_SERVICE = Symbol.for("hookyard.oauth");

/** Options of {@link requireUser}. */
export interface RequireUserOptions {
  /**
   * Send browsers without a session (a GET asking for HTML) to the login page, back here afterwards.
   * Default true; API callers always get `401` JSON.
   */
  redirect?: boolean;
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/** The codes that mean "log in (again)": a browser asking for a page is sent to the login page. */
export const LOGIN_NEEDED: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  "HOOKYARD_ERR_OAUTH_LOGIN_REQUIRED", "HOOKYARD_ERR_OAUTH_SESSION_INVALID", "HOOKYARD_ERR_OAUTH_SESSION_EXPIRED", "HOOKYARD_ERR_OAUTH_SESSION_REVOKED",
]);

/** The login service of the app a request was routed in. */
export function oauthServiceOf(req: FastifyRequest): OAuthService | undefined {
  return (req.server as FastifyInstance & { [OAUTH_SERVICE]?: OAuthService })[OAUTH_SERVICE];
}

function crossOrigin(req: FastifyRequest, origin: string): boolean {
  if (SAFE_METHODS.has(req.method)) return false;
  const given = req.headers.origin;
  if (given !== undefined) return given !== origin;
  return req.headers["sec-fetch-site"] === "cross-site";
}

/**
 * A route guard (Fastify `preHandler`) for the app's own routes (`app.route()`): admits requests
 * with a live GitHub login session, setting `request.user` (with `request.user.octokit`, acting as
 * the user). The user's token is refreshed when it is about to expire. Without a session, a
 * browser GET asking for HTML is redirected to `/auth/github/login?return_to=…`; other requests get
 * `401 {"error":{"code","message"}}`. State-changing requests from another site's page (its
 * `Origin`) are refused with `403 HOOKYARD_ERR_OAUTH_CROSS_ORIGIN`. A refusal is thrown (with
 * `Cache-Control: no-store` set) to the route's error handler, which answers it with the code's
 * HTTP status.
 *
 * @example
 * ```ts
 * import { requireUser, userInTeam } from "hookyard";
 *
 * app.route((http) => {
 *   http.get("/dashboard", { preHandler: requireUser() }, async (req) => {
 *     const user = req.user!;
 *     return { hello: user.login, admin: await userInTeam(user, "acme/admins") };
 *   });
 * });
 * ```
 */
export function requireUser(options: RequireUserOptions = {}) {
  const redirect = options.redirect ?? true;
  return async function userGuard(req: FastifyRequest, reply: FastifyReply): Promise<void> {
    const service = oauthServiceOf(req);
    let error: HookyardError;
    try {
      if (!service) throw new HookyardError("HOOKYARD_ERR_OAUTH_NOT_CONFIGURED", "requireUser() needs GitHub login: set GITHUB_CLIENT_ID, GITHUB_CLIENT_SECRET and HOOKYARD_SESSION_SECRET, and register the route with app.route()");
      if (crossOrigin(req, service.siteOf(req).origin)) throw new HookyardError("HOOKYARD_ERR_OAUTH_CROSS_ORIGIN", "this request comes from another site's page");
      req.user = await service.resolve(req, reply);
      return;
    } catch (err) {
      if (!isHookyardError(err)) throw err;
      error = err;
    }
    if (LOGIN_NEEDED.has(error.code) && redirect && req.method === "GET" && String(req.headers.accept ?? "").includes("text/html")) {
      let back = "";
      try {
        back = `?return_to=${encodeURIComponent(safeReturnTo(req.url))}`;
      } catch {
        // an odd URL is not worth coming back to
      }
      return reply.header("cache-control", "no-store").redirect(`/auth/github/login${back}`, 302);
    }
    reply.header("cache-control", "no-store");
    throw error;
  };
}
