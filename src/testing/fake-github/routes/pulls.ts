import type { FastifyInstance } from "fastify";
import { actorOf, repoFor, requirePermission } from "../access.js";
import { bodyOf, optString, reqString } from "../body.js";
import type { FakeContext } from "../context.js";
import { notFound, validationFailed } from "../errors.js";
import { branchSha, reaches } from "../git.js";
import { guard } from "../guards.js";
import { appIdOf, createIssue, editTitleBody, emitIssueEvent, setIssueState } from "../issue-ops.js";
import { pageOf } from "../pagination.js";
import { pullRequest } from "../shapes/issues.js";
import type { RepoRecord } from "../state.js";

const DOC_LIST = "https://docs.github.com/rest/pulls/pulls#list-pull-requests";
const DOC_CREATE = "https://docs.github.com/rest/pulls/pulls#create-a-pull-request";
const DOC_GET = "https://docs.github.com/rest/pulls/pulls#get-a-pull-request";
const DOC_UPDATE = "https://docs.github.com/rest/pulls/pulls#update-a-pull-request";

/** `owner:branch` or `branch` → the branch, when it names this repository's owner. */
function branchOf(repo: RepoRecord, spec: string): string | undefined {
  const i = spec.indexOf(":");
  if (i === -1) return spec;
  return spec.slice(0, i).toLowerCase() === repo.owner.login.toLowerCase() ? spec.slice(i + 1) : undefined;
}

/** Pull requests: list, create (sends `pull_request.opened`), get, update (`edited`, `closed`, `reopened`). */
export function pullRoutes(app: FastifyInstance, ctx: FakeContext): void {
  const token = guard(ctx, "token");

  app.get("/repos/:owner/:repo/pulls", { preHandler: token }, async (req, reply) => {
    const { repo, auth } = repoFor(ctx, req, DOC_LIST);
    requirePermission(auth, "pull_requests", "read", DOC_LIST);
    const q = req.query as { state?: string; head?: string; base?: string; direction?: string; sort?: string };
    const state = q.state ?? "open";
    const head = q.head !== undefined ? branchOf(repo, q.head) ?? "\0" : undefined;
    const key = q.sort === "updated" ? "updatedAt" : "createdAt";
    const dir = q.direction === "asc" ? 1 : -1;
    const list = [...repo.issues.values()]
      .filter((i) => i.pull !== undefined)
      .filter((i) => state === "all" || i.state === state)
      .filter((i) => head === undefined || i.pull?.headRef === head)
      .filter((i) => q.base === undefined || i.pull?.baseRef === q.base)
      .sort((a, b) => (a[key] - b[key] || a.number - b.number) * dir);
    return pageOf(ctx, req, reply, list).map((i) => pullRequest(ctx.urls, repo, i));
  });

  app.post("/repos/:owner/:repo/pulls", { preHandler: token }, async (req, reply) => {
    const { repo, auth } = repoFor(ctx, req, DOC_CREATE);
    requirePermission(auth, "pull_requests", "write", DOC_CREATE);
    const body = bodyOf(req);
    const title = reqString(body, "title", DOC_CREATE);
    const headSpec = reqString(body, "head", DOC_CREATE);
    const baseRef = reqString(body, "base", DOC_CREATE);
    const headRef = branchOf(repo, headSpec);
    const headSha = headRef === undefined ? undefined : branchSha(repo, headRef);
    const baseSha = branchSha(repo, baseRef);
    const invalid = (field: string) => validationFailed([{ resource: "PullRequest", field, code: "invalid" }], DOC_CREATE);
    if (headRef === undefined || headSha === undefined) throw invalid("head");
    if (baseSha === undefined) throw invalid("base");
    if (reaches(repo, baseSha, headSha)) {
      throw validationFailed([{ resource: "PullRequest", code: "custom", message: `No commits between ${baseRef} and ${headRef}` }], DOC_CREATE);
    }
    const dup = [...repo.issues.values()].find((i) => i.state === "open" && i.pull?.headRef === headRef && i.pull.baseRef === baseRef);
    if (dup) {
      throw validationFailed([{ resource: "PullRequest", code: "custom", message: `A pull request already exists for ${repo.owner.login}:${headRef}.` }], DOC_CREATE);
    }
    const sender = actorOf(auth);
    const i = createIssue(ctx, repo, {
      title,
      body: optString(body, "body", DOC_CREATE) ?? null,
      user: sender,
      appId: appIdOf(auth),
      pull: { id: ctx.state.ids.id(), headRef, headSha, baseRef, baseSha, draft: body.draft === true },
    });
    emitIssueEvent(ctx, repo, i, "opened", sender);
    reply.code(201);
    return pullRequest(ctx.urls, repo, i);
  });

  app.get("/repos/:owner/:repo/pulls/:number", { preHandler: token }, async (req) => {
    const { repo, auth } = repoFor(ctx, req, DOC_GET);
    requirePermission(auth, "pull_requests", "read", DOC_GET);
    const i = repo.issues.get(Number((req.params as { number: string }).number));
    if (!i?.pull) throw notFound(DOC_GET);
    return pullRequest(ctx.urls, repo, i);
  });

  app.patch("/repos/:owner/:repo/pulls/:number", { preHandler: token }, async (req) => {
    const { repo, auth } = repoFor(ctx, req, DOC_UPDATE);
    requirePermission(auth, "pull_requests", "write", DOC_UPDATE);
    const i = repo.issues.get(Number((req.params as { number: string }).number));
    if (!i?.pull) throw notFound(DOC_UPDATE);
    const body = bodyOf(req);
    const sender = actorOf(auth);
    const title = optString(body, "title", DOC_UPDATE);
    const text = "body" in body ? (optString(body, "body", DOC_UPDATE) ?? null) : undefined;
    const base = optString(body, "base", DOC_UPDATE);
    const state = optString(body, "state", DOC_UPDATE);
    if (state !== undefined && state !== "open" && state !== "closed") {
      throw validationFailed([{ resource: "PullRequest", field: "state", code: "invalid" }], DOC_UPDATE);
    }
    const baseSha = base === undefined ? undefined : branchSha(repo, base);
    if (base !== undefined && baseSha === undefined) throw validationFailed([{ resource: "PullRequest", field: "base", code: "invalid" }], DOC_UPDATE);
    const changes = editTitleBody(i, title, text);
    if (base !== undefined && baseSha !== undefined && base !== i.pull.baseRef) {
      changes.base = { ref: { from: i.pull.baseRef }, sha: { from: branchSha(repo, i.pull.baseRef) ?? i.pull.baseSha } };
      i.pull.baseRef = base;
      i.pull.baseSha = baseSha;
    }
    if (Object.keys(changes).length > 0) {
      i.updatedAt = ctx.clock.now();
      emitIssueEvent(ctx, repo, i, "edited", sender, { changes });
    }
    if (state !== undefined) setIssueState(ctx, repo, i, state, undefined, sender);
    return pullRequest(ctx.urls, repo, i);
  });
}
