import type { ContextManager, MeterProvider, TracerProvider } from '@opentelemetry/api';
import type { DataPointType, ResourceMetrics } from '@opentelemetry/sdk-metrics';
import type { ReadableSpan, SpanExporter, SpanProcessor } from '@opentelemetry/sdk-trace';
import type { OtelLane } from './lane';

/**
 * A tracer provider of either SDK line: the api's `TracerProvider` plus the flush and shutdown both
 * SDK lines have. (SDK 3's `TracerProvider` and SDK 2's `BasicTracerProvider` both satisfy it.)
 */
export interface TestTracerProvider extends TracerProvider {
  forceFlush(): Promise<void>;
  shutdown(): Promise<void>;
}

/** An in-memory span exporter of either SDK line. */
export interface TestSpanExporter extends SpanExporter {
  getFinishedSpans(): ReadableSpan[];
  reset(): void;
}

/** What one SDK line provides; `sdk3.ts` and `sdk2.ts` each implement it. */
export interface LaneSdk {
  lane: OtelLane;
  createTracing(spanProcessors: SpanProcessor[]): { tracerProvider: TestTracerProvider; exporter: TestSpanExporter };
  createMetrics(): { meterProvider: MeterProvider & { shutdown(): Promise<void> }; collect(): Promise<ResourceMetrics> };
  createContextManager(): ContextManager;
  createTracerProvider(options: { spanProcessors?: SpanProcessor[] }): TestTracerProvider;
  createInMemorySpanExporter(): TestSpanExporter;
  createSimpleSpanProcessor(exporter: SpanExporter): SpanProcessor;
  DataPointType: typeof DataPointType;
}
