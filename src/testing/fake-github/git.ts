import type { GitPerson } from "./git/format.js";
import type { BlobRecord, CommitRecord, RepoRecord } from "./state.js";

/** A file change for {@link commitChanges}: new content, or `null` to delete the path. */
export type FileChanges = Map<string, Buffer | null>;

export const FAKE_AUTHOR = { name: "Hookyard Fake", email: "fake@hookyard.invalid" };

/** Normalises a path the way GitHub does for contents: no leading or trailing slash. */
export function normalisePath(path: string): string {
  return path.replace(/^\/+|\/+$/g, "");
}

/** A git author or committer at `date` (epoch ms, written as UTC). */
export function person(who: { name: string; email: string }, date: number): GitPerson {
  return { name: who.name, email: who.email, date, tz: "+0000" };
}

/**
 * Commits `changes` on top of `parent` (no parent: a root commit) into the repository's bare git
 * repository and returns the new commit. Refs are not moved; use {@link moveBranch}.
 */
export function commitChanges(
  repo: RepoRecord,
  parent: string | undefined,
  changes: FileChanges,
  message: string,
  date: number,
  author = FAKE_AUTHOR,
): CommitRecord {
  const normalised = new Map([...changes].map(([p, c]) => [normalisePath(p), c] as const));
  return repo.git.writeCommit({ parent, changes: normalised, message, author: person(author, date) });
}

/** Points `refs/heads/<branch>` at `sha` and bumps the repository's `pushed_at`. */
export function moveBranch(repo: RepoRecord, branch: string, sha: string, date: number): void {
  repo.git.refs.update(`refs/heads/${branch}`, sha);
  repo.pushedAt = date;
  repo.updatedAt = date;
}

/** The commit sha at the tip of `branch`, if the branch exists. */
export function branchSha(repo: RepoRecord, branch: string): string | undefined {
  return repo.git.refs.get(`refs/heads/${branch}`);
}

/**
 * Resolves what GitHub accepts as a `ref`: a branch or tag name, `heads/x`, `refs/heads/x`, or a
 * commit sha (full or an unambiguous prefix of at least 7). Omitted: the default branch.
 */
export function resolveRef(repo: RepoRecord, ref: string | undefined): CommitRecord | undefined {
  const r = ref === undefined || ref === "" ? repo.defaultBranch : ref;
  for (const c of [r, `refs/${r}`, `refs/heads/${r}`, `refs/tags/${r}`]) {
    const sha = repo.git.refs.get(c);
    if (sha !== undefined) return repo.git.commit(sha);
  }
  return repo.git.commitByPrefix(r);
}

/** The file at `path` in `commit`, if any. */
export function fileAt(commit: CommitRecord, path: string): BlobRecord | undefined {
  return commit.tree.get(normalisePath(path));
}

/** Whether `path` names a directory in `commit` (some file lives below it). */
export function isDirectory(commit: CommitRecord, path: string): boolean {
  const p = normalisePath(path);
  const prefix = p === "" ? "" : `${p}/`;
  for (const key of commit.tree.keys()) if (key.startsWith(prefix)) return true;
  return false;
}

/** Whether `ancestor` is `sha` or reachable from it through parents. */
export function reaches(repo: RepoRecord, sha: string, ancestor: string): boolean {
  const todo = [sha];
  const seen = new Set<string>();
  for (let s = todo.pop(); s !== undefined; s = todo.pop()) {
    if (s === ancestor) return true;
    if (seen.has(s)) continue;
    seen.add(s);
    todo.push(...(repo.git.commit(s)?.parents ?? []));
  }
  return false;
}
