import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
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
  /** Where spans go, for the terminal: "file …", "viewer", "OTLP http://…". */
  destinations: string[];
  flush(): Promise<void>;
  shutdown(): Promise<void>;
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
  const otlpEndpoint = environment.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? environment.OTEL_EXPORTER_OTLP_ENDPOINT;
  if (otlpEndpoint) {
    exporters.push(new OTLPTraceExporter());
    destinations.push(`OTLP ${otlpEndpoint}`);
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
    destinations,
    flush: () => tracerProvider.forceFlush(),
    shutdown: () => tracerProvider.shutdown(),
  };
}
