import { isHookyardError } from "../errors.js";
import type { Backend, StoredRecord } from "../store/backend.js";

/** Where a run is. `working` stages hold the run; the others let a new trigger act. */
export type AgentStage =
  | "starting" // the issue stage is preparing the workspace
  | "agent" // the agent is running for the issue
  | "pr-open" // a pull request is open; CI and reviews may call the agent back
  | "fixing" // the agent is fixing failed CI
  | "reviewing" // the agent is answering a review
  | "no-changes" // the agent changed nothing
  | "stopped" // the agent failed or hit a limit; work so far is on the branch
  | "refused" // the change was refused (workflow files, too many files)
  | "failed"; // Hookyard could not finish the stage (see lastError)

export const WORKING_STAGES: ReadonlySet<AgentStage> = new Set(["starting", "agent", "fixing", "reviewing"]);

/** One line of a run's history, shown in the issue comment. */
export interface RunEvent {
  at: number;
  stage: AgentStage;
  note: string;
}

/** The durable record of the agent's work on one issue (record kind `agent-run`, key `owner/repo#n`). */
export interface AgentRun {
  repo: string;
  repositoryId: number;
  installationId: number;
  issue: number;
  branch: string;
  stage: AgentStage;
  /** The task running the current working stage (a retry of it resumes, anything else waits). */
  taskId: string | null;
  /** Each working stage gets a new id; markers in comments name the run's first. */
  runId: string;
  commentId: number | null;
  prNumber: number | null;
  checkRunId: number | null;
  /** Head of the branch after Hookyard's last push. */
  headSha: string | null;
  fixAttempts: number;
  /** Head SHAs whose CI failure was handled (or is being handled). */
  fixedShas: string[];
  /** Reviews (`review:<id>`) and `/agent` comments (`comment:<id>`) already answered. */
  answered: string[];
  /** Whether the "fix attempts spent" comment was posted. */
  askedForPerson: boolean;
  costUsd: number;
  lastError: string | null;
  history: RunEvent[];
  startedAt: number;
}

export const RUN_KIND = "agent-run";
const BUDGET_KIND = "agent-budget";

/** The record key of a repository's issue. */
export function runKey(repo: string, issue: number): string {
  return `${repo}#${issue}`;
}

/** The branch of an issue's run, and back. */
export function branchFor(issue: number): string {
  return `agent/issue-${issue}`;
}

export function issueOfBranch(ref: string | null | undefined): number | null {
  const m = /^(?:refs\/heads\/)?agent\/issue-([1-9][0-9]{0,9})$/.exec(ref ?? "");
  return m ? Number(m[1]) : null;
}

const HISTORY_LIMIT = 50;

/**
 * Agent runs in the store, changed only by compare-and-set so two processes (or a retry racing a
 * new trigger) cannot both start work on one issue.
 *
 * @example
 * ```ts
 * const runs = new AgentRuns(() => app.store);
 * const run = await runs.update("acme/widgets", 12, (r) => ({ ...r!, stage: "pr-open" }));
 * ```
 */
export class AgentRuns {
  constructor(private readonly store: () => Backend) {}

  async get(repo: string, issue: number): Promise<AgentRun | null> {
    return ((await this.store().getRecord(RUN_KIND, runKey(repo, issue)))?.value as AgentRun | undefined) ?? null;
  }

  /**
   * Reads the run, lets `change` decide (return `undefined` to write nothing), and writes the
   * result if nobody wrote in between; on a conflict it reads again and asks `change` again.
   * Resolves to what is stored afterwards and whether this call wrote it.
   */
  async update(repo: string, issue: number, change: (current: AgentRun | null) => AgentRun | undefined | Promise<AgentRun | undefined>): Promise<{ run: AgentRun | null; wrote: boolean }> {
    const key = runKey(repo, issue);
    for (let tries = 0; ; tries++) {
      const stored = await this.store().getRecord(RUN_KIND, key);
      const current = (stored?.value as AgentRun | undefined) ?? null;
      const next = await change(current === null ? null : structuredClone(current));
      if (next === undefined) return { run: current, wrote: false };
      next.history = next.history.slice(-HISTORY_LIMIT);
      try {
        const saved = await this.store().putRecord(RUN_KIND, key, next, stored?.version ?? 0);
        return { run: saved.value as AgentRun, wrote: true };
      } catch (err) {
        if (!isHookyardError(err) || err.code !== "HOOKYARD_ERR_STORE_CONFLICT" || tries >= 20) throw err;
      }
    }
  }

  /** Sets fields of an existing run (and a history line); a no-op when the run is gone. */
  async patch(repo: string, issue: number, fields: Partial<AgentRun>, note?: string): Promise<AgentRun | null> {
    const { run } = await this.update(repo, issue, (r) => {
      if (!r) return undefined;
      const next = { ...r, ...fields };
      if (note) next.history = [...r.history, { at: Date.now(), stage: next.stage, note }];
      return next;
    });
    return run;
  }

  /**
   * Counts one run against the repository's daily budget; false (and nothing counted) when
   * `max` runs were started today (UTC).
   */
  async takeBudget(repo: string, max: number, now = Date.now()): Promise<boolean> {
    const key = `${repo}@${new Date(now).toISOString().slice(0, 10)}`;
    for (let tries = 0; ; tries++) {
      const stored: StoredRecord | null = await this.store().getRecord(BUDGET_KIND, key);
      const used = (stored?.value as { runs?: number } | undefined)?.runs ?? 0;
      if (used >= max) return false;
      try {
        await this.store().putRecord(BUDGET_KIND, key, { runs: used + 1 }, stored?.version ?? 0);
        return true;
      } catch (err) {
        if (!isHookyardError(err) || err.code !== "HOOKYARD_ERR_STORE_CONFLICT" || tries >= 20) throw err;
      }
    }
  }
}

