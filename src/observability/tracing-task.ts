import { context, SpanKind, trace, type Context, type Span } from "@opentelemetry/api";
import type { AttemptResult, Backend, ClaimedTask } from "../store/backend.js";
import { contextOf, failSpan, TRACEPARENT_HEADER, tracer, tracingOn } from "./tracing.js";

/** Deliveries whose trace context this process remembers (the oldest are forgotten first; a miss reads the store). */
const REMEMBERED = 5_000;

/**
 * Where a task attempt finds the trace context of its delivery's ingress span: the
 * `x-hookyard-traceparent` header stored with the delivery (so it survives queues, restarts and
 * other processes, on every backend), remembered in memory for the deliveries this process accepted.
 *
 * @example
 * ```ts
 * parents.remember(delivery); const traceparent = await parents.lookup(task.deliveryId);
 * ```
 */
export class TraceParents {
  private readonly known = new Map<string, string>();

  constructor(private readonly store: () => Backend) {}

  remember(delivery: { id: string; headers: Record<string, string> }): void {
    const traceparent = delivery.headers[TRACEPARENT_HEADER];
    if (traceparent === undefined) return;
    if (this.known.size >= REMEMBERED) this.known.delete(this.known.keys().next().value as string);
    this.known.set(delivery.id, traceparent);
  }

  /** The stored trace context of a delivery; undefined when it has none or the store cannot say. */
  async lookup(deliveryId: string): Promise<string | undefined> {
    const known = this.known.get(deliveryId);
    if (known !== undefined) return known;
    const stored = await this.store().getDelivery(deliveryId).catch(() => null);
    return stored?.headers[TRACEPARENT_HEADER];
  }
}

/** The span of one task attempt and the context its handler runs in. */
export interface AttemptSpan {
  context: Context;
  end(result: AttemptResult, error?: Error): void;
}

/**
 * Begins the span of a task attempt (named after the task's handler), a child of its delivery's
 * ingress span through the stored `traceparent`; undefined with tracing off.
 *
 * @example
 * ```ts
 * const span = await attemptSpan(task, (t) => parents.lookup(t.deliveryId));
 * await context.with(span.context, () => handler(ctx)); span?.end(result);
 * ```
 */
export async function attemptSpan(task: ClaimedTask, lookup: ((task: ClaimedTask) => Promise<string | undefined>) | undefined): Promise<AttemptSpan | undefined> {
  if (!tracingOn()) return undefined;
  // the real clock (a task clock given for tests must not date spans)
  const startTime = Date.now();
  const parent = contextOf(lookup ? await lookup(task).catch(() => undefined) : undefined);
  const span: Span = tracer().startSpan(task.name, {
    kind: SpanKind.CONSUMER, startTime,
    attributes: {
      "hookyard.task.id": task.id, "hookyard.task.name": task.name, "hookyard.task.attempt": task.attempt,
      "github.delivery": task.deliveryId, "github.event": task.event, ...(task.action !== null ? { "github.action": task.action } : {}),
    },
  }, parent);
  return {
    context: trace.setSpan(context.active(), span),
    end(result, error) {
      span.setAttribute("hookyard.outcome", result.outcome);
      if (error && result.outcome !== "completed") failSpan(span, error);
      span.end();
    },
  };
}
