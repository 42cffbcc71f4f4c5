import type { DecodedSpans } from './decode-json';
import { isValidTime, type AttributeValue, type SpanEventRecord, type SpanLinkRecord, type SpanRecord } from './span-record';

/**
 * A minimal reader of the protobuf wire format, enough for `ExportTraceServiceRequest`
 * (opentelemetry/proto/collector/trace/v1). `@opentelemetry/otlp-transformer` only encodes
 * requests, so the receiver decodes them itself; field numbers are from the .proto files.
 */
export class WireReader {
  position = 0;
  constructor(
    readonly bytes: Uint8Array,
    readonly end = bytes.length,
  ) {}

  get done(): boolean {
    return this.position >= this.end;
  }

  varint(): number {
    let result = 0;
    let multiplier = 1;
    for (;;) {
      const byte = this.bytes[this.position++];
      if (byte === undefined) throw new Error('truncated varint');
      result += (byte & 0x7f) * multiplier;
      if (byte < 0x80) return result;
      multiplier *= 128;
    }
  }

  /** A 64-bit varint as a signed number (int64 attribute values may be negative). */
  int64(): number {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      const byte = this.bytes[this.position++];
      if (byte === undefined) throw new Error('truncated varint');
      result |= BigInt(byte & 0x7f) << shift;
      if (byte < 0x80) break;
      shift += 7n;
    }
    return Number(BigInt.asIntN(64, result));
  }

  fixed64Ms(): number {
    if (this.position + 8 > this.end) throw new Error('truncated fixed64');
    const view = new DataView(this.bytes.buffer, this.bytes.byteOffset + this.position, 8);
    this.position += 8;
    const nanos = view.getBigUint64(0, true);
    return Number(nanos / 1_000_000n) + Number(nanos % 1_000_000n) / 1e6;
  }

  double(): number {
    if (this.position + 8 > this.end) throw new Error('truncated double');
    const view = new DataView(this.bytes.buffer, this.bytes.byteOffset + this.position, 8);
    this.position += 8;
    return view.getFloat64(0, true);
  }

  lengthDelimited(): WireReader {
    const length = this.varint();
    const start = this.position;
    this.position += length;
    if (this.position > this.end) throw new Error('truncated message');
    const reader = new WireReader(this.bytes, this.position);
    reader.position = start;
    return reader;
  }

  bytesHex(): string {
    const field = this.lengthDelimited();
    return Buffer.from(this.bytes.buffer, this.bytes.byteOffset + field.position, field.end - field.position).toString('hex');
  }

  string(): string {
    const field = this.lengthDelimited();
    return Buffer.from(this.bytes.buffer, this.bytes.byteOffset + field.position, field.end - field.position).toString('utf8');
  }

  skip(wireType: number): void {
    if (wireType === 0) this.varint();
    else if (wireType === 1) this.position += 8;
    else if (wireType === 2) this.lengthDelimited();
    else if (wireType === 5) this.position += 4;
    else throw new Error(`unsupported wire type ${wireType}`);
  }

  /** Calls `onField` for each field; the handler must consume the field or return false to skip it. */
  fields(onField: (field: number, wireType: number) => boolean): void {
    while (!this.done) {
      const tag = this.varint();
      const field = Math.floor(tag / 8);
      const wireType = tag & 7;
      if (!onField(field, wireType)) this.skip(wireType);
    }
  }
}

/** An `AnyValue` flattened (arrays of scalars; a kvlist as its JSON text; bytes as hex). */
export function readAnyValue(reader: WireReader): AttributeValue | undefined {
  let value: AttributeValue | undefined;
  reader.fields((field, wireType) => {
    if (field === 1 && wireType === 2) value = reader.string();
    else if (field === 2 && wireType === 0) value = reader.varint() !== 0;
    else if (field === 3 && wireType === 0) value = reader.int64();
    else if (field === 4 && wireType === 1) value = reader.double();
    else if (field === 5 && wireType === 2) {
      const items: Array<string | number | boolean> = [];
      const arrayReader = reader.lengthDelimited();
      arrayReader.fields((arrayField, arrayWireType) => {
        if (arrayField !== 1 || arrayWireType !== 2) return false;
        const item = readAnyValue(arrayReader.lengthDelimited());
        if (item !== undefined && !Array.isArray(item)) items.push(item);
        return true;
      });
      value = items;
    } else if (field === 6 && wireType === 2) {
      const nested: Record<string, AttributeValue> = {};
      const listReader = reader.lengthDelimited();
      listReader.fields((listField, listWireType) => {
        if (listField !== 1 || listWireType !== 2) return false;
        readKeyValue(listReader.lengthDelimited(), nested);
        return true;
      });
      value = JSON.stringify(nested);
    } else if (field === 7 && wireType === 2) value = reader.bytesHex();
    else return false;
    return true;
  });
  return value;
}

/** One `KeyValue` into `into` (an empty key or an unset value is dropped). */
export function readKeyValue(reader: WireReader, into: Record<string, AttributeValue>): void {
  let key = '';
  let value: AttributeValue | undefined;
  reader.fields((field, wireType) => {
    if (field === 1 && wireType === 2) key = reader.string();
    else if (field === 2 && wireType === 2) value = readAnyValue(reader.lengthDelimited());
    else return false;
    return true;
  });
  if (key && value !== undefined) into[key] = value;
}

/** A `Span.Event` message. */
export function readEvent(eventReader: WireReader): SpanEventRecord {
  const event: SpanEventRecord = { name: '', timeMs: 0, attributes: {} };
  eventReader.fields((eventField, eventWireType) => {
    if (eventField === 1 && eventWireType === 1) event.timeMs = eventReader.fixed64Ms();
    else if (eventField === 2 && eventWireType === 2) event.name = eventReader.string();
    else if (eventField === 3 && eventWireType === 2) readKeyValue(eventReader.lengthDelimited(), event.attributes);
    else return false;
    return true;
  });
  return event;
}

/** A `Span.Link` message; undefined for a link without both ids. */
export function readLink(linkReader: WireReader): SpanLinkRecord | undefined {
  const link: SpanLinkRecord = { traceId: '', spanId: '', attributes: {} };
  linkReader.fields((linkField, linkWireType) => {
    if (linkField === 1 && linkWireType === 2) link.traceId = linkReader.bytesHex();
    else if (linkField === 2 && linkWireType === 2) link.spanId = linkReader.bytesHex();
    else if (linkField === 4 && linkWireType === 2) readKeyValue(linkReader.lengthDelimited(), link.attributes);
    else return false;
    return true;
  });
  return link.traceId && link.spanId ? link : undefined;
}

function readSpan(reader: WireReader, serviceName: string, resourceAttributes: Record<string, AttributeValue>, scopeName: string, scopeVersion: string): SpanRecord | undefined {
  const span: SpanRecord = {
    traceId: '',
    spanId: '',
    name: '',
    kind: 0,
    startMs: 0,
    endMs: 0,
    statusCode: 0,
    attributes: {},
    serviceName,
    resourceAttributes,
    scopeName,
    ...(scopeVersion ? { scopeVersion } : {}),
    events: [],
    links: [],
  };
  reader.fields((field, wireType) => {
    if (field === 1 && wireType === 2) span.traceId = reader.bytesHex();
    else if (field === 2 && wireType === 2) span.spanId = reader.bytesHex();
    else if (field === 3 && wireType === 2) {
      const state = reader.string();
      if (state) span.traceState = state;
    } else if (field === 4 && wireType === 2) {
      const parent = reader.bytesHex();
      if (parent.length === 16 && !/^0+$/.test(parent)) span.parentSpanId = parent;
    } else if (field === 5 && wireType === 2) span.name = reader.string();
    else if (field === 6 && wireType === 0) span.kind = reader.varint();
    else if (field === 7 && wireType === 1) span.startMs = reader.fixed64Ms();
    else if (field === 8 && wireType === 1) span.endMs = reader.fixed64Ms();
    else if (field === 9 && wireType === 2) readKeyValue(reader.lengthDelimited(), span.attributes);
    else if (field === 11 && wireType === 2) span.events.push(readEvent(reader.lengthDelimited()));
    else if (field === 13 && wireType === 2) {
      const link = readLink(reader.lengthDelimited());
      if (link) span.links.push(link);
    } else if (field === 15 && wireType === 2) {
      const statusReader = reader.lengthDelimited();
      statusReader.fields((statusField, statusWireType) => {
        if (statusField === 2 && statusWireType === 2) {
          const message = statusReader.string();
          if (message) span.statusMessage = message;
        } else if (statusField === 3 && statusWireType === 0) span.statusCode = statusReader.varint();
        else return false;
        return true;
      });
    } else return false;
    return true;
  });
  const validIds = span.traceId.length === 32 && span.spanId.length === 16 && !/^0+$/.test(span.traceId) && !/^0+$/.test(span.spanId);
  return validIds && isValidTime(span.startMs) ? span : undefined;
}

/** The resource and instrumentation scope a span was exported under (one object per `ScopeSpans`). */
export interface ExportScope {
  resource: Record<string, AttributeValue>;
  /** `service.name` when it is a string value, else `unknown`. */
  serviceName: string;
  scopeName: string;
  scopeVersion: string;
}

/**
 * Walks an `ExportTraceServiceRequest`: calls `onSpan` with a reader over each `Span` message, in
 * wire order, with the resource and scope it belongs to. Throws on a body that is not valid protobuf.
 */
export function forEachSpanMessage(body: Uint8Array, onSpan: (reader: WireReader, scope: ExportScope) => void): void {
  const request = new WireReader(body);
  request.fields((field, wireType) => {
    if (field !== 1 || wireType !== 2) return false;
    const resourceSpans = request.lengthDelimited();
    const resource: Record<string, AttributeValue> = {};
    const scopeReaders: WireReader[] = [];
    // The resource may come after the scope spans on the wire, so read scopes once it is known.
    resourceSpans.fields((resourceField, resourceWireType) => {
      if (resourceField === 1 && resourceWireType === 2) {
        const resourceReader = resourceSpans.lengthDelimited();
        resourceReader.fields((attributeField, attributeWireType) => {
          if (attributeField !== 1 || attributeWireType !== 2) return false;
          readKeyValue(resourceReader.lengthDelimited(), resource);
          return true;
        });
      } else if (resourceField === 2 && resourceWireType === 2) scopeReaders.push(resourceSpans.lengthDelimited());
      else return false;
      return true;
    });
    const serviceName = typeof resource['service.name'] === 'string' ? resource['service.name'] : 'unknown';
    for (const scopeSpans of scopeReaders) {
      let scopeName = '';
      let scopeVersion = '';
      const spanReaders: WireReader[] = [];
      scopeSpans.fields((scopeField, scopeWireType) => {
        if (scopeField === 1 && scopeWireType === 2) {
          const scopeReader = scopeSpans.lengthDelimited();
          scopeReader.fields((nameField, nameWireType) => {
            if (nameField === 1 && nameWireType === 2) scopeName = scopeReader.string();
            else if (nameField === 2 && nameWireType === 2) scopeVersion = scopeReader.string();
            else return false;
            return true;
          });
        } else if (scopeField === 2 && scopeWireType === 2) spanReaders.push(scopeSpans.lengthDelimited());
        else return false;
        return true;
      });
      const scope: ExportScope = { resource, serviceName, scopeName, scopeVersion };
      for (const spanReader of spanReaders) onSpan(spanReader, scope);
    }
    return true;
  });
}

/** Why a span is rejected (the partial-success message). */
export const INVALID_SPAN_REASON = 'a span has no valid trace_id/span_id (16/8 bytes) or start time (2000–2200)';

/**
 * Decodes an OTLP/protobuf `ExportTraceServiceRequest` body. Throws on a body that is not valid
 * protobuf (the receiver answers 400); spans without valid 16-byte trace / 8-byte span ids are
 * rejected and counted (partial success).
 */
export function decodeOtlpProtobufRequest(body: Uint8Array): DecodedSpans {
  const result: DecodedSpans = { spans: [], rejected: 0, reasons: [] };
  forEachSpanMessage(body, (reader, scope) => {
    const span = readSpan(reader, scope.serviceName, scope.resource, scope.scopeName, scope.scopeVersion);
    if (span) result.spans.push(span);
    else {
      result.rejected += 1;
      if (result.reasons.length === 0) result.reasons.push(INVALID_SPAN_REASON);
    }
  });
  return result;
}

/** Decodes an OTLP/protobuf `ExportTraceServiceRequest` body into span records (invalid spans skipped). */
export function decodeOtlpProtobuf(body: Uint8Array): SpanRecord[] {
  return decodeOtlpProtobufRequest(body).spans;
}
