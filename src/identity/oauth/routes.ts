import type { FastifyError, FastifyInstance } from "fastify";
import { HookyardError } from "../../errors.js";
import { safeReturnTo } from "./return-to.js";
import type { OAuthService } from "./service.js";

/** Options of {@link oauthRoutes}. */
export interface OAuthRouteOptions {
  service: OAuthService;
}

/**
 * The login routes, mounted under `/auth/github`: `GET login` (to GitHub, with state and PKCE;
 * `?return_to=/path` for where to come back), `GET callback` (GitHub's redirect), `POST logout`
 * (revokes the token, clears the session; `?return_to=`), `GET user` (the current user as JSON, or
 * 401). Errors get `Cache-Control: no-store` and go on to the enclosing scope's error handler (the
 * app routes' one answers `{"error":{"code","message"}}` with the code's HTTP status).
 *
 * @example
 * ```ts
 * await fastify.register(oauthRoutes, { prefix: "/auth/github", service });
 * ```
 */
export async function oauthRoutes(app: FastifyInstance, o: OAuthRouteOptions): Promise<void> {
  // a logout form posts an empty urlencoded body; nothing in it is read
  app.addContentTypeParser("application/x-www-form-urlencoded", { parseAs: "string" }, (_req, _body, done) => done(null, {}));
  app.setErrorHandler((error: FastifyError, _req, reply) => {
    // answered by the enclosing scope's error handler (the app routes'), with the code's HTTP status
    const err = error instanceof HookyardError ? error : new HookyardError("HOOKYARD_ERR_INTERNAL", "internal error; see the server log", { cause: error });
    reply.header("cache-control", "no-store");
    throw err;
  });

  app.get("/login", async (req, reply) => {
    const location = o.service.beginLogin(req, reply);
    return reply.header("cache-control", "no-store").redirect(location, 302);
  });

  app.get("/callback", async (req, reply) => {
    const returnTo = await o.service.completeLogin(req, reply);
    return reply.header("cache-control", "no-store").redirect(returnTo, 302);
  });

  app.post("/logout", async (req, reply) => {
    const returnTo = safeReturnTo((req.query as Record<string, unknown>).return_to);
    await o.service.logout(req, reply);
    return reply.header("cache-control", "no-store").redirect(returnTo, 303);
  });

  app.get("/user", async (req, reply) => {
    const user = await o.service.resolve(req, reply);
    return reply.header("cache-control", "no-store").send(user.toJSON());
  });
}
