import { Mastra } from '@mastra/core';
import type { Agent } from '@mastra/core/agent';
import { Observability } from '@mastra/observability';
import { OtelBridge } from '@mastra/otel-bridge';
import type { TracerProvider } from '@opentelemetry/api';
import {
  createTestMetrics,
  createTestTracing,
  type ReadableSpan,
  type ResourceMetrics,
  type TestMeterProvider,
  type TestSpanExporter,
  type TestTracerProvider,
} from '@servedby/test-otel';
import { routeSpanProcessor, type MastraRouteOptions } from '../src/index';

/** The OTel SDK side of a test: an in-memory span exporter and a pull metric reader. */
export interface Telemetry {
  tracerProvider: TestTracerProvider;
  meterProvider: TestMeterProvider;
  exporter: TestSpanExporter;
  collectMetrics(): Promise<ResourceMetrics>;
  spans(): ReadableSpan[];
}

export function createTelemetry(): Telemetry {
  const { tracerProvider, exporter } = createTestTracing();
  const { meterProvider, collect } = createTestMetrics();
  return {
    tracerProvider,
    meterProvider,
    exporter,
    collectMetrics: collect,
    spans: () => exporter.getFinishedSpans(),
  };
}

/** A Mastra instance exporting to OTel through the bridge, with (or without) the servedby processor. */
export function createMastra(options: {
  agents?: Record<string, Agent>;
  workflows?: Record<string, any>;
  telemetry: Telemetry;
  servedby?: MastraRouteOptions | false;
  bridgeTracerProvider?: TracerProvider;
  gateways?: ConstructorParameters<typeof Mastra>[0] extends infer Config
    ? Config extends { gateways?: infer Gateways }
      ? Gateways
      : never
    : never;
}): Mastra {
  const { telemetry } = options;
  const processors =
    options.servedby === false
      ? []
      : [
          routeSpanProcessor({
            tracerProvider: telemetry.tracerProvider,
            meterProvider: telemetry.meterProvider,
            ...options.servedby,
          }),
        ];
  return new Mastra({
    agents: options.agents ?? {},
    workflows: options.workflows ?? {},
    ...(options.gateways ? { gateways: options.gateways } : {}),
    logger: false,
    observability: new Observability({
      configs: {
        default: {
          serviceName: 'servedby-mastra-test',
          bridge: new OtelBridge({ tracerProvider: options.bridgeTracerProvider ?? telemetry.tracerProvider }),
          spanOutputProcessors: processors,
        },
      },
    }),
  });
}

/** Waits until Mastra has handed every ended span to the bridge. */
export async function flush(mastra: Mastra): Promise<void> {
  await mastra.observability.getDefaultInstance()?.flush();
}

export function spanNamed(spans: ReadableSpan[], name: string | RegExp): ReadableSpan[] {
  return spans.filter((span) => (typeof name === 'string' ? span.name === name : name.test(span.name)));
}

export function mastraSpansOfType(spans: ReadableSpan[], type: string): ReadableSpan[] {
  return spans.filter((span) => span.attributes['mastra.span.type'] === type);
}

/** Client spans made by servedby (one per model call). */
export function modelCallSpans(spans: ReadableSpan[]): ReadableSpan[] {
  return spans.filter((span) => span.instrumentationScope.name === '@servedby/mastra');
}

export function parentId(span: ReadableSpan): string | undefined {
  return span.parentSpanContext?.spanId;
}
