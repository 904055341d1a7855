import { isoSeconds } from "../clock.js";
import { nodeId } from "../ids.js";
import type { AccountRecord, AppRecord, InstallationRecord, RepoRecord } from "../state.js";
import type { Schemas, Urls } from "./urls.js";

/** A user, organization or bot as `simple-user`. */
export function simpleUser(u: Urls, a: AccountRecord): Schemas["simple-user"] {
  const api = `${u.api}/users/${a.login}`;
  return {
    login: a.login,
    id: a.id,
    node_id: nodeId(a.type === "Organization" ? "Organization" : a.type === "Bot" ? "Bot" : "User", a.id),
    avatar_url: `https://avatars.githubusercontent.com/u/${a.id}?v=4`,
    gravatar_id: "",
    url: api,
    html_url: a.type === "Bot" ? `${u.html}/apps/${a.login.replace(/\[bot\]$/, "")}` : `${u.html}/${a.login}`,
    followers_url: `${api}/followers`,
    following_url: `${api}/following{/other_user}`,
    gists_url: `${api}/gists{/gist_id}`,
    starred_url: `${api}/starred{/owner}{/repo}`,
    subscriptions_url: `${api}/subscriptions`,
    organizations_url: `${api}/orgs`,
    repos_url: `${api}/repos`,
    events_url: `${api}/events{/privacy}`,
    received_events_url: `${api}/received_events`,
    type: a.type,
    user_view_type: "public",
    site_admin: false,
  };
}

/** The authenticated user (`GET /user`) as `private-user`. */
export function privateUser(u: Urls, a: AccountRecord, now: number): Schemas["private-user"] {
  return {
    ...simpleUser(u, a),
    name: a.name,
    company: null,
    blog: "",
    location: null,
    email: a.email,
    hireable: null,
    bio: null,
    twitter_username: null,
    public_repos: 0,
    public_gists: 0,
    followers: 0,
    following: 0,
    created_at: isoSeconds(a.createdAt),
    updated_at: isoSeconds(now),
    private_gists: 0,
    total_private_repos: 0,
    owned_private_repos: 0,
    disk_usage: 0,
    collaborators: 0,
    two_factor_authentication: true,
  };
}

/** An App as `integration` (`GET /app`). */
export function integration(u: Urls, app: AppRecord, installationsCount?: number): NonNullable<Schemas["integration"]> {
  const out: NonNullable<Schemas["integration"]> = {
    id: app.id,
    slug: app.slug,
    node_id: nodeId("Integration", app.id),
    client_id: app.clientId,
    owner: simpleUser(u, app.owner),
    name: app.name,
    description: app.description,
    external_url: app.externalUrl,
    html_url: `${u.html}/apps/${app.slug}`,
    created_at: isoSeconds(app.createdAt),
    updated_at: isoSeconds(app.createdAt),
    permissions: { ...app.permissions },
    events: [...app.events],
  };
  if (installationsCount !== undefined) out.installations_count = installationsCount;
  return out;
}

/** An installation as `installation`. */
export function installation(u: Urls, inst: InstallationRecord, app: AppRecord): Schemas["installation"] {
  return {
    id: inst.id,
    account: simpleUser(u, inst.account),
    repository_selection: inst.selection,
    access_tokens_url: `${u.api}/app/installations/${inst.id}/access_tokens`,
    repositories_url: `${u.api}/installation/repositories`,
    html_url: inst.account.type === "Organization"
      ? `${u.html}/organizations/${inst.account.login}/settings/installations/${inst.id}`
      : `${u.html}/settings/installations/${inst.id}`,
    app_id: app.id,
    client_id: app.clientId,
    target_id: inst.account.id,
    target_type: inst.account.type,
    permissions: { ...inst.permissions },
    events: [...inst.events],
    created_at: isoSeconds(inst.createdAt),
    updated_at: isoSeconds(inst.createdAt),
    single_file_name: null,
    has_multiple_single_files: false,
    single_file_paths: [],
    app_slug: app.slug,
    suspended_by: null,
    suspended_at: null,
  };
}

/** A repository as `repository` (lists, webhook payloads, pull request heads). */
export function repository(u: Urls, r: RepoRecord): Schemas["repository"] {
  const full = `${r.owner.login}/${r.name}`;
  const api = `${u.api}/repos/${full}`;
  const openIssues = [...r.issues.values()].filter((i) => i.state === "open").length;
  return {
    id: r.id,
    node_id: nodeId("Repository", r.id),
    name: r.name,
    full_name: full,
    license: null,
    forks: 0,
    permissions: { admin: false, maintain: false, push: true, triage: true, pull: true },
    owner: simpleUser(u, r.owner),
    private: r.private,
    html_url: `${u.html}/${full}`,
    description: r.description,
    fork: false,
    url: api,
    archive_url: `${api}/{archive_format}{/ref}`,
    assignees_url: `${api}/assignees{/user}`,
    blobs_url: `${api}/git/blobs{/sha}`,
    branches_url: `${api}/branches{/branch}`,
    collaborators_url: `${api}/collaborators{/collaborator}`,
    comments_url: `${api}/comments{/number}`,
    commits_url: `${api}/commits{/sha}`,
    compare_url: `${api}/compare/{base}...{head}`,
    contents_url: `${api}/contents/{+path}`,
    contributors_url: `${api}/contributors`,
    deployments_url: `${api}/deployments`,
    downloads_url: `${api}/downloads`,
    events_url: `${api}/events`,
    forks_url: `${api}/forks`,
    git_commits_url: `${api}/git/commits{/sha}`,
    git_refs_url: `${api}/git/refs{/sha}`,
    git_tags_url: `${api}/git/tags{/sha}`,
    git_url: `${u.git}/${full}.git`,
    issue_comment_url: `${api}/issues/comments{/number}`,
    issue_events_url: `${api}/issues/events{/number}`,
    issues_url: `${api}/issues{/number}`,
    keys_url: `${api}/keys{/key_id}`,
    labels_url: `${api}/labels{/name}`,
    languages_url: `${api}/languages`,
    merges_url: `${api}/merges`,
    milestones_url: `${api}/milestones{/number}`,
    notifications_url: `${api}/notifications{?since,all,participating}`,
    pulls_url: `${api}/pulls{/number}`,
    releases_url: `${api}/releases{/id}`,
    ssh_url: `git@github.com:${full}.git`,
    stargazers_url: `${api}/stargazers`,
    statuses_url: `${api}/statuses/{sha}`,
    subscribers_url: `${api}/subscribers`,
    subscription_url: `${api}/subscription`,
    tags_url: `${api}/tags`,
    teams_url: `${api}/teams`,
    trees_url: `${api}/git/trees{/sha}`,
    clone_url: `${u.git}/${full}.git`,
    mirror_url: null,
    hooks_url: `${api}/hooks`,
    svn_url: `${u.html}/${full}`,
    homepage: null,
    language: null,
    forks_count: 0,
    stargazers_count: 0,
    watchers_count: 0,
    size: 0,
    default_branch: r.defaultBranch,
    open_issues_count: openIssues,
    is_template: false,
    topics: [],
    has_issues: true,
    has_projects: true,
    has_wiki: true,
    has_pages: false,
    has_downloads: true,
    has_discussions: false,
    archived: false,
    disabled: false,
    visibility: r.private ? "private" : "public",
    pushed_at: isoSeconds(r.pushedAt),
    created_at: isoSeconds(r.createdAt),
    updated_at: isoSeconds(r.updatedAt),
    allow_forking: true,
    web_commit_signoff_required: false,
    open_issues: openIssues,
    watchers: 0,
  };
}

/** A repository as `full-repository` (`GET /repos/{owner}/{repo}`). */
export function fullRepository(u: Urls, r: RepoRecord): Schemas["full-repository"] {
  const base = repository(u, r);
  const out: Schemas["full-repository"] = {
    ...base,
    has_discussions: false,
    pushed_at: isoSeconds(r.pushedAt),
    created_at: isoSeconds(r.createdAt),
    updated_at: isoSeconds(r.updatedAt),
    temp_clone_token: null,
    subscribers_count: 0,
    network_count: 0,
    allow_merge_commit: true,
    allow_squash_merge: true,
    allow_rebase_merge: true,
    allow_auto_merge: false,
    delete_branch_on_merge: false,
  };
  if (r.owner.type === "Organization") out.organization = simpleUser(u, r.owner);
  return out;
}
