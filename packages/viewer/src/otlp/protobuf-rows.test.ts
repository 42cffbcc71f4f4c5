import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { protobufBodies } from '../../bench/protobuf-bodies';
import { encodeExportRequest } from '../server/ingest-encode';
import { createStructureTracker } from '../store/marks';
import { spanFact, spanRowCompact } from '../store/rows';
import { generateSyntheticSpans } from '../synthetic';
import { UndecodableRequestError } from './decode-json';
import { decodeOtlpProtobufRequest } from './decode-protobuf';
import { encodeProtobufRows } from './protobuf-rows';

// The record path (decode to SpanRecords, then spanRowCompact / spanFact) is the reference: the
// wire encoder must write the same rows and facts, throw on the same bodies and reject the same spans.
/** One row as the tokens of each of its columns: order-sensitive (a parsed object would hide the key order of a map). */
type Row = string[][];
type Outcome = { threw: true } | { threw: false; rows: Row[]; facts: unknown[]; rejected: number; reasons: string[] };

const JSON_TOKEN = /"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null|[[\]{}:,]/g;
function columnsOf(line: string): Row {
  expect(() => JSON.parse(line)).not.toThrow();
  const tokens = line.match(JSON_TOKEN)!;
  expect(tokens.join('')).toBe(line);
  const columns: string[][] = [[]];
  let depth = 0;
  for (const token of tokens.slice(1, -1)) {
    if (token === ',' && depth === 0) {
      columns.push([]);
      continue;
    }
    if (token === '[' || token === '{') depth += 1;
    if (token === ']' || token === '}') depth -= 1;
    columns.at(-1)!.push(token);
  }
  return columns;
}

function recordPath(body: Uint8Array): Outcome {
  try {
    const decoded = decodeOtlpProtobufRequest(body);
    return {
      threw: false,
      rows: decoded.spans.map((span) => columnsOf(spanRowCompact(span))),
      facts: decoded.spans.map(spanFact),
      rejected: decoded.rejected,
      reasons: decoded.reasons,
    };
  } catch {
    return { threw: true };
  }
}

function wirePath(body: Uint8Array): Outcome {
  let encoded;
  try {
    encoded = encodeProtobufRows(body);
  } catch (error) {
    expect(error).toBeInstanceOf(Error);
    return { threw: true };
  }
  const text = encoded.lines.toString('utf8');
  // Valid UTF-8 throughout (the record path re-encodes decoded text, so bad bytes arrive as U+FFFD).
  expect(Buffer.from(text, 'utf8').equals(encoded.lines)).toBe(true);
  expect(text === '' || text.endsWith('\n')).toBe(true);
  const rows = text === '' ? [] : text.slice(0, -1).split('\n').map(columnsOf);
  return { threw: false, rows, facts: encoded.facts, rejected: encoded.rejected, reasons: encoded.reasons };
}

// Timestamp (0), Duration (12) and Events.Timestamp (15): the record path goes through fractional
// milliseconds (a few hundred nanoseconds off near 2026, about 1 µs near 2200); the wire path is exact.
const TIME_COLUMNS = new Set([0, 12, 15]);
function closeNanos(reference: string, exact: string): boolean {
  const value = (token: string) => BigInt(token.replaceAll('"', ''));
  const difference = value(reference) - value(exact);
  const tolerance = 4_000n + value(exact) / 1_000_000_000n;
  return difference <= tolerance && difference >= -tolerance;
}

function expectSameOutcome(body: Uint8Array): Outcome {
  const reference = recordPath(body);
  const wire = wirePath(body);
  expect(wire.threw).toBe(reference.threw);
  if (reference.threw || wire.threw) return wire;
  expect(wire.rejected).toBe(reference.rejected);
  expect(wire.reasons).toEqual(reference.reasons);
  expect(wire.facts).toEqual(reference.facts);
  expect(wire.rows.length).toBe(reference.rows.length);
  for (const [index, row] of wire.rows.entries()) {
    const expected = reference.rows[index]!;
    expect(row.length).toBe(22);
    for (const [column, tokens] of row.entries()) {
      if (!TIME_COLUMNS.has(column)) {
        expect(tokens.join(''), `column ${column}`).toBe(expected[column]!.join(''));
        continue;
      }
      expect(tokens.length).toBe(expected[column]!.length);
      for (const [at, token] of tokens.entries()) {
        if (/^"?\d/.test(token)) expect(closeNanos(expected[column]![at]!, token), `column ${column}: ${expected[column]![at]} vs ${token}`).toBe(true);
        else expect(token).toBe(expected[column]![at]);
      }
    }
  }
  return wire;
}

// --- A protobuf writer for the generated requests (field numbers from opentelemetry-proto).

type Field = Uint8Array;
const concat = (parts: readonly Uint8Array[]) => new Uint8Array(Buffer.concat(parts));
function varintBytes(value: bigint): Uint8Array {
  const bytes: number[] = [];
  let rest = BigInt.asUintN(64, value);
  do {
    let byte = Number(rest & 0x7fn);
    rest >>= 7n;
    if (rest > 0n) byte |= 0x80;
    bytes.push(byte);
  } while (rest > 0n);
  return new Uint8Array(bytes);
}
const tag = (field: number, wireType: number) => varintBytes(BigInt(field * 8 + wireType));
const lengthField = (field: number, content: Uint8Array): Field => concat([tag(field, 2), varintBytes(BigInt(content.length)), content]);
const varintField = (field: number, value: bigint): Field => concat([tag(field, 0), varintBytes(value)]);
function fixed64Field(field: number, value: bigint): Field {
  const bytes = Buffer.alloc(8);
  bytes.writeBigUInt64LE(BigInt.asUintN(64, value));
  return concat([tag(field, 1), bytes]);
}
function doubleField(field: number, value: number): Field {
  const bytes = Buffer.alloc(8);
  bytes.writeDoubleLE(value);
  return concat([tag(field, 1), bytes]);
}
const text = (value: string) => new Uint8Array(Buffer.from(value, 'utf8'));

// Strings that need JSON escaping, multi-byte UTF-8, and byte sequences that are not UTF-8.
const hostileText = fc.oneof(
  fc.string({ maxLength: 12 }).map(text),
  fc.string({ unit: 'grapheme', maxLength: 6 }).map(text),
  fc.string({ unit: 'binary', maxLength: 6 }).map(text),
  fc.constantFrom('\u0001', '\u001f', '\r\n', '\b\f').map(text),
  fc.constantFrom('say "hi"\\n', 'tab\there', 'nul\u0000', 'line\u2028sep', 'é✓😀', '\u007f', '').map(text),
  fc.uint8Array({ maxLength: 8 }),
  fc.constantFrom(new Uint8Array([0xff]), new Uint8Array([0xc3]), new Uint8Array([0xed, 0xa0, 0x80]), new Uint8Array([0xf0, 0x9f, 0x98])),
);
const attributeKey = fc.oneof(
  fc.constantFrom(
    'gen_ai.operation.name', 'gen_ai.route.gateway', 'gen_ai.route.upstream', 'gen_ai.request.model', 'gen_ai.usage.cost',
    'gen_ai.route.policy_hash', 'gen_ai.route.error_source', 'gen_ai.route.cache_hit', 'gen_ai.provider.name', 'gen_ai.system',
    'service.name', '0', '12', '01', '__proto__', 'constructor', 'a"b', 'ключ', '',
  ).map(text),
  hostileText,
);
const operationValue = fc.constantFrom('chat', 'embeddings', 'text_completion', 'generate_content', 'invoke_agent').map(text);
type AnyValueArbitrary = fc.Arbitrary<Uint8Array>;
const { anyValue } = fc.letrec<{ anyValue: Uint8Array; keyValue: Uint8Array }>((tie) => ({
  anyValue: fc
    .array(
      fc.oneof(
        { weight: 4, arbitrary: fc.oneof(hostileText, operationValue).map((value) => lengthField(1, value)) },
        { weight: 1, arbitrary: fc.boolean().map((value) => varintField(2, value ? 1n : 0n)) },
        { weight: 2, arbitrary: fc.oneof(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), fc.integer({ min: -1000, max: 1000 }).map(BigInt)).map((value) => varintField(3, value)) },
        { weight: 1, arbitrary: fc.oneof(fc.double(), fc.constantFrom(0.25, -0, Number.NaN, Number.POSITIVE_INFINITY, 1e21, 5e-324)).map((value) => doubleField(4, value)) },
        { weight: 1, arbitrary: fc.array(tie('anyValue') as AnyValueArbitrary, { maxLength: 3 }).map((items) => lengthField(5, concat(items.map((item) => lengthField(1, item))))) },
        { weight: 1, arbitrary: fc.array(tie('keyValue') as AnyValueArbitrary, { maxLength: 3 }).map((items) => lengthField(6, concat(items.map((item) => lengthField(1, item))))) },
        { weight: 1, arbitrary: fc.uint8Array({ maxLength: 6 }).map((value) => lengthField(7, value)) },
        { weight: 1, arbitrary: fc.constant(varintField(9, 5n)) },
      ),
      { maxLength: 2 },
    )
    .map(concat),
  keyValue: fc.tuple(attributeKey, tie('anyValue') as AnyValueArbitrary).map(([key, value]) => concat([lengthField(1, key), lengthField(2, value)])),
}));
const keyValue = fc.tuple(attributeKey, anyValue).map(([key, value]) => concat([lengthField(1, key), lengthField(2, value)]));

const id = (size: number) =>
  fc.oneof({ weight: 8, arbitrary: fc.uint8Array({ minLength: size, maxLength: size }) }, { weight: 1, arbitrary: fc.constant(new Uint8Array(size)) }, { weight: 1, arbitrary: fc.uint8Array({ maxLength: 20 }) });
const NANOS_2026 = 1_796_392_565_770_123_456n;
const nanos = fc.oneof(
  { weight: 6, arbitrary: fc.bigInt({ min: NANOS_2026 - 10n ** 15n, max: NANOS_2026 + 10n ** 15n }) },
  { weight: 1, arbitrary: fc.constantFrom(0n, 946_684_800_000_000_000n, 946_684_799_999_999_999n, 7_258_118_399_999_999_999n, 7_258_118_400_000_000_000n, 2n ** 64n - 1n) },
  { weight: 1, arbitrary: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }) },
);
const event = fc
  .tuple(fc.option(nanos, { nil: undefined }), hostileText, fc.array(keyValue, { maxLength: 2 }))
  .map(([time, name, attributes]) => concat([...(time === undefined ? [] : [fixed64Field(1, time)]), lengthField(2, name), ...attributes.map((attribute) => lengthField(3, attribute))]));
const link = fc
  .tuple(id(16), id(8), fc.array(keyValue, { maxLength: 2 }))
  .map(([traceId, spanId, attributes]) => concat([lengthField(1, traceId), lengthField(2, spanId), ...attributes.map((attribute) => lengthField(4, attribute))]));
const spanFields = fc.tuple(
  id(16),
  id(8),
  fc.option(id(8), { nil: undefined }),
  fc.option(hostileText, { nil: undefined }),
  hostileText,
  fc.oneof(fc.integer({ min: 0, max: 7 }).map(BigInt), fc.constant(2n ** 40n)),
  nanos,
  fc.option(nanos, { nil: undefined }),
  fc.array(keyValue, { maxLength: 8 }),
  fc.array(event, { maxLength: 2 }),
  fc.array(link, { maxLength: 2 }),
  fc.option(fc.tuple(fc.option(hostileText, { nil: undefined }), fc.integer({ min: 0, max: 4 })), { nil: undefined }),
  // Unknown fields (dropped counts, flags, future fields), and known fields with the wrong wire
  // type (trace id as a varint, name as fixed64, kind as bytes, start as bytes, status as a varint,
  // attributes as fixed32): all skipped.
  fc.array(
    fc.constantFrom(
      varintField(10, 3n), fixed64Field(16, 7n), lengthField(99, new Uint8Array([1, 2])), concat([tag(17, 5), new Uint8Array(4)]),
      varintField(1, 5n), fixed64Field(5, 1n), lengthField(6, new Uint8Array([3])), lengthField(7, new Uint8Array(8)), varintField(15, 2n), concat([tag(9, 5), new Uint8Array(4)]),
    ),
    { maxLength: 3 },
  ),
);
const span = fc
  .tuple(spanFields, fc.boolean())
  .map(([[traceId, spanId, parent, state, name, kind, start, end, attributes, events, links, status, unknown], reversed]) => {
    const fields = [
      lengthField(1, traceId),
      lengthField(2, spanId),
      ...(state === undefined ? [] : [lengthField(3, state)]),
      ...(parent === undefined ? [] : [lengthField(4, parent)]),
      lengthField(5, name),
      varintField(6, kind),
      fixed64Field(7, start),
      ...(end === undefined ? [] : [fixed64Field(8, end)]),
      ...attributes.map((attribute) => lengthField(9, attribute)),
      ...events.map((item) => lengthField(11, item)),
      ...links.map((item) => lengthField(13, item)),
      ...(status === undefined ? [] : [lengthField(15, concat([...(status[0] === undefined ? [] : [lengthField(2, status[0])]), varintField(3, BigInt(status[1]))]))]),
      ...unknown,
    ];
    // Protobuf allows fields in any order.
    return concat(reversed ? fields.reverse() : fields);
  });
const scopeSpans = fc
  .tuple(fc.option(fc.tuple(hostileText, fc.option(hostileText, { nil: undefined })), { nil: undefined }), fc.array(span, { maxLength: 4 }))
  .map(([scope, spans]) =>
    concat([
      ...(scope === undefined ? [] : [lengthField(1, concat([lengthField(1, scope[0]), ...(scope[1] === undefined ? [] : [lengthField(2, scope[1])])]))]),
      ...spans.map((item) => lengthField(2, item)),
    ]),
  );
const resourceSpans = fc
  .tuple(fc.array(keyValue, { maxLength: 3 }), fc.option(operationValue, { nil: undefined }), fc.array(scopeSpans, { maxLength: 2 }), fc.boolean())
  .map(([attributes, service, scopes, resourceLast]) => {
    const resource = lengthField(1, concat([...(service ? [lengthField(1, concat([lengthField(1, text('service.name')), lengthField(2, lengthField(1, service))]))] : []), ...attributes.map((attribute) => lengthField(1, attribute))]));
    const scopeFields = scopes.map((scope) => lengthField(2, scope));
    return concat(resourceLast ? [...scopeFields, resource] : [resource, ...scopeFields]);
  });
const request = fc.array(resourceSpans, { minLength: 1, maxLength: 2 }).map((items) => concat(items.map((item) => lengthField(1, item))));

// Hostile bytes: cut short, a byte changed, bytes inserted, a huge length, or noise.
const mutated = fc.oneof(
  fc.tuple(request, fc.double({ min: 0, max: 1, noNaN: true })).map(([body, at]) => body.subarray(0, Math.floor(body.length * at))),
  fc.tuple(request, fc.nat(), fc.integer({ min: 0, max: 255 })).map(([body, at, byte]) => {
    const copy = new Uint8Array(body);
    if (copy.length) copy[at % copy.length] = byte;
    return copy;
  }),
  fc.tuple(request, fc.nat(), fc.uint8Array({ minLength: 1, maxLength: 6 })).map(([body, at, bytes]) => concat([body.subarray(0, at % (body.length + 1)), bytes, body.subarray(at % (body.length + 1))])),
  fc.tuple(request, fc.constantFrom(2n ** 31n, 2n ** 53n, 2n ** 64n - 1n)).map(([body, size]) => concat([body, tag(1, 2), varintBytes(size), new Uint8Array(3)])),
  fc.uint8Array({ maxLength: 64 }),
  fc.constant(concat([tag(1, 2), new Uint8Array(Array.from({ length: 160 }, () => 0x80)), new Uint8Array([0])])),
);

function recordSdkSpans() {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'wire-rows-test', 'deployment.environment': 'test', 'host.cores': 2 }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  const tracer = provider.getTracer('wire-rows-scope', '1.2.3');
  const agent = tracer.startSpan('invoke_agent support');
  const call = tracer.startSpan(
    'chat gpt-4o',
    {
      kind: SpanKind.CLIENT,
      attributes: {
        'gen_ai.operation.name': 'chat',
        'gen_ai.route.gateway': 'openrouter',
        'gen_ai.route.upstream': 'together',
        'gen_ai.route.path': ['openrouter', 'together'],
        'gen_ai.usage.input_tokens': 120,
        'gen_ai.usage.cost': 0.00042,
        'gen_ai.evaluation.score.value': 0.25,
        'gen_ai.route.fallback': true,
        'negative.int': -5,
        'prompt.text': 'say "hello"\n\tthen ✓ 😀',
        'flags': [true, false],
        'scores': [1, 2.5, -3],
      },
      links: [{ context: agent.spanContext(), attributes: { reason: 'scored' } }],
    },
    trace.setSpan(ROOT_CONTEXT, agent),
  );
  call.addEvent('gen_ai.evaluation.result', { 'gen_ai.evaluation.name': 'support', 'gen_ai.evaluation.score.value': 0.5 });
  call.addEvent('retry');
  call.setStatus({ code: SpanStatusCode.ERROR, message: 'upstream "failed"' });
  call.end();
  agent.setStatus({ code: SpanStatusCode.OK });
  agent.end();
  return exporter.getFinishedSpans();
}

describe('protobuf straight to rows', () => {
  it('writes the record path’s rows and facts for the synthetic demo data, in the standard serializer’s bytes', () => {
    const spans = generateSyntheticSpans({ traces: 600, evalRuns: 1, endMs: Date.UTC(2026, 11, 5) });
    let rows = 0;
    for (const body of protobufBodies(spans, 512)) {
      const outcome = expectSameOutcome(body);
      if (!outcome.threw) rows += outcome.rows.length;
    }
    expect(rows).toBe(spans.length);
  });

  it('writes the record path’s rows for SDK spans with every value type, events, links, status and trace state', () => {
    const body = ProtobufTraceSerializer.serializeRequest(recordSdkSpans() as never)!;
    const outcome = expectSameOutcome(body);
    expect(outcome.threw).toBe(false);
    if (outcome.threw) return;
    expect(outcome.rows).toHaveLength(2);
    const call = outcome.rows.map((row) => JSON.parse(`[${row.map((tokens) => tokens.join('')).join(',')}]`) as unknown[]).find((row) => row[5] === 'chat gpt-4o')!;
    expect(call[6]).toBe('SPAN_KIND_CLIENT');
    expect(call[8]).toMatchObject({ 'service.name': 'wire-rows-test', 'deployment.environment': 'test', 'host.cores': '2' });
    expect(call[11]).toMatchObject({ 'gen_ai.route.path': '["openrouter","together"]', 'negative.int': '-5', flags: '[true,false]', 'prompt.text': 'say "hello"\n\tthen ✓ 😀' });
    expect(call[13]).toBe('STATUS_CODE_ERROR');
    expect(call[14]).toBe('upstream "failed"');
    expect(call[16]).toEqual(['gen_ai.evaluation.result', 'retry']);
    expect(call[18] as string[]).toHaveLength(1);
  });

  it('writes timestamps and durations exact to the nanosecond', () => {
    const spanMessage = concat([
      lengthField(1, new Uint8Array(Buffer.from('0af7651916cd43dd8448eb211c80319c', 'hex'))),
      lengthField(2, new Uint8Array(Buffer.from('b7ad6b7169203331', 'hex'))),
      lengthField(5, text('chat')),
      fixed64Field(7, 1_796_392_565_770_123_457n),
      fixed64Field(8, 1_796_392_566_000_000_001n),
      lengthField(11, concat([fixed64Field(1, 1_796_392_565_770_999_999n), lengthField(2, text('first token'))])),
    ]);
    const body = lengthField(1, lengthField(2, lengthField(2, spanMessage)));
    const { lines } = encodeProtobufRows(body);
    const row = JSON.parse(lines.toString('utf8')) as unknown[];
    expect(row[0]).toBe('1796392565770123457');
    expect(row[12]).toBe(229_876_544);
    expect(row[15]).toEqual(['1796392565770999999']);
    expect(row[7]).toBe('unknown');
  });

  it('rejects spans with zero, short or missing ids and out-of-range start times, as the record path does', () => {
    const good = (traceId: Uint8Array, spanId: Uint8Array, start: bigint) =>
      lengthField(2, concat([lengthField(1, traceId), lengthField(2, spanId), lengthField(5, text('s')), fixed64Field(7, start)]));
    const traceId = new Uint8Array(16).fill(1);
    const spanId = new Uint8Array(8).fill(2);
    const body = lengthField(1, lengthField(2, concat([
      good(traceId, spanId, NANOS_2026),
      good(new Uint8Array(16), spanId, NANOS_2026),
      good(traceId, new Uint8Array(8), NANOS_2026),
      good(traceId.subarray(0, 8), spanId, NANOS_2026),
      good(traceId, spanId, 0n),
      good(traceId, spanId, 7_258_118_400_000_000_000n),
    ])));
    const outcome = expectSameOutcome(body);
    expect(outcome).toMatchObject({ threw: false, rejected: 5 });
    expect(encodeExportRequest(body, 'protobuf', createStructureTracker())).toMatchObject({ accepted: 1, rejected: 5 });
  });

  it('writes a span with 20,000 attributes (and 2,000 duplicate keys) as the record path does', () => {
    const attributes = Array.from({ length: 20_000 }, (_, index) =>
      lengthField(9, concat([lengthField(1, text(`key.${index % 18_000}`)), lengthField(2, lengthField(1, text(`value ${index}`)))])),
    );
    const spanMessage = concat([
      lengthField(1, new Uint8Array(16).fill(7)),
      lengthField(2, new Uint8Array(8).fill(9)),
      fixed64Field(7, NANOS_2026),
      ...attributes,
    ]);
    const outcome = expectSameOutcome(lengthField(1, lengthField(2, lengthField(2, spanMessage))));
    expect(outcome.threw).toBe(false);
    if (!outcome.threw) expect(outcome.rows[0]![11]!.filter((token) => token === ':')).toHaveLength(18_000);
  });

  it('ends in the undecodable error on a 4 MiB varint and on array values nested 100,000 deep', () => {
    const giantVarint = concat([tag(1, 2), new Uint8Array(4 * 1024 * 1024).fill(0x80)]);
    // Array values nested 100,000 deep (AnyValue.array_value → ArrayValue.values → …), written
    // outside in: each level's two length prefixes, then the leaf.
    const leaf = lengthField(1, text('leaf'));
    const levels: Array<[number, number]> = [];
    for (let size = leaf.length, depth = 0; depth < 100_000; depth += 1) {
      const arrayValue = 1 + varintBytes(BigInt(size)).length + size;
      levels.push([arrayValue, size]);
      size = 1 + varintBytes(BigInt(arrayValue)).length + arrayValue;
    }
    const nested = concat([...levels.reverse().flatMap(([arrayValue, size]) => [tag(5, 2), varintBytes(BigInt(arrayValue)), tag(1, 2), varintBytes(BigInt(size))]), leaf]);
    const deepSpan = concat([lengthField(1, new Uint8Array(16).fill(1)), lengthField(2, new Uint8Array(8).fill(2)), fixed64Field(7, NANOS_2026), lengthField(9, concat([lengthField(1, text('deep')), lengthField(2, nested)]))]);
    for (const body of [giantVarint, lengthField(1, lengthField(2, lengthField(2, deepSpan)))]) {
      expect(expectSameOutcome(body).threw).toBe(true);
      expect(() => encodeExportRequest(body, 'protobuf', createStructureTracker())).toThrow(UndecodableRequestError);
    }
  });

  it('matches the record path on generated requests (any field order, duplicate and odd keys, every value type)', () => {
    let accepted = 0;
    let rejected = 0;
    fc.assert(
      fc.property(request, (body) => {
        const outcome = expectSameOutcome(body);
        if (!outcome.threw) {
          accepted += outcome.rows.length;
          rejected += outcome.rejected;
        }
      }),
      { numRuns: 1000 },
    );
    // The generator reaches both sides of the validity rules.
    expect(accepted).toBeGreaterThan(500);
    expect(rejected).toBeGreaterThan(50);
  });

  it('on hostile bytes throws exactly where the record path throws, and only the undecodable error from the receiver', () => {
    const outcomes = { threw: 0, decoded: 0 };
    fc.assert(
      fc.property(mutated, (body) => {
        const outcome = expectSameOutcome(body);
        let thrown: unknown;
        try {
          encodeExportRequest(new Uint8Array(body), 'protobuf', createStructureTracker());
        } catch (error) {
          thrown = error;
        }
        if (outcome.threw) expect(thrown).toBeInstanceOf(UndecodableRequestError);
        else expect(thrown).toBeUndefined();
        outcomes[outcome.threw ? 'threw' : 'decoded'] += 1;
      }),
      { numRuns: 1500 },
    );
    expect(outcomes.threw).toBeGreaterThan(100);
    expect(outcomes.decoded).toBeGreaterThan(100);
  });
});
