import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { running } from "../support/proc.js";
import { agentHarness, closeHarnesses } from "./support.js";

const REPO = "acme/widgets";
afterEach(closeHarnesses);


const run = (args: string[], cwd: string) =>
  new Promise<void>((resolve, reject) => execFile("git", args, { cwd, env: { PATH: process.env.PATH, HOME: cwd, GIT_CONFIG_NOSYSTEM: "1", GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@t", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@t" } }, (err) => (err ? reject(err) : resolve())));

/** Commits a symlink `path → target` on the default branch, straight into the fake's bare repository. */
async function commitSymlink(gitDir: string, path: string, target: string): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "hookyard-symlink-"));
  try {
    await run(["clone", "--quiet", gitDir, "w"], dir);
    symlinkSync(target, join(dir, "w", path));
    await run(["add", path], join(dir, "w"));
    await run(["commit", "--quiet", "-m", "a symlink out of the repository"], join(dir, "w"));
    await run(["push", "--quiet", "origin", "HEAD:main"], join(dir, "w"));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function failedTasks(h: Awaited<ReturnType<typeof agentHarness>>) {
  return (await h.app.store.listTasks({ state: "failed" })).items;
}

describe("agent workflow failures", () => {
  it("an agent that fails: its partial work is pushed, the issue is told, the task fails, the workspace is gone", async () => {
    const h = await agentHarness({ script: [{ write: { "half.txt": "half done\n" } }, { stderr: "model quota exceeded" }, { exit: 3 }] });
    const issue = await h.label();
    await expect(h.settled()).rejects.toThrow(/the agent exited with status 3/);
    expect(h.fake.state.file(REPO, "half.txt", `agent/issue-${issue}`)).toBe("half done\n");
    expect(h.fake.state.pulls(REPO)).toEqual([]);
    const [comment] = h.fake.state.comments(REPO, issue);
    expect(comment?.body).toContain("Stopped: the agent exited with status 3");
    expect(comment?.body).toContain("agent/issue-");
    const failed = await failedTasks(h);
    expect(failed.map((t) => t.name)).toEqual(["agent:issue"]);
    expect(failed[0]?.attempts).toBe(1); // an agent failure is not retried by itself
    expect((await h.workflow.runs.get(REPO, issue))?.stage).toBe("stopped");
    expect(h.leftovers()).toEqual([]);
  });

  it("an agent that hits its timeout: the process group is killed, the work so far is pushed and the comment says so", async () => {
    const pidFile = join(tmpdir(), `hookyard-agent-child-${process.pid}-${Date.now()}`);
    const h = await agentHarness({ script: [{ write: { "partial.txt": "so far\n" } }, { spawnChild: pidFile }, { hang: true }], options: { timeout: "1s" } });
    const issue = await h.label();
    await expect(h.settled()).rejects.toThrow(/timeout/);
    expect(running(Number(readFileSync(pidFile, "utf8")))).toBe(false);
    rmSync(pidFile, { force: true });
    expect(h.fake.state.file(REPO, "partial.txt", `agent/issue-${issue}`)).toBe("so far\n");
    expect(h.fake.state.comments(REPO, issue)[0]?.body).toContain("Stopped: the agent hit its timeout (1s)");
    expect(h.leftovers()).toEqual([]);
  });

  it("refuses a clone URL on another origin without cloning anything", async () => {
    const h = await agentHarness({ script: [{ write: { "x.txt": "x\n" } }] });
    const issue = await h.label(undefined, { repository: { clone_url: "https://evil.example.com/acme/widgets.git" } });
    await expect(h.settled()).rejects.toThrow(/HOOKYARD_ERR_AGENT_CLONE_URL_REFUSED|not the configured git origin/);
    expect(h.fake.requests.some((r) => r.path.includes(".git/"))).toBe(false);
    expect(h.fake.state.comments(REPO, issue)[0]?.body).toContain("is not the configured git origin");
    expect((await failedTasks(h))[0]?.attempts).toBe(1);
  });

  it("refuses changes to workflow files and changes of too many files, pushing nothing", async () => {
    const h = await agentHarness({ script: [{ write: { ".github/workflows/ci.yml": "on: push\n" } }], options: { maxChangedFiles: 2 } });
    const wf = await h.label();
    await h.settled();
    expect(h.fake.state.ref(REPO, `agent/issue-${wf}`)).toBeUndefined();
    expect(h.fake.state.comments(REPO, wf)[0]?.body).toContain("touches .github/workflows/ci.yml");
    h.agent.setScript([{ write: { "a.txt": "1", "b.txt": "2", "c.txt": "3" } }]);
    const many = await h.label();
    await h.settled();
    expect(h.fake.state.ref(REPO, `agent/issue-${many}`)).toBeUndefined();
    expect(h.fake.state.comments(REPO, many)[0]?.body).toContain("touches 3 files, more than the 2 allowed");
  });

  it("keeps hostile titles, bodies and repository content inert", async () => {
    const marker = join(tmpdir(), `hookyard-pwned-${process.pid}`);
    const hostile = `$(touch ${marker}) \`touch ${marker}\`; rm -rf ~ --upload-pack=touch${marker} -c core.sshCommand=touch${marker} ünïcödé 🚀`;
    const h = await agentHarness({
      script: [{ write: { "notes.txt": "ok\n" } }, { result: { title: hostile, summary: hostile } }],
      files: { "README.md": "# widgets\n" },
    });
    await commitSymlink(h.fake.state.gitDir(REPO), "etc", "/etc");
    expect(h.fake.state.commit(REPO)?.files).toContain("etc");
    const issue = await h.label({ title: hostile, body: `${hostile}\n${"x".repeat(64 * 1024)}` });
    await h.settled();
    expect(existsSync(marker)).toBe(false);
    const [pr] = h.fake.state.pulls(REPO);
    expect(pr?.title).toBe(hostile.replace(/[\r\n]+/g, " ").slice(0, 256));
    expect(h.fake.state.file(REPO, "notes.txt", `agent/issue-${issue}`)).toBe("ok\n");
    expect(existsSync("/etc/notes.txt")).toBe(false);
  });

  it("leaves no workspace behind after 50 runs, killed ones included", { timeout: 240_000 }, async () => {
    const h = await agentHarness({
      script: [{ ifTitle: { includes: "hang", then: [{ write: { "n.txt": "n\n" } }, { hang: true }], else: [{ ifTitle: { includes: "fail", then: [{ exit: 1 }], else: [{ write: { "n.txt": "n\n" } }] } }] } }],
      // 16 of the 50 runs fail on purpose: the agent circuit would (rightly) open and defer the rest
      options: { timeout: "1s" }, hookyard: { concurrency: 8, agentCircuitThreshold: 0 },
    });
    for (let i = 0; i < 50; i++) await h.label({ title: `Run ${i}${i % 5 === 0 ? " hang" : i % 7 === 0 ? " fail" : ""}` });
    await expect(h.settled()).rejects.toThrow(AggregateError);
    expect(h.leftovers()).toEqual([]);
    expect(h.fake.state.pulls(REPO)).toHaveLength(50 - 10 - 6);
    expect((await failedTasks(h)).length).toBe(16);
  });
});
