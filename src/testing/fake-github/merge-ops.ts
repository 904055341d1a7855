import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import type { FakeContext } from "./context.js";
import { commitsBetween, person } from "./git.js";
import { encodeCommit } from "./git/format.js";
import { emitIssueEvent, pullRange } from "./issue-ops.js";
import { refsMoved } from "./ref-updates.js";
import type { AccountRecord, CommitRecord, IssueRecord, RepoRecord } from "./state.js";

const run = promisify(execFile);

export type MergeMethod = "merge" | "squash" | "rebase";

/** Why a merge did not happen: the pull request cannot be merged, or its head is not `sha`. */
export class MergeRefused extends Error {
  constructor(readonly status: 405 | 409, message: string) {
    super(message);
    this.name = "MergeRefused";
  }
}

const GITHUB = { name: "GitHub", email: "noreply@github.com" };

/** The git identity GitHub gives an account's web commits: its login and no-reply address. */
function identity(a: AccountRecord): { name: string; email: string } {
  return { name: a.name ?? a.login, email: a.email ?? `${a.id}+${a.login}@users.noreply.github.com` };
}

const gitEnv = (repo: RepoRecord) => ({ PATH: process.env.PATH, HOME: repo.git.dir, GIT_CONFIG_NOSYSTEM: "1" });

/** `git merge-tree --write-tree` (git ≥ 2.38): the merged tree of `theirs` into `ours`, or undefined on a conflict. */
async function mergeTree(repo: RepoRecord, ours: string, theirs: string): Promise<string | undefined> {
  try {
    const { stdout } = await run("git", ["merge-tree", "--write-tree", ours, theirs], { cwd: repo.git.dir, env: gitEnv(repo), encoding: "utf8" });
    return stdout.split("\n")[0]?.trim();
  } catch (err) {
    if ((err as { code?: unknown }).code === 1) return undefined; // conflicts
    throw err;
  }
}

/**
 * `commit` replayed onto `onto` (a cherry-pick): a three-way merge of trees in a scratch index
 * (`read-tree -m parent onto commit`), file by file; undefined when one file changed on both sides.
 */
async function pickTree(repo: RepoRecord, onto: string, commit: CommitRecord): Promise<string | undefined> {
  const parent = commit.parents[0];
  if (parent === undefined) return commit.treeSha;
  const dir = await mkdtemp(join(tmpdir(), "hookyard-fake-pick-"));
  const env = { ...gitEnv(repo), GIT_INDEX_FILE: join(dir, "index") };
  try {
    await run("git", ["read-tree", "-i", "-m", "--aggressive", parent, onto, commit.sha], { cwd: repo.git.dir, env });
    return (await run("git", ["write-tree"], { cwd: repo.git.dir, env, encoding: "utf8" })).stdout.trim();
  } catch {
    return undefined; // unmerged entries: write-tree refuses
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function writeCommit(repo: RepoRecord, data: { treeSha: string; parents: string[]; message: string; author: ReturnType<typeof person>; committer: ReturnType<typeof person> }): CommitRecord {
  const sha = repo.git.objects.write("commit", encodeCommit(data));
  const c = repo.git.commit(sha);
  if (!c) throw new Error(`fake GitHub: commit ${sha} was written but cannot be read`);
  return c;
}

/** The commit(s) a merge by `method` puts on the base branch; returns the new base tip. */
async function mergeCommits(ctx: FakeContext, repo: RepoRecord, pull: IssueRecord, method: MergeMethod, by: AccountRecord, text: { title?: string; message?: string }): Promise<string> {
  const { base, head } = pullRange(repo, pull);
  const now = ctx.clock.now();
  const committer = person(GITHUB, now);
  if (method === "rebase") {
    let tip = base;
    for (const c of commitsBetween(repo, head, [base])) {
      const tree = await pickTree(repo, tip, c);
      if (tree === undefined) throw new MergeRefused(405, "This branch can't be rebased");
      tip = writeCommit(repo, { treeSha: tree, parents: [tip], message: c.message, author: c.author, committer }).sha;
    }
    return tip;
  }
  const tree = await mergeTree(repo, base, head);
  if (tree === undefined) throw new MergeRefused(405, "Pull Request is not mergeable");
  const p = pull.pull;
  const title = text.title ?? (method === "squash" ? `${pull.title} (#${pull.number})` : `Merge pull request #${pull.number} from ${repo.owner.login}/${p?.headRef ?? ""}`);
  const message = text.message ?? (method === "squash" ? commitsBetween(repo, head, [base]).map((c) => `* ${c.message}`).join("\n\n") : pull.title);
  const parents = method === "squash" ? [base] : [base, head];
  return writeCommit(repo, { treeSha: tree, parents, message: message === "" ? title : `${title}\n\n${message}`, author: person(identity(by), now), committer }).sha;
}

/**
 * Merges an open pull request as GitHub's merge button does, in the repository's real git data:
 * a merge commit (`merge`), one commit (`squash`) or the head's commits replayed (`rebase`) on the
 * base branch; then the base branch moves (`push`), the pull request closes as merged
 * (`pull_request.closed` with `merged: true`). Throws {@link MergeRefused} as GitHub answers 405/409.
 */
export async function mergePull(
  ctx: FakeContext,
  repo: RepoRecord,
  pull: IssueRecord,
  input: { method?: MergeMethod; sha?: string; title?: string; message?: string; by: AccountRecord },
): Promise<string> {
  const p = pull.pull;
  if (!p || pull.state !== "open" || p.merged) throw new MergeRefused(405, "Pull Request is not mergeable");
  if (input.sha !== undefined && input.sha !== p.headSha) throw new MergeRefused(409, "Head branch was modified. Review and try the merge again.");
  if (p.draft) throw new MergeRefused(405, "Pull Request is still a draft");
  const before = pullRange(repo, pull).base;
  const text = { ...(input.title === undefined ? {} : { title: input.title }), ...(input.message === undefined ? {} : { message: input.message }) };
  const after = await mergeCommits(ctx, repo, pull, input.method ?? "merge", input.by, text);
  const ref = `refs/heads/${p.baseRef}`;
  repo.git.refs.update(ref, after, before);
  const now = ctx.clock.now();
  p.baseSha = before;
  p.merged = { at: now, sha: after, by: input.by };
  pull.state = "closed";
  pull.closedAt = now;
  pull.closedBy = input.by;
  pull.updatedAt = now;
  refsMoved(ctx, repo, [{ ref, before, after }], input.by);
  emitIssueEvent(ctx, repo, pull, "closed", input.by);
  return after;
}
