/** Appends a protobuf varint. */
function varint(value: number, into: number[]): void {
  let remaining = value;
  while (remaining >= 0x80) {
    into.push((remaining % 0x80) | 0x80);
    remaining = Math.floor(remaining / 0x80);
  }
  into.push(remaining);
}

/**
 * An OTLP `ExportTraceServiceResponse`. Empty on full success; with `partial_success`
 * (`rejected_spans`, `error_message`) when some spans were rejected, as the OTLP/HTTP spec asks.
 * Protobuf field numbers from opentelemetry/proto/collector/trace/v1/trace_service.proto.
 */
export function exportResponse(format: 'json' | 'protobuf', rejected: number, message: string): Buffer {
  if (format === 'json') {
    // proto3 JSON mapping: int64 as a decimal string.
    return Buffer.from(JSON.stringify(rejected > 0 ? { partialSuccess: { rejectedSpans: String(rejected), errorMessage: message } } : {}));
  }
  if (rejected === 0) return Buffer.alloc(0);
  const text = Buffer.from(message, 'utf8');
  const inner: number[] = [0x08];
  varint(rejected, inner);
  inner.push(0x12);
  varint(text.length, inner);
  const innerBytes = Buffer.concat([Buffer.from(inner), text]);
  const outer: number[] = [0x0a];
  varint(innerBytes.length, outer);
  return Buffer.concat([Buffer.from(outer), innerBytes]);
}
