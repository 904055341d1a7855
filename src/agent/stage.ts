import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Logger } from "pino";
import { HookyardError } from "../errors.js";
import { UnrecoverableError } from "../steering/steer.js";
import type { Lifecycle } from "../observability/lifecycle.js";
import type { Circuit } from "../steering/circuit.js";
import { GitCredentials } from "./git/credentials.js";
import { Git, type GitIdentity } from "./git/git.js";
import type { AgentSettings } from "./options.js";
import { runAgent, type AgentExit } from "./process/agent.js";
import { agentEnv } from "./process/env.js";
import { bwrapArgs, findBwrap } from "./process/sandbox.js";
import type { AgentRun } from "./runs.js";
import type { AgentResult } from "./task/result.js";
import { readResult } from "./task/result.js";
import { fillPlaceholders, renderPrompt, type AgentTask } from "./task/task-file.js";
import { STAGE_ENV, Workspace } from "./workspace.js";

/** What the workflow gives every stage. */
export interface StageDeps {
  settings: AgentSettings;
  /** A token for git: this installation, this one repository, contents only. */
  gitToken: (installationId: number, repositoryId: number) => Promise<string>;
  identity: () => Promise<GitIdentity>;
  events: Lifecycle;
  /** Hidden from a sandboxed agent (the server's directory, key files, store). */
  masked: string[];
  env: NodeJS.ProcessEnv;
  /** The `agent` circuit breaker: while open, a stage is deferred before it clones anything. */
  circuit?: Circuit;
}

/** What one stage is asked to do. */
export interface StageRequest {
  run: AgentRun;
  cloneUrl: string;
  task: Omit<AgentTask, "workspace" | "resultFile" | "branch" | "version" | "limits">;
  log: Logger;
  signal: AbortSignal;
  taskId: string;
}

/** How a stage ended. */
export interface StageOutcome {
  /** `pushed`: the branch has the agent's work (new or from an earlier attempt); `no-changes`; `refused`: not pushed, see `reason`. */
  kind: "pushed" | "no-changes" | "refused";
  /** The agent failed, timed out or was stopped: what stopped it (work so far was still pushed). */
  stopped: string | null;
  headSha: string | null;
  baseBranch: string;
  changedFiles: string[];
  diffStat: string;
  diff: string;
  result: AgentResult;
  resultProblem: string | null;
  exit: AgentExit;
  reason: string | null;
}

/**
 * Checks a clone URL from a payload against the configured origin: same scheme, host and port,
 * a plain `/<owner>/<repo>.git` path, no credentials, query or fragment.
 *
 * @example
 * ```ts
 * checkCloneUrl("https://github.com/acme/widgets.git", "https://github.com", "acme/widgets");
 * ```
 */
export function checkCloneUrl(url: unknown, origin: string, fullName: string): string {
  // refused for good: retrying the same payload cannot help
  const refuse = (why: string) => {
    const cause = new HookyardError("HOOKYARD_ERR_AGENT_CLONE_URL_REFUSED", `the repository's clone_url is refused: ${why}`);
    return new UnrecoverableError(cause.message, { cause });
  };
  if (typeof url !== "string") throw refuse("it is missing");
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw refuse("it is not a URL");
  }
  if (u.origin !== origin) throw refuse(`its origin ${u.protocol}//${u.host} is not the configured git origin ${origin} (HOOKYARD_GIT_URL)`);
  if (u.username || u.password || u.search || u.hash) throw refuse("it carries credentials, a query or a fragment");
  const expected = `/${fullName}.git`;
  if (u.pathname.toLowerCase() !== expected.toLowerCase() || !/^\/[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+\.git$/.test(u.pathname)) throw refuse(`its path is not ${expected}`);
  return `${origin}${u.pathname}`;
}

function commitMessage(req: StageRequest, result: AgentResult, stopped: string | null): string {
  const subject = (result.title ?? (req.task.mode === "issue" ? `Agent: ${req.task.issue.title}` : req.task.mode === "fix-ci" ? "Agent: fix failing checks" : "Agent: address review"))
    .replace(/[\r\n]+/g, " ").slice(0, 120);
  const lines = [subject, ""];
  if (result.summary) lines.push(result.summary, "");
  if (stopped) lines.push(`Work in progress: ${stopped}.`, "");
  lines.push(`Refs #${req.task.issue.number}`);
  return lines.join("\n");
}

const emit = (deps: StageDeps, req: StageRequest, step: string, detail: Record<string, unknown> = {}) =>
  deps.events.emit("agent:progress", { repo: req.run.repo, issue: req.run.issue, mode: req.task.mode, step, detail, task: req.taskId });

/**
 * Runs one stage in a fresh workspace: clone (credentials from a socket, only for the origin),
 * continue or create the run's branch, run the agent (no credentials reachable while it runs),
 * commit what it changed as the App's bot, check the change, push — never forced — and remove
 * the workspace whatever happened.
 *
 * @example
 * ```ts
 * const outcome = await runStage(deps, { run, cloneUrl, task, log: ctx.log, signal: ctx.signal, taskId: ctx.task });
 * ```
 */
export async function runStage(deps: StageDeps, req: StageRequest): Promise<StageOutcome> {
  const s = deps.settings;
  deps.circuit?.check();
  const ws = await Workspace.create(s.workRoot);
  try {
    const identity = await deps.identity();
    const git = new Git({ git: s.git, origin: s.gitOrigin, dir: ws.repo, home: ws.private, identity, signal: req.signal, log: req.log });
    const token = () => deps.gitToken(req.run.installationId, req.run.repositoryId);
    const withCreds = async <T>(fn: (c: GitCredentials) => Promise<T>): Promise<T> => {
      const creds = await GitCredentials.open(ws.private, s.gitOrigin, token);
      try {
        return await fn(creds);
      } finally {
        await creds.close();
      }
    };
    await withCreds((c) => git.clone(req.cloneUrl, c, ws.root));
    const baseBranch = await git.defaultBranch();
    const continued = await git.checkoutBranch(req.run.branch);
    const startSha = await git.head();
    emit(deps, req, "workspace", { branch: req.run.branch, continued });

    const task: AgentTask = {
      version: 1, ...req.task, branch: req.run.branch, workspace: ws.repo, resultFile: join(ws.io, "result.json"),
      limits: { timeoutSeconds: Math.round(s.timeoutMs / 1000), maxChangedFiles: s.maxChangedFiles, allowWorkflowChanges: s.allowWorkflowChanges },
    };
    const taskFile = join(ws.io, "task.json");
    const promptFile = join(ws.io, "prompt.md");
    const prompt = renderPrompt(task);
    await writeFile(taskFile, JSON.stringify(task, null, 2), { mode: 0o600 });
    await writeFile(promptFile, prompt, { mode: 0o600 });
    const agentArgv = fillPlaceholders(s.command, { prompt, promptFile, taskFile });
    const env = agentEnv(deps.env, s.passEnv, {
      HOOKYARD_TASK_FILE: taskFile, HOOKYARD_PROMPT_FILE: promptFile, HOOKYARD_RESULT_FILE: task.resultFile, HOOKYARD_AGENT_MODE: req.task.mode,
      [STAGE_ENV]: ws.root,
      ...(s.sandbox === "none" ? { TMPDIR: ws.private } : {}),
    });
    const argv = s.sandbox === "bwrap"
      ? [findBwrap(deps.env.PATH), ...bwrapArgs({ writable: [ws.repo, ws.io], masked: deps.masked, network: s.network, cwd: ws.repo }), "--", ...agentArgv]
      : agentArgv;
    emit(deps, req, "agent-started", { mode: req.task.mode, sandbox: s.sandbox });
    const agentLog = req.log.child({ stage: req.task.mode });
    const spawn = () => runAgent({
      argv, cwd: ws.repo, env, timeoutMs: s.timeoutMs, signal: req.signal, log: agentLog,
      onLine: (line, stream) => emit(deps, req, "agent-output", { line, stream }),
      onStart: (pgid) => ws.noteAgentGroup(pgid),
    });
    const exit = deps.circuit ? await deps.circuit.run(spawn) : await spawn();
    emit(deps, req, "agent-exited", { code: exit.code, signal: exit.signal, timedOut: exit.timedOut, durationMs: exit.durationMs });
    const stopped = exit.timedOut ? `the agent hit its timeout (${formatMs(s.timeoutMs)})`
      : exit.aborted ? "the run was stopped (task timeout, cancellation or shutdown)"
      : exit.code !== 0 ? `the agent exited with ${exit.code === null ? `signal ${exit.signal}` : `status ${exit.code}`}` : null;
    const { result, problem } = await readResult(task.resultFile);
    await git.commitAll(commitMessage(req, result, stopped));
    const changedFiles = await git.changedFiles(startSha);
    const headSha = await git.head();
    const base = { stopped, baseBranch, changedFiles, result, resultProblem: problem, exit };
    if (changedFiles.length === 0) {
      // an earlier attempt may have pushed this run's work before it died
      const ahead = continued && req.task.mode === "issue" ? await git.commitsAhead(`refs/remotes/origin/${baseBranch}`) : 0;
      const diff = ahead > 0 ? await git.diff(`refs/remotes/origin/${baseBranch}`) : "";
      const diffStat = ahead > 0 ? await git.diff(`refs/remotes/origin/${baseBranch}`, true) : "";
      return { ...base, kind: ahead > 0 ? "pushed" : "no-changes", headSha: ahead > 0 ? headSha : null, changedFiles: [], diffStat, diff, reason: null };
    }
    const diffStat = await git.diff(startSha, true);
    const diff = await git.diff(startSha);
    const workflows = changedFiles.filter((f) => f.startsWith(".github/workflows/"));
    if (workflows.length > 0 && !s.allowWorkflowChanges) {
      return { ...base, kind: "refused", headSha: null, diffStat, diff, reason: `the change touches ${workflows.join(", ")} (workflow changes are not allowed: HOOKYARD_AGENT_ALLOW_WORKFLOW_CHANGES)` };
    }
    if (changedFiles.length > s.maxChangedFiles) {
      return { ...base, kind: "refused", headSha: null, diffStat, diff, reason: `the change touches ${changedFiles.length} files, more than the ${s.maxChangedFiles} allowed (HOOKYARD_AGENT_MAX_CHANGED_FILES)` };
    }
    await withCreds((c) => git.push(req.run.branch, c));
    emit(deps, req, "pushed", { branch: req.run.branch, sha: headSha, files: changedFiles.length, diffStat });
    return { ...base, kind: "pushed", headSha, diffStat, diff, reason: null };
  } finally {
    await ws.remove();
  }
}

/** `90000` → `1m30s`, `1000` → `1s`. */
function formatMs(ms: number): string {
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const sec = Math.round((ms % 60_000) / 1000);
  return `${h ? `${h}h` : ""}${m ? `${m}m` : ""}${sec || (!h && !m) ? `${sec}s` : ""}`;
}
