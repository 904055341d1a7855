import type { FastifyInstance } from "fastify";
import { actorOf, repoFor, requireAnyPermission, requirePermission } from "../access.js";
import { bodyOf, optString, optStringArray } from "../body.js";
import type { FakeContext } from "../context.js";
import { GitHubApiError, missingField } from "../errors.js";
import { guard } from "../guards.js";
import { addLabels, appIdOf, createIssue, editTitleBody, emitIssueEvent, issueOr404, removeLabel, setIssueState, viaApp } from "../issue-ops.js";
import { pageOf } from "../pagination.js";
import { issue as issueShape } from "../shapes/issues.js";
import type { IssueRecord } from "../state.js";

const DOC_LIST = "https://docs.github.com/rest/issues/issues#list-repository-issues";
const DOC_CREATE = "https://docs.github.com/rest/issues/issues#create-an-issue";
const DOC_GET = "https://docs.github.com/rest/issues/issues#get-an-issue";
const DOC_UPDATE = "https://docs.github.com/rest/issues/issues#update-an-issue";

function titleOf(body: Record<string, unknown>, required: boolean): string | undefined {
  const t = body.title;
  if (t === undefined || t === null) {
    if (required) throw missingField("title", DOC_CREATE);
    return undefined;
  }
  if (typeof t !== "string" && typeof t !== "number") throw new GitHubApiError(422, `Invalid request.\n\nFor 'title', ${JSON.stringify(t)} is not a string or integer.`);
  return String(t);
}

/** Issues: list (issues and pull requests, as GitHub lists them), create, get, update. */
export function issueRoutes(app: FastifyInstance, ctx: FakeContext): void {
  const token = guard(ctx, "token");

  app.get("/repos/:owner/:repo/issues", { preHandler: token }, async (req, reply) => {
    const { repo, auth } = repoFor(ctx, req, DOC_LIST);
    requirePermission(auth, "issues", "read", DOC_LIST);
    const q = req.query as { state?: string; labels?: string; sort?: string; direction?: string };
    const state = q.state ?? "open";
    const wanted = (q.labels ?? "").split(",").map((s) => s.trim().toLowerCase()).filter(Boolean);
    const key = q.sort === "updated" ? "updatedAt" : "createdAt";
    const dir = q.direction === "asc" ? 1 : -1;
    const list = [...repo.issues.values()]
      .filter((i) => state === "all" || i.state === state)
      .filter((i) => wanted.every((w) => i.labels.some((l) => l.name.toLowerCase() === w)))
      .sort((a, b) => (a[key] - b[key] || a.number - b.number) * dir);
    return pageOf(ctx, req, reply, list).map((i) => issueShape(ctx.urls, repo, i, viaApp(ctx, i.appId)));
  });

  app.post("/repos/:owner/:repo/issues", { preHandler: token }, async (req, reply) => {
    const { repo, auth } = repoFor(ctx, req, DOC_CREATE);
    requirePermission(auth, "issues", "write", DOC_CREATE);
    const body = bodyOf(req);
    const title = titleOf(body, true) ?? "";
    const labels = optStringArray(body, "labels", DOC_CREATE) ?? [];
    const sender = actorOf(auth);
    const i = createIssue(ctx, repo, { title, body: optString(body, "body", DOC_CREATE) ?? null, user: sender, appId: appIdOf(auth) });
    emitIssueEvent(ctx, repo, i, "opened", sender);
    addLabels(ctx, repo, i, labels, sender);
    reply.code(201);
    return issueShape(ctx.urls, repo, i, viaApp(ctx, i.appId));
  });

  app.get("/repos/:owner/:repo/issues/:number", { preHandler: token }, async (req) => {
    const { repo, auth } = repoFor(ctx, req, DOC_GET);
    const i = issueOr404(repo, (req.params as { number: string }).number, DOC_GET);
    requireAnyPermission(auth, i.pull ? ["issues", "pull_requests"] : ["issues"], "read", DOC_GET);
    return issueShape(ctx.urls, repo, i, viaApp(ctx, i.appId));
  });

  app.patch("/repos/:owner/:repo/issues/:number", { preHandler: token }, async (req) => {
    const { repo, auth } = repoFor(ctx, req, DOC_UPDATE);
    const i = issueOr404(repo, (req.params as { number: string }).number, DOC_UPDATE);
    requireAnyPermission(auth, i.pull ? ["issues", "pull_requests"] : ["issues"], "write", DOC_UPDATE);
    const body = bodyOf(req);
    const sender = actorOf(auth);
    const title = titleOf(body, false);
    const text = "body" in body ? (optString(body, "body", DOC_UPDATE) ?? null) : undefined;
    const changes = editTitleBody(i, title, text);
    if (Object.keys(changes).length > 0) {
      i.updatedAt = ctx.clock.now();
      emitIssueEvent(ctx, repo, i, "edited", sender, { changes });
    }
    const labels = optStringArray(body, "labels", DOC_UPDATE);
    if (labels !== undefined) {
      const keep = new Set(labels.map((l) => l.toLowerCase()));
      for (const l of [...i.labels]) if (!keep.has(l.name.toLowerCase())) removeLabel(ctx, repo, i, l.name, sender);
      addLabels(ctx, repo, i, labels, sender);
    }
    const state = optString(body, "state", DOC_UPDATE);
    if (state !== undefined) {
      if (state !== "open" && state !== "closed") {
        throw new GitHubApiError(422, "Validation Failed", { documentationUrl: DOC_UPDATE, errors: [{ resource: "Issue", field: "state", code: "invalid" }] });
      }
      const reason = optString(body, "state_reason", DOC_UPDATE) as IssueRecord["stateReason"] | undefined;
      setIssueState(ctx, repo, i, state, reason, sender);
    }
    return issueShape(ctx.urls, repo, i, viaApp(ctx, i.appId));
  });
}
