import { HookyardError } from "../errors.js";

const REASONS: Record<string, string> = {
  EADDRINUSE: "the address is in use (another process listens on it)",
  EACCES: "not allowed (ports below 1024 need privileges)",
  EADDRNOTAVAIL: "the host is not an address of this machine",
};

/**
 * The error a failed `listen()` becomes: `HOOKYARD_ERR_HTTP_LISTEN_FAILED` naming host, port and
 * the reason (with the system's code), so a start-up failure is one line with a code.
 *
 * @example
 * ```ts
 * await fastify.listen({ port, host }).catch((err) => { throw listenFailed(err, host, port); });
 * ```
 */
export function listenFailed(err: unknown, host: string, port: number): HookyardError {
  const code = (err as NodeJS.ErrnoException).code;
  const reason = (code && REASONS[code]) ?? (err as Error).message;
  return new HookyardError("HOOKYARD_ERR_HTTP_LISTEN_FAILED", `cannot listen on ${host}:${port}: ${reason}${code ? ` (${code})` : ""}`, { cause: err });
}
