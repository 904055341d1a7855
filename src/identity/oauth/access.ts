import { HookyardError } from "../../errors.js";
import { cacheOf, type GitHubUser } from "./user.js";

/** A repository permission as GitHub names them in `permissions`, weakest first. */
export type RepoPermission = "pull" | "triage" | "push" | "maintain" | "admin";

type Permissions = Partial<Record<RepoPermission, boolean>>;

const PERMISSIONS: readonly RepoPermission[] = ["pull", "triage", "push", "maintain", "admin"];

function split(value: string, what: string): [string, string] {
  const [a, b, extra] = value.split("/");
  if (!a || !b || extra !== undefined) throw new HookyardError("HOOKYARD_ERR_OAUTH_ARGUMENT_INVALID", `${what} must be written "${what === "repository" ? "owner/repo" : "org/team-slug"}", not ${JSON.stringify(value)}`);
  return [a, b];
}

function status(err: unknown): number | undefined {
  const s = (err as { status?: unknown } | null)?.status;
  return typeof s === "number" ? s : undefined;
}

/**
 * Whether the user has `permission` (default `pull`) on `repository` (`owner/repo`), as GitHub
 * answers `GET /repos/{owner}/{repo}` with the user's own token — so with a GitHub App, only
 * repositories the App is installed on count. An unknown or invisible repository is `false`.
 * Answers are kept for a minute per user.
 *
 * @example
 * ```ts
 * if (!(await userCanAccessRepo(req.user!, "acme/widgets", "push"))) return reply.code(403).send();
 * ```
 */
export async function userCanAccessRepo(user: GitHubUser, repository: string, permission: RepoPermission = "pull"): Promise<boolean> {
  if (!PERMISSIONS.includes(permission)) throw new HookyardError("HOOKYARD_ERR_OAUTH_ARGUMENT_INVALID", `permission must be one of ${PERMISSIONS.join(", ")}`);
  const [owner, repo] = split(repository, "repository");
  const cache = cacheOf(user);
  const key = `repo:${owner.toLowerCase()}/${repo.toLowerCase()}`;
  let perms = cache?.get<Permissions | null>(user.id, key);
  if (perms === undefined) {
    try {
      const res = await user.octokit.request("GET /repos/{owner}/{repo}", { owner, repo });
      perms = (res.data.permissions as Permissions | undefined) ?? {};
    } catch (err) {
      if (status(err) !== 404 && status(err) !== 403) throw err;
      perms = null;
    }
    cache?.set(user.id, key, perms);
  }
  return perms?.[permission] === true;
}

/**
 * Whether the user is a member of the team `org/team-slug`, from `GET /user/teams` with the user's
 * own token (GitHub Apps need the organization "Members" read permission; OAuth Apps the
 * `read:org` scope). Bound to the token, not to a login that could change hands. Answers are kept
 * for a minute per user.
 *
 * @example
 * ```ts
 * if (await userInTeam(req.user!, "acme/deployers")) await approve(req.user!);
 * ```
 */
export async function userInTeam(user: GitHubUser, team: string): Promise<boolean> {
  const [org, slug] = split(team, "team");
  const cache = cacheOf(user);
  let teams = cache?.get<string[]>(user.id, "teams");
  if (teams === undefined) {
    const list = await user.octokit.paginate("GET /user/teams", { per_page: 100 });
    teams = list.map((t) => `${t.organization.login}/${t.slug}`.toLowerCase());
    cache?.set(user.id, "teams", teams);
  }
  return teams.includes(`${org}/${slug}`.toLowerCase());
}
