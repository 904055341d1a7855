import { createHash, randomBytes } from "node:crypto";
import Fastify, { type FastifyError, type FastifyInstance, type FastifyRequest } from "fastify";
import type { FakeContext, RequestInfo } from "./context.js";
import { GitHubApiError } from "./errors.js";
import { presentedKind } from "./guards.js";
import { rateHeaders } from "./rate-limit.js";
import { actionRoutes } from "./routes/actions.js";
import { appRoutes } from "./routes/app.js";
import { checkListRoutes } from "./routes/check-lists.js";
import { checkRoutes } from "./routes/checks.js";
import { collaboratorRoutes } from "./routes/collaborators.js";
import { commentRoutes } from "./routes/comments.js";
import { commitRoutes } from "./routes/commits.js";
import { contentRoutes } from "./routes/contents.js";
import { deliveryRoutes } from "./routes/deliveries.js";
import { gitRoutes } from "./routes/git.js";
import { gitHttpRoutes } from "./routes/git-http.js";
import { identityRoutes } from "./routes/identity.js";
import { issueRoutes } from "./routes/issues.js";
import { labelRoutes } from "./routes/labels.js";
import { manifestRoutes } from "./routes/manifest.js";
import { oauthRoutes } from "./routes/oauth.js";
import { pullDiffRoutes } from "./routes/pull-diff.js";
import { pullRoutes } from "./routes/pulls.js";
import { repoRoutes } from "./routes/repos.js";
import { reviewRoutes } from "./routes/reviews.js";
import { graphqlRoutes } from "./routes/graphql.js";
import { mergeRoutes } from "./routes/merges.js";
import { reviewWriteRoutes } from "./routes/review-writes.js";
import { searchRoutes } from "./routes/search.js";
import { loggedBody } from "./requests.js";
import type { RequestLogEntry } from "./types.js";

const BODY_LIMIT = 50 * 1024 * 1024;

/** `C0DE:1F2A3B:4C5D6E:7F8091:6651A2B3`, the shape of GitHub's request ids. */
function requestId(): string {
  const h = randomBytes(14).toString("hex").toUpperCase();
  return `${h.slice(0, 4)}:${h.slice(4, 10)}:${h.slice(10, 16)}:${h.slice(16, 22)}:${h.slice(22, 28)}`;
}

function parseJson(body: string): unknown {
  if (body.trim() === "") return undefined;
  try {
    return JSON.parse(body);
  } catch {
    throw new GitHubApiError(400, "Problems parsing JSON");
  }
}

function etagMatches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  const bare = (t: string) => t.trim().replace(/^W\//, "");
  return header.split(",").some((t) => t.trim() === "*" || bare(t) === bare(etag));
}

function requestHeaders(req: FastifyRequest): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) {
    if (v === undefined) continue;
    out[k] = k === "authorization" ? "[redacted]" : Array.isArray(v) ? v.join(", ") : v;
  }
  return out;
}

/**
 * Builds the fake's Fastify server: body parsers, GitHub-shaped errors, and one `onSend` hook that
 * adds `Date` (fake clock), `x-github-request-id`, `ETag` / `304`, `x-ratelimit-*`, and logs the request.
 */
export function buildServer(ctx: FakeContext, infos: WeakMap<FastifyRequest, RequestInfo>, log: RequestLogEntry[]): FastifyInstance {
  const app = Fastify({ logger: false, bodyLimit: BODY_LIMIT, genReqId: requestId, forceCloseConnections: true, routerOptions: { ignoreTrailingSlash: true } });

  app.removeAllContentTypeParsers();
  app.addContentTypeParser("application/x-www-form-urlencoded", { parseAs: "string" }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });
  app.addContentTypeParser("*", { parseAs: "string" }, (_req, body, done) => {
    try {
      done(null, parseJson(body as string));
    } catch (err) {
      done(err as Error, undefined);
    }
  });

  app.setErrorHandler((err: FastifyError | GitHubApiError, _req, reply) => {
    if (err instanceof GitHubApiError) return reply.code(err.statusCode).headers(err.headers).send(err.toJSON());
    const status = typeof err.statusCode === "number" && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    const message = status === 500 ? "Server Error" : status === 413 ? "Request body too large" : err.message;
    return reply.code(status).send(new GitHubApiError(status, message).toJSON());
  });
  app.setNotFoundHandler((_req, reply) => reply.code(404).send(new GitHubApiError(404, "Not Found").toJSON()));

  app.addHook("onSend", async (req, reply, payload) => {
    const info = infos.get(req) ?? {};
    reply.header("date", new Date(ctx.clock.now()).toUTCString());
    reply.header("x-github-request-id", req.id);
    reply.header("x-github-api-version-selected", "2022-11-28");
    let out = payload;
    if (req.method === "GET" && reply.statusCode === 200 && (typeof payload === "string" || Buffer.isBuffer(payload))) {
      const etag = `W/"${createHash("sha256").update(payload).digest("hex")}"`;
      reply.header("etag", etag);
      if (etagMatches(req.headers["if-none-match"], etag)) {
        reply.code(304);
        reply.removeHeader("content-type");
        out = "";
        if (info.counted !== undefined) ctx.rate.refund(info.counted); // a 304 does not count
      }
    }
    if (info.bucket !== undefined) reply.headers(rateHeaders(ctx.rate.bucket(info.bucket)));
    const url = req.url;
    log.push({
      id: req.id,
      method: req.method,
      path: url.split("?")[0] ?? url,
      url,
      status: reply.statusCode,
      auth: presentedKind(req),
      authenticated: info.auth !== undefined,
      appId: info.auth?.app.id,
      installationId: info.auth?.kind === "installation" ? info.auth.installation.id : undefined,
      headers: requestHeaders(req),
      ...(loggedBody(req.body) === undefined ? {} : { body: loggedBody(req.body) }),
      at: new Date(ctx.clock.now()),
    });
    return out;
  });

  const routes = [
    appRoutes, deliveryRoutes, manifestRoutes, repoRoutes, contentRoutes, issueRoutes, commentRoutes, labelRoutes, collaboratorRoutes,
    pullRoutes, pullDiffRoutes, reviewRoutes, reviewWriteRoutes, mergeRoutes, searchRoutes, graphqlRoutes, gitRoutes, commitRoutes, checkRoutes, checkListRoutes, actionRoutes, oauthRoutes, gitHttpRoutes, identityRoutes,
  ];
  for (const register of routes) {
    register(app, ctx);
  }
  return app;
}
