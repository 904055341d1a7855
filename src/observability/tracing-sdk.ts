import { detectResources, envDetector, resourceFromAttributes } from "@opentelemetry/resources";
import { NodeTracerProvider, type SpanProcessor } from "@opentelemetry/sdk-trace-node";
import { setTracing } from "./tracing.js";

/** An installed OpenTelemetry SDK: flush its spans, or flush and stop it. */
export interface TracingSdk {
  forceFlush(): Promise<void>;
  shutdown(): Promise<void>;
}

/**
 * Registers a `NodeTracerProvider` (async-hooks context, W3C trace-context propagation) as the
 * global one with `processors`, and turns Hookyard's spans on. Loaded only through a dynamic
 * import, so a process without tracing never loads the SDK.
 *
 * @example
 * ```ts
 * const sdk = installSdk([new SimpleSpanProcessor(new InMemorySpanExporter())]);
 * ```
 */
export function installSdk(processors: SpanProcessor[], serviceName = "hookyard"): TracingSdk {
  // OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES win over the default name
  const resource = resourceFromAttributes({ "service.name": serviceName }).merge(detectResources({ detectors: [envDetector] }));
  const provider = new NodeTracerProvider({ resource, spanProcessors: processors });
  provider.register();
  setTracing(true);
  return {
    forceFlush: () => provider.forceFlush(),
    async shutdown() {
      setTracing(false);
      await provider.shutdown();
    },
  };
}
