import { isValidTime, type AttributeValue, type SpanEventRecord, type SpanLinkRecord, type SpanRecord } from './span-record';

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

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

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
  if (!id || id.length > 64) return undefined;
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
  if (typeof value.stringValue === 'string') return value.stringValue;
  if (typeof value.boolValue === 'boolean') return value.boolValue;
  if (value.intValue !== undefined) return Number.isFinite(Number(value.intValue)) ? Number(value.intValue) : undefined;
  if (value.doubleValue !== undefined) return Number.isFinite(Number(value.doubleValue)) ? Number(value.doubleValue) : String(value.doubleValue);
  if (value.arrayValue) {
    const items: Array<string | number | boolean> = [];
    for (const item of Array.isArray(value.arrayValue.values) ? value.arrayValue.values : []) {
      if (!isObject(item)) continue;
      const decoded = anyValue(item);
      if (decoded !== undefined && !Array.isArray(decoded)) items.push(decoded);
    }
    return items;
  }
  if (value.kvlistValue) return JSON.stringify(attributesOf(Array.isArray(value.kvlistValue.values) ? value.kvlistValue.values : undefined));
  if (typeof value.bytesValue === 'string') return value.bytesValue;
  return undefined;
}

function attributesOf(list: readonly unknown[] | undefined): Record<string, AttributeValue> {
  const attributes: Record<string, AttributeValue> = {};
  for (const entry of list ?? []) {
    if (!isObject(entry) || typeof entry.key !== 'string' || !isObject(entry.value)) continue;
    const value = anyValue(entry.value as OtlpAnyValue);
    if (value !== undefined) attributes[entry.key] = value;
  }
  return attributes;
}

function enumValue(value: number | string | undefined, names: Record<string, number>): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string') return names[value] ?? (Number(value) || 0);
  return 0;
}

/** What a decoder made of one export request: the valid spans, and how many it rejected and why. */
export interface DecodedSpans {
  spans: SpanRecord[];
  /** Spans (or span-holding elements) that could not be read: no or malformed ids, wrong shapes. */
  rejected: number;
  /** The first reasons, for the partial-success message. */
  reasons: string[];
}

/** Thrown for a body that is not an export request at all (the receiver answers 400). */
export class UndecodableRequestError extends Error {
  override readonly name = 'UndecodableRequestError';
}

function nanosOk(value: unknown): value is string | number | undefined {
  if (value === undefined) return true;
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0;
  return typeof value === 'string' && /^[0-9]{1,20}$/.test(value);
}

/**
 * Decodes an OTLP/JSON `ExportTraceServiceRequest` (already `JSON.parse`d) with the checks the
 * OTLP/HTTP spec asks of a receiver: a value that is not a request throws
 * {@link UndecodableRequestError}; spans without valid ids or with malformed fields are rejected
 * and counted (partial success), the rest are kept.
 */
export function decodeOtlpJsonRequest(request: unknown): DecodedSpans {
  const result: DecodedSpans = { spans: [], rejected: 0, reasons: [] };
  const reject = (reason: string, count = 1) => {
    result.rejected += count;
    if (result.reasons.length < 5 && !result.reasons.includes(reason)) result.reasons.push(reason);
  };
  if (!isObject(request)) throw new UndecodableRequestError('the body is not an ExportTraceServiceRequest object');
  const resourceSpansList = request.resourceSpans;
  if (resourceSpansList === undefined) return result;
  if (!Array.isArray(resourceSpansList)) throw new UndecodableRequestError('resourceSpans is not an array');
  for (const resourceSpans of resourceSpansList) {
    if (!isObject(resourceSpans)) {
      reject('a resourceSpans entry is not an object');
      continue;
    }
    const resourceValue = resourceSpans.resource;
    const resourceAttributes = isObject(resourceValue) && Array.isArray(resourceValue.attributes) ? attributesOf(resourceValue.attributes as OtlpKeyValue[]) : {};
    const serviceName = typeof resourceAttributes['service.name'] === 'string' ? resourceAttributes['service.name'] : 'unknown';
    const scopeSpansList = resourceSpans.scopeSpans ?? [];
    if (!Array.isArray(scopeSpansList)) {
      reject('scopeSpans is not an array');
      continue;
    }
    for (const scopeSpans of scopeSpansList) {
      if (!isObject(scopeSpans)) {
        reject('a scopeSpans entry is not an object');
        continue;
      }
      const scope = isObject(scopeSpans.scope) ? scopeSpans.scope : {};
      const scopeName = typeof scope.name === 'string' ? scope.name : '';
      const scopeVersion = typeof scope.version === 'string' ? scope.version : '';
      const spans = scopeSpans.spans ?? [];
      if (!Array.isArray(spans)) {
        reject('spans is not an array');
        continue;
      }
      for (const candidate of spans) {
        if (!isObject(candidate)) {
          reject('a span is not an object');
          continue;
        }
        const span = candidate as OtlpSpan & Record<string, unknown>;
        const traceId = typeof span.traceId === 'string' ? idToHex(span.traceId, 32) : undefined;
        const spanId = typeof span.spanId === 'string' ? idToHex(span.spanId, 16) : undefined;
        if (!traceId || !spanId || /^0+$/.test(traceId) || /^0+$/.test(spanId)) {
          reject('a span has no valid traceId/spanId (16/8 bytes, hex or base64)');
          continue;
        }
        if (!nanosOk(span.startTimeUnixNano) || !nanosOk(span.endTimeUnixNano) || !isValidTime(nanosToMs(span.startTimeUnixNano))) {
          reject('a span has a missing or malformed startTimeUnixNano/endTimeUnixNano (2000–2200)');
          continue;
        }
        if ((span.name !== undefined && typeof span.name !== 'string') || (span.attributes !== undefined && !Array.isArray(span.attributes))) {
          reject('a span has a malformed name or attributes');
          continue;
        }
        const events: SpanEventRecord[] = (Array.isArray(span.events) ? span.events : []).filter(isObject).map((event) => ({
          name: typeof event.name === 'string' ? event.name : '',
          timeMs: nanosOk(event.timeUnixNano) ? nanosToMs(event.timeUnixNano) : 0,
          attributes: attributesOf(Array.isArray(event.attributes) ? event.attributes : undefined),
        }));
        const links: SpanLinkRecord[] = [];
        for (const link of Array.isArray(span.links) ? span.links : []) {
          if (!isObject(link)) continue;
          const linkTraceId = typeof link.traceId === 'string' ? idToHex(link.traceId, 32) : undefined;
          const linkSpanId = typeof link.spanId === 'string' ? idToHex(link.spanId, 16) : undefined;
          if (linkTraceId && linkSpanId) {
            links.push({ traceId: linkTraceId, spanId: linkSpanId, attributes: attributesOf(Array.isArray(link.attributes) ? (link.attributes as OtlpKeyValue[]) : undefined) });
          }
        }
        const parentSpanId = typeof span.parentSpanId === 'string' ? idToHex(span.parentSpanId, 16) : undefined;
        const status = isObject(span.status) ? (span.status as { code?: number | string; message?: unknown }) : {};
        result.spans.push({
          traceId,
          spanId,
          ...(parentSpanId && !/^0+$/.test(parentSpanId) ? { parentSpanId } : {}),
          name: span.name ?? '',
          kind: enumValue(typeof span.kind === 'number' || typeof span.kind === 'string' ? span.kind : undefined, SPAN_KINDS),
          startMs: nanosToMs(span.startTimeUnixNano),
          endMs: nanosToMs(span.endTimeUnixNano),
          statusCode: enumValue(typeof status.code === 'number' || typeof status.code === 'string' ? status.code : undefined, STATUS_CODES),
          ...(typeof status.message === 'string' && status.message ? { statusMessage: status.message } : {}),
          attributes: attributesOf(span.attributes),
          serviceName,
          resourceAttributes,
          scopeName,
          ...(scopeVersion ? { scopeVersion } : {}),
          ...(typeof span.traceState === 'string' && span.traceState ? { traceState: span.traceState } : {}),
          events,
          links,
        });
      }
    }
  }
  return result;
}

/** Decodes an OTLP/JSON trace export request into span records; malformed spans are skipped. */
export function decodeOtlpJson(request: OtlpTraceRequest): SpanRecord[] {
  return decodeOtlpJsonRequest(request).spans;
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
