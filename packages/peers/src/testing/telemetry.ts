import { createTestTracing, type ReadableSpan, type SpanProcessor, type TestTracerProvider } from '@servedby/test-otel';
import { RouteSpanProcessor } from '@servedby/conventions';

/** One tracer provider with an in-memory exporter, optionally with servedby's processor in front. */
export interface PeerTelemetry {
  /** The provider every peer instrumentation is pointed at. */
  tracerProvider: TestTracerProvider;
  /** Finished spans, oldest first. */
  spans(): ReadableSpan[];
  /** Forgets finished spans. */
  reset(): void;
  /** Shuts the provider down. */
  shutdown(): Promise<void>;
}

/**
 * The test telemetry of `@servedby/test-otel` (SDK 3 by default, SDK 2 with
 * `SERVEDBY_OTEL_LANE=sdk2`): an in-memory exporter behind a simple processor, the process's
 * AsyncLocalStorage context manager, and `RouteSpanProcessor` first when `route` is set
 * (zero-code mode).
 */
export function createPeerTelemetry(options: { route?: boolean } = {}): PeerTelemetry {
  const spanProcessors = options.route ? [new RouteSpanProcessor() as unknown as SpanProcessor] : [];
  const tracing = createTestTracing({ spanProcessors });
  return {
    tracerProvider: tracing.tracerProvider,
    spans: () => tracing.spans(),
    reset: () => tracing.reset(),
    shutdown: () => tracing.tracerProvider.shutdown(),
  };
}
