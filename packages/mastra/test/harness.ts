import { Mastra } from '@mastra/core';
import type { Agent } from '@mastra/core/agent';
import { Observability } from '@mastra/observability';
import { OtelBridge } from '@mastra/otel-bridge';
import { context, type TracerProvider } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  AggregationTemporality,
  MeterProvider,
  MetricReader,
  type ResourceMetrics,
} from '@opentelemetry/sdk-metrics';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace-base';
import { routeSpanProcessor, type MastraRouteOptions } from '../src/index';

let contextManagerReady = false;

/** The OTel SDK side of a test: an in-memory span exporter and a pull metric reader. */
export interface Telemetry {
  tracerProvider: BasicTracerProvider;
  meterProvider: MeterProvider;
  exporter: InMemorySpanExporter;
  collectMetrics(): Promise<ResourceMetrics>;
  spans(): ReadableSpan[];
}

class PullMetricReader extends MetricReader {
  constructor() {
    super({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE });
  }
  protected async onForceFlush(): Promise<void> {}
  protected async onShutdown(): Promise<void> {}
}

export function createTelemetry(): Telemetry {
  if (!contextManagerReady) {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    contextManagerReady = true;
  }
  const exporter = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const reader = new PullMetricReader();
  const meterProvider = new MeterProvider({ readers: [reader] });
  return {
    tracerProvider,
    meterProvider,
    exporter,
    async collectMetrics() {
      const { resourceMetrics } = await reader.collect();
      return resourceMetrics;
    },
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
