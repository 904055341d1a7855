import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { Socket } from "node:net";
import type { FastifyInstance } from "fastify";
import { HookyardError } from "../errors.js";
import { settlesBy } from "../observability/deadline.js";
import { closeAfterAnswer, sendError } from "./errors.js";
import { LINGER_MS, lingerAfterAnswer } from "./raw-answer.js";

/** A request in progress, as the shutdown sees it: answered yet, and how to answer it 503. */
export interface OpenRequest {
  answered(): boolean;
  shutDown(): void;
}

/**
 * The HTTP server's connections, for a shutdown that ends whatever clients do. While the app
 * drains, every answer carries `Connection: close`. Closing the server then destroys at once the
 * connections with no request open (idle keep-alive, never used, or with a request's headers still
 * arriving); requests already open may finish until the deadline, after which they are answered
 * `503 HOOKYARD_ERR_HTTP_SHUTTING_DOWN` and every connection left is closed.
 */
export class Connections {
  private readonly open = new Map<Socket, Set<OpenRequest>>();
  private closing = false;

  constructor(server: Server, private readonly draining: () => boolean) {
    server.on("connection", (socket: Socket) => {
      this.open.set(socket, new Set());
      socket.once("close", () => this.open.delete(socket));
    });
  }

  /** Registers the hooks (on the root instance, before any route). */
  install(fastify: FastifyInstance): void {
    fastify.addHook("onRequest", async (req, reply) => {
      this.track(req.raw, reply.raw, { answered: () => reply.sent || reply.raw.headersSent, shutDown: () => void sendError(reply, shuttingDown()) });
      if (this.closing) return sendError(reply, shuttingDown());
    });
    fastify.addHook("onSend", async (req, reply) => {
      if (!req.raw.complete) closeAfterAnswer(reply); // answered before its body was read
      else if (this.draining() || this.closing) reply.header("connection", "close");
    });
  }

  /**
   * Tracks a request served outside Fastify (the webhook route) until its response closes. Returns
   * the error to answer it with at once when the server is closing.
   */
  track(req: IncomingMessage, res: ServerResponse, request: OpenRequest): HookyardError | undefined {
    const requests = this.open.get(req.socket);
    if (requests) {
      requests.add(request);
      res.once("close", () => requests.delete(request));
    }
    return this.closing ? shuttingDown() : undefined;
  }

  /**
   * What the `onSend` hook does, for a response written outside Fastify: `Connection: close` (and a
   * lingering close) for an answer given before the request's body was read, `Connection: close`
   * while draining or closing.
   */
  beforeAnswer(req: IncomingMessage, res: ServerResponse): void {
    if (!req.complete) {
      res.setHeader("connection", "close");
      lingerAfterAnswer(req.socket);
    } else if (this.draining() || this.closing) {
      res.setHeader("connection", "close");
    }
  }

  /**
   * Closes the server (`close` stops listening; see the class comment for the connections) and
   * resolves once every connection is gone: by `deadline` for requests in progress, plus at most
   * {@link LINGER_MS} for their answers to be read.
   */
  async close(closeServer: () => Promise<void>, deadline: number): Promise<void> {
    this.closing = true;
    const closed = closeServer();
    for (const [socket, replies] of this.open) if (replies.size === 0) socket.destroy();
    if (await settlesBy(closed, deadline)) return;
    for (const requests of this.open.values()) {
      for (const request of requests) if (!request.answered()) request.shutDown();
    }
    if (await settlesBy(closed, Date.now() + LINGER_MS)) return;
    for (const socket of this.open.keys()) socket.destroy();
    await closed;
  }
}

/** The answer to a request still open at the shutdown's deadline, or arriving while the server closes. */
export function shuttingDown(): HookyardError {
  return new HookyardError("HOOKYARD_ERR_HTTP_SHUTTING_DOWN", "the server is shutting down; send the request again");
}
