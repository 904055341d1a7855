import type { FastifyInstance } from "fastify";
import { actorOf, repoFor, requireAnyPermission } from "../access.js";
import { bodyOf, optString, optStringArray, reqString } from "../body.js";
import type { FakeContext } from "../context.js";
import { GitHubApiError, missingField, validationFailed } from "../errors.js";
import { guard } from "../guards.js";
import { addLabels, issueOr404, removeLabel } from "../issue-ops.js";
import { pageOf } from "../pagination.js";
import { label as labelShape } from "../shapes/issues.js";

const DOC_LIST = "https://docs.github.com/rest/issues/labels#list-labels-for-a-repository";
const DOC_CREATE = "https://docs.github.com/rest/issues/labels#create-a-label";
const DOC_ADD = "https://docs.github.com/rest/issues/labels#add-labels-to-an-issue";
const DOC_REMOVE = "https://docs.github.com/rest/issues/labels#remove-a-label-from-an-issue";

/** Repository labels and the labels of an issue. */
export function labelRoutes(app: FastifyInstance, ctx: FakeContext): void {
  const token = guard(ctx, "token");

  app.get("/repos/:owner/:repo/labels", { preHandler: token }, async (req, reply) => {
    const { repo, auth } = repoFor(ctx, req, DOC_LIST);
    requireAnyPermission(auth, ["issues", "pull_requests"], "read", DOC_LIST);
    const all = [...repo.labels.values()].sort((a, b) => a.name.toLowerCase().localeCompare(b.name.toLowerCase()));
    return pageOf(ctx, req, reply, all).map((l) => labelShape(ctx.urls, repo, l));
  });

  app.post("/repos/:owner/:repo/labels", { preHandler: token }, async (req, reply) => {
    const { repo, auth } = repoFor(ctx, req, DOC_CREATE);
    requireAnyPermission(auth, ["issues", "pull_requests"], "write", DOC_CREATE);
    const body = bodyOf(req);
    const name = reqString(body, "name", DOC_CREATE);
    if (repo.labels.has(name.toLowerCase())) throw validationFailed([{ resource: "Label", code: "already_exists", field: "name" }], DOC_CREATE);
    const color = (optString(body, "color", DOC_CREATE) ?? "ededed").replace(/^#/, "");
    const l = { id: ctx.state.ids.id(), name, color, description: optString(body, "description", DOC_CREATE) ?? null, default: false };
    repo.labels.set(name.toLowerCase(), l);
    reply.code(201);
    return labelShape(ctx.urls, repo, l);
  });

  app.post("/repos/:owner/:repo/issues/:number/labels", { preHandler: token }, async (req) => {
    const { repo, auth } = repoFor(ctx, req, DOC_ADD);
    const i = issueOr404(repo, (req.params as { number: string }).number, DOC_ADD);
    requireAnyPermission(auth, i.pull ? ["issues", "pull_requests"] : ["issues"], "write", DOC_ADD);
    const names = Array.isArray(req.body) ? req.body.map(String) : optStringArray(bodyOf(req), "labels", DOC_ADD);
    if (names === undefined) throw missingField("labels", DOC_ADD);
    if (names.length === 0) throw new GitHubApiError(422, "Invalid request.\n\nNo subschema in \"anyOf\" matched.", { documentationUrl: DOC_ADD });
    addLabels(ctx, repo, i, names, actorOf(auth));
    return i.labels.map((l) => labelShape(ctx.urls, repo, l));
  });

  app.delete("/repos/:owner/:repo/issues/:number/labels/:name", { preHandler: token }, async (req) => {
    const { repo, auth } = repoFor(ctx, req, DOC_REMOVE);
    const { number, name } = req.params as { number: string; name: string };
    const i = issueOr404(repo, number, DOC_REMOVE);
    requireAnyPermission(auth, i.pull ? ["issues", "pull_requests"] : ["issues"], "write", DOC_REMOVE);
    if (!removeLabel(ctx, repo, i, name, actorOf(auth))) throw new GitHubApiError(404, "Label does not exist", { documentationUrl: DOC_REMOVE });
    return i.labels.map((l) => labelShape(ctx.urls, repo, l));
  });
}
