// The SDK 2 line, installed under npm aliases so it can sit beside SDK 3 in one node_modules:
// `BasicTracerProvider`, positional `SimpleSpanProcessor(exporter)`.
import { AsyncLocalStorageContextManager } from 'otel-sdk2-context-async-hooks';
import { AggregationTemporality, DataPointType, MeterProvider, MetricReader } from 'otel-sdk2-sdk-metrics';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from 'otel-sdk2-sdk-trace-base';
import type { LaneSdk } from './types';

class PullMetricReader extends MetricReader {
  constructor() {
    super({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE });
  }
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

export const sdk: LaneSdk = {
  lane: 'sdk2',
  createTracing(spanProcessors) {
    const exporter = new InMemorySpanExporter();
    const tracerProvider = new BasicTracerProvider({
      // The SDK 2 and SDK 3 processor interfaces are the same shape; servedby's processors are
      // structurally typed against both.
      spanProcessors: [...(spanProcessors as never[]), new SimpleSpanProcessor(exporter)],
    });
    return { tracerProvider, exporter: exporter as never };
  },
  createMetrics() {
    const reader = new PullMetricReader();
    const meterProvider = new MeterProvider({ readers: [reader] });
    return { meterProvider: meterProvider as never, collect: async () => (await reader.collect()).resourceMetrics as never };
  },
  createContextManager: () => new AsyncLocalStorageContextManager(),
  createTracerProvider: (options) => new BasicTracerProvider(options as never),
  createInMemorySpanExporter: () => new InMemorySpanExporter() as never,
  createSimpleSpanProcessor: (exporter) => new SimpleSpanProcessor(exporter as never) as never,
  DataPointType: DataPointType as never,
};
