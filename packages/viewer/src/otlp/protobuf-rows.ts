import { isUtf8 } from 'node:buffer';
import { FACT_ATTRIBUTES, SPAN_KIND_NAMES, STATUS_CODE_NAMES, attributeString, spanFactOf, stringMap, type SpanFact } from '../store/rows';
import { INVALID_SPAN_REASON, WireReader, forEachSpanMessage, readAnyValue, readEvent, readKeyValue, readLink, type ExportScope } from './decode-protobuf';
import { isValidTime, type AttributeValue } from './span-record';

/**
 * OTLP/protobuf straight to `otel_traces` rows: the receiver's hot path. The bytes of one
 * `ExportTraceServiceRequest` become JSONCompactEachRow lines (`TRACE_COLUMNS` order) and the
 * structure facts of each span, without a `SpanRecord` or an attribute object per span: ids go
 * to hex through a table, strings are copied as they are unless a byte needs JSON escaping,
 * timestamps become nanosecond text from the two halves of the fixed64.
 *
 * The rows are those `spanRowCompact(decodeOtlpProtobufRequest(body))` writes, with one
 * difference: timestamps and durations are exact to the nanosecond (the record path goes through
 * fractional milliseconds and is off by up to a few hundred nanoseconds). Everything uncommon
 * (array and kvlist values, events, links, attribute maps whose key order or duplicates a JS
 * object would change, non-ASCII keys) goes through the record path's own readers, so its
 * quirks are kept byte for byte. Malformed protobuf throws where that decoder throws, and the
 * same spans are rejected. `protobuf-rows.test.ts` checks both over generated and hostile input.
 */
export interface ProtobufRows {
  /** JSONCompactEachRow lines, one per accepted span. */
  lines: Buffer;
  accepted: number;
  /** The structure facts of the accepted spans, in row order. */
  facts: SpanFact[];
  rejected: number;
  reasons: string[];
}

const HEX_DIGITS = Buffer.from('0123456789abcdef', 'latin1');
const quotedNames = (names: readonly string[]) => names.map((name) => Buffer.from(`"${name}"`, 'latin1'));
const SPAN_KIND_QUOTED = quotedNames(SPAN_KIND_NAMES);
const STATUS_CODE_QUOTED = quotedNames(STATUS_CODE_NAMES);
const NO_EVENTS_OR_LINKS = Buffer.from(',[],[],[],[],[],[],[]]\n', 'latin1');
const FACT_INDEX = new Map<string, number>(FACT_ATTRIBUTES.map((key, index) => [key, index]));
/** The fact attributes' keys as bytes, by length: a key is recognised without decoding it. */
const FACT_KEYS_BY_LENGTH = new Map<number, Array<{ key: Buffer; index: number }>>();
for (const [index, key] of FACT_ATTRIBUTES.entries()) {
  const sameLength = FACT_KEYS_BY_LENGTH.get(key.length) ?? [];
  sameLength.push({ key: Buffer.from(key, 'latin1'), index });
  FACT_KEYS_BY_LENGTH.set(key.length, sameLength);
}

function factIndexOf(start: number, end: number): number {
  const candidates = FACT_KEYS_BY_LENGTH.get(end - start);
  if (!candidates) return -1;
  for (const { key, index } of candidates) {
    let same = true;
    // From the end: the keys share their `gen_ai.` start.
    for (let offset = key.length - 1; same && offset >= 0; offset -= 1) same = key[offset] === bytes[start + offset];
    if (same) return index;
  }
  return -1;
}

// The request being encoded and the read position: module state, so the hot loop allocates nothing
// per field. One call runs at a time (the functions are synchronous).
let bytes: Buffer = Buffer.alloc(0);
let position = 0;

let output: Buffer = Buffer.allocUnsafe(1 << 16);
/** Output buffer size kept between requests (a 2,048-span request writes about 1 MiB). */
const KEPT_OUTPUT_BYTES = 8 * 1024 * 1024;
let length = 0;

function reserve(extra: number): void {
  if (length + extra <= output.length) return;
  const grown = Buffer.allocUnsafe(Math.max(output.length * 2, length + extra));
  output.copy(grown, 0, 0, length);
  output = grown;
}

/** ASCII text (digits, punctuation): byte by byte, cheaper than Buffer#write for a few bytes. */
function writeLatin1(text: string): void {
  reserve(text.length);
  for (let index = 0; index < text.length; index += 1) output[length++] = text.charCodeAt(index);
}

function writeUtf8(text: string): void {
  reserve(text.length * 3);
  length += output.write(text, length, 'utf8');
}

function writeBytes(source: Buffer): void {
  reserve(source.length);
  if (source.length < 64) for (let index = 0; index < source.length; index += 1) output[length++] = source[index]!;
  else length += source.copy(output, length);
}

/** Wire bytes as they are (Buffer#copy allocates a view per call: a loop is cheaper for short runs). */
function copyWire(start: number, end: number): void {
  reserve(end - start);
  if (end - start < 64) for (let index = start; index < end; index += 1) output[length++] = bytes[index]!;
  else length += bytes.copy(output, length, start, end);
}

// --- The wire format, with the record decoder's exact rules (WireReader in decode-protobuf.ts):
// a varint may read past its message's end (only the body's end stops it), skipping a fixed
// 32/64-bit field is not bounds-checked, a length past the message's end throws.

function varint(): number {
  let result = 0;
  let multiplier = 1;
  for (;;) {
    const byte = bytes[position++];
    if (byte === undefined) throw new Error('truncated varint');
    result += (byte & 0x7f) * multiplier;
    if (byte < 0x80) return result;
    multiplier *= 128;
  }
}

/** An int64 value: small ones (up to 7 bytes, below 2^49) without BigInt. */
function int64(): number {
  const start = position;
  let result = 0;
  let multiplier = 1;
  for (let index = 0; index < 7; index += 1) {
    const byte = bytes[position++];
    if (byte === undefined) throw new Error('truncated varint');
    result += (byte & 0x7f) * multiplier;
    if (byte < 0x80) return result;
    multiplier *= 128;
  }
  position = start;
  let big = 0n;
  let shift = 0n;
  for (;;) {
    const byte = bytes[position++];
    if (byte === undefined) throw new Error('truncated varint');
    big |= BigInt(byte & 0x7f) << shift;
    if (byte < 0x80) break;
    shift += 7n;
  }
  return Number(BigInt.asIntN(64, big));
}

// The last tag read. A loop reads them before descending into a nested message, which reads its own.
let field = 0;
let wireType = 0;
function readTag(): void {
  const tag = varint();
  field = Math.floor(tag / 8);
  wireType = tag & 7;
}

/** Reads a length and moves past the field; returns where its content starts (it ends at `position`). */
function delimited(end: number): number {
  const size = varint();
  const start = position;
  position += size;
  if (!(position <= end)) throw new Error('truncated message');
  return start;
}

function skip(type: number, end: number): void {
  if (type === 0) varint();
  else if (type === 1) position += 8;
  else if (type === 2) delimited(end);
  else if (type === 5) position += 4;
  else throw new Error(`unsupported wire type ${type}`);
}

function fixed64Low(end: number): number {
  if (position + 8 > end) throw new Error('truncated fixed64');
  return bytes.readUInt32LE(position);
}

// --- Text

function writeHex(start: number, end: number): void {
  reserve((end - start) * 2);
  for (let index = start; index < end; index += 1) {
    const byte = bytes[index]!;
    output[length++] = HEX_DIGITS[byte >> 4]!;
    output[length++] = HEX_DIGITS[byte & 15]!;
  }
}

function allZero(start: number, end: number): boolean {
  for (let index = start; index < end; index += 1) if (bytes[index] !== 0) return false;
  return true;
}

/** Wire bytes as a JSON string, as `JSON.stringify(bytes.toString('utf8'))` writes it. */
function writeJsonString(start: number, end: number): void {
  let ascii = true;
  for (let index = start; index < end; index += 1) {
    const byte = bytes[index]!;
    if (byte < 0x20 || byte === 0x22 || byte === 0x5c) {
      writeUtf8(JSON.stringify(bytes.toString('utf8', start, end)));
      return;
    }
    if (byte >= 0x80) ascii = false;
  }
  // Valid UTF-8 without escapes is what the decode-and-stringify path would write back.
  if (!ascii && !isUtf8(bytes.subarray(start, end))) {
    writeUtf8(JSON.stringify(bytes.toString('utf8', start, end)));
    return;
  }
  reserve(end - start + 2);
  output[length++] = 0x22;
  copyWire(start, end);
  output[length++] = 0x22;
}

/** A non-negative integer below 2^53 in decimal. */
function writeInteger(value: number): void {
  let digits = 1;
  for (let rest = value; rest >= 10; rest = Math.floor(rest / 10)) digits += 1;
  reserve(digits);
  for (let digit = digits - 1; digit >= 0; digit -= 1) {
    output[length + digit] = 0x30 + (value % 10);
    value = Math.floor(value / 10);
  }
  length += digits;
}

/** Epoch nanoseconds (the fixed64's two halves) as whole milliseconds and the nanoseconds past them. */
let wholeMs = 0;
let subMs = 0;
function splitNanos(low: number, high: number): void {
  // 2^32 = 4294 × 10^6 + 967296; the remainder stays below 2^53.
  const rest = high * 967_296 + low;
  wholeMs = high * 4294 + Math.floor(rest / 1_000_000);
  subMs = rest % 1_000_000;
}

function writeNanos(ms: number, sub: number): void {
  writeInteger(ms);
  reserve(6);
  for (let digit = 5; digit >= 0; digit -= 1) {
    output[length + digit] = 0x30 + (sub % 10);
    sub = Math.floor(sub / 10);
  }
  length += 6;
}

// --- Attribute values

const enum ValueType {
  None,
  String,
  Bool,
  Number,
  Hex,
  Decoded,
}

let valueType = ValueType.None;
let valueStart = 0;
let valueEnd = 0;
let valueBool = false;
let valueNumber = 0;
let valueDecoded: AttributeValue = '';

/** An `AnyValue` message: the last known field wins, as in `readAnyValue`. */
function readValue(start: number, end: number): void {
  valueType = ValueType.None;
  position = start;
  while (position < end) {
    readTag();
    if (field === 1 && wireType === 2) {
      valueStart = delimited(end);
      valueEnd = position;
      valueType = ValueType.String;
    } else if (field === 2 && wireType === 0) {
      valueBool = varint() !== 0;
      valueType = ValueType.Bool;
    } else if (field === 3 && wireType === 0) {
      valueNumber = int64();
      valueType = ValueType.Number;
    } else if (field === 4 && wireType === 1) {
      if (position + 8 > end) throw new Error('truncated double');
      valueNumber = bytes.readDoubleLE(position);
      position += 8;
      valueType = ValueType.Number;
    } else if (field === 7 && wireType === 2) {
      valueStart = delimited(end);
      valueEnd = position;
      valueType = ValueType.Hex;
    } else if ((field === 5 || field === 6) && wireType === 2) {
      // Arrays and kvlists: the record decoder reads the whole value (rare, and its rules stay exact).
      const reader = new WireReader(bytes, end);
      reader.position = start;
      const value = readAnyValue(reader);
      position = end;
      if (value === undefined) valueType = ValueType.None;
      else {
        valueType = ValueType.Decoded;
        valueDecoded = value;
      }
      return;
    } else skip(wireType, end);
  }
}

function valueText(): string {
  switch (valueType) {
    case ValueType.String:
      return bytes.toString('utf8', valueStart, valueEnd);
    case ValueType.Bool:
      return valueBool ? 'true' : 'false';
    case ValueType.Number:
      return String(valueNumber);
    case ValueType.Hex:
      return bytes.toString('hex', valueStart, valueEnd);
    default:
      return attributeString(valueDecoded);
  }
}

function writeValue(): void {
  if (valueType === ValueType.String) writeJsonString(valueStart, valueEnd);
  else if (valueType === ValueType.Hex) {
    reserve(2);
    output[length++] = 0x22;
    writeHex(valueStart, valueEnd);
    output[length++] = 0x22;
  } else writeUtf8(JSON.stringify(valueText()));
}

// --- Spans

// Per span, reused: where its attributes, events and links are, and the fact attributes' text.
const attributeStarts: number[] = [];
const attributeEnds: number[] = [];
const keptKeyStarts: number[] = [];
const keptKeyEnds: number[] = [];
const eventRanges: number[] = [];
const linkRanges: number[] = [];
const factTexts: string[] = new Array<string>(FACT_ATTRIBUTES.length).fill('');
const factText = (key: string) => factTexts[FACT_INDEX.get(key)!]!;

const MAX_FAST_ATTRIBUTES = 64;
let keyStart = -1;
let keyEnd = -1;
/** A `KeyValue` message: its key's range and its value (the last of each wins). */
function readKeyValueAt(start: number, end: number): void {
  keyStart = -1;
  keyEnd = -1;
  valueType = ValueType.None;
  position = start;
  while (position < end) {
    readTag();
    if (field === 1 && wireType === 2) {
      keyStart = delimited(end);
      keyEnd = position;
    } else if (field === 2 && wireType === 2) {
      const valueFrom = delimited(end);
      const after = position;
      readValue(valueFrom, after);
      position = after;
    } else skip(wireType, end);
  }
}

/** Whether a key written as it comes would differ from a JS object's: a digit first (array-index keys sort first), non-ASCII, `__proto__`. */
function keyNeedsObject(start: number, end: number): boolean {
  const first = bytes[start]!;
  if (first >= 0x30 && first <= 0x39) return true;
  for (let index = start; index < end; index += 1) if (bytes[index]! >= 0x80) return true;
  return end - start === 9 && bytes.toString('latin1', start, end) === '__proto__';
}

function sameKey(start: number, end: number, otherStart: number, otherEnd: number): boolean {
  if (end - start !== otherEnd - otherStart) return false;
  for (let offset = 0; offset < end - start; offset += 1) if (bytes[start + offset] !== bytes[otherStart + offset]) return false;
  return true;
}

/**
 * Writes the span's attribute map (`{"key":"text",…}`) and fills `factTexts`; returns false
 * (having written nothing) when a JS object would order or merge the keys differently.
 */
function writeAttributesFast(count: number): boolean {
  // Duplicates are looked for pair by pair: past a few dozen keys the object path is cheaper.
  if (count > MAX_FAST_ATTRIBUTES) return false;
  const mapStart = length;
  keptKeyStarts.length = 0;
  keptKeyEnds.length = 0;
  reserve(1);
  output[length++] = 0x7b;
  for (let index = 0; index < count; index += 1) {
    readKeyValueAt(attributeStarts[index]!, attributeEnds[index]!);
    if (keyStart < 0 || keyEnd === keyStart || valueType === ValueType.None) continue;
    let rejected = keyNeedsObject(keyStart, keyEnd);
    for (let kept = 0; !rejected && kept < keptKeyStarts.length; kept += 1) rejected = sameKey(keyStart, keyEnd, keptKeyStarts[kept]!, keptKeyEnds[kept]!);
    if (rejected) {
      length = mapStart;
      return false;
    }
    keptKeyStarts.push(keyStart);
    keptKeyEnds.push(keyEnd);
    if (keptKeyStarts.length > 1) {
      reserve(1);
      output[length++] = 0x2c;
    }
    writeJsonString(keyStart, keyEnd);
    reserve(1);
    output[length++] = 0x3a;
    writeValue();
    const fact = factIndexOf(keyStart, keyEnd);
    if (fact >= 0) factTexts[fact] = valueText();
  }
  reserve(1);
  output[length++] = 0x7d;
  return true;
}

/** The attribute map as the record path builds it (a JS object), for the maps the fast path declines. */
function decodedAttributes(count: number): Record<string, AttributeValue> {
  const attributes: Record<string, AttributeValue> = {};
  for (let index = 0; index < count; index += 1) {
    const reader = new WireReader(bytes, attributeEnds[index]!);
    reader.position = attributeStarts[index]!;
    readKeyValue(reader, attributes);
  }
  return attributes;
}

/** The last fixed64 `field` of a message (0 when none), as the record decoder would read it. */
function lastFixed64(start: number, end: number, wanted: number): void {
  let low = 0;
  let high = 0;
  position = start;
  while (position < end) {
    readTag();
    if (field === wanted && wireType === 1) {
      low = fixed64Low(end);
      high = bytes.readUInt32LE(position + 4);
      position += 8;
    } else skip(wireType, end);
  }
  splitNanos(low, high);
}

/** Events and links: the record decoder's readers, the columns as `spanRowCompact` writes them. */
function writeEventsAndLinks(spanMs: number, spanSub: number): void {
  const eventTimes: string[] = [];
  const eventNames: string[] = [];
  const eventAttributes: Array<Record<string, string>> = [];
  for (let index = 0; index < eventRanges.length; index += 2) {
    const reader = new WireReader(bytes, eventRanges[index + 1]!);
    reader.position = eventRanges[index]!;
    const event = readEvent(reader);
    lastFixed64(eventRanges[index]!, eventRanges[index + 1]!, 1);
    // An event without a plausible time sits at the span's start.
    const [ms, sub] = isValidTime(event.timeMs) ? [wholeMs, subMs] : [spanMs, spanSub];
    eventTimes.push(`${ms}${String(1_000_000 + sub).slice(1)}`);
    eventNames.push(event.name);
    eventAttributes.push(stringMap(event.attributes));
  }
  const linkTraceIds: string[] = [];
  const linkSpanIds: string[] = [];
  const linkAttributes: Array<Record<string, string>> = [];
  for (let index = 0; index < linkRanges.length; index += 2) {
    const reader = new WireReader(bytes, linkRanges[index + 1]!);
    reader.position = linkRanges[index]!;
    const link = readLink(reader);
    if (!link) continue;
    linkTraceIds.push(link.traceId);
    linkSpanIds.push(link.spanId);
    linkAttributes.push(stringMap(link.attributes));
  }
  const columns = JSON.stringify([eventTimes, eventNames, eventAttributes, linkTraceIds, linkSpanIds, linkTraceIds.map(() => ''), linkAttributes]);
  reserve(1);
  output[length++] = 0x2c;
  writeUtf8(columns.slice(1, -1));
  writeLatin1(']\n');
}

/** Checks what the record decoder would read of a rejected span (a malformed part still throws). */
function readRejectedParts(attributeCount: number): void {
  decodedAttributes(attributeCount);
  for (let index = 0; index < eventRanges.length; index += 2) {
    const reader = new WireReader(bytes, eventRanges[index + 1]!);
    reader.position = eventRanges[index]!;
    readEvent(reader);
  }
  for (let index = 0; index < linkRanges.length; index += 2) {
    const reader = new WireReader(bytes, linkRanges[index + 1]!);
    reader.position = linkRanges[index]!;
    readLink(reader);
  }
}

interface ScopePrefix {
  scope: ExportScope;
  /** `"service",{resource},"scope name","scope version",` */
  bytes: Buffer;
}

// The span's status (the last code and the last non-empty message win, over every Status field).
let statusCode = 0;
let messageStart = -1;
let messageEnd = -1;
function readStatus(start: number, end: number): void {
  position = start;
  while (position < end) {
    readTag();
    if (field === 2 && wireType === 2) {
      const messageFrom = delimited(end);
      if (position > messageFrom) {
        messageStart = messageFrom;
        messageEnd = position;
      }
    } else if (field === 3 && wireType === 0) statusCode = varint();
    else skip(wireType, end);
  }
}

/** Encodes one `Span` message; returns its facts, or undefined when the span is rejected. */
function encodeSpan(start: number, end: number, prefix: ScopePrefix): SpanFact | undefined {
  let traceStart = 0;
  let traceEnd = 0;
  let spanStart = 0;
  let spanEnd = 0;
  let parentStart = -1;
  let stateStart = -1;
  let stateEnd = -1;
  let nameStart = 0;
  let nameEnd = 0;
  let kind = 0;
  let startLow = 0;
  let startHigh = 0;
  let endLow = 0;
  let endHigh = 0;
  statusCode = 0;
  messageStart = -1;
  messageEnd = -1;
  let attributeCount = 0;
  eventRanges.length = 0;
  linkRanges.length = 0;
  position = start;
  while (position < end) {
    readTag();
    if (wireType === 2 && field === 9) {
      const from = delimited(end);
      attributeStarts[attributeCount] = from;
      attributeEnds[attributeCount] = position;
      attributeCount += 1;
    } else if (wireType === 2 && field === 1) {
      traceStart = delimited(end);
      traceEnd = position;
    } else if (wireType === 2 && field === 2) {
      spanStart = delimited(end);
      spanEnd = position;
    } else if (wireType === 2 && field === 3) {
      const from = delimited(end);
      if (position > from) {
        stateStart = from;
        stateEnd = position;
      }
    } else if (wireType === 2 && field === 4) {
      const from = delimited(end);
      if (position - from === 8 && !allZero(from, position)) parentStart = from;
    } else if (wireType === 2 && field === 5) {
      nameStart = delimited(end);
      nameEnd = position;
    } else if (wireType === 0 && field === 6) kind = varint();
    else if (wireType === 1 && field === 7) {
      startLow = fixed64Low(end);
      startHigh = bytes.readUInt32LE(position + 4);
      position += 8;
    } else if (wireType === 1 && field === 8) {
      endLow = fixed64Low(end);
      endHigh = bytes.readUInt32LE(position + 4);
      position += 8;
    } else if (wireType === 2 && field === 11) {
      const from = delimited(end);
      eventRanges.push(from, position);
    } else if (wireType === 2 && field === 13) {
      const from = delimited(end);
      linkRanges.push(from, position);
    } else if (wireType === 2 && field === 15) {
      const from = delimited(end);
      const after = position;
      readStatus(from, after);
      position = after;
    } else skip(wireType, end);
  }

  splitNanos(startLow, startHigh);
  const startMs = wholeMs;
  const startSub = subMs;
  const startFloatMs = startMs + startSub / 1e6;
  const valid =
    traceEnd - traceStart === 16 && spanEnd - spanStart === 8 && !allZero(traceStart, traceEnd) && !allZero(spanStart, spanEnd) && isValidTime(startFloatMs);
  if (!valid) {
    readRejectedParts(attributeCount);
    return undefined;
  }

  reserve(128);
  output[length++] = 0x5b;
  output[length++] = 0x22;
  writeNanos(startMs, startSub);
  writeLatin1('","');
  const traceIdAt = length;
  writeHex(traceStart, traceEnd);
  writeLatin1('","');
  const spanIdAt = length;
  writeHex(spanStart, spanEnd);
  writeLatin1('","');
  const parentAt = length;
  if (parentStart >= 0) writeHex(parentStart, parentStart + 8);
  const parentEnd = length;
  writeLatin1('",');
  if (stateStart >= 0) writeJsonString(stateStart, stateEnd);
  else writeLatin1('""');
  writeLatin1(',');
  writeJsonString(nameStart, nameEnd);
  writeLatin1(',');
  writeBytes(SPAN_KIND_QUOTED[kind] ?? SPAN_KIND_QUOTED[0]!);
  writeLatin1(',');
  writeBytes(prefix.bytes);
  const traceId = output.toString('latin1', traceIdAt, traceIdAt + 32);
  const spanId = output.toString('latin1', spanIdAt, spanIdAt + 16);
  const parentSpanId = output.toString('latin1', parentAt, parentEnd);

  factTexts.fill('');
  if (!writeAttributesFast(attributeCount)) {
    const attributes = decodedAttributes(attributeCount);
    writeUtf8(JSON.stringify(stringMap(attributes)));
    for (const [index, key] of FACT_ATTRIBUTES.entries()) {
      const value = attributes[key];
      factTexts[index] = value === undefined ? '' : attributeString(value);
    }
  }
  splitNanos(endLow, endHigh);
  // An end before the start (or unset) is a zero-length span.
  const durationNanos = wholeMs > startMs || (wholeMs === startMs && subMs > startSub) ? (wholeMs - startMs) * 1_000_000 + (subMs - startSub) : 0;
  writeLatin1(',');
  if (durationNanos <= Number.MAX_SAFE_INTEGER) writeInteger(durationNanos);
  else writeLatin1(String(durationNanos));
  writeLatin1(',');
  writeBytes(STATUS_CODE_QUOTED[statusCode] ?? STATUS_CODE_QUOTED[0]!);
  writeLatin1(',');
  if (messageStart >= 0) writeJsonString(messageStart, messageEnd);
  else writeLatin1('""');
  if (eventRanges.length === 0 && linkRanges.length === 0) writeBytes(NO_EVENTS_OR_LINKS);
  else writeEventsAndLinks(startMs, startSub);
  return spanFactOf(traceId, spanId, parentSpanId, prefix.scope.serviceName, startFloatMs, statusCode, factText);
}

/** The rows written, in a buffer of their own (the output buffer is reused; Buffer.from would copy byte by byte). */
function rowsCopy(): Buffer {
  const rows = Buffer.allocUnsafeSlow(length);
  output.copy(rows, 0, 0, length);
  return rows;
}

/**
 * Encodes an OTLP/protobuf `ExportTraceServiceRequest` (already decompressed) as `otel_traces`
 * rows. Throws (a plain Error) where `decodeOtlpProtobufRequest` throws: the body is not an export
 * request. Spans without valid ids or start time are rejected and counted.
 */
export function encodeProtobufRows(body: Uint8Array): ProtobufRows {
  bytes = Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  length = 0;
  reserve(body.length * 2 + 1024);
  const facts: SpanFact[] = [];
  let rejected = 0;
  let prefix: ScopePrefix | undefined;
  try {
    forEachSpanMessage(bytes, (reader, scope) => {
      if (prefix?.scope !== scope) {
        const text = `${JSON.stringify(scope.serviceName)},${JSON.stringify(stringMap(scope.resource))},${JSON.stringify(scope.scopeName)},${JSON.stringify(scope.scopeVersion)},`;
        prefix = { scope, bytes: Buffer.from(text, 'utf8') };
      }
      const fact = encodeSpan(reader.position, reader.end, prefix);
      if (fact) facts.push(fact);
      else rejected += 1;
    });
    return {
      lines: rowsCopy(),
      accepted: facts.length,
      facts,
      rejected,
      reasons: rejected > 0 ? [INVALID_SPAN_REASON] : [],
    };
  } finally {
    bytes = Buffer.alloc(0);
    // A large request's buffer is not kept for the next one.
    if (output.length > KEPT_OUTPUT_BYTES) output = Buffer.allocUnsafe(1 << 16);
  }
}
