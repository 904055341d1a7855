import { propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, type Span } from "@opentelemetry/api";
import { TRACEPARENT_HEADER, traceparentOf, tracer, tracingOn } from "./tracing.js";

/** What the ingress span learns of a delivery once its headers are checked. */
export interface IngressDelivery {
  id: string;
  event: string;
  action: string | null;
  headers: Record<string, string>;
}

/**
 * The ingress spans of webhook requests, one per request (`webhook <event>`; kind SERVER), keyed by
 * the request object: begun when the request arrives, continuing a `traceparent` the sender gave,
 * told the delivery and its outcome (`accepted`, `ignored`, `duplicate` or the rejection's error
 * code), ended with the answer. With tracing off every method returns at once.
 *
 * @example
 * ```ts
 * spans.begin(req, req.headers); spans.delivery(req, delivery); spans.outcome(req, "accepted"); spans.end(req, 202);
 * ```
 */
export class IngressSpans {
  private readonly spans = new WeakMap<object, Span>();
  /** Whether tracing was on when these spans were set up; off, nothing is ever begun. */
  readonly on = tracingOn();

  begin(req: object, headers: Record<string, unknown>): void {
    if (!this.on) return;
    const parent = typeof headers.traceparent === "string" ? propagation.extract(ROOT_CONTEXT, headers) : ROOT_CONTEXT;
    this.spans.set(req, tracer().startSpan("webhook", { kind: SpanKind.SERVER }, parent));
  }

  /** Names the span after the delivery and stores its trace context in the delivery's headers (durably, with it). */
  delivery(req: object, d: IngressDelivery): void {
    const span = this.spans.get(req);
    if (!span) return;
    span.updateName(`webhook ${d.event}`);
    span.setAttributes({ "github.event": d.event, "github.delivery": d.id, ...(d.action !== null ? { "github.action": d.action } : {}) });
    const traceparent = traceparentOf(span);
    if (traceparent) d.headers[TRACEPARENT_HEADER] = traceparent;
  }

  outcome(req: object, outcome: string): void {
    const span = this.spans.get(req);
    if (!span) return;
    span.setAttribute("hookyard.outcome", outcome);
    if (outcome.startsWith("HOOKYARD_ERR_")) span.setStatus({ code: SpanStatusCode.ERROR, message: outcome });
  }

  end(req: object, status: number): void {
    const span = this.spans.get(req);
    if (!span) return;
    this.spans.delete(req);
    span.setAttribute("http.response.status_code", status);
    span.end();
  }
}
