import type { FakeContext } from "./context.js";
import type { AccountRecord, AppRecord, FakeState, RepoRecord } from "./state.js";
import { simpleUser } from "./shapes/accounts.js";
import type { Schemas } from "./shapes/urls.js";

/** A repository role as GitHub names them (`role_name`). */
export type RepoRole = "read" | "triage" | "write" | "maintain" | "admin";

/** A team the fake knows: `org/slug`, with its members' roles by account id. */
export interface TeamRecord {
  id: number;
  org: AccountRecord;
  slug: string;
  name: string;
  createdAt: number;
  members: Map<number, "member" | "maintainer">;
}

/** What the fake keeps for user identity: teams and repository roles. Lives beside FakeState. */
export interface IdentityState {
  /** `org/slug` lower-cased → team. */
  teams: Map<string, TeamRecord>;
  /** Repository id → account id → role. */
  roles: Map<number, Map<number, RepoRole>>;
}

const states = new WeakMap<FakeState, IdentityState>();

/** The identity state of one fake (made on first use). */
export function identityOf(state: FakeState): IdentityState {
  let s = states.get(state);
  if (!s) states.set(state, (s = { teams: new Map(), roles: new Map() }));
  return s;
}

const RANK: Record<RepoRole, number> = { read: 1, triage: 2, write: 3, maintain: 4, admin: 5 };

/** A user's role on a repository: admin of their own, an explicit one, read of a public one, else none. */
export function roleOf(state: FakeState, repo: RepoRecord, user: AccountRecord): RepoRole | undefined {
  if (repo.owner.id === user.id) return "admin";
  const explicit = identityOf(state).roles.get(repo.id)?.get(user.id);
  if (explicit) return explicit;
  return repo.private ? undefined : "read";
}

/** The `permissions` object `GET /repos/{owner}/{repo}` carries for the authenticated user. */
export function permissionsFor(role: RepoRole | undefined): NonNullable<Schemas["full-repository"]["permissions"]> {
  const r = role === undefined ? 0 : RANK[role];
  return { admin: r >= RANK.admin, maintain: r >= RANK.maintain, push: r >= RANK.write, triage: r >= RANK.triage, pull: r >= RANK.read };
}

/** A team as `team-full` (`GET /user/teams`). */
export function teamShape(ctx: FakeContext, t: TeamRecord): Schemas["team-full"] {
  const { api, html } = ctx.urls;
  const org = simpleUser(ctx.urls, t.org);
  const stamp = new Date(t.createdAt).toISOString().replace(/\.\d+Z$/, "Z");
  return {
    id: t.id,
    node_id: Buffer.from(`04:Team${t.id}`).toString("base64"),
    url: `${api}/organizations/${t.org.id}/team/${t.id}`,
    html_url: `${html}/orgs/${t.org.login}/teams/${t.slug}`,
    name: t.name,
    slug: t.slug,
    description: null,
    privacy: "closed",
    notification_setting: "notifications_enabled",
    permission: "pull",
    members_url: `${api}/organizations/${t.org.id}/team/${t.id}/members{/member}`,
    repositories_url: `${api}/organizations/${t.org.id}/team/${t.id}/repos`,
    parent: null,
    members_count: t.members.size,
    repos_count: 0,
    created_at: stamp,
    updated_at: stamp,
    type: "organization",
    organization_id: t.org.id,
    organization: {
      login: t.org.login, id: t.org.id, node_id: org.node_id, url: `${api}/orgs/${t.org.login}`,
      repos_url: `${api}/orgs/${t.org.login}/repos`, events_url: `${api}/orgs/${t.org.login}/events`,
      hooks_url: `${api}/orgs/${t.org.login}/hooks`, issues_url: `${api}/orgs/${t.org.login}/issues`,
      members_url: `${api}/orgs/${t.org.login}/members{/member}`, public_members_url: `${api}/orgs/${t.org.login}/public_members{/member}`,
      avatar_url: org.avatar_url, description: null, has_organization_projects: true, has_repository_projects: true,
      public_repos: 0, public_gists: 0, followers: 0, following: 0, html_url: `${html}/${t.org.login}`,
      created_at: stamp, updated_at: stamp, type: "Organization", archived_at: null,
    },
  };
}

/** Test-side controls of users' teams, repository roles and authorizations (part of `FakeGitHub`). */
export interface FakeIdentity {
  /** Adds `login` to the team `org/team-slug`, creating the user, the organization and the team as needed. */
  addTeamMember(team: string, login: string, options?: { role?: "member" | "maintainer" }): void;
  /** Removes `login` from the team `org/team-slug` (no-op when not a member). */
  removeTeamMember(team: string, login: string): void;
  /** Gives `login` a role on `repo` (`owner/name`); `null` takes it away. Owners are admins of their repositories. */
  setCollaborator(repo: string, login: string, role: RepoRole | null): void;
  /**
   * The user revokes the App's authorization on GitHub: every token and refresh token the App holds
   * for them stops working, and the App is sent `github_app_authorization` (`revoked`). Resolves
   * once that delivery attempt is logged.
   */
  revokeAuthorization(login: string, options?: { appId?: number }): Promise<Schemas["hook-delivery"]>;
}

/** The {@link FakeIdentity} methods of one fake. */
export function identityMethods(
  ctx: FakeContext,
  appOr: (appId: number | undefined) => AppRecord,
  toDetail: (record: Awaited<ReturnType<FakeContext["webhooks"]["send"]>>) => Schemas["hook-delivery"],
): FakeIdentity {
  const { state } = ctx;
  const teamFor = (team: string, create: boolean): TeamRecord | undefined => {
    const [org, slug, extra] = team.split("/");
    if (!org || !slug || extra !== undefined) throw new Error(`fake GitHub: a team is "org/team-slug", not "${team}"`);
    const key = `${org}/${slug}`.toLowerCase();
    let t = identityOf(state).teams.get(key);
    if (!t && create) {
      t = { id: state.ids.id(), org: state.account(org, "Organization"), slug, name: slug, createdAt: ctx.clock.now(), members: new Map() };
      identityOf(state).teams.set(key, t);
    }
    return t;
  };
  return {
    addTeamMember(team, login, options = {}) {
      teamFor(team, true)?.members.set(state.account(login, "User").id, options.role ?? "member");
    },
    removeTeamMember(team, login) {
      const user = state.findAccount(login);
      if (user) teamFor(team, false)?.members.delete(user.id);
    },
    setCollaborator(repo, login, role) {
      const r = state.requireRepo(repo);
      const roles = identityOf(state).roles;
      let byUser = roles.get(r.id);
      if (!byUser) roles.set(r.id, (byUser = new Map()));
      const user = state.account(login, "User");
      if (role === null) byUser.delete(user.id);
      else byUser.set(user.id, role);
    },
    async revokeAuthorization(login, options = {}) {
      const app = appOr(options.appId);
      const user = state.account(login, "User");
      ctx.tokens.revokeUser(app.id, user.id);
      const payload = { action: "revoked", sender: simpleUser(ctx.urls, user) };
      return toDetail(await ctx.webhooks.send(app, "github_app_authorization", payload, { installationId: null, repositoryId: null }));
    },
  };
}
