import type { FastifyError, FastifyInstance } from "fastify";
import { HookyardError } from "../errors.js";
import { httpStatus } from "./error-status.js";
import { OAUTH_SERVICE, oauthRoutes, type OAuthService } from "../identity/oauth/index.js";
import { reservedPath } from "./node-handlers.js";

/** A function that adds routes to the app's HTTP server (`app.route(plugin)`). */
export type RoutePlugin = (fastify: FastifyInstance) => void | Promise<void>;

/** Options of {@link appRoutes}. */
export interface AppRoutesOptions {
  routes: readonly { plugin: RoutePlugin; prefix?: string | undefined }[];
  /** GitHub login, when configured: `/auth/github/*`, and what `requireUser()` reads. */
  oauth: OAuthService | undefined;
  /** The webhook path, which no app route may take (default `/api/github/webhooks`). */
  webhookPath?: string;
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
      const status = httpStatus(error.code);
      if (status >= 500) req.log.error({ err: error }, "app route failed");
      return reply.code(status).send(error.toJSON());
    }
    const status = typeof error.statusCode === "number" && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    if (status === 500) {
      req.log.error({ err: error, url: req.url.split("?")[0] }, "app route failed");
      return reply.code(500).send(new HookyardError("HOOKYARD_ERR_INTERNAL", "internal error; see the server log").toJSON());
    }
    return reply.code(status).send({ error: { code: error.code ?? "HOOKYARD_ERR_API_BAD_REQUEST", message: error.message } });
  });
  // an app's routes never shadow Hookyard's own (the route's full path, prefix included)
  const webhookPath = o.webhookPath ?? "/api/github/webhooks";
  scope.addHook("onRoute", (route) => {
    if (route.url !== "*" && reservedPath(route.url, webhookPath)) {
      throw new HookyardError("HOOKYARD_ERR_APP_ROUTE_RESERVED", `app route ${route.url} would shadow Hookyard's own; choose another path or prefix`);
    }
  });
  if (o.oauth) await scope.register(oauthRoutes, { prefix: "/auth/github", service: o.oauth });
  for (const r of o.routes) {
    await scope.register(async (child) => {
      await r.plugin(child);
    }, r.prefix ? { prefix: r.prefix } : {});
  }
}
