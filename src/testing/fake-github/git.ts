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

/** Every commit reachable from `tips` (the tips included). */
export function ancestors(repo: RepoRecord, tips: readonly string[]): Set<string> {
  const seen = new Set<string>();
  const todo = [...tips];
  for (let s = todo.pop(); s !== undefined; s = todo.pop()) {
    if (seen.has(s)) continue;
    const c = repo.git.commit(s);
    if (!c) continue;
    seen.add(s);
    todo.push(...c.parents);
  }
  return seen;
}

/**
 * The commits reachable from `head` but not from any of `exclude` (`git rev-list head --not
 * exclude…`), oldest first: every commit after its parents.
 */
export function commitsBetween(repo: RepoRecord, head: string, exclude: readonly string[]): CommitRecord[] {
  const excluded = ancestors(repo, exclude);
  const out: CommitRecord[] = [];
  const seen = new Set<string>();
  const stack: { sha: string; done: boolean }[] = [{ sha: head, done: false }];
  for (let top = stack.pop(); top !== undefined; top = stack.pop()) {
    const c = repo.git.commit(top.sha);
    if (!c) continue;
    if (top.done) {
      out.push(c);
      continue;
    }
    if (seen.has(c.sha) || excluded.has(c.sha)) continue;
    seen.add(c.sha);
    stack.push({ sha: c.sha, done: true });
    for (const p of [...c.parents].reverse()) stack.push({ sha: p, done: false });
  }
  return out;
}

/** The best common ancestor of two commits (the first one met walking back from `head`), if any. */
export function mergeBase(repo: RepoRecord, base: string, head: string): string | undefined {
  const ofBase = ancestors(repo, [base]);
  const queue = [head];
  const seen = new Set<string>();
  for (let s = queue.shift(); s !== undefined; s = queue.shift()) {
    if (ofBase.has(s)) return s;
    if (seen.has(s)) continue;
    seen.add(s);
    queue.push(...(repo.git.commit(s)?.parents ?? []));
  }
  return undefined;
}

/** The paths added, removed and modified from `before` (none: an empty tree) to `after`. */
export function changedPaths(before: CommitRecord | undefined, after: CommitRecord): { added: string[]; removed: string[]; modified: string[] } {
  const old = before?.tree ?? new Map<string, BlobRecord>();
  const out = { added: [] as string[], removed: [] as string[], modified: [] as string[] };
  for (const [path, blob] of after.tree) {
    const was = old.get(path);
    if (!was) out.added.push(path);
    else if (was.sha !== blob.sha || was.mode !== blob.mode) out.modified.push(path);
  }
  for (const path of old.keys()) if (!after.tree.has(path)) out.removed.push(path);
  return out;
}
