import { isoSeconds } from "../clock.js";
import type { FileDiff } from "../git/diff.js";
import type { AccountRecord, CommitRecord, RepoRecord } from "../state.js";
import { simpleUser } from "./accounts.js";
import type { Schemas, Urls } from "./urls.js";

/** Finds the account behind a commit email (its own, or its no-reply address), as GitHub links commits to users. */
export type UserByEmail = (email: string) => AccountRecord | undefined;

/** A changed file as `diff-entry`; `ref` is the commit its links point at. */
export function diffEntry(u: Urls, r: RepoRecord, f: FileDiff, ref: string): Schemas["diff-entry"] {
  const path = encodeURI(f.filename);
  const out: Schemas["diff-entry"] = {
    sha: f.sha,
    filename: f.filename,
    status: f.status,
    additions: f.additions,
    deletions: f.deletions,
    changes: f.additions + f.deletions,
    blob_url: `${u.html}/${r.owner.login}/${r.name}/blob/${ref}/${path}`,
    raw_url: `${u.html}/${r.owner.login}/${r.name}/raw/${ref}/${path}`,
    contents_url: `${u.api}/repos/${r.owner.login}/${r.name}/contents/${path}?ref=${ref}`,
  };
  if (f.patch !== undefined) out.patch = f.patch;
  if (f.previousFilename !== undefined) out.previous_filename = f.previousFilename;
  return out;
}

/** A commit as `commit` (`GET /repos/{o}/{r}/commits/{ref}`); with `files`, also its stats and files. */
export function commitShape(u: Urls, r: RepoRecord, c: CommitRecord, users: UserByEmail, files?: FileDiff[]): Schemas["commit"] {
  const api = `${u.api}/repos/${r.owner.login}/${r.name}`;
  const html = `${u.html}/${r.owner.login}/${r.name}`;
  const who = (p: CommitRecord["author"]) => ({ name: p.name, email: p.email, date: isoSeconds(p.date) });
  const account = (email: string) => {
    const a = users(email);
    return a ? simpleUser(u, a) : null;
  };
  const out: Schemas["commit"] = {
    url: `${api}/commits/${c.sha}`,
    sha: c.sha,
    node_id: Buffer.from(`C_${c.sha}`).toString("base64"),
    html_url: `${html}/commit/${c.sha}`,
    comments_url: `${api}/commits/${c.sha}/comments`,
    commit: {
      url: `${api}/git/commits/${c.sha}`,
      author: who(c.author),
      committer: who(c.committer),
      message: c.message,
      comment_count: 0,
      tree: { sha: c.treeSha, url: `${api}/git/trees/${c.treeSha}` },
      verification: { verified: false, reason: "unsigned", signature: null, payload: null, verified_at: null },
    },
    author: account(c.author.email),
    committer: account(c.committer.email),
    parents: c.parents.map((sha) => ({ sha, url: `${api}/commits/${sha}`, html_url: `${html}/commit/${sha}` })),
  };
  if (files) {
    const additions = files.reduce((n, f) => n + f.additions, 0);
    const deletions = files.reduce((n, f) => n + f.deletions, 0);
    out.stats = { additions, deletions, total: additions + deletions };
    out.files = files.map((f) => diffEntry(u, r, f, c.sha));
  }
  return out;
}
