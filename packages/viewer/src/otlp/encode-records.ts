import type { AttributeValue, SpanRecord } from './span-record';

type OtlpValue =
  | { stringValue: string }
  | { boolValue: boolean }
  | { intValue: string }
  | { doubleValue: number }
  | { arrayValue: { values: OtlpValue[] } };

function otlpValue(value: AttributeValue): OtlpValue {
  if (Array.isArray(value)) return { arrayValue: { values: value.map(otlpValue) } };
  if (typeof value === 'string') return { stringValue: value };
  if (typeof value === 'boolean') return { boolValue: value };
  return Number.isInteger(value) ? { intValue: String(value) } : { doubleValue: value };
}

function otlpAttributes(attributes: Record<string, AttributeValue>) {
  return Object.entries(attributes).map(([key, value]) => ({ key, value: otlpValue(value) }));
}

function nanos(ms: number): string {
  return (BigInt(Math.floor(ms)) * 1_000_000n + BigInt(Math.round((ms % 1) * 1e6))).toString();
}

/**
 * Encodes span records back into one OTLP/JSON `ExportTraceServiceRequest` (grouped by service
 * and scope): the inverse of `decodeOtlpJson`, for loading generated datasets over OTLP.
 */
export function encodeSpanRecords(records: readonly SpanRecord[]): string {
  const services = new Map<string, Map<string, SpanRecord[]>>();
  for (const record of records) {
    let scopes = services.get(record.serviceName);
    if (!scopes) services.set(record.serviceName, (scopes = new Map()));
    let list = scopes.get(record.scopeName);
    if (!list) scopes.set(record.scopeName, (list = []));
    list.push(record);
  }
  return JSON.stringify({
    resourceSpans: [...services.entries()].map(([serviceName, scopes]) => ({
      resource: { attributes: [{ key: 'service.name', value: { stringValue: serviceName } }] },
      scopeSpans: [...scopes.entries()].map(([scopeName, spans]) => ({
        scope: { name: scopeName },
        spans: spans.map((span) => ({
          traceId: span.traceId,
          spanId: span.spanId,
          ...(span.parentSpanId ? { parentSpanId: span.parentSpanId } : {}),
          name: span.name,
          kind: span.kind,
          startTimeUnixNano: nanos(span.startMs),
          endTimeUnixNano: nanos(span.endMs),
          attributes: otlpAttributes(span.attributes),
          events: span.events.map((event) => ({ name: event.name, timeUnixNano: nanos(event.timeMs), attributes: otlpAttributes(event.attributes) })),
          links: span.links.map((link) => ({ traceId: link.traceId, spanId: link.spanId, attributes: otlpAttributes(link.attributes) })),
          status: { code: span.statusCode, ...(span.statusMessage ? { message: span.statusMessage } : {}) },
        })),
      })),
    })),
  });
}
