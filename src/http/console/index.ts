import type { FastifyInstance, FastifyReply } from "fastify";
import { HookyardError } from "../../errors.js";
import { sendError } from "../errors.js";
import { loadAssets, type Asset } from "./assets.js";

export { consoleSessionAccess, allowsAnyone, type ConsoleAllowList } from "./access.js";

/** What the console's routes are given. */
export interface ConsoleOptions {
  /** Whether GitHub login is configured with an allow-list: the login page then offers it. */
  githubLogin: boolean;
  /** Whether an API token is configured (otherwise only loopback callers get data). */
  tokenConfigured: boolean;
  /** Where the built files are (default: the package's `dist/console/`). */
  dir?: string;
}

const CSP = "default-src 'self'; img-src 'self' data: https:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

function send(reply: FastifyReply, asset: Asset | undefined): FastifyReply {
  if (!asset) return sendError(reply, new HookyardError("HOOKYARD_ERR_CONSOLE_NOT_BUILT", "the console's files are missing from dist/console/: run npm run build"));
  return reply
    .header("content-type", asset.type)
    .header("cache-control", "no-cache")
    .header("content-security-policy", CSP)
    .header("x-content-type-options", "nosniff")
    .header("referrer-policy", "same-origin")
    .send(asset.body);
}

/**
 * The web console at `/console`: its static files (public: the data comes from the management
 * API, which checks the caller) and `/console/config.json`, which tells the page how to log in.
 *
 * @example
 * ```ts
 * await fastify.register(consoleRoutes, { githubLogin: false, tokenConfigured: true });
 * ```
 */
export async function consoleRoutes(app: FastifyInstance, o: ConsoleOptions): Promise<void> {
  const assets = loadAssets(o.dir);
  app.get("/console", async (_req, reply) => reply.redirect("/console/", 302));
  app.get("/console/", async (_req, reply) => send(reply, assets.get("index.html")));
  app.get("/console/config.json", async (_req, reply) =>
    reply.header("cache-control", "no-store").send({ githubLogin: o.githubLogin, loginUrl: "/auth/github/login?return_to=%2Fconsole%2F", tokenConfigured: o.tokenConfigured }),
  );
  app.get<{ Params: { file: string } }>("/console/assets/:file", async (req, reply) => {
    const asset = req.params.file === "index.html" ? undefined : assets.get(req.params.file);
    if (!asset && assets.size > 0) return sendError(reply, new HookyardError("HOOKYARD_ERR_API_NOT_FOUND", `no console file ${req.params.file}`));
    return send(reply, asset);
  });
}
