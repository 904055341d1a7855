import type { FastifyInstance, HTTPMethods } from "fastify";

/** A route as registered: its method, URL and whether it has a schema that is not hidden. */
export interface RegisteredRoute {
  method: HTTPMethods;
  url: string;
  documented: boolean;
}

const registered = new WeakMap<FastifyInstance, RegisteredRoute[]>();

/** Records every route registered on `fastify` (and its children) from now on. */
export function recordRoutes(fastify: FastifyInstance): void {
  const routes: RegisteredRoute[] = [];
  registered.set(fastify, routes);
  fastify.addHook("onRoute", (route) => {
    const schema = route.schema as { hide?: boolean; response?: unknown } | undefined;
    const documented = schema !== undefined && schema.hide !== true && schema.response !== undefined;
    for (const method of [route.method].flat()) routes.push({ method, url: route.url, documented });
  });
}

/**
 * Every route registered on `fastify` after {@link recordRoutes} (HEAD routes Fastify adds for GET
 * ones included), e.g. to check that each management route is in the OpenAPI document.
 *
 * @example
 * ```ts
 * const undocumented = registeredRoutes(fastify).filter((r) => r.url.startsWith("/api/v1") && !r.documented);
 * ```
 */
export function registeredRoutes(fastify: FastifyInstance): readonly RegisteredRoute[] {
  return registered.get(fastify) ?? [];
}
