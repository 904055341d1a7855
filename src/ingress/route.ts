import type { FastifyError, FastifyInstance, FastifyReply } from "fastify";
import { HookyardError, type ErrorCode } from "../errors.js";
import { IngressSpans } from "../observability/tracing-ingress.js";
import type { AcceptStatus, NewDelivery } from "../store/backend.js";
import { checkSource, type IngressLimits } from "./limits.js";
import { deliveryMeta, storedMeta } from "./delivery-meta.js";
import { DELIVERY_ID, headerValue, repeatedHeader, storedHeaders } from "./headers.js";
import { mediaType, parsePayload } from "./parse.js";
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

/**
 * The webhook route as a Fastify plugin: source checks (HOOKYARD_ALLOWED_CIDRS → 403,
 * HOOKYARD_RATE_LIMIT → 429 with `Retry-After`) → size cap → headers sent once → HMAC over the raw bytes →
 * required headers → media type → parse → durable accept → `202`. Errors answer `{"error":{"code","message"}}`;
 * repeated GitHub headers, and delivery ids other than GitHub's kind (`DELIVERY_ID`), get 400.
 *
 * @example
 * ```ts
 * await server.register(ingressRoute, { path: "/api/github/webhooks", maxBody, secrets, isDraining, receive, status: httpStatus });
 * ```
 */
export async function ingressRoute(app: FastifyInstance, o: IngressOptions): Promise<void> {
  // Inside this plugin every body arrives as raw bytes: the signature is over exactly those.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", { parseAs: "buffer", bodyLimit: o.maxBody }, (_req, body, done) => done(null, body));

  // ingress spans, when tracing was on as the server was built (else no hook at all)
  const spans = new IngressSpans();
  if (spans.on) app.addHook("onResponse", async (req, reply) => spans.end(req, reply.statusCode));
  const reject = (reply: FastifyReply, err: HookyardError) => {
    spans.outcome(reply.request, err.code);
    const id = headerValue(reply.request.headers, "x-github-delivery");
    const status = o.status(err.code);
    o.onRejected?.(err.code, status, reply.request.ip, id !== undefined && DELIVERY_ID.test(id) ? id : undefined);
    return reply.code(status).send(err.toJSON());
  };

  app.setErrorHandler((error: FastifyError, _req, reply) => {
    if (error instanceof HookyardError) return reject(reply, error);
    if (error.code === "FST_ERR_CTP_BODY_TOO_LARGE") {
      return reject(reply, new HookyardError("HOOKYARD_ERR_INGRESS_BODY_TOO_LARGE", `the body is larger than the ${o.maxBody}-byte limit`));
    }
    if (error.statusCode !== undefined && error.statusCode < 500) {
      return reject(reply, new HookyardError("HOOKYARD_ERR_INGRESS_PAYLOAD_INVALID", error.message));
    }
    reply.log.error({ err: error }, "webhook ingress failed");
    return reject(reply, new HookyardError("HOOKYARD_ERR_STORE_UNAVAILABLE", "the delivery could not be stored; GitHub can redeliver it"));
  });

  app.post(o.path, {
    onRequest: async (req, reply) => {
      spans.begin(req, req.headers);
      // the socket's address (no trustProxy setting): behind a proxy, limits apply to the proxy
      const refused = o.limits ? checkSource(o.limits, req.ip) : undefined;
      if (refused) {
        if (refused.retryAfterS !== undefined) reply.header("retry-after", String(refused.retryAfterS));
        return reject(reply, refused.error);
      }
      if (o.isDraining()) {
        return reject(reply, new HookyardError("HOOKYARD_ERR_INGRESS_SHUTTING_DOWN", "the server is shutting down and takes no new deliveries"));
      }
    },
  }, async (req, reply) => {
    const body = (req.body as Buffer | undefined) ?? Buffer.alloc(0);
    const repeated = repeatedHeader(req.raw.rawHeaders);
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
    if (reply.sent) return reply; // answered 503 meanwhile (the shutdown's deadline came first)
    if (status === "duplicate") return reply.code(200).send({ delivery: id, status });
    return reply.code(202).send({ delivery: id, status });
  });
}
