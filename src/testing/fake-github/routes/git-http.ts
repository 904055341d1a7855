import type { Readable } from "node:stream";
import { createGunzip } from "node:zlib";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { canSee, grants } from "../access.js";
import type { AuthInfo, FakeContext } from "../context.js";
import { basicCredentials } from "../guards.js";
import { runHttpBackend } from "../git/http-backend.js";
import { watchPushCommands, type PushCommand } from "../git/push-commands.js";
import { ZERO_SHA } from "../git/refs.js";
import { refsMoved } from "../ref-updates.js";
import type { RepoRecord } from "../state.js";

type Service = "git-upload-pack" | "git-receive-pack";

/** Why a git request is refused: status and the text git shows as `remote: …`. */
class GitRefusal {
  constructor(readonly status: number, readonly message: string) {}
}

const NEED_AUTH = "Invalid username or token. Password authentication is not supported for Git operations.";

/**
 * Checks a git request as GitHub does: HTTP Basic whose password is a live installation token
 * (any username, e.g. `x-access-token`); the repository must be in the token's reach (404 as
 * GitHub answers otherwise); fetching needs `contents: read`, pushing `contents: write` (403).
 */
function authorize(ctx: FakeContext, req: FastifyRequest, service: Service): { repo: RepoRecord; auth: AuthInfo & { kind: "installation" } } {
  const creds = basicCredentials(req);
  const token = creds === undefined ? undefined : ctx.tokens.installationToken(creds.password);
  const installation = token && ctx.state.installations.get(token.installationId);
  const app = token && ctx.state.app(token.appId);
  if (!token || !installation || !app) throw new GitRefusal(401, NEED_AUTH);
  const auth = { kind: "installation" as const, app, installation, token };
  ctx.info(req).auth = auth;
  const { owner, repo: raw } = req.params as { owner: string; repo: string };
  const repo = ctx.state.repo(owner, raw.replace(/\.git$/, ""));
  if (!repo || !canSee(ctx, auth, repo)) throw new GitRefusal(404, "Repository not found.");
  const need = service === "git-receive-pack" ? "write" : "read";
  if (!grants(token.permissions.contents, need)) {
    throw new GitRefusal(403, `Permission to ${repo.owner.login}/${repo.name}.git denied to ${app.bot.login}.`);
  }
  return { repo, auth };
}

function refuse(reply: FastifyReply, r: GitRefusal): FastifyReply {
  if (r.status === 401) reply.header("www-authenticate", 'Basic realm="GitHub"');
  return reply.code(r.status).type("text/plain; charset=utf-8").send(`${r.message}\n`);
}

/** The refs a push asked for that it really moved (`git receive-pack` may refuse some). */
function applied(repo: RepoRecord, commands: PushCommand[]): PushCommand[] {
  return commands.filter((c) => (repo.git.refs.get(c.ref) ?? ZERO_SHA) === c.after && c.before !== c.after);
}

/**
 * Git's smart HTTP protocol for every repository, through `git http-backend`:
 * `GET /{owner}/{repo}.git/info/refs?service=…`, `POST …/git-upload-pack`, `POST …/git-receive-pack`.
 * A push then has GitHub's consequences: `push` webhooks, pull requests following their head branch.
 */
export function gitHttpRoutes(app: FastifyInstance, ctx: FakeContext): void {
  app.addContentTypeParser(["application/x-git-upload-pack-request", "application/x-git-receive-pack-request"], (_req, payload, done) => done(null, payload));

  const serve = (service: Service | "info") => async (req: FastifyRequest, reply: FastifyReply) => {
    const wanted: Service = service === "info" ? ((req.query as { service?: string }).service === "git-receive-pack" ? "git-receive-pack" : "git-upload-pack") : service;
    let access: ReturnType<typeof authorize>;
    try {
      access = authorize(ctx, req, wanted);
    } catch (err) {
      if (err instanceof GitRefusal) return refuse(reply, err);
      throw err;
    }
    const { repo, auth } = access;
    const raw = req.body as Readable | undefined;
    const body = raw && /gzip/i.test(req.headers["content-encoding"] ?? "") ? raw.pipe(createGunzip()) : raw;
    const commands = service === "git-receive-pack" && body ? watchPushCommands(body) : Promise.resolve([]);
    const url = new URL(req.url, "http://fake");
    const res = await runHttpBackend({
      projectRoot: ctx.state.gitRoot,
      pathInfo: `/${repo.id}.git/${service === "info" ? "info/refs" : service}`,
      method: req.method,
      query: url.search.replace(/^\?/, ""),
      contentType: req.headers["content-type"],
      body,
      remoteUser: auth.app.bot.login,
      gitProtocol: typeof req.headers["git-protocol"] === "string" ? req.headers["git-protocol"] : undefined,
      beforeEnd: async () => {
        const moved = applied(repo, await commands);
        if (moved.length > 0) refsMoved(ctx, repo, moved, auth.app.bot);
      },
    });
    return reply.code(res.status).headers(res.headers).send(res.body);
  };

  app.get("/:owner/:repo/info/refs", serve("info"));
  app.post("/:owner/:repo/git-upload-pack", serve("git-upload-pack"));
  app.post("/:owner/:repo/git-receive-pack", serve("git-receive-pack"));
}
