import type { AttributeValue, SpanEventRecord, SpanLinkRecord, SpanRecord } from './span-record';

interface OtlpAnyValue {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: string | number;
  doubleValue?: number | string;
  arrayValue?: { values?: OtlpAnyValue[] };
  kvlistValue?: { values?: OtlpKeyValue[] };
  bytesValue?: string;
}
interface OtlpKeyValue {
  key: string;
  value?: OtlpAnyValue;
}
interface OtlpSpan {
  traceId?: string;
  spanId?: string;
  parentSpanId?: string;
  name?: string;
  kind?: number | string;
  startTimeUnixNano?: string | number;
  endTimeUnixNano?: string | number;
  attributes?: OtlpKeyValue[];
  events?: Array<{ timeUnixNano?: string | number; name?: string; attributes?: OtlpKeyValue[] }>;
  links?: Array<{ traceId?: string; spanId?: string; attributes?: OtlpKeyValue[] }>;
  status?: { code?: number | string; message?: string };
}
/** The OTLP/JSON `ExportTraceServiceRequest` shape (only the fields the demo reads). */
export interface OtlpTraceRequest {
  resourceSpans?: Array<{
    resource?: { attributes?: OtlpKeyValue[] };
    scopeSpans?: Array<{ scope?: { name?: string; version?: string }; spans?: OtlpSpan[] }>;
  }>;
}

const SPAN_KINDS: Record<string, number> = {
  SPAN_KIND_UNSPECIFIED: 0,
  SPAN_KIND_INTERNAL: 1,
  SPAN_KIND_SERVER: 2,
  SPAN_KIND_CLIENT: 3,
  SPAN_KIND_PRODUCER: 4,
  SPAN_KIND_CONSUMER: 5,
};
const STATUS_CODES: Record<string, number> = { STATUS_CODE_UNSET: 0, STATUS_CODE_OK: 1, STATUS_CODE_ERROR: 2 };

/**
 * OTLP/JSON ids are hex (the spec), but some senders still emit base64 (the protobuf JSON
 * mapping of `bytes`); accept both and always hand back lower-case hex.
 */
function idToHex(id: string | undefined, hexLength: number): string | undefined {
  if (!id) return undefined;
  if (id.length === hexLength && /^[0-9a-f]+$/i.test(id)) return id.toLowerCase();
  const hex = Buffer.from(id, 'base64').toString('hex');
  return hex.length === hexLength ? hex : undefined;
}

function nanosToMs(value: string | number | undefined): number {
  if (value === undefined) return 0;
  if (typeof value === 'number') return value / 1e6;
  // Split the string so epoch nanoseconds keep sub-millisecond precision past 2^53.
  if (value.length > 6) return Number(value.slice(0, -6)) + Number(value.slice(-6)) / 1e6;
  return Number(value) / 1e6;
}

function anyValue(value: OtlpAnyValue | undefined): AttributeValue | undefined {
  if (!value) return undefined;
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.boolValue !== undefined) return value.boolValue;
  if (value.intValue !== undefined) return Number(value.intValue);
  if (value.doubleValue !== undefined) return Number(value.doubleValue);
  if (value.arrayValue) {
    const items: Array<string | number | boolean> = [];
    for (const item of value.arrayValue.values ?? []) {
      const decoded = anyValue(item);
      if (decoded !== undefined && !Array.isArray(decoded)) items.push(decoded);
    }
    return items;
  }
  if (value.kvlistValue) return JSON.stringify(attributesOf(value.kvlistValue.values));
  if (value.bytesValue !== undefined) return value.bytesValue;
  return undefined;
}

function attributesOf(list: OtlpKeyValue[] | undefined): Record<string, AttributeValue> {
  const attributes: Record<string, AttributeValue> = {};
  for (const entry of list ?? []) {
    const value = anyValue(entry.value);
    if (value !== undefined) attributes[entry.key] = value;
  }
  return attributes;
}

function enumValue(value: number | string | undefined, names: Record<string, number>): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string') return names[value] ?? (Number(value) || 0);
  return 0;
}

/** Decodes an OTLP/JSON trace export request into span records; malformed spans are skipped. */
export function decodeOtlpJson(request: OtlpTraceRequest): SpanRecord[] {
  const records: SpanRecord[] = [];
  for (const resourceSpans of request.resourceSpans ?? []) {
    const resource = attributesOf(resourceSpans.resource?.attributes);
    const serviceName = typeof resource['service.name'] === 'string' ? resource['service.name'] : 'unknown';
    for (const scopeSpans of resourceSpans.scopeSpans ?? []) {
      const scopeName = scopeSpans.scope?.name ?? '';
      for (const span of scopeSpans.spans ?? []) {
        const traceId = idToHex(span.traceId, 32);
        const spanId = idToHex(span.spanId, 16);
        if (!traceId || !spanId) continue;
        const events: SpanEventRecord[] = (span.events ?? []).map((event) => ({
          name: event.name ?? '',
          timeMs: nanosToMs(event.timeUnixNano),
          attributes: attributesOf(event.attributes),
        }));
        const links: SpanLinkRecord[] = [];
        for (const link of span.links ?? []) {
          const linkTraceId = idToHex(link.traceId, 32);
          const linkSpanId = idToHex(link.spanId, 16);
          if (linkTraceId && linkSpanId) {
            links.push({ traceId: linkTraceId, spanId: linkSpanId, attributes: attributesOf(link.attributes) });
          }
        }
        const parentSpanId = idToHex(span.parentSpanId, 16);
        records.push({
          traceId,
          spanId,
          ...(parentSpanId ? { parentSpanId } : {}),
          name: span.name ?? '',
          kind: enumValue(span.kind, SPAN_KINDS),
          startMs: nanosToMs(span.startTimeUnixNano),
          endMs: nanosToMs(span.endTimeUnixNano),
          statusCode: enumValue(span.status?.code, STATUS_CODES),
          ...(span.status?.message ? { statusMessage: span.status.message } : {}),
          attributes: attributesOf(span.attributes),
          serviceName,
          scopeName,
          events,
          links,
        });
      }
    }
  }
  return records;
}

/**
 * Reads a file of OTLP JSON lines (one `ExportTraceServiceRequest` per line, as the demo and the
 * Collector's file exporter write them). Blank and unparsable lines are skipped.
 */
export function decodeOtlpJsonLines(text: string): SpanRecord[] {
  const records: SpanRecord[] = [];
  for (const line of text.split('\n')) {
    const trimmed = line.trim();
    if (!trimmed) continue;
    try {
      for (const record of decodeOtlpJson(JSON.parse(trimmed) as OtlpTraceRequest)) records.push(record);
    } catch {
      // A truncated last line (the demo was stopped mid-write) must not lose the rest of the file.
    }
  }
  return records;
}
