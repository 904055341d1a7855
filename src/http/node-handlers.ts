import type { IncomingMessage, ServerResponse } from "node:http";
import type { FastifyInstance } from "fastify";
import { HookyardError } from "../errors.js";
import { httpStatus } from "./error-status.js";

/**
 * Probot 14's HTTP handler (`addHandler`): a Node `(req, res)` function that answers the request
 * and returns `true`, or returns `false` (or nothing, without answering) to pass it on.
 */
export type NodeHandler = (req: IncomingMessage, res: ServerResponse) => boolean | void | Promise<boolean | void>;

/** Paths an app's handlers never get: Hookyard's own routes. */
export function reservedPath(path: string, webhookPath: string): boolean {
  const p = path.split("?")[0] ?? path;
  return p === webhookPath || p === "/health" || p === "/ready" || p === "/metrics" || p === "/api/v1" || p.startsWith("/api/v1/");
}

/**
 * The Node handlers an app added (`addHandler`, Express routers from `getRouter`), in the order
 * added. Served on Hookyard's server for every request no Hookyard route matched; the first that
 * answers wins, else the answer is Hookyard's 404.
 *
 * @example
 * ```ts
 * const handlers = new NodeHandlers();
 * handlers.add((req, res) => { if (req.url !== "/hello") return false; res.end("hi"); return true; });
 * app.route(handlers.plugin("/api/github/webhooks"));
 * ```
 */
export class NodeHandlers {
  readonly list: NodeHandler[] = [];

  add(handler: NodeHandler): void {
    if (typeof handler !== "function") throw new HookyardError("HOOKYARD_ERR_HANDLER_OPTIONS_INVALID", "addHandler() takes a function (req, res) => boolean");
    this.list.push(handler);
  }

  /** Runs the handlers for one request; true when one answered it. */
  async handle(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    for (const h of this.list) {
      if ((await h(req, res)) === true || res.writableEnded || res.headersSent) return true;
    }
    return false;
  }

  /** A route plugin serving the handlers for every path no other route takes (never `reserved` ones). */
  plugin(webhookPath: string): (fastify: FastifyInstance) => void {
    return (fastify) => {
      if (this.list.length === 0) return;
      // the body stays unread: the handlers read it from the request stream themselves
      fastify.removeAllContentTypeParsers();
      fastify.addContentTypeParser("*", (_req, _payload, done) => done(null));
      fastify.all("*", async (req, reply) => {
        const url = req.url;
        if (!reservedPath(url, webhookPath)) {
          reply.hijack();
          try {
            if (await this.handle(req.raw, reply.raw)) return;
          } catch (err) {
            req.log.error({ err, url: url.split("?")[0] }, "app HTTP handler failed");
            if (!reply.raw.headersSent) answer(reply.raw, new HookyardError("HOOKYARD_ERR_INTERNAL", "internal error; see the server log"));
            else reply.raw.destroy();
            return;
          }
          answer(reply.raw, new HookyardError("HOOKYARD_ERR_API_NOT_FOUND", `no route ${req.method} ${url.split("?")[0]}`));
          return;
        }
        throw new HookyardError("HOOKYARD_ERR_API_NOT_FOUND", `no route ${req.method} ${url.split("?")[0]}`);
      });
    };
  }
}

function answer(res: ServerResponse, error: HookyardError): void {
  res.writeHead(httpStatus(error.code), { "content-type": "application/json; charset=utf-8" });
  res.end(JSON.stringify(error.toJSON()));
}
