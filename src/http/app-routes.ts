import type { FastifyError, FastifyInstance } from "fastify";
import { HookyardError } from "../errors.js";
import { OAUTH_SERVICE, oauthRoutes, type OAuthService } from "../identity/oauth/index.js";

/** A function that adds routes to the app's HTTP server (`app.route(plugin)`). */
export type RoutePlugin = (fastify: FastifyInstance) => void | Promise<void>;

/** Options of {@link appRoutes}. */
export interface AppRoutesOptions {
  routes: readonly { plugin: RoutePlugin; prefix?: string | undefined }[];
  /** GitHub login, when configured: `/auth/github/*`, and what `requireUser()` reads. */
  oauth: OAuthService | undefined;
}

/**
 * The app's own routes, in one scope of the server: the login routes under `/auth/github` (when
 * configured) and every `app.route()` plugin. The scope carries the login service for
 * `requireUser()`, and answers errors as `{"error":{"code","message"}}` (a plugin may set its own
 * error handler).
 *
 * @example
 * ```ts
 * await fastify.register(appRoutes, { routes: [{ plugin: (f) => { f.get("/hello", async () => "hi"); } }], oauth: undefined });
 * ```
 */
export async function appRoutes(scope: FastifyInstance, o: AppRoutesOptions): Promise<void> {
  if (o.oauth) scope.decorate(OAUTH_SERVICE, o.oauth);
  scope.setErrorHandler((error: FastifyError, req, reply) => {
    if (error instanceof HookyardError) {
      if (error.statusCode >= 500) req.log.error({ err: error }, "app route failed");
      return reply.code(error.statusCode).send(error.toJSON());
    }
    const status = typeof error.statusCode === "number" && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    if (status === 500) {
      req.log.error({ err: error, url: req.url.split("?")[0] }, "app route failed");
      return reply.code(500).send(new HookyardError("HOOKYARD_ERR_INTERNAL", "internal error; see the server log").toJSON());
    }
    return reply.code(status).send({ error: { code: error.code ?? "HOOKYARD_ERR_API_BAD_REQUEST", message: error.message } });
  });
  if (o.oauth) await scope.register(oauthRoutes, { prefix: "/auth/github", service: o.oauth });
  for (const r of o.routes) {
    await scope.register(async (child) => {
      await r.plugin(child);
    }, r.prefix ? { prefix: r.prefix } : {});
  }
}
