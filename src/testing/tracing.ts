import { appendFileSync } from "node:fs";
import type { InMemorySpanExporter, ReadableSpan, SpanExporter } from "@opentelemetry/sdk-trace-node";
import type { TracingSdk } from "../observability/tracing-sdk.js";

/** A span as {@link installTestTracing} writes it to a file: one JSON object per line. */
export interface SpanLine {
  name: string;
  kind: number;
  traceId: string;
  spanId: string;
  /** The parent span's id (undefined for a root span). */
  parentSpanId?: string;
  attributes: Record<string, unknown>;
  /** The process that made the span. */
  pid: number;
}

export interface TestTracing {
  /** The SDK's in-memory exporter: every span this process ended. */
  exporter: InMemorySpanExporter;
  /** The spans ended so far. */
  spans(): ReadableSpan[];
  /** Stops tracing in this process (Hookyard makes no spans afterwards). */
  shutdown(): Promise<void>;
}

/**
 * Turns Hookyard's traces on in this process with the OpenTelemetry SDK's `InMemorySpanExporter`
 * (no OTel environment needed): call it before the app starts. With `file`, every ended span is
 * also appended to it as one JSON line ({@link SpanLine}), for a test that reads the spans of
 * other processes (load it there with `node --import`).
 *
 * @example
 * ```ts
 * const tracing = await installTestTracing();
 * // … deliver, wait for the task …
 * expect(tracing.spans().map((s) => s.name)).toContain("webhook issues");
 * ```
 */
export async function installTestTracing(o: { file?: string } = {}): Promise<TestTracing> {
  const [sdk, { installSdk }] = await Promise.all([import("@opentelemetry/sdk-trace-node"), import("../observability/tracing-sdk.js")]);
  const exporter = new sdk.InMemorySpanExporter();
  const processors = [new sdk.SimpleSpanProcessor(exporter)];
  if (o.file) processors.push(new sdk.SimpleSpanProcessor(fileExporter(o.file)));
  const installed: TracingSdk = installSdk(processors, "hookyard-test");
  return { exporter, spans: () => exporter.getFinishedSpans(), shutdown: () => installed.shutdown() };
}

/** Writes each span as a JSON line (synchronously: a test may read the file at any time). */
function fileExporter(file: string): SpanExporter {
  return {
    export(spans, done) {
      const lines = spans.map((s): SpanLine => {
        const c = s.spanContext();
        return {
          name: s.name, kind: s.kind, traceId: c.traceId, spanId: c.spanId, attributes: { ...s.attributes }, pid: process.pid,
          ...(s.parentSpanContext ? { parentSpanId: s.parentSpanContext.spanId } : {}),
        };
      });
      appendFileSync(file, lines.map((l) => `${JSON.stringify(l)}\n`).join(""));
      done({ code: 0 });
    },
    async shutdown() {},
  };
}
