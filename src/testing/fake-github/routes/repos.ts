import type { FastifyInstance } from "fastify";
import { repoFor } from "../access.js";
import type { FakeContext } from "../context.js";
import { notAccessible } from "../errors.js";
import { authOf, guard } from "../guards.js";
import { permissionsFor, roleOf } from "../identity.js";
import { pageOf } from "../pagination.js";
import { fullRepository, repository } from "../shapes/accounts.js";
import type { Schemas } from "../shapes/urls.js";

/** `GET /installation/repositories`, `GET /repos/{owner}/{repo}`, `GET /rate_limit`. */
export function repoRoutes(app: FastifyInstance, ctx: FakeContext): void {
  const token = guard(ctx, "token");

  app.get("/installation/repositories", { preHandler: token }, async (req, reply) => {
    const auth = authOf(ctx, req);
    if (auth.kind !== "installation") throw notAccessible("https://docs.github.com/rest/apps/installations#list-repositories-accessible-to-the-app-installation");
    const ids = auth.token.repositoryIds;
    const all = ctx.state.installationRepos(auth.installation).filter((r) => ids === null || ids.includes(r.id));
    const page = pageOf(ctx, req, reply, all);
    return {
      total_count: all.length,
      repository_selection: ids === null ? auth.installation.selection : "selected",
      repositories: page.map((r) => repository(ctx.urls, r)),
    };
  });

  app.get("/repos/:owner/:repo", { preHandler: token }, async (req) => {
    const { repo, auth } = repoFor(ctx, req, "https://docs.github.com/rest/repos/repos#get-a-repository");
    // a user token sees the user's own rights, as on GitHub
    return auth.kind === "user" ? { ...fullRepository(ctx.urls, repo), permissions: permissionsFor(roleOf(ctx.state, repo, auth.user)) } : fullRepository(ctx.urls, repo);
  });

  app.get("/rate_limit", { preHandler: guard(ctx, "any", { count: false }) }, async (req) => {
    const auth = authOf(ctx, req);
    const key = ctx.info(req).bucket ?? `app:${auth.app.id}`;
    const b = ctx.rate.bucket(key);
    const core: Schemas["rate-limit"] = { limit: b.limit, remaining: Math.max(0, b.limit - b.used), used: b.used, reset: Math.ceil(b.resetAt / 1000) };
    const other = (limit: number): Schemas["rate-limit"] => ({ limit, remaining: limit, used: 0, reset: Math.ceil((ctx.clock.now() + 60_000) / 1000) });
    const out: Schemas["rate-limit-overview"] = {
      resources: { core, search: other(30), graphql: other(5000), integration_manifest: other(5000), code_search: other(10) },
      rate: core,
    };
    return out;
  });
}
