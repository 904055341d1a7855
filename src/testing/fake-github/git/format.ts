/** Git's tree and commit object formats, encoded and decoded in-process. */

/** One entry of a tree object: `mode` as git writes it (`100644`, `100755`, `120000`, `40000`, `160000`). */
export interface TreeEntry {
  name: string;
  mode: string;
  sha: string;
}

/** An author or committer line: who, and when (epoch ms) in which offset (`+0000`, `-0700`). */
export interface GitPerson {
  name: string;
  email: string;
  date: number;
  tz: string;
}

/** The fields of a commit object. `message` has no trailing newline (as GitHub's API shows it). */
export interface CommitData {
  treeSha: string;
  parents: string[];
  author: GitPerson;
  committer: GitPerson;
  message: string;
}

export const TREE_MODE = "40000";
export const FILE_MODE = "100644";
export const SUBMODULE_MODE = "160000";

/** Git sorts tree entries by name bytes, a directory as if its name ended in `/`. */
function sortKey(e: TreeEntry): Buffer {
  return Buffer.from(e.mode === TREE_MODE ? `${e.name}/` : e.name);
}

export function encodeTree(entries: TreeEntry[]): Buffer {
  const sorted = [...entries].sort((a, b) => Buffer.compare(sortKey(a), sortKey(b)));
  return Buffer.concat(sorted.flatMap((e) => [Buffer.from(`${e.mode} ${e.name}\0`), Buffer.from(e.sha, "hex")]));
}

export function decodeTree(content: Buffer): TreeEntry[] {
  const out: TreeEntry[] = [];
  let at = 0;
  while (at < content.length) {
    const space = content.indexOf(0x20, at);
    const nul = content.indexOf(0, space);
    if (space === -1 || nul === -1) throw new Error("fake GitHub: a malformed tree object");
    out.push({
      mode: content.subarray(at, space).toString("latin1"),
      name: content.subarray(space + 1, nul).toString("utf8"),
      sha: content.subarray(nul + 1, nul + 21).toString("hex"),
    });
    at = nul + 21;
  }
  return out;
}

function personLine(p: GitPerson): string {
  return `${p.name} <${p.email}> ${Math.floor(p.date / 1000)} ${p.tz}`;
}

function parsePerson(line: string): GitPerson {
  const m = /^(.*?) ?<([^>]*)> (\d+) ([+-]\d{4})$/.exec(line);
  if (!m) return { name: line, email: "", date: 0, tz: "+0000" };
  return { name: m[1] ?? "", email: m[2] ?? "", date: Number(m[3]) * 1000, tz: m[4] ?? "+0000" };
}

export function encodeCommit(c: CommitData): Buffer {
  const lines = [`tree ${c.treeSha}`, ...c.parents.map((p) => `parent ${p}`), `author ${personLine(c.author)}`, `committer ${personLine(c.committer)}`];
  return Buffer.from(`${lines.join("\n")}\n\n${c.message}${c.message.endsWith("\n") ? "" : "\n"}`);
}

/** Reads a commit object; extra headers (`gpgsig`, `encoding`, continuation lines) are skipped. */
export function decodeCommit(content: Buffer): CommitData {
  const text = content.toString("utf8");
  const split = text.indexOf("\n\n");
  const head = split === -1 ? text : text.slice(0, split);
  const message = split === -1 ? "" : text.slice(split + 2).replace(/\n$/, "");
  const out: CommitData = { treeSha: "", parents: [], author: parsePerson(""), committer: parsePerson(""), message };
  for (const line of head.split("\n")) {
    const sp = line.indexOf(" ");
    const key = line.slice(0, sp);
    const value = line.slice(sp + 1);
    if (key === "tree") out.treeSha = value;
    else if (key === "parent") out.parents.push(value);
    else if (key === "author") out.author = parsePerson(value);
    else if (key === "committer") out.committer = parsePerson(value);
  }
  return out;
}

/** `2024-05-01T12:00:00+02:00` (a person's own offset), or `…Z` for `+0000`, as push payloads show it. */
export function isoWithOffset(p: GitPerson): string {
  const sign = p.tz.startsWith("-") ? -1 : 1;
  const minutes = sign * (Number(p.tz.slice(1, 3)) * 60 + Number(p.tz.slice(3, 5)));
  const local = new Date(Math.floor(p.date / 1000) * 1000 + minutes * 60_000).toISOString().replace(/\.\d{3}Z$/, "");
  return minutes === 0 ? `${local}Z` : `${local}${p.tz.slice(0, 3)}:${p.tz.slice(3)}`;
}
