import type { AgentHost } from "./host.js";
import type { Context } from "../events/context.js";
import { HookyardError } from "../errors.js";
import type { HandlerOptions } from "../events/registry.js";
import { targetOf, settingsFor, type AppInfo, type Flow } from "./flow.js";
import { canWrite } from "./github/report.js";
import { resolveAgentSettings, type AgentSettings, type AgentWorkflowOptions } from "./options.js";
import { agentCircuit } from "./process/circuit.js";
import { assertPassable } from "./process/env.js";
import { findBwrap, serverPaths } from "./process/sandbox.js";
import { AgentRuns, issueOfBranch } from "./runs.js";
import { ciSignalOf, fixCiStage } from "./stages/fix-ci.js";
import { issueStage } from "./stages/issue.js";
import { reviewStage } from "./stages/review.js";
import { agentCommandOf, ciMayStart, commentMayStart, isBot, reviewMayStart } from "./triggers.js";
import { sweepStaleWorkspaces } from "./workspace.js";

/** What {@link agentWorkflow} returns: its settings and the run records. */
export interface AgentWorkflow {
  readonly settings: AgentSettings;
  readonly runs: AgentRuns;
}

function once<T>(fn: () => Promise<T>): () => Promise<T> {
  let p: Promise<T> | undefined;
  return () => (p ??= fn().catch((err: unknown) => {
    p = undefined;
    throw err;
  }));
}

interface LoosePayload {
  label?: { name?: string };
  issue?: { number?: number; pull_request?: unknown };
  comment?: { id?: number; body?: string; user?: { login?: string; type?: string } };
  review?: { id?: number; state?: string; user?: { login?: string; type?: string } };
  pull_request?: { number?: number; head?: { ref?: string } };
  sender?: { login?: string; type?: string };
}

/**
 * Turns labelled issues into pull requests written by a command-line coding agent, and feeds
 * failed CI and review comments back to it. Every stage is a durable, retried task; the run of
 * an issue is one record in the store; every side effect (comment, branch, pull request, check
 * run) is create-or-update, so a crash or retry never doubles one. See
 * docs/guides/agent-workflow.md.
 *
 * @example
 * ```ts
 * import { agentWorkflow } from "hookyard/agent";
 * export default (app) => {
 *   agentWorkflow(app, { command: ["claude", "-p", "{prompt}"], passEnv: ["ANTHROPIC_API_KEY"], sandbox: "bwrap" });
 * };
 * ```
 */
export function agentWorkflow(app: AgentHost, options: AgentWorkflowOptions & { mask?: readonly string[] } = {}): AgentWorkflow {
  const settings = resolveAgentSettings(app.config, options);
  assertPassable(settings.passEnv);
  if (settings.sandbox === "bwrap") findBwrap();
  const runs = new AgentRuns(() => app.store);
  const appInfo = once(async (): Promise<AppInfo> => {
    const { data } = await app.github.app.app().rest.apps.getAuthenticated();
    const slug = data?.slug ?? "hookyard";
    return { id: Number(data?.id ?? 0), slug, botLogin: `${slug}[bot]` };
  });
  const identity = once(async () => {
    const info = await appInfo();
    let id: number | null = null;
    try {
      id = Number((await app.github.app.app().rest.users.getByUsername({ username: info.botLogin })).data.id);
    } catch {
      // no user lookup: the address without the id still attributes the commit to the bot by name
    }
    return { name: info.botLogin, email: `${id ? `${id}+` : ""}${info.botLogin}@users.noreply.github.com` };
  });
  const flow: Flow = {
    settings, runs, store: () => app.store, events: app.events, appInfo,
    stage: {
      settings, identity, events: app.events, env: process.env, circuit: agentCircuit(app.circuits, app.config),
      masked: serverPaths({ cwd: process.cwd(), privateKeyPath: app.config.privateKeyPath, store: app.config.store, extra: options.mask ?? [] }),
      gitToken: async (installationId, repositoryId) => (await app.github.app.tokens.get({ installationId, repositoryIds: [repositoryId], permissions: { contents: "write" } })).token,
    },
  };
  void sweepStaleWorkspaces(settings.workRoot, app.log).catch((err: unknown) => app.log.warn({ err }, "agent: stale workspaces could not be removed"));

  const handler: HandlerOptions = { retries: settings.retries, timeout: settings.timeoutMs + 10 * 60_000 };
  const withTarget = (fn: (ctx: Context, t: NonNullable<ReturnType<typeof targetOf>>, s: AgentSettings & { enabled: boolean }) => Promise<void>) => async (ctx: Context) => {
    const t = targetOf(ctx.name, ctx.payload);
    if (!t) return;
    if (t.installationId === null) throw new HookyardError("HOOKYARD_ERR_AGENT_NOT_INSTALLED", "the agent workflow needs an installation in the payload");
    const s = await settingsFor(flow, ctx);
    if (!s.enabled) return;
    await fn(ctx, t, s);
  };

  app.on("issues.labeled", withTarget(async (ctx, t, s) => {
    const p = ctx.payload as LoosePayload;
    if (p.label?.name !== s.label || p.issue?.pull_request || typeof p.issue?.number !== "number") return;
    await issueStage(flow, ctx, t, { issue: p.issue.number, sender: p.sender?.login ?? "someone", instruction: null }, s);
  }), { ...handler, name: "agent:issue" });

  // `when` (triggers.ts) spares a stored task for a delivery the handler would ignore; the handlers
  // check again (a when that throws counts as true) and check what needs the API.
  app.on("issue_comment.created", withTarget(async (ctx, t, s) => {
    const p = ctx.payload as LoosePayload;
    const instruction = agentCommandOf(p.comment?.body);
    const login = p.comment?.user?.login;
    if (instruction === null || !login || isBot(p.comment?.user) || typeof p.issue?.number !== "number") return;
    if (!(await canWrite(ctx.octokit, t.ref, login))) {
      ctx.log.info({ user: login }, "agent: /agent from a user without write access ignored");
      return;
    }
    if (!p.issue.pull_request) {
      await issueStage(flow, ctx, t, { issue: p.issue.number, sender: login, instruction: instruction || null }, s);
      return;
    }
    const { data: pr } = await ctx.octokit.rest.pulls.get({ ...t.ref, pull_number: p.issue.number });
    await reviewStage(flow, ctx, t, { pull: pr.number, branch: pr.head.ref, key: `comment:${p.comment?.id}`, sender: login, instruction: instruction || null }, s);
  }), { ...handler, name: "agent:comment", retries: Math.max(settings.retries, 20), when: commentMayStart });

  app.on(["check_suite.completed", "check_run.completed", "workflow_run.completed"], withTarget(async (ctx, t, s) => {
    const signal = ciSignalOf(ctx.name, ctx.payload);
    if (signal) await fixCiStage(flow, ctx, t, signal, s);
  }), { ...handler, name: "agent:fix-ci", retries: Math.max(settings.retries, 20), when: ciMayStart });

  app.on("pull_request_review.submitted", withTarget(async (ctx, t, s) => {
    const p = ctx.payload as LoosePayload;
    const login = p.review?.user?.login;
    const branch = p.pull_request?.head?.ref;
    if (p.review?.state?.toLowerCase() !== "changes_requested" || !login || isBot(p.review.user) || !branch || issueOfBranch(branch) === null) return;
    if (!(await canWrite(ctx.octokit, t.ref, login))) return;
    await reviewStage(flow, ctx, t, { pull: p.pull_request?.number ?? 0, branch, key: `review:${p.review.id}`, sender: login, instruction: null }, s);
  }), { ...handler, name: "agent:review", retries: Math.max(settings.retries, 20), when: reviewMayStart });

  return { settings, runs };
}
