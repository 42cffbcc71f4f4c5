// The SDK 3 line: one `@opentelemetry/sdk-trace` package, options-object constructors.
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { AggregationTemporality, DataPointType, MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import type { LaneSdk } from './types';

class PullMetricReader extends MetricReader {
  constructor() {
    super({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE });
  }
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

export const sdk: LaneSdk = {
  lane: 'sdk3',
  createTracing(spanProcessors) {
    const exporter = new InMemorySpanExporter();
    const tracerProvider = new TracerProvider({
      spanProcessors: [...spanProcessors, new SimpleSpanProcessor({ exporter })],
    });
    return { tracerProvider, exporter };
  },
  createMetrics() {
    const reader = new PullMetricReader();
    const meterProvider = new MeterProvider({ readers: [reader] });
    return { meterProvider, collect: async () => (await reader.collect()).resourceMetrics };
  },
  createContextManager: () => new AsyncLocalStorageContextManager(),
  createTracerProvider: (options) => new TracerProvider(options),
  createInMemorySpanExporter: () => new InMemorySpanExporter(),
  createSimpleSpanProcessor: (exporter) => new SimpleSpanProcessor({ exporter }),
  DataPointType,
};
