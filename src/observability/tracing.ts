import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Attributes, type Context, type Span } from "@opentelemetry/api";

/**
 * Hookyard's spans, through `@opentelemetry/api` only: the SDK is loaded (dynamically) by
 * `tracing-start.ts` when the standard OTel environment asks for traces, or by a test helper.
 * Until then `tracingOn()` is false and no span code runs at all (not even the API's no-op spans).
 */
const TRACER = "hookyard";

/**
 * Where a delivery's stored headers keep the W3C trace context of its ingress span.
 *
 * @example
 * ```ts
 * (await app.store.getDelivery(id))?.headers[TRACEPARENT_HEADER]; // "00-<trace id>-<span id>-01"
 * ```
 */
export const TRACEPARENT_HEADER = "x-hookyard-traceparent";

let on = false;

/** Whether Hookyard makes spans (an SDK was installed through `tracing-start.ts` or a test helper). */
export function tracingOn(): boolean {
  return on;
}

/**
 * Turns Hookyard's spans on or off. Hookyard's own SDK start and `installTestTracing()` call it; a
 * process that registers its own OpenTelemetry tracer provider calls it to get Hookyard's spans.
 *
 * @example
 * ```ts
 * new NodeTracerProvider({ spanProcessors }).register(); setTracing(true);
 * ```
 */
export function setTracing(enabled: boolean): void {
  on = enabled;
}

/** The tracer Hookyard's spans come from (the global provider's). */
export function tracer() {
  return trace.getTracer(TRACER);
}

/** The W3C `traceparent` of `span` (undefined when the global propagator writes none). */
export function traceparentOf(span: Span): string | undefined {
  const carrier: Record<string, string> = {};
  propagation.inject(trace.setSpan(ROOT_CONTEXT, span), carrier);
  return carrier.traceparent;
}

/** The context a stored `traceparent` names (the root context when there is none). */
export function contextOf(traceparent: string | undefined): Context {
  return traceparent ? propagation.extract(ROOT_CONTEXT, { traceparent }) : ROOT_CONTEXT;
}

/** Marks `span` failed with `error`'s message (and its code, when it has one). */
export function failSpan(span: Span, error: unknown): void {
  const e = error as { message?: unknown; code?: unknown };
  if (typeof e?.code === "string") span.setAttribute("hookyard.error.code", e.code);
  span.setStatus({ code: SpanStatusCode.ERROR, message: String(e?.message ?? error) });
}

/**
 * Runs `fn` inside a child span of the active one (a GitHub request, a git command, the agent
 * process); with tracing off it only runs `fn`. `end` adds what the result says (status, exit code).
 *
 * @example
 * ```ts
 * const res = await inSpan("git clone", { "hookyard.git.command": "clone" }, () => run(), (s, r) => s.setAttribute("process.exit.code", r.code ?? -1));
 * ```
 */
export async function inSpan<T>(name: string, attributes: Attributes, fn: () => Promise<T>, end?: (span: Span, result: T) => void, kind: SpanKind = SpanKind.INTERNAL): Promise<T> {
  if (!on) return fn();
  const span = tracer().startSpan(name, { kind, attributes });
  try {
    const result = await context.with(trace.setSpan(context.active(), span), fn);
    end?.(span, result);
    return result;
  } catch (err) {
    failSpan(span, err);
    throw err;
  } finally {
    span.end();
  }
}

export { SpanKind, type Span };
