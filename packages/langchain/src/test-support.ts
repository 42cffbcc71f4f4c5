// Shared by the tests: real OTel SDK pieces in memory, and the gateway simulator over loopback.
import type { Attributes } from '@opentelemetry/api';
import {
  createTestMetrics,
  createTestTracing,
  installContextManager,
  type ReadableSpan,
  type ResourceMetrics,
  type TestMeterProvider,
  type TestTracerProvider,
} from '@servedby/test-otel';

export { installContextManager };

/** In-memory tracer and meter providers for one test file. */
export interface TestTelemetry {
  tracerProvider: TestTracerProvider;
  meterProvider: TestMeterProvider;
  spans(): ReadableSpan[];
  spanNamed(name: string): ReadableSpan;
  metrics(): Promise<ResourceMetrics[]>;
  reset(): void;
}

/** Creates in-memory telemetry; every span is exported as it ends. */
export function createTestTelemetry(): TestTelemetry {
  const { tracerProvider, exporter } = createTestTracing();
  const { meterProvider, collect } = createTestMetrics();
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
      return [await collect()];
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
