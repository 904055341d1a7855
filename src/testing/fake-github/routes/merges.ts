import type { FastifyInstance } from "fastify";
import { actorOf, repoFor, requirePermission } from "../access.js";
import { bodyOf, optString } from "../body.js";
import type { FakeContext } from "../context.js";
import { GitHubApiError, notFound, validationFailed } from "../errors.js";
import { guard } from "../guards.js";
import { mergePull, MergeRefused, type MergeMethod } from "../merge-ops.js";

const DOC_MERGE = "https://docs.github.com/rest/pulls/pulls#merge-a-pull-request";
const DOC_MERGED = "https://docs.github.com/rest/pulls/pulls#check-if-a-pull-request-has-been-merged";
const METHODS: readonly string[] = ["merge", "squash", "rebase"];

/** Merging pull requests (`PUT …/pulls/{n}/merge`, in the real git data) and asking whether one is merged. */
export function mergeRoutes(app: FastifyInstance, ctx: FakeContext): void {
  const token = guard(ctx, "token");

  app.get("/repos/:owner/:repo/pulls/:number/merge", { preHandler: token }, async (req, reply) => {
    const { repo, auth } = repoFor(ctx, req, DOC_MERGED);
    requirePermission(auth, "pull_requests", "read", DOC_MERGED);
    const i = repo.issues.get(Number((req.params as { number: string }).number));
    if (!i?.pull?.merged) throw notFound(DOC_MERGED);
    return reply.code(204).send();
  });

  app.put("/repos/:owner/:repo/pulls/:number/merge", { preHandler: token }, async (req) => {
    const { repo, auth } = repoFor(ctx, req, DOC_MERGE);
    requirePermission(auth, "contents", "write", DOC_MERGE);
    const i = repo.issues.get(Number((req.params as { number: string }).number));
    if (!i?.pull) throw notFound(DOC_MERGE);
    const body = bodyOf(req);
    const method = optString(body, "merge_method", DOC_MERGE) ?? "merge";
    if (!METHODS.includes(method)) throw validationFailed([{ resource: "PullRequest", field: "merge_method", code: "invalid" }], DOC_MERGE);
    const sha = optString(body, "sha", DOC_MERGE);
    const title = optString(body, "commit_title", DOC_MERGE);
    const message = optString(body, "commit_message", DOC_MERGE);
    try {
      const merged = await mergePull(ctx, repo, i, {
        method: method as MergeMethod, by: actorOf(auth),
        ...(sha === undefined ? {} : { sha }), ...(title === undefined ? {} : { title }), ...(message === undefined ? {} : { message }),
      });
      return { sha: merged, merged: true, message: "Pull Request successfully merged" };
    } catch (err) {
      if (err instanceof MergeRefused) throw new GitHubApiError(err.status, err.message, { documentationUrl: DOC_MERGE });
      throw err;
    }
  });
}
