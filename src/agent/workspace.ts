import { readdirSync, readFileSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Logger } from "pino";
import { processAlive } from "../process-alive.js";

const PREFIX = "hookyard-agent-";
/** Set in the agent's environment to its stage directory, so a sweep can tell its process from a reused pid. */
export const STAGE_ENV = "HOOKYARD_AGENT_STAGE_DIR";

/** The start time of a process (Linux: clock ticks since boot, from /proc), so a reused pid is not mistaken for its owner. */
function startTimeOf(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // the command name (field 2) may hold spaces and parentheses: count fields after the last ')'
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19] ?? null;
  } catch {
    return null;
  }
}

const SELF = `${process.pid}-${startTimeOf(process.pid) ?? "0"}`;

/**
 * One stage's directory, `<tmp>/hookyard-agent-<pid>-<start>-<random>/`: `repo/` is the workspace
 * (the clone the agent works in), `io/` holds the task, prompt and result files outside it.
 * Removed by {@link Workspace.remove} whatever happened; a killed process's are removed by
 * {@link sweepStaleWorkspaces} at the next start.
 *
 * @example
 * ```ts
 * const ws = await Workspace.create();
 * try { … } finally { await ws.remove(); }
 * ```
 */
export class Workspace {
  private constructor(readonly root: string) {}

  /** The clone. */
  get repo(): string {
    return join(this.root, "repo");
  }

  /** Task, prompt and result files (outside the clone). */
  get io(): string {
    return join(this.root, "io");
  }

  /** A private directory for the sandbox's `/tmp` and git's askpass helper. */
  get private(): string {
    return join(this.root, "private");
  }

  static async create(workRoot = tmpdir()): Promise<Workspace> {
    const root = await mkdtemp(join(workRoot, `${PREFIX}${SELF}-`));
    const ws = new Workspace(root);
    await Promise.all([mkdir(ws.io, { mode: 0o700 }), mkdir(ws.private, { mode: 0o700 })]);
    return ws;
  }

  /** Records the agent's process group so a later start can kill it if this process dies first. */
  async noteAgentGroup(pgid: number): Promise<void> {
    await writeFile(join(this.root, "agent.pid"), String(pgid), { mode: 0o600 });
  }

  async remove(): Promise<void> {
    await rm(this.root, { recursive: true, force: true, maxRetries: 3 });
  }
}

/**
 * Removes stage directories left by processes that are gone (killed mid-run), after killing the
 * agent process group each recorded. Directories of live processes are left alone.
 *
 * @example
 * ```ts
 * const removed = await sweepStaleWorkspaces(tmpdir(), log);
 * ```
 */
export async function sweepStaleWorkspaces(workRoot = tmpdir(), log?: Logger): Promise<string[]> {
  let names: string[];
  try {
    names = readdirSync(workRoot).filter((n) => n.startsWith(PREFIX));
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    const m = /^hookyard-agent-(\d+)-(\d+)-/.exec(name);
    if (!m) continue;
    const pid = Number(m[1]);
    if (`${m[1]}-${m[2]}` === SELF) continue;
    const start = startTimeOf(pid);
    const ownerAlive = start === null ? false : m[2] === "0" ? processAlive(pid) : start === m[2];
    if (ownerAlive) continue;
    const dir = join(workRoot, name);
    killRecordedGroup(dir);
    await rm(dir, { recursive: true, force: true, maxRetries: 3 }).catch(() => undefined);
    removed.push(dir);
  }
  if (removed.length > 0) log?.info({ removed: removed.length }, "removed agent workspaces left by a stopped process");
  return removed;
}

function killRecordedGroup(dir: string): void {
  let pgid: number;
  try {
    pgid = Number(readFileSync(join(dir, "agent.pid"), "utf8"));
  } catch {
    return;
  }
  if (!Number.isInteger(pgid) || pgid <= 1) return;
  // only if that process is still this directory's agent (the pid may have been reused)
  try {
    const environ = readFileSync(`/proc/${pgid}/environ`, "utf8").split("\0");
    if (!environ.includes(`${STAGE_ENV}=${dir}`)) return;
  } catch {
    return;
  }
  try {
    process.kill(-pgid, "SIGKILL");
  } catch {
    // already gone
  }
}
