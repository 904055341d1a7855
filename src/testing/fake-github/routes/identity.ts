import type { FastifyInstance } from "fastify";
import type { FakeContext } from "../context.js";
import { GitHubApiError, missingField, notFound } from "../errors.js";
import { authOf, guard } from "../guards.js";
import { identityOf, teamShape } from "../identity.js";
import { pageOf } from "../pagination.js";

const TOKEN_DOCS = "https://docs.github.com/rest/apps/oauth-applications#delete-an-app-token";

/** `client_id:client_secret` from `Authorization: Basic …`, the only credential the applications endpoints take. */
function basicAuth(header: string | undefined): { id: string; secret: string } | undefined {
  const m = /^basic\s+(\S+)$/i.exec(header ?? "");
  if (!m?.[1]) return undefined;
  const decoded = Buffer.from(m[1], "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  return colon < 0 ? undefined : { id: decoded.slice(0, colon), secret: decoded.slice(colon + 1) };
}

/** `GET /user/teams` (the teams of the user a token belongs to) and `DELETE /applications/{client_id}/token`. */
export function identityRoutes(app: FastifyInstance, ctx: FakeContext): void {
  app.get("/user/teams", { preHandler: guard(ctx, "user") }, async (req, reply) => {
    const auth = authOf(ctx, req);
    if (auth.kind !== "user") throw new Error("unreachable: guard admits only user tokens");
    const teams = [...identityOf(ctx.state).teams.values()].filter((t) => t.members.has(auth.user.id)).sort((a, b) => a.id - b.id);
    return pageOf(ctx, req, reply, teams).map((t) => teamShape(ctx, t));
  });

  app.delete("/applications/:client_id/token", async (req, reply) => {
    const { client_id: clientId } = req.params as { client_id: string };
    const creds = basicAuth(req.headers.authorization);
    const client = ctx.state.appByClientId(clientId);
    if (!creds || !client || creds.id !== clientId || creds.secret !== client.clientSecret) throw notFound(TOKEN_DOCS);
    const token = (req.body as { access_token?: unknown } | undefined)?.access_token;
    if (typeof token !== "string") throw missingField("access_token", TOKEN_DOCS);
    if (!ctx.tokens.revokeUserToken(client.id, token)) throw new GitHubApiError(404, "Not Found", { documentationUrl: TOKEN_DOCS });
    return reply.code(204).send();
  });
}
