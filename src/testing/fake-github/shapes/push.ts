import type { PayloadOf } from "../../../events/types.js";
import { changedPaths } from "../git.js";
import { isoWithOffset } from "../git/format.js";
import { ZERO_SHA } from "../git/refs.js";
import type { AccountRecord, CommitRecord, RepoRecord } from "../state.js";
import { repository } from "./accounts.js";
import type { Urls } from "./urls.js";

type Push = PayloadOf<"push">;
type PushCommit = Push["commits"][number];

/** The no-reply address GitHub gives an account (`123+login@users.noreply.github.com`). */
export function noreplyEmail(a: AccountRecord): string {
  return `${a.id}+${a.login}@users.noreply.github.com`;
}

/** A commit as a push payload lists it, with the paths it added, removed and modified. */
export function pushCommit(u: Urls, r: RepoRecord, c: CommitRecord, parent: CommitRecord | undefined): PushCommit {
  return {
    id: c.sha,
    tree_id: c.treeSha,
    distinct: true,
    message: c.message,
    timestamp: isoWithOffset(c.committer),
    url: `${u.html}/${r.owner.login}/${r.name}/commit/${c.sha}`,
    author: { name: c.author.name, email: c.author.email },
    committer: { name: c.committer.name, email: c.committer.email },
    ...changedPaths(parent, c),
  };
}

/** The repository as push payloads carry it: times in epoch seconds, the owner with name and email. */
export function pushRepository(u: Urls, r: RepoRecord): Push["repository"] {
  const base = repository(u, r);
  return {
    ...base,
    owner: { ...base.owner, name: r.owner.login, email: r.owner.email },
    created_at: Math.floor(r.createdAt / 1000),
    pushed_at: Math.floor(r.pushedAt / 1000),
    updated_at: base.updated_at ?? "",
    stargazers: 0,
    master_branch: r.defaultBranch,
  } as Push["repository"];
}

/** The fields of a `push` payload for one ref moving `before` → `after`, listing `commits` (oldest first). */
export function pushFields(
  u: Urls,
  r: RepoRecord,
  update: { ref: string; before: string; after: string; forced: boolean },
  commits: PushCommit[],
  headCommit: PushCommit | null,
  pusher: AccountRecord,
): Omit<Push, "repository" | "sender" | "installation" | "organization"> {
  const html = `${u.html}/${r.owner.login}/${r.name}`;
  const created = update.before === ZERO_SHA;
  const deleted = update.after === ZERO_SHA;
  const short = (s: string) => s.slice(0, 12);
  return {
    ref: update.ref,
    before: update.before,
    after: update.after,
    created,
    deleted,
    forced: update.forced,
    base_ref: null,
    compare: created ? `${html}/compare/${update.ref.replace(/^refs\/(heads|tags)\//, "")}` : `${html}/compare/${short(update.before)}...${short(update.after)}`,
    commits,
    head_commit: headCommit,
    pusher: { name: pusher.login, email: pusher.type === "Bot" ? noreplyEmail(pusher) : (pusher.email ?? noreplyEmail(pusher)) },
  };
}
