import type { FastifyReply, FastifyRequest } from "fastify";
import { HookyardError, isHookyardError, type ErrorCode } from "../../errors.js";
import type { ActionsToken } from "./claims.js";
import { prepareActionsOptions, verifyPrepared, type ActionsTokenOptions } from "./verify.js";

declare module "fastify" {
  interface FastifyRequest {
    /** The verified GitHub Actions token, set by `requireActionsToken()`. */
    actionsToken?: ActionsToken;
  }
}

/** A Fastify `preHandler`. */
export type RouteGuard = (request: FastifyRequest, reply: FastifyReply) => Promise<void>;

/** The codes that mean "no valid token" (answered 401 with `WWW-Authenticate: Bearer error="invalid_token"`). */
export const INVALID_TOKEN: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  "HOOKYARD_ERR_OIDC_TOKEN_MISSING", "HOOKYARD_ERR_OIDC_TOKEN_MALFORMED", "HOOKYARD_ERR_OIDC_UNSIGNED", "HOOKYARD_ERR_OIDC_ALGORITHM",
  "HOOKYARD_ERR_OIDC_KEY_UNKNOWN", "HOOKYARD_ERR_OIDC_SIGNATURE_INVALID", "HOOKYARD_ERR_OIDC_ISSUER", "HOOKYARD_ERR_OIDC_AUDIENCE",
  "HOOKYARD_ERR_OIDC_EXPIRED", "HOOKYARD_ERR_OIDC_NOT_YET_VALID", "HOOKYARD_ERR_OIDC_CLAIMS_INVALID",
]);

function bearer(req: FastifyRequest): string | undefined {
  const m = /^bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? "");
  return m?.[1];
}

/**
 * A route guard (Fastify `preHandler`) that admits requests carrying a GitHub Actions OIDC token
 * (`Authorization: Bearer <token>`) that verifies and satisfies the policy, and sets
 * `request.actionsToken`. The options are checked here, once: an empty policy throws
 * `HOOKYARD_ERR_OIDC_POLICY_EMPTY` at setup. A refused request is answered
 * `{"error":{"code","message"}}` by the route's error handler, which the guard throws to: 401 for a
 * missing or invalid token (with `WWW-Authenticate`), 403 when the policy refuses a valid one, 503
 * when the issuer's keys cannot be loaded.
 *
 * @example
 * ```ts
 * import { requireActionsToken } from "hookyard";
 *
 * app.route((http) => {
 *   const ci = requireActionsToken({ audience: "https://deploy.example.com", policy: { repositoryIds: [74], environments: ["production"] } });
 *   http.post("/deploy", { preHandler: ci }, async (req) => ({ sha: req.actionsToken?.sha }));
 * });
 * ```
 */
export function requireActionsToken(options: ActionsTokenOptions): RouteGuard {
  const prepared = prepareActionsOptions(options);
  return async function actionsTokenGuard(req, reply) {
    try {
      const token = bearer(req);
      if (token === undefined) throw new HookyardError("HOOKYARD_ERR_OIDC_TOKEN_MISSING", "send the workflow's OIDC token as Authorization: Bearer <token>");
      req.actionsToken = await verifyPrepared(token, prepared);
    } catch (err) {
      const e = isHookyardError(err) ? err : new HookyardError("HOOKYARD_ERR_INTERNAL", "internal error; see the server log", { cause: err });
      if (INVALID_TOKEN.has(e.code)) reply.header("www-authenticate", `Bearer error="invalid_token"`);
      // the token's fault (invalid, or refused by the policy); the route's error handler logs the server's own failures
      if (e.code !== "HOOKYARD_ERR_INTERNAL" && e.code !== "HOOKYARD_ERR_OIDC_JWKS_UNAVAILABLE") req.log.info({ code: e.code }, "Actions token refused");
      throw e;
    }
  };
}
