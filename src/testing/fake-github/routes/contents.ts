import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { actorOf, repoFor, requirePermission } from "../access.js";
import { bodyOf, optString, reqString } from "../body.js";
import type { FakeContext } from "../context.js";
import { GitHubApiError, notFound } from "../errors.js";
import { branchSha, fileAt, isDirectory, normalisePath, resolveRef } from "../git.js";
import { guard } from "../guards.js";
import { refsMoved } from "../ref-updates.js";
import { setFile } from "../seed.js";
import { contentFile, fileCommit } from "../shapes/git.js";
import type { Urls } from "../shapes/urls.js";
import type { CommitRecord, RepoRecord } from "../state.js";

const DOC_GET = "https://docs.github.com/rest/repos/contents#get-repository-content";
const DOC_PUT = "https://docs.github.com/rest/repos/contents#create-or-update-file-contents";

function pathParam(req: FastifyRequest): string {
  return normalisePath((req.params as { "*": string })["*"] ?? "");
}

function wantsRaw(req: FastifyRequest): boolean {
  return /application\/vnd\.github(\.v3)?\.raw/.test(req.headers.accept ?? "");
}

/** The entries directly below `dir`, as GitHub lists a directory. */
function listDirectory(u: Urls, repo: RepoRecord, commit: CommitRecord, dir: string, ref: string) {
  const prefix = dir === "" ? "" : `${dir}/`;
  const seen = new Map<string, "file" | "dir">();
  for (const p of commit.tree.keys()) {
    if (!p.startsWith(prefix)) continue;
    const rest = p.slice(prefix.length);
    const [head, ...more] = rest.split("/");
    if (head !== undefined && head !== "") seen.set(head, more.length > 0 ? "dir" : "file");
  }
  return [...seen.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([name, type]) => {
    const path = `${prefix}${name}`;
    const blob = type === "file" ? commit.tree.get(path) : undefined;
    if (blob) {
      const { content: _c, encoding: _e, ...entry } = contentFile(u, repo, path, blob, ref);
      return entry;
    }
    const sha = repo.git.treeAt(commit, path) ?? "";
    const api = `${u.api}/repos/${repo.owner.login}/${repo.name}/contents/${path}?ref=${encodeURIComponent(ref)}`;
    const git = `${u.api}/repos/${repo.owner.login}/${repo.name}/git/trees/${sha}`;
    const html = `${u.html}/${repo.owner.login}/${repo.name}/tree/${ref}/${path}`;
    return { type: "dir", size: 0, name, path, sha, url: api, git_url: git, html_url: html, download_url: null, _links: { self: api, git, html } };
  });
}

/** `GET` and `PUT /repos/{owner}/{repo}/contents/{path}`. */
export function contentRoutes(app: FastifyInstance, ctx: FakeContext): void {
  const token = guard(ctx, "token");

  const read = async (req: FastifyRequest, reply: FastifyReply) => {
    const { repo, auth } = repoFor(ctx, req, DOC_GET);
    requirePermission(auth, "contents", "read", DOC_GET);
    const refParam = (req.query as { ref?: string }).ref;
    const commit = resolveRef(repo, refParam);
    if (!commit) throw new GitHubApiError(404, `No commit found for the ref ${refParam ?? repo.defaultBranch}`, { documentationUrl: DOC_GET });
    const path = pathParam(req);
    const ref = refParam ?? repo.defaultBranch;
    const blob = fileAt(commit, path);
    if (blob) {
      if (wantsRaw(req)) {
        reply.type("application/vnd.github.raw; charset=utf-8");
        return blob.content;
      }
      return contentFile(ctx.urls, repo, path, blob, ref);
    }
    if (isDirectory(commit, path)) return listDirectory(ctx.urls, repo, commit, path, ref);
    throw notFound(DOC_GET);
  };
  app.get("/repos/:owner/:repo/contents/*", { preHandler: token }, read);
  app.get("/repos/:owner/:repo/contents", { preHandler: token }, read);

  app.put("/repos/:owner/:repo/contents/*", { preHandler: token }, async (req, reply) => {
    const { repo, auth } = repoFor(ctx, req, DOC_PUT);
    requirePermission(auth, "contents", "write", DOC_PUT);
    const body = bodyOf(req);
    const message = reqString(body, "message", DOC_PUT);
    const content = reqString(body, "content", DOC_PUT);
    if (!/^[A-Za-z0-9+/\s]*={0,2}\s*$/.test(content)) throw new GitHubApiError(422, "content is not valid Base64", { documentationUrl: DOC_PUT });
    const branch = optString(body, "branch", DOC_PUT) ?? repo.defaultBranch;
    const sha = optString(body, "sha", DOC_PUT);
    const path = pathParam(req);
    const tip = branchSha(repo, branch);
    if (tip === undefined) throw new GitHubApiError(404, `Branch ${branch} not found`, { documentationUrl: DOC_PUT });
    const tipCommit = repo.git.commit(tip);
    const existing = tipCommit ? fileAt(tipCommit, path) : undefined;
    if (existing && sha === undefined) throw new GitHubApiError(422, `Invalid request.\n\n"sha" wasn't supplied.`, { documentationUrl: DOC_PUT });
    if (existing && sha !== existing.sha) throw new GitHubApiError(409, `${path} does not match ${sha}`, { documentationUrl: DOC_PUT });
    const actor = actorOf(auth);
    const author = { name: actor.login, email: `${actor.id}+${actor.login}@users.noreply.github.com` };
    const { commit, blob } = setFile(ctx.state, repo, path, Buffer.from(content, "base64"), { branch, message, author });
    if (!blob) throw notFound(DOC_PUT);
    refsMoved(ctx, repo, [{ ref: `refs/heads/${branch}`, before: tip, after: commit.sha }], actor);
    reply.code(existing ? 200 : 201);
    return fileCommit(ctx.urls, repo, path, blob, commit, branch);
  });
}
