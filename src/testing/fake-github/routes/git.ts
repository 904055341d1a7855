import type { FastifyInstance, FastifyRequest } from "fastify";
import { actorOf, repoFor, requirePermission } from "../access.js";
import { bodyOf, reqString } from "../body.js";
import type { FakeContext } from "../context.js";
import { GitHubApiError, notFound } from "../errors.js";
import { reaches } from "../git.js";
import { guard } from "../guards.js";
import { RefUpdateError, ZERO_SHA } from "../git/refs.js";
import { refsMoved } from "../ref-updates.js";
import { gitRef } from "../shapes/git.js";
import type { RepoRecord } from "../state.js";

const DOC_GET = "https://docs.github.com/rest/git/refs#get-a-reference";
const DOC_CREATE = "https://docs.github.com/rest/git/refs#create-a-reference";
const DOC_UPDATE = "https://docs.github.com/rest/git/refs#update-a-reference";

function refParam(req: FastifyRequest): string {
  return `refs/${((req.params as { "*": string })["*"] ?? "").replace(/^refs\//, "")}`;
}

/** Moves `ref` from `expected` to `sha` in the bare repository, or GitHub's 422 when that fails. */
function moveRef(repo: RepoRecord, ref: string, sha: string, expected: string | null, doc: string): void {
  try {
    repo.git.refs.update(ref, sha, expected);
  } catch (err) {
    if (err instanceof RefUpdateError) throw new GitHubApiError(422, "Reference update failed", { documentationUrl: doc });
    throw err;
  }
}

/** Git references: get one, create one, move one (fast-forward unless `force`). */
export function gitRoutes(app: FastifyInstance, ctx: FakeContext): void {
  const token = guard(ctx, "token");

  app.get("/repos/:owner/:repo/git/ref/*", { preHandler: token }, async (req) => {
    const { repo, auth } = repoFor(ctx, req, DOC_GET);
    requirePermission(auth, "contents", "read", DOC_GET);
    const ref = refParam(req);
    const sha = repo.git.refs.get(ref);
    if (sha === undefined) throw notFound(DOC_GET);
    return gitRef(ctx.urls, repo, ref, sha);
  });

  app.post("/repos/:owner/:repo/git/refs", { preHandler: token }, async (req, reply) => {
    const { repo, auth } = repoFor(ctx, req, DOC_CREATE);
    requirePermission(auth, "contents", "write", DOC_CREATE);
    const body = bodyOf(req);
    const ref = reqString(body, "ref", DOC_CREATE);
    const sha = reqString(body, "sha", DOC_CREATE);
    if (!/^refs\/[^/]+\/.+/.test(ref)) throw new GitHubApiError(422, "Reference name must be fully qualified, e.g. refs/heads/branch", { documentationUrl: DOC_CREATE });
    if (repo.git.refs.get(ref) !== undefined) throw new GitHubApiError(422, "Reference already exists", { documentationUrl: DOC_CREATE });
    if (!repo.git.commit(sha)) throw new GitHubApiError(422, "Object does not exist", { documentationUrl: DOC_CREATE });
    moveRef(repo, ref, sha, null, DOC_CREATE);
    refsMoved(ctx, repo, [{ ref, before: ZERO_SHA, after: sha }], actorOf(auth));
    reply.code(201);
    return gitRef(ctx.urls, repo, ref, sha);
  });

  app.patch("/repos/:owner/:repo/git/refs/*", { preHandler: token }, async (req) => {
    const { repo, auth } = repoFor(ctx, req, DOC_UPDATE);
    requirePermission(auth, "contents", "write", DOC_UPDATE);
    const body = bodyOf(req);
    const sha = reqString(body, "sha", DOC_UPDATE);
    const ref = refParam(req);
    const current = repo.git.refs.get(ref);
    if (current === undefined) throw new GitHubApiError(422, "Reference does not exist", { documentationUrl: DOC_UPDATE });
    if (!repo.git.commit(sha)) throw new GitHubApiError(422, "Object does not exist", { documentationUrl: DOC_UPDATE });
    if (body.force !== true && !reaches(repo, sha, current)) throw new GitHubApiError(422, "Update is not a fast forward", { documentationUrl: DOC_UPDATE });
    moveRef(repo, ref, sha, current, DOC_UPDATE);
    refsMoved(ctx, repo, [{ ref, before: current, after: sha }], actorOf(auth));
    return gitRef(ctx.urls, repo, ref, sha);
  });
}
