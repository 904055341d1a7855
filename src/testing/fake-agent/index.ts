import { copyFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** One step of a {@link fakeAgent} script; the steps run in order. */
export type FakeAgentStep =
  /** Files to create or overwrite, relative to the workspace. */
  | { write: Record<string, string> }
  | { append: Record<string, string> }
  | { delete: string[] }
  /** A line on stdout / stderr. */
  | { print: string }
  | { stderr: string }
  | { sleep: number }
  /** Never finishes by itself (for timeouts). */
  | { hang: true }
  | { exit: number }
  /** Writes its pid to this path (a signal for the test). */
  | { touch: string }
  /** Waits until this path exists. */
  | { waitForFile: string }
  /** Writes `HOOKYARD_RESULT_FILE` as JSON / as these raw bytes. */
  | { result: { title?: string; summary?: string; body?: string; cost?: number } }
  | { rawResult: string }
  /** Starts a child that never exits and writes its pid to this path (process-group tests). */
  | { spawnChild: string }
  /** Runs `then` when the title contains `includes`, else `else`. */
  | { ifTitle: { includes: string; then: FakeAgentStep[]; else?: FakeAgentStep[] } }
  /** Replaces X by Y in every file for each `'X' should be 'Y'` in the task's texts (issue, instruction, CI output, review). */
  | { applyFromTask: true }
  /**
   * Writes what it sees (argv, env, cwd, the task, every readable `/proc/<pid>/cmdline` and
   * `environ`, and the outcome of reading / writing the given paths) to `path`, or prints it as one
   * line starting `HOOKYARD_FAKE_AGENT_REPORT ` when no path is given (see {@link parseAgentReport}).
   */
  | { report: { path?: string; read?: string[]; write?: string[] } };

/** A script: the same steps for every mode, or steps per mode (`issue`, `fix-ci`, `review`, `default`). */
export type FakeAgentScript = FakeAgentStep[] | Partial<Record<"issue" | "fix-ci" | "review" | "default", FakeAgentStep[]>>;

export interface FakeAgent {
  /** The argv to give `agentWorkflow({ command })` or `HOOKYARD_AGENT_COMMAND` (as JSON). */
  command: string[];
  /** Its directory (outside the working directory, so a sandbox does not mask it). */
  dir: string;
  /** Replaces the script (the next run uses it). */
  setScript(script: FakeAgentScript): void;
  /** Removes its directory. */
  remove(): void;
}

/**
 * A scriptable stand-in for a coding agent, for testing the agent workflow: write files, fail,
 * sleep, hang, read the task file, report what it can see.
 *
 * @example
 * ```ts
 * import { fakeAgent } from "hookyard/testing";
 * const agent = fakeAgent([{ write: { "fix.txt": "fixed\n" } }, { result: { title: "Fix the bug", summary: "Wrote fix.txt" } }]);
 * agentWorkflow(app, { command: agent.command });
 * ```
 */
export function fakeAgent(script: FakeAgentScript, options: { parent?: string } = {}): FakeAgent {
  // under the sandbox /tmp is private: pass a parent outside it (e.g. /var/tmp) there
  const dir = mkdtempSync(join(options.parent ?? tmpdir(), "hookyard-fake-agent-"));
  const program = join(dir, "agent.mjs");
  copyFileSync(programSource(), program);
  const scriptFile = join(dir, "script.json");
  const setScript = (s: FakeAgentScript) => writeFileSync(scriptFile, JSON.stringify(s));
  setScript(script);
  return {
    command: [process.execPath, program, scriptFile],
    dir,
    setScript,
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** The compiled program: beside this module in `dist/`, or the build's copy when this runs from source (tests). */
function programSource(): string {
  for (const rel of ["./bin.js", "../../../dist/testing/fake-agent/bin.js"]) {
    const path = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(path)) return path;
  }
  throw new Error("fakeAgent: dist/testing/fake-agent/bin.js is missing; run `npm run build`");
}

/** The report a `{ report: {} }` step printed, from an output line; null for other lines. */
export function parseAgentReport(line: string): Record<string, unknown> | null {
  const prefix = "HOOKYARD_FAKE_AGENT_REPORT ";
  return line.startsWith(prefix) ? (JSON.parse(line.slice(prefix.length)) as Record<string, unknown>) : null;
}
