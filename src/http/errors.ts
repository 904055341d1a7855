import type { Socket } from "node:net";
import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import { HookyardError } from "../errors.js";
import { httpStatus } from "./error-status.js";
import { lingerAfterAnswer, writeRawAnswer } from "./raw-answer.js";

/** Fastify's own errors, as the documented `HOOKYARD_ERR_…` errors. */
const FASTIFY_CODES: Record<string, () => HookyardError> = {
  FST_ERR_CTP_BODY_TOO_LARGE: () => new HookyardError("HOOKYARD_ERR_HTTP_BODY_TOO_LARGE", "the request body is larger than the 1 MiB limit"),
  FST_ERR_CTP_INVALID_MEDIA_TYPE: () => new HookyardError("HOOKYARD_ERR_HTTP_UNSUPPORTED_MEDIA_TYPE", "request bodies must be application/json"),
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: () => new HookyardError("HOOKYARD_ERR_HTTP_BAD_REQUEST", "the Content-Length does not match the body"),
  FST_ERR_BAD_URL: () => new HookyardError("HOOKYARD_ERR_HTTP_BAD_REQUEST", "the URL is not valid percent-encoding"),
  FST_ERR_MAX_PARAM_LENGTH: () => new HookyardError("HOOKYARD_ERR_HTTP_URL_TOO_LONG", "a path segment is longer than 100 characters (ids are at most 64)"),
};

/**
 * The documented error for anything a route or Fastify raised: a `HookyardError` as is, Fastify's
 * own errors by their code, other client errors as `fallback`, the rest as `HOOKYARD_ERR_INTERNAL`.
 *
 * @example
 * ```ts
 * const err = httpError(error, "HOOKYARD_ERR_API_BAD_REQUEST");
 * ```
 */
export function httpError(error: FastifyError, fallback: "HOOKYARD_ERR_API_BAD_REQUEST" | "HOOKYARD_ERR_HTTP_BAD_REQUEST" = "HOOKYARD_ERR_HTTP_BAD_REQUEST"): HookyardError {
  if (error instanceof HookyardError) return error;
  const known = FASTIFY_CODES[error.code];
  if (known) return known();
  if (error.statusCode !== undefined && error.statusCode < 500) return new HookyardError(fallback, error.message);
  return new HookyardError("HOOKYARD_ERR_INTERNAL", "internal error; see the server log");
}

/**
 * Sends `error` in the documented shape, with its code's status (`httpStatus`; the root `onSend` hook closes the connection when the
 * request's body is still unread; see `Connections`).
 *
 * @example
 * ```ts
 * return sendError(reply, new HookyardError("HOOKYARD_ERR_STORE_NOT_FOUND", "no task 1")); // 404
 * ```
 */
export function sendError(reply: FastifyReply, error: HookyardError): FastifyReply {
  return reply.code(httpStatus(error.code)).send(error.toJSON());
}

/**
 * Marks an answer given before the request's body was read (413, 503 while draining, a bad
 * request): it carries `Connection: close`, and the connection is closed cleanly once it is sent,
 * so the client neither reuses it nor loses the answer to a reset.
 */
export function closeAfterAnswer(reply: FastifyReply): void {
  reply.header("connection", "close");
  lingerAfterAnswer(reply.request.raw.socket);
}

/**
 * The server-wide error handler: every route's errors (those of a plugin with its own handler
 * aside) in the documented shape; unexpected ones are logged.
 */
export function rootErrorHandler(error: FastifyError, req: FastifyRequest, reply: FastifyReply): FastifyReply {
  const err = httpError(error);
  if (err.code === "HOOKYARD_ERR_INTERNAL") req.log.error({ err: error }, "request failed");
  return sendError(reply, err);
}

/** Fastify's `frameworkErrors`: a URL it cannot decode, a path segment over its length limit. */
export function frameworkErrors(error: FastifyError, req: FastifyRequest, reply: FastifyReply): void {
  if (!req.raw.complete) closeAfterAnswer(reply);
  void sendError(reply, httpError(error));
}

/** Sockets already answered by {@link clientErrorHandler}: the parser may report more errors on them. */
const answered = new WeakSet<Socket>();

/**
 * Fastify's `clientErrorHandler`, for what Node cannot hand to a route: a request it cannot parse
 * (400), headers over its size limit (431), a headers or request timeout (408). The answer is in
 * the documented shape with `Connection: close`, and the connection is closed cleanly, so a
 * keep-alive client does not send its next request on a dead socket.
 */
export function clientErrorHandler(err: NodeJS.ErrnoException, socket: Socket): void {
  if (err.code === "ECONNRESET" || socket.destroyed || answered.has(socket)) return;
  answered.add(socket);
  const inFlight = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  // as Node does: no answer in the middle of another one's bytes
  if (!socket.writable || inFlight?.headersSent) {
    socket.destroy();
    return;
  }
  writeRawAnswer(socket, clientError(err));
}

function clientError(err: NodeJS.ErrnoException): HookyardError {
  if (err.code === "ERR_HTTP_REQUEST_TIMEOUT") return new HookyardError("HOOKYARD_ERR_HTTP_TIMEOUT", "the request did not arrive in time (HOOKYARD_HEADERS_TIMEOUT / HOOKYARD_REQUEST_TIMEOUT)");
  if (err.code === "HPE_HEADER_OVERFLOW") return new HookyardError("HOOKYARD_ERR_HTTP_HEADERS_TOO_LARGE", "the request headers are larger than 16 KiB");
  return new HookyardError("HOOKYARD_ERR_HTTP_BAD_REQUEST", "the request could not be parsed as HTTP/1.1");
}
