import type { FastifyError, FastifyInstance } from "fastify";
import { hasZodFastifySchemaValidationErrors, serializerCompiler, validatorCompiler } from "fastify-type-provider-zod";
import { HookyardError } from "../../errors.js";

/**
 * Makes the zod schemas of the routes in `app`'s scope validate requests and check answers (an
 * answer that does not match its documented schema is a 500, never an undocumented shape).
 * Encapsulated: the app's own routes (`app.route()`) keep Fastify's default JSON-schema compilers.
 *
 * @example
 * ```ts
 * export async function routes(app: FastifyInstance) { useZodSchemas(app); app.get(…) }
 * ```
 */
export function useZodSchemas(app: FastifyInstance): void {
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
}

const WHERE: Record<string, string> = { querystring: "query parameter", params: "path parameter", body: "body field", headers: "header" };

/**
 * A request that failed its route's zod schema, as `HOOKYARD_ERR_API_BAD_REQUEST` naming the
 * first problem (`invalid query parameter limit: Too big: expected number to be <=500`); undefined
 * for any other error.
 */
export function schemaValidationError(error: FastifyError): HookyardError | undefined {
  if (!hasZodFastifySchemaValidationErrors(error)) return undefined;
  const first = error.validation[0];
  const where = WHERE[error.validationContext ?? ""] ?? "request field";
  const field = first?.instancePath.replace(/^\//, "").replaceAll("/", ".") ?? "";
  return new HookyardError("HOOKYARD_ERR_API_BAD_REQUEST", `invalid ${where} ${field}: ${first?.message ?? "invalid"}`);
}
