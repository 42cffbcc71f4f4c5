import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { diag } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { JsonTraceSerializer } from '@opentelemetry/otlp-transformer';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { decodeOtlpJson, type OtlpTraceRequest } from '../otlp/decode-json';
import type { SpanRecord } from '../otlp/span-record';

type SerializerInput = Parameters<typeof JsonTraceSerializer.serializeRequest>[0];

/** Encodes spans as one OTLP/JSON `ExportTraceServiceRequest` (the standard serializer). */
export function encodeOtlpJson(spans: readonly ReadableSpan[]): string {
  const bytes = JsonTraceSerializer.serializeRequest(spans as unknown as SerializerInput);
  return bytes ? Buffer.from(bytes).toString('utf8') : '{"resourceSpans":[]}';
}

function exporterFrom(write: (spans: ReadableSpan[]) => void): SpanExporter {
  return {
    export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void) {
      try {
        if (spans.length > 0) write(spans);
        resultCallback({ code: ExportResultCode.SUCCESS });
      } catch (error) {
        diag.error('servedby demo: export failed', error);
        resultCallback({ code: ExportResultCode.FAILED, error: error as Error });
      }
    },
    shutdown: () => Promise.resolve(),
    forceFlush: () => Promise.resolve(),
  };
}

/**
 * Appends each batch to `file` as one line of OTLP/JSON (the same shape the Collector's file
 * exporter writes), so `npm run report -- <file>` and any OTLP tool can read it back.
 * The file is truncated when the exporter is created.
 */
export function createOtlpJsonLinesExporter(file: string): SpanExporter {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, '');
  return exporterFrom((spans) => appendFileSync(file, `${encodeOtlpJson(spans)}\n`));
}

/**
 * Hands each batch to `onSpans` as the viewer would receive it over OTLP: encoded with the
 * standard serializer and decoded by the viewer's own receiver code.
 */
export function createInProcessExporter(onSpans: (spans: SpanRecord[]) => void): SpanExporter {
  return exporterFrom((spans) => onSpans(decodeOtlpJson(JSON.parse(encodeOtlpJson(spans)) as OtlpTraceRequest)));
}
