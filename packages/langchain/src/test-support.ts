// Shared by the tests: real OTel SDK pieces in memory, and the gateway simulator over loopback.
import { context, type Attributes } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
  type ResourceMetrics,
} from '@opentelemetry/sdk-metrics';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace-base';

let contextManagerInstalled = false;

/** Installs the AsyncLocalStorage context manager once, as a Node app's SDK setup would. */
export function installContextManager(): void {
  if (contextManagerInstalled) return;
  contextManagerInstalled = true;
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
}

/** In-memory tracer and meter providers for one test file. */
export interface TestTelemetry {
  tracerProvider: BasicTracerProvider;
  meterProvider: MeterProvider;
  spans(): ReadableSpan[];
  spanNamed(name: string): ReadableSpan;
  metrics(): Promise<ResourceMetrics[]>;
  reset(): void;
}

/** Creates in-memory telemetry; every span is exported as it ends. */
export function createTestTelemetry(): TestTelemetry {
  installContextManager();
  const exporter = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const metricExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  const metricReader = new PeriodicExportingMetricReader({ exporter: metricExporter, exportIntervalMillis: 3_600_000 });
  const meterProvider = new MeterProvider({ readers: [metricReader] });
  return {
    tracerProvider,
    meterProvider,
    spans: () => exporter.getFinishedSpans(),
    spanNamed(name) {
      const span = exporter.getFinishedSpans().find((candidate) => candidate.name === name);
      if (!span) {
        throw new Error(`no span "${name}"; have: ${exporter.getFinishedSpans().map((s) => s.name).join(', ')}`);
      }
      return span;
    },
    async metrics() {
      await metricReader.forceFlush();
      return metricExporter.getMetrics();
    },
    reset() {
      exporter.reset();
    },
  };
}

/** Model call spans only (CLIENT spans named `chat …` or `text_completion …`). */
export function modelSpans(spans: ReadableSpan[]): ReadableSpan[] {
  return spans.filter((span) => span.name.startsWith('chat') || span.name.startsWith('text_completion'));
}

/** Every attribute value as a flat string, to check nothing secret leaked. */
export function allAttributeText(spans: ReadableSpan[]): string {
  return spans.map((span) => JSON.stringify(span.attributes as Attributes)).join('\n');
}

/**
 * A fetch that sends requests for a real gateway host to the simulator instead, so the SDK and
 * the route capture see the real URL (as in production) while the traffic stays on loopback.
 */
export function loopbackFetch(realBaseUrl: string, simBaseUrl: string): typeof fetch {
  return (input, init) => {
    const url = input instanceof Request ? input.url : String(input);
    const target = url.startsWith(realBaseUrl) ? simBaseUrl + url.slice(realBaseUrl.length) : url;
    if (!target.startsWith('http://127.0.0.1') && !target.startsWith('http://localhost')) {
      throw new Error(`test traffic must stay on loopback, not ${target}`);
    }
    return fetch(input instanceof Request ? new Request(target, input) : target, init);
  };
}
