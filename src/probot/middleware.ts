import type { IncomingMessage, ServerResponse } from "node:http";
import { HookyardError } from "../errors.js";
import { httpStatus } from "../http/error-status.js";
import type { NodeHandlers } from "../http/node-handlers.js";
import type { Probot } from "./probot.js";

/** Probot's Node middleware: answers the webhook path and the app's handlers; `next()` (or 404) for the rest. */
export type NodeMiddleware = (req: IncomingMessage, res: ServerResponse, next?: () => void) => Promise<boolean>;

/** Options of {@link createNodeMiddleware}, as Probot's. */
export interface MiddlewareOptions {
  probot?: Probot;
  /** Default: the Probot's `webhookPath` (`/api/github/webhooks`). */
  webhooksPath?: string;
}

/**
 * The middleware for `probot` with `handlers` first, then the webhook path (verified and stored
 * as `hookyard serve` stores deliveries, then run by the workers).
 */
export async function webhookMiddleware(probot: Probot, handlers: NodeHandlers, path = probot.webhookPath): Promise<NodeMiddleware> {
  const route = await probot.hookyard.requestListener();
  return async (req, res, next) => {
    if ((req.url ?? "/").split("?")[0] === path) {
      route(req, res);
      return true;
    }
    if (await handlers.handle(req, res)) return true;
    if (next) next();
    else {
      const error = new HookyardError("HOOKYARD_ERR_API_NOT_FOUND", `no route ${req.method} ${(req.url ?? "/").split("?")[0]}`);
      res.writeHead(httpStatus(error.code), { "content-type": "application/json; charset=utf-8" });
      res.end(JSON.stringify(error.toJSON()));
    }
    return false;
  };
}
