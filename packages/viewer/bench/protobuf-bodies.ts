// Span records as OTLP/protobuf export bodies, written by the standard serializer
// (@opentelemetry/otlp-transformer), the way an app's exporter sends them.
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes, type Resource } from '@opentelemetry/resources';
import type { SpanRecord } from '../src/otlp/span-record';

const resources = new Map<string, Resource>();
const hrTime = (ms: number): [number, number] => [Math.floor(ms / 1000), Math.round((ms % 1000) * 1e6)];

/** A span record as the SDK's ReadableSpan, so the standard serializer encodes it. */
function readable(span: SpanRecord) {
  let resource = resources.get(span.serviceName);
  if (!resource) resources.set(span.serviceName, (resource = resourceFromAttributes({ 'service.name': span.serviceName })));
  const context = (traceId: string, spanId: string) => ({ traceId, spanId, traceFlags: 1 });
  return {
    name: span.name,
    kind: Math.max(0, span.kind - 1),
    spanContext: () => context(span.traceId, span.spanId),
    ...(span.parentSpanId ? { parentSpanContext: context(span.traceId, span.parentSpanId), parentSpanId: span.parentSpanId } : {}),
    startTime: hrTime(span.startMs),
    endTime: hrTime(span.endMs),
    duration: hrTime(span.endMs - span.startMs),
    status: { code: span.statusCode, ...(span.statusMessage ? { message: span.statusMessage } : {}) },
    attributes: span.attributes,
    links: span.links.map((link) => ({ context: context(link.traceId, link.spanId), attributes: link.attributes })),
    events: span.events.map((event) => ({ name: event.name, time: hrTime(event.timeMs), attributes: event.attributes })),
    ended: true,
    resource,
    instrumentationScope: { name: span.scopeName },
    droppedAttributesCount: 0,
    droppedEventsCount: 0,
    droppedLinksCount: 0,
  };
}

/** Export request bodies of `batch` spans each. */
export function protobufBodies(spans: readonly SpanRecord[], batch: number): Buffer[] {
  const bodies: Buffer[] = [];
  for (let offset = 0; offset < spans.length; offset += batch) {
    bodies.push(Buffer.from(ProtobufTraceSerializer.serializeRequest(spans.slice(offset, offset + batch).map(readable) as never)!));
  }
  return bodies;
}
