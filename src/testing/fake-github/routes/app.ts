import type { FastifyInstance } from "fastify";
import { grants } from "../access.js";
import { intParam, bodyOf } from "../body.js";
import { isoSeconds } from "../clock.js";
import type { FakeContext } from "../context.js";
import { GitHubApiError, notFound } from "../errors.js";
import { authOf, guard } from "../guards.js";
import { pageOf } from "../pagination.js";
import { installation, integration, repository } from "../shapes/accounts.js";
import type { Schemas } from "../shapes/urls.js";
import type { AppRecord, InstallationRecord, PermissionLevel, Permissions } from "../state.js";

const DOC_TOKEN = "https://docs.github.com/rest/apps/apps#create-an-installation-access-token-for-an-app";

/** App-JWT routes: the App, its installations, and installation access tokens. */
export function appRoutes(app: FastifyInstance, ctx: FakeContext): void {
  const jwt = guard(ctx, "app");
  const appOf = (req: Parameters<typeof authOf>[1]): AppRecord => authOf(ctx, req).app;
  const show = (a: AppRecord, inst: InstallationRecord) => installation(ctx.urls, inst, a);

  app.get("/app", { preHandler: jwt }, async (req) => {
    const a = appOf(req);
    return integration(ctx.urls, a, ctx.state.installationsOfApp(a.id).length);
  });

  app.get("/app/installations", { preHandler: jwt }, async (req, reply) => {
    const a = appOf(req);
    return pageOf(ctx, req, reply, ctx.state.installationsOfApp(a.id)).map((i) => show(a, i));
  });

  app.get("/app/installations/:id", { preHandler: jwt }, async (req) => {
    const a = appOf(req);
    const inst = ctx.state.installations.get(intParam((req.params as { id: string }).id) ?? 0);
    if (!inst || inst.appId !== a.id) throw notFound("https://docs.github.com/rest/apps/apps#get-an-installation-for-the-authenticated-app");
    return show(a, inst);
  });

  app.get("/repos/:owner/:repo/installation", { preHandler: jwt }, async (req) => {
    const a = appOf(req);
    const { owner, repo: name } = req.params as { owner: string; repo: string };
    const repo = ctx.state.repo(owner, name);
    const inst = repo && ctx.state.installationsOfApp(a.id).find((i) => ctx.state.installationCovers(i, repo));
    if (!inst) throw notFound("https://docs.github.com/rest/apps/apps#get-a-repository-installation-for-the-authenticated-app");
    return show(a, inst);
  });

  const byAccount = (path: string, orgOnly: boolean, doc: string) =>
    app.get(path, { preHandler: jwt }, async (req) => {
      const a = appOf(req);
      const login = (req.params as { login: string }).login.toLowerCase();
      const inst = ctx.state.installationsOfApp(a.id).find((i) => i.account.login.toLowerCase() === login && (!orgOnly || i.account.type === "Organization"));
      if (!inst) throw notFound(doc);
      return show(a, inst);
    });
  byAccount("/orgs/:login/installation", true, "https://docs.github.com/rest/apps/apps#get-an-organization-installation-for-the-authenticated-app");
  byAccount("/users/:login/installation", false, "https://docs.github.com/rest/apps/apps#get-a-user-installation-for-the-authenticated-app");

  app.post("/app/installations/:id/access_tokens", { preHandler: jwt }, async (req, reply) => {
    const a = appOf(req);
    const inst = ctx.state.installations.get(intParam((req.params as { id: string }).id) ?? 0);
    if (!inst || inst.appId !== a.id) throw notFound(DOC_TOKEN);
    const body = bodyOf(req);
    const permissions = requestedPermissions(inst, body.permissions);
    const repoIds = requestedRepositories(ctx, inst, body);
    const t = ctx.tokens.issueInstallationToken(a, inst, permissions, repoIds);
    const out: Schemas["installation-token"] = {
      token: t.token,
      expires_at: isoSeconds(t.expiresAt.getTime()),
      permissions: { ...permissions },
      repository_selection: repoIds === null ? inst.selection : "selected",
    };
    if (repoIds !== null || inst.selection === "selected") {
      const repos = repoIds === null ? ctx.state.installationRepos(inst) : repoIds.flatMap((id) => ctx.state.repoById(id) ?? []);
      out.repositories = repos.map((r) => repository(ctx.urls, r));
    }
    reply.code(201);
    return out;
  });
}

function requestedPermissions(inst: InstallationRecord, raw: unknown): Permissions {
  if (raw === undefined || raw === null) return { ...inst.permissions };
  if (typeof raw !== "object" || Array.isArray(raw)) throw new GitHubApiError(422, "Invalid request.\n\nFor 'permissions', it is not an object.", { documentationUrl: DOC_TOKEN });
  const out: Permissions = {};
  for (const [name, level] of Object.entries(raw as Record<string, unknown>)) {
    if (level !== "read" && level !== "write" && level !== "admin") {
      throw new GitHubApiError(422, `Invalid request.\n\nFor 'properties/${name}', "${String(level)}" is not a permission level.`, { documentationUrl: DOC_TOKEN });
    }
    if (!grants(inst.permissions[name], level as PermissionLevel)) {
      throw new GitHubApiError(422, "The permissions requested are not granted to this installation.", { documentationUrl: DOC_TOKEN });
    }
    out[name] = level;
  }
  return out;
}

function requestedRepositories(ctx: FakeContext, inst: InstallationRecord, body: Record<string, unknown>): number[] | null {
  const names = body.repositories;
  const ids = body.repository_ids;
  if (names === undefined && ids === undefined) return null;
  const visible = ctx.state.installationRepos(inst);
  const out = new Set<number>();
  const denied = () =>
    new GitHubApiError(422, "There is at least one repository that does not exist or is not accessible to the parent installation.", { documentationUrl: DOC_TOKEN });
  for (const n of Array.isArray(names) ? names : names === undefined ? [] : [names]) {
    const r = visible.find((v) => v.name.toLowerCase() === String(n).toLowerCase());
    if (!r) throw denied();
    out.add(r.id);
  }
  for (const id of Array.isArray(ids) ? ids : ids === undefined ? [] : [ids]) {
    const r = visible.find((v) => v.id === Number(id));
    if (!r) throw denied();
    out.add(r.id);
  }
  return [...out];
}
