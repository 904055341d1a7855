import type { HookyardOctokit } from "../../github/octokit.js";

/** `{ owner, repo }` of the run's repository. */
export interface RepoRef {
  owner: string;
  repo: string;
}

/**
 * The hidden marker that makes a body Hookyard's own: `<!-- hookyard:agent <what> -->`. A retry or
 * a restart finds what it wrote before by it instead of writing a second one.
 *
 * @example
 * ```ts
 * marker("status acme/widgets#12"); // "<!-- hookyard:agent status acme/widgets#12 -->"
 * ```
 */
export function marker(what: string): string {
  return `<!-- hookyard:agent ${what.replace(/--/g, "")} -->`;
}

/**
 * Writes an issue comment carrying `mark`: edits `knownId` (or the comment found by its marker),
 * creates it only when there is none. Returns its id.
 *
 * @example
 * ```ts
 * const id = await upsertComment(octokit, repo, 12, null, marker("status acme/widgets#12"), "Working on it…");
 * ```
 */
export async function upsertComment(octokit: HookyardOctokit, r: RepoRef, issue: number, knownId: number | null, mark: string, text: string): Promise<number> {
  const body = `${mark}\n${text}`;
  if (knownId !== null) {
    try {
      await octokit.rest.issues.updateComment({ ...r, comment_id: knownId, body });
      return knownId;
    } catch (err) {
      if ((err as { status?: number }).status !== 404) throw err;
      // deleted by someone: find or write it again
    }
  }
  const existing = await findComment(octokit, r, issue, mark);
  if (existing !== null) {
    await octokit.rest.issues.updateComment({ ...r, comment_id: existing, body });
    return existing;
  }
  const { data } = await octokit.rest.issues.createComment({ ...r, issue_number: issue, body });
  return Number(data.id);
}

/** The id of the issue comment whose body starts with `mark`, or null. */
export async function findComment(octokit: HookyardOctokit, r: RepoRef, issue: number, mark: string): Promise<number | null> {
  for await (const { data } of octokit.paginate.iterator(octokit.rest.issues.listComments, { ...r, issue_number: issue, per_page: 100 })) {
    const hit = data.find((c) => (c.body ?? "").startsWith(mark));
    if (hit) return Number(hit.id);
  }
  return null;
}

/**
 * Opens the branch's pull request, or updates the open one (found by number, else by head
 * branch): one pull request per run, whatever was retried.
 *
 * @example
 * ```ts
 * const pr = await upsertPull(octokit, repo, { number: null, head: "agent/issue-12", base: "main", title, body, draft: true });
 * ```
 */
export async function upsertPull(
  octokit: HookyardOctokit,
  r: RepoRef,
  p: { number: number | null; head: string; base: string; title: string; body: string; draft: boolean },
): Promise<{ number: number; url: string; created: boolean }> {
  const existing = p.number ?? (await findPull(octokit, r, p.head));
  if (existing !== null) {
    const { data } = await octokit.rest.pulls.update({ ...r, pull_number: existing, title: p.title, body: p.body });
    return { number: data.number, url: data.html_url, created: false };
  }
  try {
    const { data } = await octokit.rest.pulls.create({ ...r, head: p.head, base: p.base, title: p.title, body: p.body, draft: p.draft });
    return { number: data.number, url: data.html_url, created: true };
  } catch (err) {
    // another attempt opened it in between
    const found = (err as { status?: number }).status === 422 ? await findPull(octokit, r, p.head) : null;
    if (found === null) throw err;
    const { data } = await octokit.rest.pulls.update({ ...r, pull_number: found, title: p.title, body: p.body });
    return { number: data.number, url: data.html_url, created: false };
  }
}

async function findPull(octokit: HookyardOctokit, r: RepoRef, head: string): Promise<number | null> {
  const { data } = await octokit.rest.pulls.list({ ...r, head: `${r.owner}:${head}`, state: "open", per_page: 10 });
  return data[0]?.number ?? null;
}

export const CHECK_NAME = "hookyard/agent";

/**
 * Shows the run's stage as the `hookyard/agent` check run on `sha`: updates `knownId` when it is
 * on that commit, else creates one.
 *
 * @example
 * ```ts
 * const id = await upsertCheck(octokit, repo, { knownId: null, sha, status: "completed", conclusion: "success", title: "PR opened", summary });
 * ```
 */
export async function upsertCheck(
  octokit: HookyardOctokit,
  r: RepoRef,
  c: { knownId: number | null; sha: string; status: "in_progress" | "completed"; conclusion?: "success" | "failure" | "neutral" | "action_required"; title: string; summary: string; detailsUrl?: string },
): Promise<number> {
  const fields = {
    status: c.status,
    ...(c.status === "completed" ? { conclusion: c.conclusion ?? "neutral", completed_at: new Date().toISOString() } : {}),
    output: { title: c.title.slice(0, 255), summary: c.summary.slice(0, 60_000) },
    ...(c.detailsUrl ? { details_url: c.detailsUrl } : {}),
  };
  if (c.knownId !== null) {
    try {
      const { data } = await octokit.rest.checks.get({ ...r, check_run_id: c.knownId });
      if (data.head_sha === c.sha) {
        await octokit.rest.checks.update({ ...r, check_run_id: c.knownId, ...fields });
        return c.knownId;
      }
    } catch (err) {
      if ((err as { status?: number }).status !== 404) throw err;
    }
  }
  const { data } = await octokit.rest.checks.create({ ...r, name: CHECK_NAME, head_sha: c.sha, ...fields });
  return Number(data.id);
}

/**
 * Whether `login` may push to the repository, asked of GitHub (never taken from the payload's
 * `author_association`).
 *
 * @example
 * ```ts
 * if (!(await canWrite(octokit, repo, "octocat"))) return;
 * ```
 */
export async function canWrite(octokit: HookyardOctokit, r: RepoRef, login: string): Promise<boolean> {
  try {
    const { data } = await octokit.rest.repos.getCollaboratorPermissionLevel({ ...r, username: login });
    const role = (data as { role_name?: string }).role_name;
    return data.permission === "admin" || data.permission === "write" || role === "maintain" || role === "write" || role === "admin";
  } catch (err) {
    if ((err as { status?: number }).status === 404) return false;
    throw err;
  }
}
