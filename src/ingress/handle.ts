import type { IncomingMessage } from "node:http";
import { HookyardError, type ErrorCode } from "../errors.js";
import { IngressSpans } from "../observability/tracing-ingress.js";
import type { AcceptStatus, NewDelivery } from "../store/backend.js";
import { checkSource, type IngressLimits } from "./limits.js";
import { deliveryMeta, storedMeta } from "./delivery-meta.js";
import { DELIVERY_ID, headerValue, repeatedHeader, storedHeaders } from "./headers.js";
import { mediaType, parsePayload } from "./parse.js";
import { readBody } from "./read-body.js";
import { verifySignature } from "./verify.js";

/** What the webhook route needs from the app. */
export interface IngressOptions {
  path: string;
  maxBody: number;
  /** Accepted secrets; empty means unsigned deliveries are accepted (insecure mode). */
  secrets: readonly string[];
  isDraining: () => boolean;
  /** Stores the delivery and its tasks durably; resolves once committed. */
  receive: (delivery: NewDelivery, payload: Record<string, unknown>) => Promise<AcceptStatus>;
  /** The HTTP status of an error code, decided at the edge (`httpStatus` of src/http/error-status.ts). */
  status: (code: ErrorCode) => number;
  /** Called for every rejected request, with its client address and (unverified) delivery id when well-formed. */
  onRejected?: (code: ErrorCode, status: number, source: string, delivery: string | undefined) => void;
  /** Source checks made before the body is read: an allow-list (403) and a per-source rate limit (429). */
  limits?: IngressLimits;
}

/** What the HTTP server around the route does for every answer (request ids, connections, metrics, logs). */
export interface WebhookExchange {
  /** Answers the request: status, JSON body, and headers of the server's own (request id, connection). */
  answer(status: number, body: unknown, headers?: Record<string, string>): void;
  /** Whether an answer was already given (the shutdown answers 503 to requests still open at its deadline). */
  answered(): boolean;
  /** Logs an unexpected failure with the request's id. */
  logError(err: unknown, message: string): void;
}

/**
 * The webhook route on Node's own request and response, for any server in front: source checks
 * (HOOKYARD_ALLOWED_CIDRS → 403, HOOKYARD_RATE_LIMIT → 429 with `Retry-After`) → shutting down →
 * size cap (413) → headers sent once → HMAC over the raw bytes → required headers → media type →
 * parse → durable accept → `202` (`200` for a duplicate). Errors answer `{"error":{"code","message"}}`;
 * repeated GitHub headers, and delivery ids other than GitHub's kind (`DELIVERY_ID`), get 400.
 * Returns the handler and the spans it keeps (ended by the server once each answer is sent).
 *
 * @example
 * ```ts
 * const webhook = webhookHandler({ path: "/api/github/webhooks", maxBody, secrets, isDraining, receive, status: httpStatus });
 * void webhook.handle(req, exchange);
 * ```
 */
export function webhookHandler(o: IngressOptions) {
  // ingress spans, when tracing was on as the server was built (else every call returns at once)
  const spans = new IngressSpans();
  const reject = (req: IncomingMessage, x: WebhookExchange, err: HookyardError, headers?: Record<string, string>) => {
    spans.outcome(req, err.code);
    const id = headerValue(req.headers, "x-github-delivery");
    const status = o.status(err.code);
    o.onRejected?.(err.code, status, req.socket.remoteAddress ?? "", id !== undefined && DELIVERY_ID.test(id) ? id : undefined);
    x.answer(status, err.toJSON(), headers);
  };

  /** Checks, reads, verifies, parses and stores one delivery; answers through `x`. */
  const accept = async (req: IncomingMessage, x: WebhookExchange): Promise<void> => {
    let body: Buffer;
    try {
      body = await readBody(req, o.maxBody);
    } catch (err) {
      // the client may still be sending: the answer closes the connection
      if (err instanceof HookyardError && !x.answered()) reject(req, x, err, { connection: "close" });
      return;
    }
    const repeated = repeatedHeader(req.rawHeaders);
    if (repeated !== undefined) throw new HookyardError("HOOKYARD_ERR_INGRESS_HEADER_DUPLICATE", `the ${repeated} header appears more than once`);
    if (o.secrets.length > 0) {
      const check = verifySignature(o.secrets, body, headerValue(req.headers, "x-hub-signature-256"));
      if (check === "missing") throw new HookyardError("HOOKYARD_ERR_INGRESS_SIGNATURE_MISSING", "the X-Hub-Signature-256 header is missing");
      if (check === "invalid") throw new HookyardError("HOOKYARD_ERR_INGRESS_SIGNATURE_INVALID", "the signature does not match the body for any configured secret");
    }
    const event = headerValue(req.headers, "x-github-event");
    const id = headerValue(req.headers, "x-github-delivery");
    if (event === undefined || id === undefined) {
      const missing = [event === undefined && "X-GitHub-Event", id === undefined && "X-GitHub-Delivery"].filter(Boolean).join(" and ");
      throw new HookyardError("HOOKYARD_ERR_INGRESS_HEADER_MISSING", `missing ${missing} header`);
    }
    if (!DELIVERY_ID.test(id)) throw new HookyardError("HOOKYARD_ERR_INGRESS_DELIVERY_ID_INVALID", "X-GitHub-Delivery must be 1 to 64 letters, digits and hyphens (GitHub sends a GUID)");
    const type = mediaType(req.headers["content-type"]);
    if (type === undefined) {
      throw new HookyardError("HOOKYARD_ERR_INGRESS_UNSUPPORTED_MEDIA_TYPE", "content type must be application/json or application/x-www-form-urlencoded");
    }
    const payload = parsePayload(body, type);
    const delivery: NewDelivery = {
      id,
      ...storedMeta(deliveryMeta(event, payload)),
      headers: storedHeaders(req.headers),
      body,
      contentType: type,
      receivedAt: Date.now(),
    };
    spans.delivery(req, delivery);
    const status = await o.receive(delivery, payload);
    spans.outcome(req, status);
    if (x.answered()) return; // answered 503 meanwhile (the shutdown's deadline came first)
    x.answer(status === "duplicate" ? 200 : 202, { delivery: id, status });
  };

  const handle = async (req: IncomingMessage, x: WebhookExchange): Promise<void> => {
    spans.begin(req, req.headers);
    // the socket's address (no trustProxy setting): behind a proxy, limits apply to the proxy
    const refused = o.limits ? checkSource(o.limits, req.socket.remoteAddress ?? "") : undefined;
    if (refused) {
      return reject(req, x, refused.error, refused.retryAfterS !== undefined ? { "retry-after": String(refused.retryAfterS) } : undefined);
    }
    if (o.isDraining()) {
      return reject(req, x, new HookyardError("HOOKYARD_ERR_INGRESS_SHUTTING_DOWN", "the server is shutting down and takes no new deliveries"));
    }
    try {
      await accept(req, x);
    } catch (error) {
      if (x.answered()) return;
      if (error instanceof HookyardError) return reject(req, x, error);
      x.logError(error, "webhook ingress failed");
      reject(req, x, new HookyardError("HOOKYARD_ERR_STORE_UNAVAILABLE", "the delivery could not be stored; GitHub can redeliver it"));
    }
  };

  return { handle, spans };
}
