import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { RUN_KIND, type AgentRun } from "../../agent/runs.js";
import type { StoredRecord } from "../../store/backend.js";
import type { ApiOptions } from "./options.js";
import { pageQuery, parseQuery } from "./query.js";

/** `GET /agent-runs` takes this query. */
export const agentRunsQuery = z.object({ ...pageQuery });

const iso = (ms: number | null | undefined) => (typeof ms === "number" ? new Date(ms).toISOString() : null);

/** One agent run as `GET /agent-runs` shows it. */
export const agentRunItem = z.object({
  key: z.string().describe("`owner/repo#issue`"),
  repo: z.string(),
  issue: z.number().int(),
  stage: z.string(),
  branch: z.string(),
  prNumber: z.number().int().nullable(),
  prUrl: z.string().nullable(),
  issueUrl: z.string().nullable(),
  fixAttempts: z.number().int(),
  costUsd: z.number(),
  lastError: z.string().nullable(),
  taskId: z.string().nullable(),
  history: z.array(z.object({ at: z.string().nullable(), stage: z.string(), note: z.string() })),
  startedAt: z.string().nullable(),
  updatedAt: z.string().nullable(),
});

/** `GET /agent-runs` answers this. */
export const agentRunsResponse = z.object({ items: z.array(agentRunItem), nextCursor: z.string().nullable() });

/** A stored `agent-run` record as the API shows it (links to GitHub when its web address is known). */
export function presentAgentRun(record: StoredRecord, webUrl: string | undefined): z.infer<typeof agentRunItem> {
  const run = record.value as Partial<AgentRun>;
  const repo = typeof run.repo === "string" ? run.repo : record.key.replace(/#\d+$/, "");
  const issue = typeof run.issue === "number" ? run.issue : Number(record.key.split("#")[1] ?? 0);
  const prNumber = typeof run.prNumber === "number" ? run.prNumber : null;
  return {
    key: record.key,
    repo,
    issue,
    stage: run.stage ?? "unknown",
    branch: run.branch ?? "",
    prNumber,
    prUrl: webUrl && prNumber !== null ? `${webUrl}/${repo}/pull/${prNumber}` : null,
    issueUrl: webUrl ? `${webUrl}/${repo}/issues/${issue}` : null,
    fixAttempts: run.fixAttempts ?? 0,
    costUsd: run.costUsd ?? 0,
    lastError: run.lastError ?? null,
    taskId: run.taskId ?? null,
    history: (run.history ?? []).map((h) => ({ at: iso(h.at), stage: h.stage, note: h.note })),
    startedAt: iso(run.startedAt ?? record.createdAt),
    updatedAt: iso(record.updatedAt),
  };
}

/** `GET /agent-runs`: the agent workflow's runs (store records of kind `agent-run`), newest first. */
export async function agentRunRoutes(app: FastifyInstance, o: ApiOptions): Promise<void> {
  app.get("/agent-runs", async (req) => {
    const q = parseQuery(agentRunsQuery, req.query);
    const page = await o.store.listRecords(RUN_KIND, { ...(q.limit ? { limit: q.limit } : {}), ...(q.cursor ? { cursor: q.cursor } : {}) });
    return { items: page.items.map((r) => presentAgentRun(r, o.webUrl)), nextCursor: page.nextCursor };
  });
}
