import {
  createTestMetrics,
  createTestTracing,
  type ReadableSpan,
  type ResourceMetrics,
  type TestMeterProvider,
  type TestTracerProvider,
} from '@servedby/test-otel';

/** An in-memory tracer and meter provider pair, with an AsyncLocalStorage context manager. */
export interface TestTelemetry {
  tracerProvider: TestTracerProvider;
  meterProvider: TestMeterProvider;
  spans(): ReadableSpan[];
  /** Collects the metrics recorded so far. */
  metrics(): Promise<ResourceMetrics[]>;
  reset(): void;
  shutdown(): Promise<void>;
}

/** Creates fresh providers; installs the global context manager once per test file. */
export function createTestTelemetry(): TestTelemetry {
  const { tracerProvider, exporter: spanExporter } = createTestTracing();
  const { meterProvider, collect } = createTestMetrics();
  return {
    tracerProvider,
    meterProvider,
    spans: () => spanExporter.getFinishedSpans(),
    async metrics() {
      return [await collect()];
    },
    reset() {
      spanExporter.reset();
    },
    async shutdown() {
      await tracerProvider.shutdown();
      await meterProvider.shutdown();
    },
  };
}
