import { deliveryMeta } from "../../ingress/delivery-meta.js";

/** What a `push` changed on a repository's default branch, as far as config files are concerned. */
export interface PushedChanges {
  /** `owner/name` of the repository pushed to. */
  repository: string;
  /** Paths added, modified or removed by the pushed commits; `"all"` when the push cannot tell (forced, truncated). */
  paths: ReadonlySet<string> | "all";
}

interface PushPayload {
  ref?: unknown;
  forced?: unknown;
  commits?: unknown;
  repository?: { default_branch?: unknown; master_branch?: unknown };
}

// GitHub lists at most 2048 commits in a push payload
const MAX_LISTED_COMMITS = 2048;

/**
 * The paths a `push` delivery changed on the repository's default branch, or undefined for a push
 * to another branch or a tag. A forced push (history rewritten: the listed commits do not show what
 * changed) or a truncated commit list gives `"all"`.
 *
 * @example
 * ```ts
 * pushedChanges(payload); // { repository: "acme/widgets", paths: Set { ".github/app.yml", "README.md" } }
 * ```
 */
export function pushedChanges(payload: unknown): PushedChanges | undefined {
  const p = (payload ?? {}) as PushPayload;
  const repository = deliveryMeta("push", payload).repository;
  const branch = p.repository?.default_branch ?? p.repository?.master_branch;
  if (typeof repository !== "string" || typeof branch !== "string" || p.ref !== `refs/heads/${branch}`) return undefined;
  if (p.forced === true || !Array.isArray(p.commits) || p.commits.length >= MAX_LISTED_COMMITS) return { repository, paths: "all" };
  const paths = new Set<string>();
  for (const commit of p.commits as { added?: unknown; modified?: unknown; removed?: unknown }[]) {
    for (const list of [commit?.added, commit?.modified, commit?.removed]) {
      if (!Array.isArray(list)) return { repository, paths: "all" };
      for (const path of list) if (typeof path === "string") paths.add(path);
    }
  }
  return { repository, paths };
}
