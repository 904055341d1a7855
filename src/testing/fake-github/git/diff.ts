import { execFile } from "node:child_process";
import { promisify } from "node:util";

const run = promisify(execFile);

/** The id of git's empty tree, which every repository knows. */
export const EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904";

/** One changed file between two commits, as `git diff` reports it. */
export interface FileDiff {
  filename: string;
  previousFilename: string | undefined;
  status: "added" | "removed" | "modified" | "renamed" | "copied" | "changed";
  /** The blob id on the new side (the old side for a removal). */
  sha: string;
  additions: number;
  deletions: number;
  /** The hunks (from the first `@@`), absent for binary or empty changes. */
  patch: string | undefined;
}

const STATUS: Record<string, FileDiff["status"]> = { A: "added", D: "removed", M: "modified", R: "renamed", C: "copied", T: "changed" };

async function git(dir: string, args: string[]): Promise<string> {
  const env = { PATH: process.env.PATH, HOME: dir, GIT_CONFIG_NOSYSTEM: "1" };
  return (await run("git", args, { cwd: dir, env, encoding: "utf8", maxBuffer: 256 * 1024 * 1024 })).stdout;
}

/** `git diff --raw -z` records: `:old new oldsha newsha status\0path\0[path\0]`. */
function parseRaw(out: string): { status: string; oldSha: string; newSha: string; paths: string[] }[] {
  const parts = out.split("\0");
  const list: { status: string; oldSha: string; newSha: string; paths: string[] }[] = [];
  for (let i = 0; i < parts.length - 1; ) {
    const [, , oldSha = "", newSha = "", status = ""] = (parts[i] ?? "").split(" ");
    const letter = status.charAt(0);
    const count = letter === "R" || letter === "C" ? 2 : 1;
    list.push({ status: letter, oldSha, newSha, paths: parts.slice(i + 1, i + 1 + count) });
    i += 1 + count;
  }
  return list;
}

/** `git diff --numstat -z` records, in the same order: `add\tdel\tpath\0` or `add\tdel\t\0old\0new\0`. */
function parseNumstat(out: string): { additions: number; deletions: number }[] {
  const parts = out.split("\0");
  const list: { additions: number; deletions: number }[] = [];
  for (let i = 0; i < parts.length - 1; ) {
    const [add = "0", del = "0", path = ""] = (parts[i] ?? "").split("\t");
    list.push({ additions: Number(add) || 0, deletions: Number(del) || 0 });
    i += path === "" ? 3 : 1;
  }
  return list;
}

/** The hunks of each file of a full patch, in order. */
function splitPatch(out: string): (string | undefined)[] {
  return out
    .split(/^diff --git /m)
    .slice(1)
    .map((chunk) => {
      const at = chunk.search(/^@@ /m);
      return at === -1 ? undefined : chunk.slice(at).replace(/\n$/, "");
    });
}

/** The files changed from commit `from` (undefined: the empty tree) to commit `to`, with rename detection. */
export async function diffCommits(dir: string, from: string | undefined, to: string): Promise<FileDiff[]> {
  const range = [from ?? EMPTY_TREE, to];
  const common = ["--no-color", "--no-ext-diff", "-M"];
  const [raw, numstat, patch] = await Promise.all([
    git(dir, ["diff", ...common, "--raw", "-z", "--no-abbrev", ...range]),
    git(dir, ["diff", ...common, "--numstat", "-z", ...range]),
    git(dir, ["diff", ...common, "--patch", ...range]),
  ]);
  const counts = parseNumstat(numstat);
  const hunks = splitPatch(patch);
  return parseRaw(raw).map((r, i) => {
    const status = STATUS[r.status] ?? "modified";
    const renamed = r.paths.length === 2;
    return {
      filename: (renamed ? r.paths[1] : r.paths[0]) ?? "",
      previousFilename: renamed ? r.paths[0] : undefined,
      status,
      sha: status === "removed" ? r.oldSha : r.newSha,
      additions: counts[i]?.additions ?? 0,
      deletions: counts[i]?.deletions ?? 0,
      patch: hunks[i],
    };
  });
}

/**
 * Where a comment on line `line` (new side) of `patch` sits: the hunk up to that line (GitHub's
 * `diff_hunk`) and its 1-based position below the first hunk header; undefined when the line is not
 * in the diff.
 */
export function hunkAt(patch: string, line: number): { diffHunk: string; position: number } | undefined {
  const lines = patch.split("\n");
  let hunkStart = 0;
  let newLine = 0;
  for (let i = 0; i < lines.length; i++) {
    const text = lines[i] ?? "";
    const header = /^@@ -\d+(?:,\d+)? \+(\d+)(?:,\d+)? @@/.exec(text);
    if (header) {
      hunkStart = i;
      newLine = Number(header[1]);
      continue;
    }
    if (text.startsWith("-") || text.startsWith("\\")) continue;
    if (newLine === line) return { diffHunk: lines.slice(hunkStart, i + 1).join("\n"), position: i };
    newLine++;
  }
  return undefined;
}
