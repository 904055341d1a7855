import { parse } from "shell-quote";
import type { HookyardConfig } from "../config/index.js";
import { parseDuration } from "../config/units.js";
import { HookyardError } from "../errors.js";

/** Options of {@link agentWorkflow}; each falls back to its `HOOKYARD_AGENT_*` setting. */
export interface AgentWorkflowOptions {
  /** The agent's argv (or a string split shell-style, without a shell). `{prompt}`, `{prompt_file}`, `{task_file}` are replaced. */
  command?: string | readonly string[];
  /** Label that starts a run (default `agent`). */
  label?: string;
  /** One agent run's limit: ms or "30m" (default 30m). */
  timeout?: number | string;
  /** Fix-CI runs per pull request (default 3). */
  fixAttempts?: number;
  /** Runs started per repository and UTC day (default 50). */
  maxRunsPerDay?: number;
  /** Open pull requests as drafts (default true). */
  draft?: boolean;
  /** Push changes under `.github/workflows/` (default false). */
  allowWorkflowChanges?: boolean;
  /** Refuse a change touching more files (default 100). */
  maxChangedFiles?: number;
  /** `bwrap` runs the agent under bubblewrap (default `none`). */
  sandbox?: "none" | "bwrap";
  /** With the sandbox: network for the agent (default true). */
  network?: boolean;
  /** Environment variables passed to the agent by name (e.g. its API key). */
  passEnv?: readonly string[];
  /** Wait after a review so its comments arrive together: ms or "30s" (default 30s). */
  reviewDebounce?: number | string;
  /** The one git origin clones and pushes may use (default https://github.com or https://GHE_HOST). */
  gitUrl?: string;
  /** The git executable (default `git` on PATH). */
  git?: string;
  /** Where stage directories are made (default the OS temp dir). */
  workRoot?: string;
  /** Retries of a stage's task after a crash or a transient failure (default 2). */
  retries?: number;
}

/** The options after defaults, validation and the server's configuration. */
export interface AgentSettings {
  command: string[];
  label: string;
  timeoutMs: number;
  fixAttempts: number;
  maxRunsPerDay: number;
  draft: boolean;
  allowWorkflowChanges: boolean;
  maxChangedFiles: number;
  sandbox: "none" | "bwrap";
  network: boolean;
  passEnv: string[];
  reviewDebounceMs: number;
  gitOrigin: string;
  git: string;
  workRoot: string | undefined;
  retries: number;
}

/**
 * Splits a command string shell-style (quotes and backslashes) without a shell: no variables are
 * expanded, and operators (`;`, `|`, `>`, `&&`, globs) are refused.
 *
 * @example
 * ```ts
 * parseCommand(`aider --yes --message-file {prompt_file}`); // ["aider", "--yes", "--message-file", "{prompt_file}"]
 * ```
 */
export function parseCommand(input: string | readonly string[]): string[] {
  if (Array.isArray(input)) return validateArgv([...(input as readonly string[])]);
  const text = (input as string).trim();
  if (text.startsWith("[")) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw invalid("HOOKYARD_AGENT_COMMAND starts with [ but is not a JSON array of strings");
    }
    if (!Array.isArray(parsed) || !parsed.every((x) => typeof x === "string")) throw invalid("HOOKYARD_AGENT_COMMAND must be a JSON array of strings");
    return validateArgv(parsed as string[]);
  }
  const argv: string[] = [];
  for (const token of parse(text, (name) => `$${name}`)) {
    if (typeof token !== "string") throw invalid("HOOKYARD_AGENT_COMMAND has a shell operator (; | & > < or a glob); it runs without a shell: use a JSON array or a wrapper script");
    argv.push(token);
  }
  return validateArgv(argv);
}

function validateArgv(argv: string[]): string[] {
  if (argv.length === 0 || argv[0] === "") throw invalid("the agent command is empty");
  if (argv.some((a) => typeof a !== "string" || a.includes("\0"))) throw invalid("the agent command has an argument that is not a string");
  return argv;
}

function invalid(message: string): HookyardError {
  return new HookyardError("HOOKYARD_ERR_CONFIG_INVALID", message);
}

/** Default git origin: GitHub, or the Enterprise Server host. */
function defaultOrigin(config: HookyardConfig): string {
  return config.gheHost ? `${config.gheProtocol}://${config.gheHost}` : "https://github.com";
}

/**
 * The origin clones and pushes may use: `https://host[:port]`, or `http://` on a loopback host only.
 *
 * @example
 * ```ts
 * gitOriginOf("https://github.com/"); // "https://github.com"
 * ```
 */
export function gitOriginOf(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw invalid("HOOKYARD_GIT_URL must be a URL");
  }
  const loopback = u.hostname === "127.0.0.1" || u.hostname === "localhost" || u.hostname === "[::1]";
  if (u.protocol !== "https:" && !(u.protocol === "http:" && loopback)) throw invalid("HOOKYARD_GIT_URL must be https:// (plain http only on a loopback host)");
  if (u.username || u.password) throw invalid("HOOKYARD_GIT_URL must not carry credentials");
  return u.origin;
}

function durationOf(value: number | string, name: string, min = 1): number {
  const ms = parseDuration(value);
  if (ms === undefined || ms < min) throw invalid(`${name} must be a duration like 30s or 30m`);
  return ms;
}

/**
 * Resolves the workflow's settings: options first, then the server's `HOOKYARD_AGENT_*` settings.
 * Without a command anywhere it throws `HOOKYARD_ERR_CONFIG_INVALID`.
 *
 * @example
 * ```ts
 * const settings = resolveAgentSettings(app.config, { command: ["claude", "-p", "{prompt}"] });
 * ```
 */
export function resolveAgentSettings(config: HookyardConfig, o: AgentWorkflowOptions = {}): AgentSettings {
  const command = o.command ?? config.agentCommand;
  if (command === undefined) throw invalid("the agent workflow needs a command: the `command` option or HOOKYARD_AGENT_COMMAND");
  const int = (v: number | undefined, fallback: number, name: string, min: number): number => {
    const n = v ?? fallback;
    if (!Number.isInteger(n) || n < min) throw invalid(`${name} must be a whole number ≥ ${min}`);
    return n;
  };
  const passEnv = [...(o.passEnv ?? config.agentPassEnv)];
  for (const name of passEnv) if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw invalid("passEnv must name environment variables");
  return {
    command: parseCommand(command),
    label: o.label ?? config.agentLabel,
    timeoutMs: o.timeout === undefined ? config.agentTimeout : durationOf(o.timeout, "timeout"),
    fixAttempts: int(o.fixAttempts, config.agentFixAttempts, "fixAttempts", 0),
    maxRunsPerDay: int(o.maxRunsPerDay, config.agentMaxRunsPerDay, "maxRunsPerDay", 0),
    draft: o.draft ?? config.agentDraft,
    allowWorkflowChanges: o.allowWorkflowChanges ?? config.agentAllowWorkflowChanges,
    maxChangedFiles: int(o.maxChangedFiles, config.agentMaxChangedFiles, "maxChangedFiles", 1),
    sandbox: o.sandbox ?? config.agentSandbox,
    network: o.network ?? config.agentNetwork,
    passEnv,
    reviewDebounceMs: o.reviewDebounce === undefined ? config.agentReviewDebounce : durationOf(o.reviewDebounce, "reviewDebounce", 0),
    gitOrigin: gitOriginOf(o.gitUrl ?? config.gitUrl ?? defaultOrigin(config)),
    git: o.git ?? "git",
    workRoot: o.workRoot,
    retries: int(o.retries, 2, "retries", 0),
  };
}

/** What a repository may set in `.github/hookyard.yml` under `agent:`; it can only tighten the server's settings. */
export interface RepoAgentConfig {
  enabled?: boolean;
  label?: string;
  timeout?: string | number;
  fixAttempts?: number;
  maxChangedFiles?: number;
  maxRunsPerDay?: number;
  draft?: boolean;
  allowWorkflowChanges?: boolean;
}

/**
 * Applies a repository's `agent:` section: `enabled: false` turns the workflow off there; limits
 * can only go down; `allowWorkflowChanges` only when the server allows it too. The command,
 * sandbox, network and environment are the server's alone.
 *
 * @example
 * ```ts
 * const s = withRepoConfig(settings, { fixAttempts: 1, draft: false });
 * ```
 */
export function withRepoConfig(s: AgentSettings, repo: RepoAgentConfig | null | undefined): AgentSettings & { enabled: boolean } {
  if (!repo || typeof repo !== "object") return { ...s, enabled: true };
  const lower = (v: unknown, current: number): number => (typeof v === "number" && Number.isFinite(v) && v >= 0 ? Math.min(current, Math.floor(v)) : current);
  const timeout = repo.timeout === undefined ? undefined : parseDuration(repo.timeout);
  return {
    ...s,
    enabled: repo.enabled !== false,
    label: typeof repo.label === "string" && repo.label.length > 0 && repo.label.length <= 50 ? repo.label : s.label,
    timeoutMs: timeout !== undefined && timeout > 0 ? Math.min(s.timeoutMs, timeout) : s.timeoutMs,
    fixAttempts: lower(repo.fixAttempts, s.fixAttempts),
    maxChangedFiles: Math.max(1, lower(repo.maxChangedFiles, s.maxChangedFiles)),
    maxRunsPerDay: lower(repo.maxRunsPerDay, s.maxRunsPerDay),
    draft: typeof repo.draft === "boolean" ? repo.draft : s.draft,
    allowWorkflowChanges: s.allowWorkflowChanges && repo.allowWorkflowChanges !== false,
  };
}
