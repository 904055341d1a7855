import { STATUS_CODES } from "node:http";
import type { Socket } from "node:net";
import type { HookyardError } from "../errors.js";
import { httpStatus } from "./error-status.js";

/**
 * How long a connection being closed keeps reading (and discarding) what the client still sends.
 * Closing a socket with unread bytes makes the kernel reset the connection, and a reset can throw
 * away the answer the client has not read yet; after a `Connection: close` answer the client
 * closes its side, which ends the wait early.
 */
export const LINGER_MS = 2_000;

/**
 * Closes `socket` the clean way: sends what is queued and a FIN, reads and drops whatever the
 * client still sends, and destroys the socket once the client has closed too (or after
 * {@link LINGER_MS}).
 *
 * @example
 * ```ts
 * socket.write(answer); lingeringClose(socket);
 * ```
 */
export function lingeringClose(socket: Socket): void {
  if (socket.destroyed) return;
  const timer = setTimeout(() => socket.destroy(), LINGER_MS);
  timer.unref();
  socket.once("close", () => clearTimeout(timer));
  socket.once("end", () => socket.destroy()); // the client closed its side too (HTTP sockets allow half-open)
  socket.on("error", () => socket.destroy());
  socket.end();
  socket.resume();
}

/**
 * Makes Node's close of this socket after a `Connection: close` answer linger (see
 * {@link lingeringClose}) instead of closing at once: for answers given before the request's
 * body was read (413, a 503 at shutdown).
 *
 * @example
 * ```ts
 * reply.header("connection", "close"); lingerAfterAnswer(req.raw.socket);
 * ```
 */
export function lingerAfterAnswer(socket: Socket): void {
  (socket as Socket & { destroySoon?: () => void }).destroySoon = () => lingeringClose(socket);
}

/**
 * Writes an error answer straight to a socket that has no response in progress (a request Node
 * could not parse, or whose headers timed out), in the documented shape and with
 * `Connection: close`, then closes the socket cleanly.
 *
 * @example
 * ```ts
 * writeRawAnswer(socket, new HookyardError("HOOKYARD_ERR_HTTP_HEADERS_TOO_LARGE", "…"));
 * ```
 */
export function writeRawAnswer(socket: Socket, error: HookyardError): void {
  const body = JSON.stringify(error.toJSON());
  const status = httpStatus(error.code);
  const head = [
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? "Error"}`,
    "Content-Type: application/json; charset=utf-8",
    `Content-Length: ${Buffer.byteLength(body)}`,
    "Connection: close",
  ];
  socket.write(`${head.join("\r\n")}\r\n\r\n${body}`);
  lingeringClose(socket);
}
