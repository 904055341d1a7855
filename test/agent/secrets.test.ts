import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { pino } from "pino";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { agentHarness, closeHarnesses } from "./support.js";

const REPO = "acme/widgets";
const dir = mkdtempSync(join(tmpdir(), "hookyard-secrets-"));
const SERVER_SECRETS = { WEBHOOK_SECRET: "server-webhook-secret-value", PRIVATE_KEY: "-----BEGIN RSA PRIVATE KEY-----server", HOOKYARD_API_TOKEN: "server-api-token-0123456789", REDIS_URL: "redis://server-secret@127.0.0.1:6379" };

beforeAll(() => {
  // the server's own secrets in its environment, and the agent's key it may pass on
  Object.assign(process.env, SERVER_SECRETS, { AGENT_API_KEY: "agent-key-1" });
});
afterAll(() => {
  for (const k of [...Object.keys(SERVER_SECRETS), "AGENT_API_KEY"]) delete process.env[k];
  rmSync(dir, { recursive: true, force: true });
});
afterEach(closeHarnesses);

/** A git that records its argv and, while it runs, every process's command line, then runs the real git. */
function recordingGit(): { path: string; argv: () => string; cmdlines: () => string; env: () => string } {
  const path = join(dir, "git");
  const log = (name: string) => join(dir, name);
  writeFileSync(path, `#!/bin/sh
printf '%s\\n' "$*" >> ${log("argv")}
env >> ${log("env")}
exec 3<&0
git "$@" <&3 &
pid=$!
while kill -0 $pid 2>/dev/null; do cat /proc/[0-9]*/cmdline 2>/dev/null | tr '\\0' ' ' >> ${log("cmdlines")}; echo >> ${log("cmdlines")}; done
wait $pid
`);
  chmodSync(path, 0o755);
  const read = (name: string) => () => {
    try {
      return readFileSync(log(name), "utf8");
    } catch {
      return "";
    }
  };
  return { path, argv: read("argv"), cmdlines: read("cmdlines"), env: read("env") };
}

describe("the installation token and the server's secrets", () => {
  it("never reach a URL, an argument, .git/config, the agent's environment or a log line", async () => {
    const git = recordingGit();
    const lines: string[] = [];
    const logger = pino({ level: "trace" }, new Writable({ write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    } }));
    const report = join(dir, "report.json");
    const h = await agentHarness({
      script: [{ report: { path: report, read: [".git/config"] } }, { write: { "fix.txt": "fixed\n" } }, { result: { title: "Fix" } }],
      options: { git: git.path, passEnv: ["AGENT_API_KEY"] },
      hookyard: { logger },
    });
    const issue = await h.label();
    await h.settled();
    expect(h.fake.state.pulls(REPO)).toHaveLength(1); // it worked, through git

    const tokens = h.fake.tokensIssued.map((t) => t.token);
    expect(tokens.length).toBeGreaterThan(0);
    // the token git got was narrowed to this repository and to contents
    const gitToken = h.fake.tokensIssued.find((t) => t.repositoryIds !== null);
    expect(gitToken).toMatchObject({ repositoryIds: [h.repo.id], permissions: { contents: "write" } });
    expect(Object.keys(gitToken!.permissions).filter((p) => p !== "metadata")).toEqual(["contents"]);

    const seen = JSON.parse(readFileSync(report, "utf8")) as { argv: string[]; env: Record<string, string>; reads: Record<string, string>; proc: { cmdlines: string[]; environs: string[] } };
    const gitConfig = readFileSync(report, "utf8");
    const places: [string, string][] = [
      ["git argv", git.argv()], ["process command lines while git ran", git.cmdlines()], ["git's environment", git.env()],
      ["the agent's argv", seen.argv.join(" ")], ["the agent's environment", JSON.stringify(seen.env)],
      ["what the agent sees in /proc", JSON.stringify(seen.proc)], ["the agent's view of .git/config", gitConfig],
      ["the logs", lines.join("")], ["the fake's request log", JSON.stringify(h.fake.requests)],
    ];
    expect(git.argv()).toContain("clone");
    expect(git.argv()).toContain("push");
    expect(git.cmdlines().length).toBeGreaterThan(0);
    for (const [where, text] of places) for (const token of tokens) expect(text.includes(token), `a token in ${where}`).toBe(false);
    expect(git.argv()).not.toMatch(/x-access-token|@127\.0\.0\.1/);

    // the agent's environment is the allow-list, with the key it was given and none of the server's secrets
    expect(Object.keys(seen.env).sort()).toEqual(expect.arrayContaining(["AGENT_API_KEY", "HOOKYARD_RESULT_FILE", "HOOKYARD_TASK_FILE", "PATH"]));
    for (const name of Object.keys(seen.env)) expect(name, "unexpected variable").toMatch(/^(PATH|HOME|LANG|LANGUAGE|TZ|TERM|LC_\w+|AGENT_API_KEY|TMPDIR|HOOKYARD_(TASK_FILE|PROMPT_FILE|RESULT_FILE|AGENT_MODE|AGENT_STAGE_DIR))$/);
    const everything = JSON.stringify(seen);
    for (const value of Object.values(SERVER_SECRETS)) expect(everything.includes(value)).toBe(false);
    expect(everything.includes(h.fake.privateKey.split("\n")[1]!)).toBe(false);
    expect(seen.reads[".git/config"]).toMatch(/^read/);
    expect(issue).toBeGreaterThan(0);
  });
});
