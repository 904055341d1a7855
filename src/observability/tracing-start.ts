import type { Logger } from "pino";
import type { TracingSdk } from "./tracing-sdk.js";

/** The exporters `OTEL_TRACES_EXPORTER` may name (a comma-separated list); `none` turns traces off. */
const KNOWN = new Set(["otlp", "console", "none"]);

/**
 * Which exporters the standard OpenTelemetry environment asks for: `OTEL_TRACES_EXPORTER`
 * (`otlp`, `console`, `none`), else `otlp` when `OTEL_EXPORTER_OTLP_ENDPOINT` or
 * `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` is set; none with `OTEL_SDK_DISABLED=true`.
 *
 * @example
 * ```ts
 * tracesExporters({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318" }); // ["otlp"]
 * ```
 */
export function tracesExporters(env: NodeJS.ProcessEnv): { exporters: ("otlp" | "console")[]; unknown: string[] } {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === "true") return { exporters: [], unknown: [] };
  const named = (env.OTEL_TRACES_EXPORTER ?? "").split(",").map((s) => s.trim().toLowerCase()).filter(Boolean);
  const unknown = named.filter((n) => !KNOWN.has(n));
  if (named.length === 0) return { exporters: env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ? ["otlp"] : [], unknown };
  if (named.includes("none")) return { exporters: [], unknown };
  return { exporters: [...new Set(named.filter((n): n is "otlp" | "console" => n === "otlp" || n === "console"))], unknown };
}

let started: Promise<TracingSdk | undefined> | undefined;

/**
 * Starts the OpenTelemetry SDK once per process when the environment asks for traces (see
 * {@link tracesExporters}): OTLP over HTTP (JSON) to `OTEL_EXPORTER_OTLP_[TRACES_]ENDPOINT`, or the
 * console. Without that environment nothing is imported and Hookyard makes no spans. A process
 * that registered its own tracer provider (or a test helper) before is left as it is.
 *
 * @example
 * ```ts
 * const sdk = await startTracingFromEnv(process.env, log); // undefined: tracing is off
 * ```
 */
export function startTracingFromEnv(env: NodeJS.ProcessEnv, log: Logger): Promise<TracingSdk | undefined> {
  started ??= (async () => {
    const { exporters, unknown } = tracesExporters(env);
    if (unknown.length > 0) log.warn({ unknown }, "OTEL_TRACES_EXPORTER names exporters Hookyard does not ship (it ships otlp and console); they are ignored");
    if (exporters.length === 0) return undefined;
    const [{ installSdk }, sdk] = await Promise.all([import("./tracing-sdk.js"), import("@opentelemetry/sdk-trace-node")]);
    const processors = [];
    for (const name of exporters) {
      if (name === "console") processors.push(new sdk.SimpleSpanProcessor(new sdk.ConsoleSpanExporter()));
      else processors.push(new sdk.BatchSpanProcessor(new (await import("@opentelemetry/exporter-trace-otlp-http")).OTLPTraceExporter()));
    }
    const installed = installSdk(processors, env.OTEL_SERVICE_NAME ?? "hookyard");
    log.info({ exporters }, "OpenTelemetry traces on");
    return installed;
  })();
  return started;
}

/** Exports the spans the SDK started by {@link startTracingFromEnv} still holds (nothing when it is not started). */
export async function flushTracing(): Promise<void> {
  const sdk = await started;
  await sdk?.forceFlush().catch(() => undefined);
}
