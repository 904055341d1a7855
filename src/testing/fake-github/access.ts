import type { FastifyRequest } from "fastify";
import type { AuthInfo, FakeContext } from "./context.js";
import { notAccessible, notFound } from "./errors.js";
import { authOf } from "./guards.js";
import type { AccountRecord, PermissionLevel, RepoRecord } from "./state.js";

const RANK: Record<PermissionLevel, number> = { read: 1, write: 2, admin: 3 };

/** Whether the caller may see `repo` at all (installation scope, token's repository list). */
export function canSee(ctx: FakeContext, auth: AuthInfo, repo: RepoRecord): boolean {
  if (auth.kind === "installation") {
    if (!ctx.state.installationCovers(auth.installation, repo)) return false;
    return auth.token.repositoryIds === null || auth.token.repositoryIds.includes(repo.id);
  }
  if (auth.kind === "user") return ctx.state.installationsOfApp(auth.app.id).some((i) => ctx.state.installationCovers(i, repo));
  return false;
}

/** The repository named by `:owner/:repo`, or GitHub's 404 when it is absent or out of the caller's reach. */
export function repoFor(ctx: FakeContext, req: FastifyRequest, documentationUrl?: string): { repo: RepoRecord; auth: AuthInfo } {
  const auth = authOf(ctx, req);
  const { owner, repo: name } = req.params as { owner: string; repo: string };
  const repo = ctx.state.repo(owner, name);
  if (!repo || !canSee(ctx, auth, repo)) throw notFound(documentationUrl);
  return { repo, auth };
}

/** 403 `Resource not accessible by integration` unless an installation token holds `name` at `level`. */
export function requirePermission(auth: AuthInfo, name: string, level: PermissionLevel, documentationUrl?: string): void {
  if (auth.kind !== "installation") return; // user tokens act with the user's own rights
  const have = auth.token.permissions[name];
  if (!have || RANK[have] < RANK[level]) throw notAccessible(documentationUrl);
}

/** Like {@link requirePermission}, satisfied by any one of `names` (labels on a PR: issues or pull_requests). */
export function requireAnyPermission(auth: AuthInfo, names: string[], level: PermissionLevel, documentationUrl?: string): void {
  if (auth.kind !== "installation") return;
  const ok = names.some((n) => {
    const have = auth.token.permissions[n];
    return have !== undefined && RANK[have] >= RANK[level];
  });
  if (!ok) throw notAccessible(documentationUrl);
}

/** Who an API change is attributed to: the App's bot for installation tokens, the user for user tokens. */
export function actorOf(auth: AuthInfo): AccountRecord {
  if (auth.kind === "user") return auth.user;
  return auth.app.bot;
}

/** Whether `have` grants at least `want`. */
export function grants(have: PermissionLevel | undefined, want: PermissionLevel): boolean {
  return have !== undefined && RANK[have] >= RANK[want];
}
