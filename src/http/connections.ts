import type { Server } from "node:http";
import type { Socket } from "node:net";
import type { FastifyInstance, FastifyReply } from "fastify";
import { HookyardError } from "../errors.js";
import { settlesBy } from "../observability/deadline.js";
import { closeAfterAnswer, sendError } from "./errors.js";
import { LINGER_MS } from "./raw-answer.js";

/**
 * The HTTP server's connections, for a shutdown that ends whatever clients do. While the app
 * drains, every answer carries `Connection: close`. Closing the server then destroys at once the
 * connections with no request open (idle keep-alive, never used, or with a request's headers still
 * arriving); requests already open may finish until the deadline, after which they are answered
 * `503 HOOKYARD_ERR_HTTP_SHUTTING_DOWN` and every connection left is closed.
 */
export class Connections {
  private readonly open = new Map<Socket, Set<FastifyReply>>();
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
      const replies = this.open.get(req.raw.socket);
      if (replies) {
        replies.add(reply);
        reply.raw.once("close", () => replies.delete(reply));
      }
      if (this.closing) return sendError(reply, shuttingDown());
    });
    fastify.addHook("onSend", async (req, reply) => {
      if (!req.raw.complete) closeAfterAnswer(reply); // answered before its body was read
      else if (this.draining() || this.closing) reply.header("connection", "close");
    });
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
    for (const replies of this.open.values()) {
      for (const reply of replies) if (!reply.sent && !reply.raw.headersSent) void sendError(reply, shuttingDown());
    }
    if (await settlesBy(closed, Date.now() + LINGER_MS)) return;
    for (const socket of this.open.keys()) socket.destroy();
    await closed;
  }
}

function shuttingDown(): HookyardError {
  return new HookyardError("HOOKYARD_ERR_HTTP_SHUTTING_DOWN", "the server is shutting down; send the request again");
}
