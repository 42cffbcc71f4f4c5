// In-memory OpenTelemetry for the tests, on the SDK line SERVEDBY_OTEL_LANE chooses. Test code
// imports only from here (never an SDK package), so every suite runs unchanged on both lines.
import { context, type ContextManager } from '@opentelemetry/api';
import type { ResourceMetrics } from '@opentelemetry/sdk-metrics';
import type { ReadableSpan, SpanExporter, SpanProcessor } from '@opentelemetry/sdk-trace';
import { otelLaneOf, type OtelLane } from './lane';
import type { LaneSdk, TestSpanExporter, TestTracerProvider } from './types';

export type { OtelLane } from './lane';
export type { TestSpanExporter, TestTracerProvider } from './types';
export type { ReadableSpan, SpanExporter, SpanProcessor } from '@opentelemetry/sdk-trace';
export type {
  DataPoint,
  Histogram,
  HistogramMetricData,
  MetricData,
  ResourceMetrics,
  ScopeMetrics,
} from '@opentelemetry/sdk-metrics';

/** The lane this process runs on. */
export const otelLane: OtelLane = otelLaneOf();

// Only the chosen line is loaded: SDK 3 refuses api 1.9 and the SDK 2 lane runs on api 1.9.
const { sdk }: { sdk: LaneSdk } = otelLane === 'sdk2' ? await import('./sdk2') : await import('./sdk3');

let contextManagerInstalled = false;

/** Installs the AsyncLocalStorage context manager once per process, as a Node app's SDK set-up does. */
export function installContextManager(): void {
  if (contextManagerInstalled) return;
  contextManagerInstalled = true;
  context.setGlobalContextManager(sdk.createContextManager().enable());
  // A suite whose vitest config lacks `otelLanePlugin()` would run the SDK 2 lane on the wrong api
  // and still pass; refuse instead.
  const registered = registeredApiVersion() ?? 'none';
  const expected = otelLane === 'sdk2' ? '1.9.' : '1.10.';
  if (!registered.startsWith(expected)) {
    throw new Error(
      `the ${otelLane} lane expects @opentelemetry/api ${expected}x, but ${registered} registered the globals; ` +
        `add plugins: [otelLanePlugin()] from '@servedby/test-otel/vitest' to this package's vitest config`,
    );
  }
}

/** Options of {@link createTestTracing}. */
export interface TestTracingOptions {
  /** Processors that run before the in-memory exporter's (e.g. `RouteSpanProcessor`). */
  spanProcessors?: SpanProcessor[];
  /** Skip installing the global context manager (default: install it). */
  contextManager?: boolean;
}

/** A tracer provider whose every ended span lands in memory. */
export interface TestTracing {
  lane: OtelLane;
  tracerProvider: TestTracerProvider;
  exporter: TestSpanExporter;
  spans(): ReadableSpan[];
  reset(): void;
}

/** A fresh tracer provider with an in-memory exporter behind a simple span processor. */
export function createTestTracing(options: TestTracingOptions = {}): TestTracing {
  if (options.contextManager !== false) installContextManager();
  const { tracerProvider, exporter } = sdk.createTracing(options.spanProcessors ?? []);
  return {
    lane: sdk.lane,
    tracerProvider,
    exporter,
    spans: () => exporter.getFinishedSpans(),
    reset: () => exporter.reset(),
  };
}

/**
 * The lane's constructors, for tests that assemble their own pipeline (processor order, several
 * providers): `new BasicTracerProvider({ spanProcessors })` / `new TracerProvider(…)`.
 */
export function createTracerProvider(options: { spanProcessors?: SpanProcessor[] } = {}): TestTracerProvider {
  return sdk.createTracerProvider(options);
}

/** The lane's `InMemorySpanExporter`. */
export function createInMemorySpanExporter(): TestSpanExporter {
  return sdk.createInMemorySpanExporter();
}

/** The lane's `SimpleSpanProcessor` (SDK 3: `new SimpleSpanProcessor({ exporter })`, SDK 2: `(exporter)`). */
export function createSimpleSpanProcessor(exporter: SpanExporter): SpanProcessor {
  return sdk.createSimpleSpanProcessor(exporter);
}

/** The lane's AsyncLocalStorage context manager, not yet enabled or installed. */
export function createContextManager(): ContextManager {
  return sdk.createContextManager();
}

/** The lane's `DataPointType` enum. */
export const DataPointType: LaneSdk['DataPointType'] = sdk.DataPointType;

/** A meter provider with a pull reader (cumulative temporality). */
export interface TestMetrics {
  meterProvider: TestMeterProvider;
  /** Collects everything recorded so far. */
  collect(): Promise<ResourceMetrics>;
}

/** The api's `MeterProvider` plus the SDK's shutdown. */
export type TestMeterProvider = ReturnType<LaneSdk['createMetrics']>['meterProvider'];

/** A fresh meter provider whose metrics are read on demand. */
export function createTestMetrics(): TestMetrics {
  return sdk.createMetrics();
}

/** The version of `@opentelemetry/api` that registered the process-wide globals, if any did. */
export function registeredApiVersion(): string | undefined {
  const registry = (globalThis as Record<symbol, { version?: string } | undefined>)[
    Symbol.for('opentelemetry.js.api.1')
  ];
  return registry?.version;
}
