import { randomBytes } from "node:crypto";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { agentWorkflow, type AgentWorkflow, type AgentWorkflowOptions } from "../../src/agent/index.js";
import type { LifecycleEvents } from "../../src/observability/lifecycle.js";
import { createTestApp, fakeAgent, type FakeAgent, type FakeAgentScript, type TestApp } from "../../src/testing/index.js";
import { dropRedisKeys, REDIS_URL } from "../support/redis.js";

export type Progress = LifecycleEvents["agent:progress"];

export interface AgentHarness extends TestApp {
  agent: FakeAgent;
  workflow: AgentWorkflow;
  workRoot: string;
  progress: Progress[];
  /** Labels a new issue with the agent label (a delivery as GitHub sends it); returns the issue number. */
  label(issue?: { title?: string; body?: string }, overrides?: Record<string, unknown>): Promise<number>;
  /** Steps seen so far for one issue, in order. */
  steps(issue: number): string[];
  /** Stage directories left in the work root. */
  leftovers(): string[];
}

const harnesses: { h: AgentHarness; cleanup: () => Promise<void> }[] = [];

/** The stores the workflow's suite runs on. */
export const STORES: { name: string; url: () => { url: string; cleanup: () => Promise<void> } }[] = [
  {
    name: "sqlite",
    url: () => {
      const dir = mkdtempSync(join(tmpdir(), "hookyard-agent-store-"));
      return { url: `sqlite:${join(dir, "h.db")}`, cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
    },
  },
  {
    name: "bullmq-redis",
    url: () => {
      const prefix = `hy-agent-${randomBytes(4).toString("hex")}`;
      return { url: `${REDIS_URL}?prefix=${prefix}`, cleanup: () => dropRedisKeys(`${prefix}*`) };
    },
  },
];

/**
 * The agent workflow on a fake GitHub with `acme/widgets`, a fake agent running `script`, and the
 * given store; records every `agent:progress` event.
 */
export async function agentHarness(o: { script: FakeAgentScript; store?: string; options?: AgentWorkflowOptions; files?: Record<string, string>; hookyard?: Record<string, unknown>; agentParent?: string }): Promise<AgentHarness> {
  const agent = fakeAgent(o.script, o.agentParent ? { parent: o.agentParent } : {});
  const workRoot = mkdtempSync(join(tmpdir(), "hookyard-agent-work-"));
  const progress: Progress[] = [];
  let workflow: AgentWorkflow | undefined;
  const t = await createTestApp((app) => {
    app.events.on("agent:progress", (p) => progress.push(p));
    workflow = agentWorkflow(app, { command: agent.command, reviewDebounce: 0, workRoot, ...o.options });
  }, { files: o.files ?? { "README.md": "# widgets\n\nA small project.\n" }, ...(o.store ? { store: o.store } : {}), hookyard: { concurrency: 4, ...o.hookyard } });
  const h: AgentHarness = Object.assign(t, {
    agent, workflow: workflow as AgentWorkflow, workRoot, progress,
    async label(issue: { title?: string; body?: string } = {}, overrides: Record<string, unknown> = {}) {
      const { payload } = await t.receive("issues.labeled", {
        label: { name: "agent" },
        issue: { title: issue.title ?? "Fix the README", body: issue.body ?? "In the README, 'small' should be 'tiny'.", labels: [{ name: "agent" }] },
        sender: { login: "octocat", type: "User" },
        ...overrides,
      });
      return (payload.issue as { number: number }).number;
    },
    steps: (issue: number) => progress.filter((p) => p.issue === issue).map((p) => p.step).filter((s) => s !== "agent-output"),
    leftovers: () => readdirSync(workRoot).filter((n) => n.startsWith("hookyard-agent-")),
  });
  harnesses.push({ h, cleanup: async () => {
    await t.close();
    agent.remove();
    rmSync(workRoot, { recursive: true, force: true });
  } });
  return h;
}

export async function closeHarnesses(): Promise<void> {
  for (const { cleanup } of harnesses.splice(0)) await cleanup();
}
