import type { Logger } from "pino";
import { HookyardError } from "../../errors.js";
import { inSpan } from "../../observability/tracing.js";
import { runProgram, type RunResult } from "../process/run.js";
import type { GitCredentials } from "./credentials.js";

/** Who Hookyard commits as: the App's bot account. */
export interface GitIdentity {
  name: string;
  email: string;
}

export interface GitOptions {
  /** The git executable. */
  git: string;
  /** The one origin allowed, e.g. `https://github.com`. */
  origin: string;
  /** The clone. */
  dir: string;
  /** HOME for git (the stage's private directory), so no user configuration applies. */
  home: string;
  identity: GitIdentity;
  signal?: AbortSignal;
  /** The task's logger: one debug line per git command (its correlation id bound), a warn line when one fails. */
  log?: Logger;
}

/**
 * Git as the agent workflow runs it: no shell, no user or system configuration, hooks off,
 * only the configured origin's protocol allowed (`ext::`, `file://` and others refused),
 * no redirects, `--` before every operand that comes from outside, and credentials only from
 * {@link GitCredentials} while a network command runs.
 *
 * @example
 * ```ts
 * const git = new Git({ git: "git", origin: "https://github.com", dir: ws.repo, home: ws.private, identity });
 * await git.clone(cloneUrl, creds);
 * ```
 */
export class Git {
  constructor(private readonly o: GitOptions) {}

  private env(creds?: GitCredentials): Record<string, string> {
    const protocol = new URL(this.o.origin).protocol.replace(":", "");
    const config: [string, string][] = [
      ["protocol.allow", "never"],
      [`protocol.${protocol}.allow`, "always"],
      ["core.hooksPath", "/dev/null"],
      ["core.fsmonitor", "false"],
      ["core.askPass", ""],
      ["http.followRedirects", "false"],
      ["submodule.recurse", "false"],
      ["credential.helper", ""],
      ...(creds ? ([["credential.helper", creds.helperPath]] as [string, string][]) : []),
      ["user.name", this.o.identity.name],
      ["user.email", this.o.identity.email],
      ["commit.gpgSign", "false"],
      ["init.defaultBranch", "main"],
    ];
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: this.o.home,
      LANG: "C",
      LC_ALL: "C",
      GIT_TERMINAL_PROMPT: "0",
      GIT_CONFIG_NOSYSTEM: "1",
      GIT_CONFIG_GLOBAL: "/dev/null",
      GIT_PROTOCOL_FROM_USER: "0",
      GIT_ALLOW_PROTOCOL: protocol,
      GIT_AUTHOR_NAME: this.o.identity.name,
      GIT_AUTHOR_EMAIL: this.o.identity.email,
      GIT_COMMITTER_NAME: this.o.identity.name,
      GIT_COMMITTER_EMAIL: this.o.identity.email,
      GIT_CONFIG_COUNT: String(config.length),
      ...(creds ? creds.env : {}),
    };
    config.forEach(([k, v], i) => {
      env[`GIT_CONFIG_KEY_${i}`] = k;
      env[`GIT_CONFIG_VALUE_${i}`] = v;
    });
    return env;
  }

  /** Runs git; a non-zero exit throws HOOKYARD_ERR_AGENT_GIT_FAILED with git's own message. */
  async run(args: readonly string[], opts: { cwd?: string; input?: string; creds?: GitCredentials; allowFail?: boolean } = {}): Promise<RunResult> {
    // only the subcommand is named in logs and spans: operands may be URLs or messages
    const what = args.find((a) => !a.startsWith("-")) ?? "git";
    const started = performance.now();
    const res = await inSpan(`git ${what}`, { "process.executable.name": "git", "hookyard.git.command": what }, () =>
      runProgram(this.o.git, args, { cwd: opts.cwd ?? this.o.dir, env: this.env(opts.creds), ...(opts.input !== undefined ? { input: opts.input } : {}), ...(this.o.signal ? { signal: this.o.signal } : {}) }),
    (span, r) => span.setAttribute("process.exit.code", r.code ?? -1));
    const line = { git: what, code: res.code, ...(res.signal ? { signal: res.signal } : {}), durationMs: Math.round(performance.now() - started) };
    if (res.code === 0 || opts.allowFail) this.o.log?.debug(line, `git ${what}`);
    else this.o.log?.warn(line, `git ${what} failed`);
    if (res.code !== 0 && !opts.allowFail) {
      const detail = res.stderr.trim().split("\n").slice(-3).join(" / ").slice(0, 500) || `exit ${res.code ?? res.signal}`;
      throw new HookyardError("HOOKYARD_ERR_AGENT_GIT_FAILED", `git ${what} failed: ${detail}`);
    }
    return res;
  }

  /** Clones `url` (already checked against the origin) into the stage's `repo/`. */
  async clone(url: string, creds: GitCredentials, parent: string): Promise<void> {
    await this.run(["clone", "--quiet", "--no-tags", "--no-recurse-submodules", "--origin", "origin", "--", url, this.o.dir], { cwd: parent, creds });
  }

  /** Checks out `branch`: continued from the remote one when it exists, else new from HEAD. Returns whether it existed. */
  async checkoutBranch(branch: string): Promise<boolean> {
    const remote = `refs/remotes/origin/${branch}`;
    const exists = (await this.run(["rev-parse", "--verify", "--quiet", `${remote}^{commit}`], { allowFail: true })).code === 0;
    await this.run(["checkout", "--quiet", "-B", branch, ...(exists ? [remote] : []), "--"]);
    return exists;
  }

  async head(): Promise<string> {
    return (await this.run(["rev-parse", "HEAD"])).stdout.trim();
  }

  /** The default branch's name on the remote (from `origin/HEAD`). */
  async defaultBranch(): Promise<string> {
    const res = await this.run(["symbolic-ref", "--quiet", "--short", "refs/remotes/origin/HEAD"], { allowFail: true });
    return res.code === 0 ? res.stdout.trim().replace(/^origin\//, "") : "main";
  }

  /** Stages everything the agent changed (respecting .gitignore) and commits it; false when there was nothing to commit. */
  async commitAll(message: string): Promise<boolean> {
    await this.run(["add", "--all", "--", "."]);
    const staged = await this.run(["diff", "--cached", "--quiet"], { allowFail: true });
    if (staged.code === 0) return false;
    await this.run(["commit", "--quiet", "--no-verify", "--file=-"], { input: message });
    return true;
  }

  /** Files changed between `from` and HEAD. */
  async changedFiles(from: string): Promise<string[]> {
    const res = await this.run(["diff", "--name-only", "--no-renames", "-z", from, "HEAD", "--"]);
    return res.stdout.split("\0").filter((f) => f.length > 0);
  }

  /** Commits in HEAD that `base` lacks. */
  async commitsAhead(base: string): Promise<number> {
    const res = await this.run(["rev-list", "--count", `${base}..HEAD`, "--"], { allowFail: true });
    return res.code === 0 ? Number(res.stdout.trim()) || 0 : 0;
  }

  /** `git diff --stat`-like summary of HEAD against `from`, for logs and the demo. */
  async diff(from: string, stat = false): Promise<string> {
    return (await this.run(["diff", ...(stat ? ["--stat"] : []), from, "HEAD", "--"])).stdout;
  }

  /** Pushes HEAD to `branch` on origin, never forced. */
  async push(branch: string, creds: GitCredentials): Promise<void> {
    await this.run(["push", "--quiet", "--no-verify", "origin", `HEAD:refs/heads/${branch}`], { creds });
  }
}
