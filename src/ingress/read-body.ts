import type { IncomingMessage } from "node:http";
import { HookyardError } from "../errors.js";

/**
 * Reads a request's body as raw bytes, at most `limit` of them: a `Content-Length` over the limit
 * is refused before anything is read, and so is a body that grows past it (the rest is left
 * unread: the answer closes the connection). A body shorter or longer than its `Content-Length`
 * is invalid. Rejects with `HOOKYARD_ERR_INGRESS_BODY_TOO_LARGE` or
 * `HOOKYARD_ERR_INGRESS_PAYLOAD_INVALID`; a request the client aborts never settles past that
 * rejection.
 *
 * @example
 * ```ts
 * const body = await readBody(req, 25 * 1024 * 1024);
 * ```
 */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers["content-length"]);
  if (declared > limit) return Promise.reject(tooLarge(limit));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    const stop = () => {
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", onError);
    };
    const onData = (chunk: Buffer) => {
      received += chunk.length;
      if (received > limit) {
        stop();
        reject(tooLarge(limit));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      stop();
      if (!Number.isNaN(declared) && received !== declared) {
        reject(new HookyardError("HOOKYARD_ERR_INGRESS_PAYLOAD_INVALID", "Request body size did not match Content-Length"));
        return;
      }
      resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, received));
    };
    const onError = (err: Error) => {
      stop();
      reject(new HookyardError("HOOKYARD_ERR_INGRESS_PAYLOAD_INVALID", err.message));
    };
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", onError);
  });
}

function tooLarge(limit: number): HookyardError {
  return new HookyardError("HOOKYARD_ERR_INGRESS_BODY_TOO_LARGE", `the body is larger than the ${limit}-byte limit`);
}
