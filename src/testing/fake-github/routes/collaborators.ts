import type { FastifyInstance } from "fastify";
import { repoFor } from "../access.js";
import type { FakeContext } from "../context.js";
import { GitHubApiError } from "../errors.js";
import { guard } from "../guards.js";
import { simpleUser } from "../shapes/accounts.js";
import type { Schemas } from "../shapes/urls.js";
import type { AccountRecord, RepoPermission, RepoRecord } from "../state.js";

const DOC = "https://docs.github.com/rest/collaborators/collaborators#get-repository-permissions-for-a-user";

/**
 * A user's permission on a repository: `admin` for its owner, what `fake.setPermission` set, else
 * `read` on a public repository and `none` on a private one.
 */
export function permissionOf(repo: RepoRecord, user: AccountRecord): RepoPermission {
  if (user.id === repo.owner.id) return "admin";
  return repo.permissions.get(user.login.toLowerCase()) ?? (repo.private ? "none" : "read");
}

/** `GET /repos/{owner}/{repo}/collaborators/{username}/permission`. */
export function collaboratorRoutes(app: FastifyInstance, ctx: FakeContext): void {
  app.get("/repos/:owner/:repo/collaborators/:username/permission", { preHandler: guard(ctx, "token") }, async (req) => {
    const { repo } = repoFor(ctx, req, DOC);
    const login = (req.params as { username: string }).username;
    const user = ctx.state.findAccount(login);
    if (!user) throw new GitHubApiError(404, `${login} is not a user`, { documentationUrl: DOC });
    const permission = permissionOf(repo, user);
    const out: Schemas["repository-collaborator-permission"] = {
      permission,
      role_name: permission,
      user: {
        ...simpleUser(ctx.urls, user),
        permissions: { admin: permission === "admin", maintain: permission === "admin", push: permission !== "read" && permission !== "none", triage: permission !== "none", pull: permission !== "none" },
        role_name: permission,
      },
    };
    return out;
  });
}
