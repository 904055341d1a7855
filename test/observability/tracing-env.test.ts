/** Tracing off unless the standard OpenTelemetry environment asks for it; which exporters it names. */
import { describe, expect, it } from "vitest";
import { tracingOn } from "../../src/observability/tracing.js";
import { startTracingFromEnv, tracesExporters } from "../../src/observability/tracing-start.js";
import { captureLog } from "./support.js";

describe("OpenTelemetry environment", () => {
  it("names the exporters from OTEL_TRACES_EXPORTER, else otlp when an OTLP endpoint is set; none when disabled", () => {
    expect(tracesExporters({})).toEqual({ exporters: [], unknown: [] });
    expect(tracesExporters({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318" }).exporters).toEqual(["otlp"]);
    expect(tracesExporters({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "http://collector:4318/v1/traces" }).exporters).toEqual(["otlp"]);
    expect(tracesExporters({ OTEL_TRACES_EXPORTER: "console, otlp" }).exporters).toEqual(["console", "otlp"]);
    expect(tracesExporters({ OTEL_TRACES_EXPORTER: "none", OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318" }).exporters).toEqual([]);
    expect(tracesExporters({ OTEL_SDK_DISABLED: "true", OTEL_TRACES_EXPORTER: "otlp" }).exporters).toEqual([]);
    expect(tracesExporters({ OTEL_TRACES_EXPORTER: "zipkin,console" })).toEqual({ exporters: ["console"], unknown: ["zipkin"] });
  });

  it("without that environment nothing starts and Hookyard makes no spans", async () => {
    const { log, lines } = captureLog("debug");
    expect(await startTracingFromEnv({ PATH: "/usr/bin" }, log)).toBeUndefined();
    expect(tracingOn()).toBe(false);
    expect(lines()).toEqual([]);
  });
});
