import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { FakeContext } from "../context.js";
import { authOf, guard } from "../guards.js";
import { privateUser } from "../shapes/accounts.js";
import { pkceChallenge, REFRESH_TOKEN_TTL_S, USER_TOKEN_TTL_S, type UserToken } from "../tokens.js";

const TROUBLESHOOTING = "https://docs.github.com/apps/managing-oauth-apps/troubleshooting-oauth-app-access-token-request-errors";

const ERRORS = {
  incorrect_client_credentials: ["The client_id and/or client_secret passed are incorrect.", "#incorrect-client-credentials"],
  bad_verification_code: ["The code passed is incorrect or expired.", "#bad-verification-code"],
  redirect_uri_mismatch: ["The redirect_uri MUST match the registered callback URL for this application.", "#redirect-uri-mismatch2"],
  bad_refresh_token: ["The refresh token passed is incorrect or expired.", "#bad-refresh-token"],
  unsupported_grant_type: ["The grant type is not supported.", "#unsupported-grant-type"],
} as const;

type OAuthError = keyof typeof ERRORS;

/** GitHub answers the token endpoint as JSON only when asked to; otherwise form-encoded. */
function answer(req: FastifyRequest, reply: FastifyReply, body: Record<string, string | number>) {
  if ((req.headers.accept ?? "").includes("json")) return reply.send(body);
  const form = new URLSearchParams();
  for (const [k, v] of Object.entries(body)) form.set(k, String(v));
  return reply.type("application/x-www-form-urlencoded; charset=utf-8").send(form.toString());
}

function failure(req: FastifyRequest, reply: FastifyReply, error: OAuthError) {
  const [description, anchor] = ERRORS[error];
  return answer(req, reply, { error, error_description: description, error_uri: `${TROUBLESHOOTING}/${anchor}` });
}

function success(req: FastifyRequest, reply: FastifyReply, t: UserToken) {
  return answer(req, reply, {
    access_token: t.token,
    expires_in: USER_TOKEN_TTL_S,
    refresh_token: t.refreshToken,
    refresh_token_expires_in: REFRESH_TOKEN_TTL_S,
    scope: "",
    token_type: "bearer",
  });
}

function params(req: FastifyRequest): Record<string, string> {
  const out: Record<string, string> = {};
  const merge = (src: unknown) => {
    if (typeof src !== "object" || src === null) return;
    for (const [k, v] of Object.entries(src)) if (typeof v === "string") out[k] = v;
  };
  merge(req.query);
  merge(req.body);
  return out;
}

/** The OAuth web flow's token endpoint (codes and refresh tokens, PKCE S256) and `GET /user`. */
export function oauthRoutes(app: FastifyInstance, ctx: FakeContext): void {
  app.post("/login/oauth/access_token", async (req, reply) => {
    const p = params(req);
    const client = p.client_id === undefined ? undefined : ctx.state.appByClientId(p.client_id);
    if (!client || p.client_secret !== client.clientSecret) return failure(req, reply, "incorrect_client_credentials");
    if (p.grant_type === "refresh_token") {
      const old = p.refresh_token === undefined ? undefined : ctx.tokens.takeRefreshToken(p.refresh_token);
      if (!old || old.appId !== client.id) return failure(req, reply, "bad_refresh_token");
      return success(req, reply, ctx.tokens.issueUserToken(client.id, old.user));
    }
    if (p.grant_type !== undefined && p.grant_type !== "authorization_code") return failure(req, reply, "unsupported_grant_type");
    const code = p.code === undefined ? undefined : ctx.tokens.takeCode(p.code);
    if (!code || code.appId !== client.id) return failure(req, reply, "bad_verification_code");
    if (code.redirectUri !== undefined && p.redirect_uri !== undefined && p.redirect_uri !== code.redirectUri) {
      return failure(req, reply, "redirect_uri_mismatch");
    }
    if (code.codeChallenge !== undefined && (p.code_verifier === undefined || pkceChallenge(p.code_verifier) !== code.codeChallenge)) {
      return failure(req, reply, "bad_verification_code");
    }
    return success(req, reply, ctx.tokens.issueUserToken(client.id, code.user));
  });

  app.get("/user", { preHandler: guard(ctx, "user") }, async (req) => {
    const auth = authOf(ctx, req);
    if (auth.kind !== "user") throw new Error("unreachable: guard admits only user tokens");
    return privateUser(ctx.urls, auth.user, ctx.clock.now());
  });
}
