import type { Logger } from "pino";
import type { Context } from "../events/context.js";
import type { HookyardOctokit } from "../github/octokit.js";
import { deliveryMeta } from "../ingress/delivery-meta.js";
import type { Lifecycle } from "../observability/lifecycle.js";
import type { Backend } from "../store/backend.js";
import { marker, upsertComment, type RepoRef } from "./github/report.js";
import { withRepoConfig, type AgentSettings, type RepoAgentConfig } from "./options.js";
import { AgentRuns, WORKING_STAGES, type AgentRun, type AgentStage } from "./runs.js";
import type { StageDeps } from "./stage.js";
import { renderStatus, statusMarkerOf } from "./status.js";

/** The App as the workflow needs it: its id (to ignore its own check runs) and its bot's login. */
export interface AppInfo {
  id: number;
  slug: string;
  botLogin: string;
}

/** Everything the stages share. */
export interface Flow {
  settings: AgentSettings;
  runs: AgentRuns;
  store: () => Backend;
  stage: StageDeps;
  events: Lifecycle;
  appInfo: () => Promise<AppInfo>;
}

/** The repository and issue a payload is about, as the workflow needs them. */
export interface Target {
  ref: RepoRef;
  fullName: string;
  repositoryId: number;
  installationId: number | null;
  cloneUrl: unknown;
  defaultBranch: string;
  htmlUrl: string | null;
}

interface LoosePayload {
  repository?: { id?: number; name?: string; owner?: { login?: string }; clone_url?: string; default_branch?: string; html_url?: string };
}

/** The target of a delivery, or null when its payload names no repository. */
export function targetOf(event: string, payload: unknown): Target | null {
  const p = payload as LoosePayload;
  const r = p.repository;
  if (!r?.name || !r.owner?.login || typeof r.id !== "number") return null;
  const meta = deliveryMeta(event, payload);
  return {
    ref: { owner: r.owner.login, repo: r.name },
    fullName: meta.repository ?? `${r.owner.login}/${r.name}`,
    repositoryId: r.id,
    installationId: meta.installation ?? null,
    cloneUrl: r.clone_url,
    defaultBranch: r.default_branch ?? "main",
    htmlUrl: r.html_url ?? null,
  };
}

/** The settings with the repository's `.github/hookyard.yml` `agent:` section applied. */
export async function settingsFor(flow: Flow, ctx: Context): Promise<AgentSettings & { enabled: boolean }> {
  let repo: RepoAgentConfig | null = null;
  try {
    const file = await ctx.config<{ agent?: RepoAgentConfig }>("hookyard.yml");
    repo = file?.agent ?? null;
  } catch (err) {
    ctx.log.warn({ err: (err as Error).message }, "agent: .github/hookyard.yml cannot be used; the server's settings apply");
  }
  return withRepoConfig(flow.settings, repo);
}

/** Whether the task that holds a working stage is still going to run (else the run is abandoned). */
export async function holderAlive(flow: Flow, run: AgentRun): Promise<boolean> {
  if (!WORKING_STAGES.has(run.stage) || run.taskId === null) return false;
  const task = await flow.store().getTask(run.taskId);
  return task !== null && (task.state === "queued" || task.state === "running" || task.state === "retrying");
}

export function progress(flow: Flow, ctx: Context, run: Pick<AgentRun, "repo" | "issue">, mode: string, step: string, detail: Record<string, unknown> = {}): void {
  flow.events.emit("agent:progress", { repo: run.repo, issue: run.issue, mode, step, detail, task: ctx.task });
}

/**
 * Moves the run to `stage` with a history line and rewrites the issue's status comment from the
 * record (creating it the first time; its id is kept in the record).
 */
export async function report(
  flow: Flow,
  octokit: HookyardOctokit,
  log: Logger,
  run: AgentRun,
  stage: AgentStage,
  note: string,
  extra: { prUrl?: string | null; reason?: string | null; summary?: string | null; fields?: Partial<AgentRun> } = {},
): Promise<AgentRun> {
  const updated = (await flow.runs.patch(run.repo, run.issue, { ...extra.fields, stage, ...(extra.reason ? { lastError: extra.reason } : {}) }, note)) ?? run;
  const [owner = "", repo = ""] = updated.repo.split("/");
  const text = renderStatus(updated, { ...extra, fixMax: flow.settings.fixAttempts });
  const id = await upsertComment(octokit, { owner, repo }, updated.issue, updated.commentId, marker(statusMarkerOf(updated)), text);
  log.info({ issue: `${updated.repo}#${updated.issue}`, stage, comment: id }, `agent: ${note}`);
  if (id !== updated.commentId) return (await flow.runs.patch(updated.repo, updated.issue, { commentId: id })) ?? updated;
  return updated;
}

/**
 * Counts a new agent run against the repository's daily budget; when it is spent, the status
 * comment says what was not done (`what`) and the caller stops.
 */
export async function takeBudget(flow: Flow, ctx: Context, run: AgentRun, max: number, stage: AgentStage, what: string): Promise<boolean> {
  if (await flow.runs.takeBudget(run.repo, max)) return true;
  const reason = `this repository has used its ${max} agent runs for today (HOOKYARD_AGENT_MAX_RUNS_PER_DAY)`;
  await report(flow, ctx.octokit, ctx.log, run, stage, `daily run limit reached; ${what}`, { reason });
  return false;
}
