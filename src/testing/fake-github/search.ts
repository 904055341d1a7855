import type { IssueRecord, RepoRecord } from "./state.js";

/** A parsed `q` of `GET /search/issues`: qualifiers and the free words. */
export interface IssueQuery {
  repos: string[];
  owners: string[];
  kind: "issue" | "pr" | undefined;
  state: "open" | "closed" | undefined;
  merged: boolean | undefined;
  labels: string[];
  noLabel: boolean;
  authors: string[];
  words: string[];
}

/** Splits `q` on spaces, keeping `"quoted phrases"` (also in `label:"needs review"`) whole. */
function tokens(q: string): string[] {
  return [...q.matchAll(/(?:[^\s"]+|"[^"]*")+/g)].map((m) => m[0].replace(/"/g, ""));
}

/**
 * Reads GitHub's issue search syntax, the qualifiers apps use: `repo:`, `org:`/`user:`, `is:`/`type:`
 * (`issue`, `pr`, `open`, `closed`, `merged`), `state:`, `label:` (each one required), `no:label`,
 * `author:`; other words must appear in the title or body (any case). Unknown qualifiers are ignored.
 */
export function parseIssueQuery(q: string): IssueQuery {
  const out: IssueQuery = { repos: [], owners: [], kind: undefined, state: undefined, merged: undefined, labels: [], noLabel: false, authors: [], words: [] };
  for (const t of tokens(q)) {
    const i = t.indexOf(":");
    const key = i === -1 ? "" : t.slice(0, i).toLowerCase();
    const value = t.slice(i + 1);
    const v = value.toLowerCase();
    if (key === "repo") out.repos.push(v);
    else if (key === "org" || key === "user") out.owners.push(v);
    else if ((key === "is" || key === "type") && (v === "issue" || v === "pr")) out.kind = v;
    else if (key === "type" && v === "pull-request") out.kind = "pr";
    else if ((key === "is" || key === "state") && (v === "open" || v === "closed")) out.state = v;
    else if (key === "is" && (v === "merged" || v === "unmerged")) out.merged = v === "merged";
    else if (key === "label") out.labels.push(v);
    else if (key === "no" && v === "label") out.noLabel = true;
    else if (key === "author") out.authors.push(v);
    else if (key === "") out.words.push(v);
  }
  return out;
}

/** Whether issue `i` of `repo` matches the query. */
export function matchesIssue(query: IssueQuery, repo: RepoRecord, i: IssueRecord): boolean {
  const full = `${repo.owner.login}/${repo.name}`.toLowerCase();
  if (query.repos.length > 0 && !query.repos.includes(full)) return false;
  if (query.owners.length > 0 && !query.owners.includes(repo.owner.login.toLowerCase())) return false;
  if (query.kind !== undefined && (query.kind === "pr") !== (i.pull !== undefined)) return false;
  if (query.state !== undefined && i.state !== query.state) return false;
  if (query.merged !== undefined && (i.pull?.merged !== undefined) !== query.merged) return false;
  const names = i.labels.map((l) => l.name.toLowerCase());
  if (!query.labels.every((l) => names.includes(l))) return false;
  if (query.noLabel && names.length > 0) return false;
  if (query.authors.length > 0 && !query.authors.includes(i.user.login.toLowerCase())) return false;
  const text = `${i.title}\n${i.body ?? ""}`.toLowerCase();
  return query.words.every((w) => text.includes(w));
}
