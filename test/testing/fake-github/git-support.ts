import { execFile } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FakeGitHub } from "../../../src/testing/index.js";
import { appOctokit } from "./support.js";

const dirs: string[] = [];

/** Removes every directory {@link gitClient} made; call in afterEach. */
export function cleanupGit(): void {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
}

export interface GitResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** An installation token from the fake, narrowed as `body` asks (repositories, permissions). */
export async function installationToken(fake: FakeGitHub, installationId: number, body: { repositories?: string[]; permissions?: Record<string, "read" | "write"> } = {}): Promise<string> {
  const { data } = await appOctokit(fake).rest.apps.createInstallationAccessToken({ installation_id: installationId, ...body });
  return data.token;
}

/**
 * The real git CLI in a fresh temp directory, fed credentials as a workflow would: username
 * `x-access-token` and the token (when given) from `GIT_ASKPASS`, a tiny script echoing an env
 * var. No global config, no terminal prompts. Never throws: the exit code is in the result.
 */
export function gitClient(token: string | undefined) {
  const home = mkdtempSync(join(tmpdir(), "hookyard-git-client-"));
  dirs.push(home);
  const askpass = join(home, "askpass.sh");
  writeFileSync(askpass, '#!/bin/sh\ncase "$1" in\n  Username*) echo x-access-token ;;\n  *) echo "$HOOKYARD_TEST_TOKEN" ;;\nesac\n');
  chmodSync(askpass, 0o755);
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: home,
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_TERMINAL_PROMPT: "0",
    GIT_AUTHOR_NAME: "Agent",
    GIT_AUTHOR_EMAIL: "agent@example.com",
    GIT_COMMITTER_NAME: "Agent",
    GIT_COMMITTER_EMAIL: "agent@example.com",
    ...(token === undefined ? {} : { GIT_ASKPASS: askpass, HOOKYARD_TEST_TOKEN: token }),
  };
  const git = (args: string[], cwd = home, extraEnv: NodeJS.ProcessEnv = {}): Promise<GitResult> =>
    new Promise((resolve) => {
      execFile("git", args, { cwd, env: { ...env, ...extraEnv }, encoding: "utf8" }, (err, stdout, stderr) => {
        const code = err ? (typeof err.code === "number" ? err.code : 1) : 0;
        resolve({ code, stdout, stderr });
      });
    });
  /** Runs git and fails the test with git's stderr unless it exits 0; returns trimmed stdout. */
  const ok = async (args: string[], cwd = home, extraEnv: NodeJS.ProcessEnv = {}): Promise<string> => {
    const r = await git(args, cwd, extraEnv);
    if (r.code !== 0) throw new Error(`git ${args.join(" ")} exited ${r.code}: ${r.stderr}`);
    return r.stdout.trim();
  };
  const write = (cwd: string, path: string, text: string) => writeFileSync(join(cwd, path), text);
  return { home, git, ok, write, dir: (name: string) => join(home, name) };
}
