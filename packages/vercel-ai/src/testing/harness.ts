import {
  createTestMetrics,
  createTestTracing,
  installContextManager,
  type HistogramMetricData,
  type ReadableSpan,
  type SpanProcessor,
  type TestMeterProvider,
  type TestSpanExporter,
  type TestTracerProvider,
} from '@servedby/test-otel';

export { installContextManager };

/** One histogram point: its attributes and the recorded count and sum. */
export interface HistogramPoint {
  attributes: Record<string, unknown>;
  count: number;
  sum: number;
}

/** A tracer and meter provider that keep everything in memory, for assertions. */
export interface TestTelemetry {
  tracerProvider: TestTracerProvider;
  meterProvider: TestMeterProvider;
  exporter: TestSpanExporter;
  spans(): ReadableSpan[];
  span(name: string | RegExp): ReadableSpan;
  histogram(name: string): Promise<HistogramPoint[]>;
  reset(): void;
}

export function createTestTelemetry(options: { spanProcessors?: SpanProcessor[] } = {}): TestTelemetry {
  const { tracerProvider, exporter } = createTestTracing({ spanProcessors: options.spanProcessors ?? [] });
  const { meterProvider, collect } = createTestMetrics();
  const spans = () => exporter.getFinishedSpans();
  return {
    tracerProvider,
    meterProvider,
    exporter,
    spans,
    span(name) {
      const found = spans().filter((span) => (typeof name === 'string' ? span.name === name : name.test(span.name)));
      if (found.length !== 1) {
        throw new Error(`expected one span ${String(name)}, found ${found.length}: ${spans().map((s) => s.name).join(', ')}`);
      }
      return found[0]!;
    },
    async histogram(name) {
      const resourceMetrics = await collect();
      const points: HistogramPoint[] = [];
      for (const scope of resourceMetrics.scopeMetrics) {
        for (const metric of scope.metrics) {
          if (metric.descriptor.name !== name) continue;
          for (const point of (metric as HistogramMetricData).dataPoints) {
            points.push({ attributes: point.attributes, count: point.value.count, sum: point.value.sum ?? 0 });
          }
        }
      }
      return points;
    },
    reset() {
      exporter.reset();
    },
  };
}

/** Children of `parent` among `spans`. */
export function childrenOf(spans: ReadableSpan[], parent: ReadableSpan): ReadableSpan[] {
  return spans.filter((span) => span.parentSpanContext?.spanId === parent.spanContext().spanId);
}

/** Reads a text stream to its end. */
export async function drain(stream: AsyncIterable<unknown>): Promise<string> {
  let text = '';
  for await (const part of stream) text += String(part);
  return text;
}
