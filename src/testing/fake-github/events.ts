import type { FakeContext } from "./context.js";
import { nodeId } from "./ids.js";
import { repository, simpleUser } from "./shapes/accounts.js";
import type { AccountRecord, RepoRecord } from "./state.js";

/**
 * Sends `event` (with `fields`, e.g. `{ action, issue, label }`) about `repo` to every installation
 * that can see the repository and subscribes to the event, as GitHub does after a change.
 * `options.repository` replaces the usual `repository` shape (push payloads have their own).
 */
export function emitRepoEvent(
  ctx: FakeContext,
  repo: RepoRecord,
  event: string,
  fields: Record<string, unknown>,
  sender: AccountRecord,
  options: { repository?: unknown } = {},
): void {
  for (const inst of ctx.state.installationsForRepo(repo)) {
    if (!inst.events.includes(event)) continue;
    const app = ctx.state.app(inst.appId);
    if (!app) continue;
    const payload: Record<string, unknown> = {
      ...fields,
      repository: options.repository ?? repository(ctx.urls, repo),
      ...(repo.owner.type === "Organization" ? { organization: orgShape(ctx, repo.owner) } : {}),
      sender: simpleUser(ctx.urls, sender),
      installation: installationRef(inst.id),
    };
    ctx.webhooks.send(app, event, payload, { installationId: inst.id, repositoryId: repo.id }).catch(() => undefined);
  }
}

/** `installation: { id, node_id }` as webhook payloads carry it. */
export function installationRef(id: number): { id: number; node_id: string } {
  return { id, node_id: nodeId("IntegrationInstallation", id) };
}

function orgShape(ctx: FakeContext, org: AccountRecord): Record<string, unknown> {
  const api = `${ctx.urls.api}/orgs/${org.login}`;
  return {
    login: org.login,
    id: org.id,
    node_id: nodeId("Organization", org.id),
    url: api,
    repos_url: `${api}/repos`,
    events_url: `${api}/events`,
    hooks_url: `${api}/hooks`,
    issues_url: `${api}/issues`,
    members_url: `${api}/members{/member}`,
    public_members_url: `${api}/public_members{/member}`,
    avatar_url: `https://avatars.githubusercontent.com/u/${org.id}?v=4`,
    description: null,
  };
}
