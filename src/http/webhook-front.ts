import { createServer, type IncomingMessage, type Server, type ServerOptions, type ServerResponse } from "node:http";
import { performance } from "node:perf_hooks";
import type { Logger } from "pino";
import type { HookyardError } from "../errors.js";
import { webhookHandler, type IngressOptions, type WebhookExchange } from "../ingress/handle.js";
import { shuttingDown, type Connections } from "./connections.js";
import { httpStatus } from "./error-status.js";

/** Serves a request outside Fastify when it is the webhook route's; false hands it to Fastify. */
export type FrontRoute = (req: IncomingMessage, res: ServerResponse) => boolean;

/** The server settings Fastify would apply to the server it creates itself. */
export interface FrontServerOptions {
  http: ServerOptions;
  keepAliveTimeout: number;
  requestTimeout: number;
  connectionTimeout: number;
}

/**
 * Node's HTTP server for Fastify's `serverFactory`: every request goes to `front.route` first (set
 * once the server's parts exist, before it listens), and to Fastify when the route does not take it.
 * The timeouts are the ones Fastify sets on a server it creates.
 *
 * @example
 * ```ts
 * const front: { route?: FrontRoute } = {};
 * Fastify({ serverFactory: (handler) => frontServer(options, handler, front) });
 * ```
 */
export function frontServer(o: FrontServerOptions, fastify: (req: IncomingMessage, res: ServerResponse) => void, front: { route?: FrontRoute }): Server {
  const server = createServer(o.http, (req, res) => {
    if (front.route?.(req, res)) return;
    fastify(req, res);
  });
  server.keepAliveTimeout = o.keepAliveTimeout;
  server.requestTimeout = o.requestTimeout;
  server.setTimeout(o.connectionTimeout);
  return server;
}

export interface WebhookRouteOptions {
  ingress: IngressOptions;
  /** The request's correlation id, echoed in `x-request-id` (see `requestIdOf`). */
  requestId: (req: IncomingMessage) => string;
  connections: Connections;
  /** Called once each answer is sent: its status and the seconds since the request arrived. */
  answered: (status: number, seconds: number) => void;
  log: Logger;
}

/**
 * `POST <webhook path>` (query string aside) served on Node's request and response, without
 * Fastify's routing, hooks and reply objects (docs/benchmarks.md: a fifth of the main thread's time
 * per delivery). It keeps what Fastify's hooks gave the route: the request id in `x-request-id`, the
 * shutdown's tracking and `Connection: close` answers, and the `hookyard_ingress_duration_seconds`
 * observation. Any other request returns false.
 *
 * @example
 * ```ts
 * front.route = webhookRoute({ ingress, requestId: requestIdOf(path), connections, answered, log });
 * ```
 */
export function webhookRoute(o: WebhookRouteOptions): FrontRoute {
  const { handle, spans } = webhookHandler(o.ingress);
  const path = o.ingress.path;
  return (req, res) => {
    if (req.method !== "POST") return false;
    const url = req.url ?? "";
    if (!url.startsWith(path) || (url.length !== path.length && url[path.length] !== "?")) return false;
    const started = performance.now();
    const id = o.requestId(req);
    const exchange: WebhookExchange = {
      answer(status, body, headers) {
        if (res.headersSent) return;
        const text = JSON.stringify(body);
        res.statusCode = status;
        res.setHeader("content-type", "application/json; charset=utf-8");
        res.setHeader("content-length", Buffer.byteLength(text));
        res.setHeader("x-request-id", id);
        if (headers) for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
        o.connections.beforeAnswer(req, res);
        res.end(text);
      },
      answered: () => res.headersSent,
      logError: (err, message) => o.log.error({ requestId: id, err }, message),
    };
    res.once("finish", () => {
      o.answered(res.statusCode, (performance.now() - started) / 1000);
      spans.end(req, res.statusCode);
    });
    const refuse = (err: HookyardError) => exchange.answer(httpStatus(err.code), err.toJSON());
    const closing = o.connections.track(req, res, { answered: exchange.answered, shutDown: () => refuse(shuttingDown()) });
    if (closing) refuse(closing);
    else void handle(req, exchange);
    return true;
  };
}
