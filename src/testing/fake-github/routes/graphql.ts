import type { FastifyInstance } from "fastify";
import { graphql, type GraphQLError } from "graphql";
import { bodyOf } from "../body.js";
import type { FakeContext } from "../context.js";
import { fakeSchema, rootFor, TypedGraphQLError } from "../graphql/schema.js";
import { authOf, guard } from "../guards.js";

/** An error as GitHub's GraphQL API lists it: message, locations, path, and `type` where GitHub gives one. */
function errorJson(e: GraphQLError): Record<string, unknown> {
  const type = e.originalError instanceof TypedGraphQLError ? e.originalError.type : undefined;
  return { ...e.toJSON(), ...(type === undefined ? {} : { type }) };
}

/**
 * `POST /graphql`: every request is recorded in `fake.graphql.queries`; an answer configured with
 * `fake.graphql.answer(…)` wins, else the fake's own schema answers from its state. Failures are
 * GraphQL-shaped (`200` with `errors`), as on GitHub.
 */
export function graphqlRoutes(app: FastifyInstance, ctx: FakeContext): void {
  app.post("/graphql", { preHandler: guard(ctx, "token") }, async (req) => {
    const auth = authOf(ctx, req);
    const body = bodyOf(req);
    const query = typeof body.query === "string" ? body.query : "";
    const variables = typeof body.variables === "object" && body.variables !== null ? (body.variables as Record<string, unknown>) : {};
    const operationName = typeof body.operationName === "string" ? body.operationName : undefined;
    const call = { query, variables, operationName };
    const configured = query === "" ? undefined : ctx.graphql.take(call);
    const installationId = auth.kind === "installation" ? auth.installation.id : undefined;
    ctx.graphql.queries.push({ ...call, installationId, answeredBy: configured ? "configured" : "state", at: new Date(ctx.clock.now()) });
    if (configured) return { data: configured };
    if (query === "") return { errors: [{ message: "A query attribute must be specified and must be a string." }] };
    const result = await graphql({ schema: fakeSchema(), source: query, rootValue: rootFor(ctx, auth), variableValues: variables, operationName });
    return { ...("data" in result ? { data: result.data } : {}), ...(result.errors ? { errors: result.errors.map(errorJson) } : {}) };
  });
}
