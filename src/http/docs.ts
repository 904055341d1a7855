import { createRequire } from "node:module";
import type { FastifyInstance } from "fastify";
import type { OpenAPIV3_1 } from "openapi-types";
import { jsonSchemaTransform, jsonSchemaTransformObject } from "fastify-type-provider-zod";
import { z } from "zod";
import { useZodSchemas } from "./api/zod.js";
import { recordRoutes } from "./docs-routes.js";

const { version } = createRequire(import.meta.url)("../../package.json") as { version: string };

/** Where the OpenAPI document and the interactive page are served. */
export const OPENAPI_PATH = "/api/v1/openapi.json";
export const DOCS_PATH = "/docs";

const DESCRIPTION = [
  "Hookyard's management API: stored deliveries and the tasks they started.",
  "Authentication: `Authorization: Bearer $HOOKYARD_API_TOKEN`; with no token configured only loopback callers are answered.",
  "Errors answer `{ \"error\": { \"code\": \"HOOKYARD_ERR_…\", \"message\": \"…\" } }`.",
].join("\n\n");

/** Whether a route's schema is written in zod (the others — the webhook route, an app's own routes — are left out). */
function isZodDocumented(schema: unknown): boolean {
  const response = (schema as { response?: Record<string, unknown> } | undefined)?.response;
  return response !== undefined && Object.values(response).some((s) => typeof s === "object" && s !== null && "_zod" in s);
}

/** The document without the components nothing refers to (the request-side copies of answer schemas). */
function withoutUnusedSchemas(doc: OpenAPIV3_1.Document): OpenAPIV3_1.Document {
  const schemas = { ...doc.components?.schemas };
  for (;;) {
    const text = JSON.stringify({ ...doc, components: { ...doc.components, schemas } });
    const unused = Object.keys(schemas).filter((name) => !text.includes(`"#/components/schemas/${name}"`));
    if (unused.length === 0) return { ...doc, components: { ...doc.components, schemas } };
    for (const name of unused) delete schemas[name];
  }
}

/**
 * OpenAPI 3 for every route registered after it that has a zod schema (the management API,
 * health), generated from those schemas; the document at `/api/v1/openapi.json` and an
 * interactive page at `/docs` (Swagger UI, its assets served from the package: no CDN). Both are
 * public: they describe routes and hold no data; the API calls made from the page need the token
 * (its "Authorize" button). Register it before the routes.
 *
 * @example
 * ```ts
 * await openApiDocs(fastify); await fastify.register(managementApi, { prefix: "/api/v1" });
 * ```
 */
export async function openApiDocs(fastify: FastifyInstance): Promise<void> {
  recordRoutes(fastify);
  // loaded here, not at import: CLI commands that never start a server do not pay for them
  const [{ default: fastifySwagger }, { default: fastifySwaggerUi }] = await Promise.all([import("@fastify/swagger"), import("@fastify/swagger-ui")]);
  await fastify.register(fastifySwagger, {
    openapi: {
      openapi: "3.1.0",
      info: { title: "Hookyard management API", version, description: DESCRIPTION },
      components: { securitySchemes: { bearer: { type: "http", scheme: "bearer", description: "HOOKYARD_API_TOKEN" } } },
      tags: [
        { name: "deliveries", description: "Stored webhook deliveries" },
        { name: "tasks", description: "Handler runs: queued → running → completed, retrying or failed" },
        { name: "console", description: "What the web console reads: overview figures and a change stream" },
        { name: "agent", description: "The agent workflow's runs" },
        { name: "health", description: "Liveness, readiness and metrics" },
      ],
    },
    transform: (route) => (isZodDocumented(route.schema) ? jsonSchemaTransform(route) : { schema: { hide: true } as never, url: route.url }),
    transformObject: (doc) => withoutUnusedSchemas(jsonSchemaTransformObject(doc) as OpenAPIV3_1.Document),
  });
  await fastify.register(fastifySwaggerUi, { routePrefix: DOCS_PATH, staticCSP: true, uiConfig: { deepLinking: true, validatorUrl: null } });
  await fastify.register(async (scope) => {
    useZodSchemas(scope);
    scope.get(OPENAPI_PATH, {
      schema: { tags: ["health"], operationId: "getOpenApi", summary: "This OpenAPI document", response: { 200: z.looseObject({ openapi: z.string() }) } },
    }, async () => fastify.swagger());
  });
}
