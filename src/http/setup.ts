import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Logger } from "pino";
import { HookyardError } from "../errors.js";
import type { ManifestSetup, SetupResult } from "../github/manifest/index.js";
import { authorized } from "./api/index.js";
import { httpStatus } from "./error-status.js";

export interface SetupRouteOptions {
  setup: ManifestSetup;
  log: Logger;
  /** Called once the App is created and the `.env` file written (the CLI stops then). */
  onComplete?: (result: SetupResult) => void;
}

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const page = (title: string, body: string) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escape(title)} — Hookyard</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:46rem;margin:3rem auto;padding:0 1rem}pre{background:#f4f4f4;padding:1rem;overflow:auto}button{font-size:1rem;padding:.5rem 1rem}</style>
</head><body><h1>${escape(title)}</h1>
${body}
</body></html>
`;

/** Where the browser reached this server: `https://host:port`. */
function originOf(req: FastifyRequest): string {
  const forwarded = String(req.headers["x-forwarded-proto"] ?? "").split(",")[0]?.trim();
  const proto = forwarded === "https" || forwarded === "http" ? forwarded : req.protocol;
  return `${proto}://${req.host}`;
}

function sendError(req: FastifyRequest, reply: FastifyReply, err: HookyardError) {
  reply.code(httpStatus(err.code));
  if (!String(req.headers.accept ?? "").includes("text/html")) return reply.send(err.toJSON());
  return reply.type("text/html; charset=utf-8").send(page("Setup failed", `<p>${escape(err.message)}</p><p><code>${err.code}</code></p><p><a href="/setup">Start again</a></p>`));
}

function donePage(r: SetupResult): string {
  return page("GitHub App created", `<p>The App <strong>${escape(r.name)}</strong> (id ${r.appId}) exists. Its id, private key, webhook secret and
client credentials are in <code>${escape(r.envFile)}</code> (readable by its owner only).</p>
<ol><li><a href="${escape(r.installUrl)}">Install the App</a> on the accounts and repositories it should serve.</li>
<li>Restart Hookyard so that it reads the new settings.</li></ol>
<p>App settings: <a href="${escape(r.htmlUrl)}">${escape(r.htmlUrl)}</a></p>`);
}

/**
 * `GET /setup` (a form that creates a GitHub App from a manifest, for loopback callers or with
 * `?token=`) and `GET /setup/callback` (GitHub's redirect: checks `state`, converts the code,
 * writes `.env`). Served while no App is configured. Errors answer
 * `{"error":{"code","message"}}`, or a page when the browser asks for HTML.
 *
 * @example
 * ```ts
 * await server.register(setupRoutes, { setup: new ManifestSetup({ apiBaseUrl, webhookPath }), log });
 * ```
 */
export async function setupRoutes(app: FastifyInstance, o: SetupRouteOptions): Promise<void> {
  app.setErrorHandler((error: FastifyError, req, reply) => {
    if (error instanceof HookyardError) return sendError(req, reply, error);
    req.log.error({ err: error }, "setup request failed");
    return sendError(req, reply, new HookyardError("HOOKYARD_ERR_INTERNAL", "internal error; see the server log"));
  });

  app.get("/setup", async (req, reply) => {
    const { token } = req.query as { token?: string };
    if (!authorized(req, undefined) && !o.setup.tokenMatches(token)) {
      throw new HookyardError("HOOKYARD_ERR_SETUP_FORBIDDEN", "/setup answers loopback callers, or the link with the setup token from the server log");
    }
    reply.type("text/html; charset=utf-8").header("cache-control", "no-store");
    if (o.setup.result) return donePage(o.setup.result);
    const { manifest, action } = o.setup.begin(originOf(req));
    const json = JSON.stringify(manifest, null, 2);
    return page("Create the GitHub App", `<p>GitHub will show the App below for you to confirm (you can change its name there), then send you
back here; Hookyard then writes its credentials to <code>${escape(o.setup.envFile)}</code>.</p>
<form action="${escape(action)}" method="post">
<input type="hidden" name="manifest" value="${escape(JSON.stringify(manifest))}">
<button type="submit">Create the GitHub App on GitHub</button>
</form>
<p>Webhooks will be sent to <code>${escape(manifest.hook_attributes.url)}</code>.</p>
<details><summary>Manifest</summary><pre>${escape(json)}</pre></details>`);
  });

  app.get("/setup/callback", async (req, reply) => {
    const { code, state } = req.query as { code?: string; state?: string };
    const result = await o.setup.complete({ code, state });
    o.log.info({ appId: result.appId, slug: result.slug, envFile: result.envFile, written: result.written }, "GitHub App created; its credentials are in the .env file");
    o.onComplete?.(result);
    return reply.type("text/html; charset=utf-8").header("cache-control", "no-store").send(donePage(result));
  });
}
