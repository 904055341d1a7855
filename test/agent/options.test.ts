import { describe, expect, it } from "vitest";
import { parseCommand, resolveAgentSettings, withRepoConfig } from "../../src/agent/index.js";
import { gitOriginOf } from "../../src/agent/options.js";
import { agentEnv, assertPassable } from "../../src/agent/process/env.js";
import { fillPlaceholders, MAX_PROMPT_ARG } from "../../src/agent/task/task-file.js";
import { loadConfig } from "../../src/config/index.js";

const code = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    return (err as { code?: string }).code;
  }
  return "no error";
};

describe("agent command", () => {
  it("takes a JSON array, or splits a string shell-style without expanding anything", () => {
    expect(parseCommand('["claude", "-p", "{prompt}"]')).toEqual(["claude", "-p", "{prompt}"]);
    expect(parseCommand(`aider --yes --message-file '{prompt_file}' "two words" $HOME`)).toEqual(["aider", "--yes", "--message-file", "{prompt_file}", "two words", "$HOME"]);
    expect(parseCommand(["codex", "exec"])).toEqual(["codex", "exec"]);
  });
  it("refuses shell operators, empty commands and broken JSON with HOOKYARD_ERR_CONFIG_INVALID", () => {
    for (const bad of ["agent; rm -rf ~", "agent | tee x", "agent > out", "agent && other", "", "[1, 2]", "[not json"]) {
      expect(code(() => parseCommand(bad)), bad).toBe("HOOKYARD_ERR_CONFIG_INVALID");
    }
  });
  it("fills placeholders inside one element each, never splitting them", () => {
    const prompt = "fix $(touch /tmp/pwned); rm -rf ~ --upload-pack=evil";
    expect(fillPlaceholders(["a", "-p", "{prompt}", "--file={prompt_file}", "{task_file}"], { prompt, promptFile: "/p.md", taskFile: "/t.json" }))
      .toEqual(["a", "-p", prompt, "--file=/p.md", "/t.json"]);
  });
  it("cuts a prompt too long for one argument and says where the whole task is", () => {
    const [arg] = fillPlaceholders(["{prompt}"], { prompt: "é".repeat(MAX_PROMPT_ARG), promptFile: "/p.md", taskFile: "/t" });
    expect(Buffer.byteLength(arg!)).toBeLessThan(MAX_PROMPT_ARG + 200);
    expect(arg).toContain("/p.md");
    expect(arg).not.toContain("\uFFFD");
  });
});

describe("agent settings", () => {
  const config = (env: NodeJS.ProcessEnv) => loadConfig({}, env);
  it("come from HOOKYARD_AGENT_* with defaults, and options win", () => {
    const s = resolveAgentSettings(config({ HOOKYARD_AGENT_COMMAND: '["x", "{prompt}"]', HOOKYARD_AGENT_TIMEOUT: "5m", HOOKYARD_AGENT_PASS_ENV: "A_KEY, B" }));
    expect(s).toMatchObject({ command: ["x", "{prompt}"], label: "agent", timeoutMs: 300_000, fixAttempts: 3, maxRunsPerDay: 50, draft: true, allowWorkflowChanges: false, maxChangedFiles: 100, sandbox: "none", passEnv: ["A_KEY", "B"], reviewDebounceMs: 30_000, gitOrigin: "https://github.com" });
    expect(resolveAgentSettings(config({}), { command: ["y"], label: "bot", fixAttempts: 1 })).toMatchObject({ command: ["y"], label: "bot", fixAttempts: 1 });
  });
  it("need a command", () => {
    expect(code(() => resolveAgentSettings(config({})))).toBe("HOOKYARD_ERR_CONFIG_INVALID");
  });
  it("take the git origin from GHE_HOST or HOOKYARD_GIT_URL, and plain http only on loopback", () => {
    expect(resolveAgentSettings(config({ GHE_HOST: "ghe.example.com" }), { command: ["x"] }).gitOrigin).toBe("https://ghe.example.com");
    expect(gitOriginOf("http://127.0.0.1:4000/")).toBe("http://127.0.0.1:4000");
    expect(code(() => gitOriginOf("http://example.com"))).toBe("HOOKYARD_ERR_CONFIG_INVALID");
    expect(code(() => gitOriginOf("https://user:pw@example.com"))).toBe("HOOKYARD_ERR_CONFIG_INVALID");
  });
  it("let a repository's agent: section only tighten them", () => {
    const s = resolveAgentSettings(config({}), { command: ["x"], allowWorkflowChanges: false });
    const r = withRepoConfig(s, { enabled: true, label: "robot", timeout: "2h", fixAttempts: 9, maxChangedFiles: 5, draft: false, allowWorkflowChanges: true });
    expect(r).toMatchObject({ enabled: true, label: "robot", timeoutMs: s.timeoutMs, fixAttempts: 3, maxChangedFiles: 5, draft: false, allowWorkflowChanges: false });
    expect(withRepoConfig(s, { enabled: false }).enabled).toBe(false);
  });
});

describe("agent environment", () => {
  it("is an allow-list: PATH, HOME, locale, named variables and the task files, never the server's secrets", () => {
    const env = agentEnv(
      { PATH: "/bin", HOME: "/root", LANG: "C.UTF-8", LC_ALL: "C", WEBHOOK_SECRET: "s", PRIVATE_KEY: "k", HOOKYARD_API_TOKEN: "t", REDIS_URL: "redis://x", ANTHROPIC_API_KEY: "a", OTHER: "o" },
      ["ANTHROPIC_API_KEY", "PRIVATE_KEY"],
      { HOOKYARD_TASK_FILE: "/t.json" },
    );
    expect(env).toEqual({ PATH: "/bin", HOME: "/root", LANG: "C.UTF-8", LC_ALL: "C", ANTHROPIC_API_KEY: "a", HOOKYARD_TASK_FILE: "/t.json" });
  });
  it("refuses a passEnv that names a server setting", () => {
    for (const name of ["WEBHOOK_SECRET", "PRIVATE_KEY", "HOOKYARD_API_TOKEN", "HOOKYARD_STORE", "GIT_ASKPASS", "WEBHOOK_PROXY_URL", "SENTRY_DSN"]) expect(code(() => assertPassable([name]))).toBe("HOOKYARD_ERR_CONFIG_INVALID");
    expect(code(() => assertPassable(["OPENAI_API_KEY"]))).toBe("no error");
  });
});
