import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, type SpanExporter, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import type { SpanRecord } from '../otlp/span-record';
import { createInProcessExporter, createOtlpJsonLinesExporter } from './exporters';
import { createVirtualTimeProcessor, type VirtualClock } from './virtual-clock';

/** Options of {@link createDemoTelemetry}. */
export interface DemoTelemetryOptions {
  clock: VirtualClock;
  /** File of OTLP JSON lines to write. */
  outFile?: string;
  /** In-process receiver (the viewer's store). */
  onSpans?: (spans: SpanRecord[]) => void;
  /** Environment to read the standard OTLP variables from; `process.env` by default. */
  environment?: Record<string, string | undefined>;
  serviceName?: string;
}

/** The demo's tracing pipeline. */
export interface DemoTelemetry {
  tracerProvider: NodeTracerProvider;
  /**
   * Route metrics (`gen_ai.client.operation.duration`, `gen_ai.client.token.usage`) over OTLP, only
   * when an OTLP endpoint is configured. Metric points carry real time: backends reject samples
   * a day in the past, so metrics are not moved to the virtual clock.
   */
  meterProvider?: MeterProvider;
  /** Where spans go, for the terminal: "file …", "viewer", "OTLP http://…". */
  destinations: string[];
  flush(): Promise<void>;
  shutdown(): Promise<void>;
}

/**
 * The OTLP/HTTP URL of a signal as the spec defines it: `OTEL_EXPORTER_OTLP_{SIGNAL}_ENDPOINT` as
 * is, else `OTEL_EXPORTER_OTLP_ENDPOINT` + `/v1/{signal}`. Computed here so the demo can be given
 * its environment; headers, timeout and compression still come from the standard variables.
 */
function signalUrl(environment: Record<string, string | undefined>, signal: 'TRACES' | 'METRICS', path: string): string | undefined {
  const specific = environment[`OTEL_EXPORTER_OTLP_${signal}_ENDPOINT`];
  if (specific) return specific;
  const base = environment.OTEL_EXPORTER_OTLP_ENDPOINT;
  return base ? `${base.replace(/\/$/, '')}/${path}` : undefined;
}

/**
 * Builds the tracer provider: spans are moved to the virtual clock, then exported to the file,
 * to the in-process viewer, and over OTLP/HTTP when `OTEL_EXPORTER_OTLP_ENDPOINT` or
 * `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` is set (the standard exporter reads the standard variables:
 * headers, timeout, compression).
 */
export function createDemoTelemetry(options: DemoTelemetryOptions): DemoTelemetry {
  const environment = options.environment ?? process.env;
  const exporters: SpanExporter[] = [];
  const destinations: string[] = [];
  if (options.outFile) {
    exporters.push(createOtlpJsonLinesExporter(options.outFile));
    destinations.push(`file ${options.outFile}`);
  }
  if (options.onSpans) {
    exporters.push(createInProcessExporter(options.onSpans));
    destinations.push('viewer');
  }
  const tracesUrl = signalUrl(environment, 'TRACES', 'v1/traces');
  if (tracesUrl) {
    exporters.push(new OTLPTraceExporter({ url: tracesUrl }));
    destinations.push(`OTLP ${tracesUrl}`);
  }
  let meterProvider: MeterProvider | undefined;
  const metricsUrl = signalUrl(environment, 'METRICS', 'v1/metrics');
  if (metricsUrl) {
    meterProvider = new MeterProvider({
      resource: resourceFromAttributes({ 'service.name': options.serviceName ?? 'servedby-demo', 'service.namespace': 'servedby' }),
      readers: [new PeriodicExportingMetricReader({ exporter: new OTLPMetricExporter({ url: metricsUrl }), exportIntervalMillis: 5_000 })],
    });
    destinations.push(`OTLP ${metricsUrl}`);
  }
  const processors: SpanProcessor[] = exporters.map(
    (exporter) => new BatchSpanProcessor(exporter, { maxExportBatchSize: 512, scheduledDelayMillis: 200, maxQueueSize: 100_000 }),
  );
  const tracerProvider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': options.serviceName ?? 'servedby-demo', 'service.namespace': 'servedby' }),
    spanProcessors: [createVirtualTimeProcessor(options.clock, processors)],
  });
  return {
    tracerProvider,
    ...(meterProvider ? { meterProvider } : {}),
    destinations,
    flush: async () => {
      await tracerProvider.forceFlush();
      await meterProvider?.forceFlush();
    },
    shutdown: async () => {
      await tracerProvider.shutdown();
      await meterProvider?.shutdown();
    },
  };
}
