// The receiver and the API against hostile and malformed input (OTLP/HTTP spec:
// https://opentelemetry.io/docs/specs/otlp/#otlphttp — 400 for bad data, 413 too large, 415
// unsupported media type, partial success with rejected_spans).
import { request as httpRequest } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Readable } from 'node:stream';
import { createGzip, deflateSync, gzipSync } from 'node:zlib';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeSpanRecords } from '../otlp/encode-records';
import { createEmbeddedEngine } from '../store/engine';
import { openTraceStore, type TraceStore } from '../store/trace-store';
import { generateSyntheticSpans } from '../synthetic';
import { startViewerServer, type ViewerServer } from './server';

const directory = mkdtempSync(join(tmpdir(), 'servedby-receiver-test-'));
let store: TraceStore;
let viewer: ViewerServer;
const MAX_WIRE = 2 * 1024 * 1024;
const MAX_BODY = 8 * 1024 * 1024;

function sdkSpans(count: number) {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ resource: resourceFromAttributes({ 'service.name': 'receiver-test' }), spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const tracer = provider.getTracer('receiver-test');
  for (let index = 0; index < count; index += 1) {
    tracer.startSpan(`chat ${index}`, { attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.route.upstream': 'together', 'gen_ai.request.model': 'm' } }).end();
  }
  return exporter.getFinishedSpans();
}

async function post(body: Uint8Array | string, headers: Record<string, string>): Promise<Response> {
  return fetch(`${viewer.url}/v1/traces`, { method: 'POST', headers, body: body as BodyInit });
}

/** A raw request that declares a length and sends only a little of it, for the 413-before-reading check. */
function declareLength(length: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(`${viewer.url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': String(length) } }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    request.on('error', reject);
    request.write('{"resourceSpans":[');
  });
}

async function gzipBomb(bytes: number): Promise<Buffer> {
  const chunk = Buffer.alloc(1024 * 1024);
  let sent = 0;
  const source = new Readable({
    read() {
      if (sent >= bytes) return this.push(null);
      sent += chunk.length;
      this.push(chunk);
    },
  });
  const parts: Buffer[] = [];
  for await (const part of source.pipe(createGzip({ level: 1 }))) parts.push(part as Buffer);
  return Buffer.concat(parts);
}

beforeAll(async () => {
  store = await openTraceStore({ engine: createEmbeddedEngine(directory), database: 'receiver' });
  viewer = await startViewerServer({ store, port: 0, maxWireBytes: MAX_WIRE, maxBodyBytes: MAX_BODY });
});

afterAll(async () => {
  await viewer?.close();
  await store?.close();
  rmSync(directory, { recursive: true, force: true });
});

describe('the OTLP/HTTP receiver', () => {
  it('stores what the OTel SDK serializers send, as JSON, protobuf, gzip and deflate', async () => {
    const spans = sdkSpans(3);
    const json = Buffer.from(JsonTraceSerializer.serializeRequest(spans as never)!);
    const protobuf = Buffer.from(ProtobufTraceSerializer.serializeRequest(spans as never)!);
    const jsonAnswer = await post(json, { 'content-type': 'application/json' });
    expect(jsonAnswer.status).toBe(200);
    expect(await jsonAnswer.json()).toEqual({});
    const protobufAnswer = await post(gzipSync(protobuf), { 'content-type': 'application/x-protobuf', 'content-encoding': 'gzip' });
    expect(protobufAnswer.status).toBe(200);
    expect(protobufAnswer.headers.get('content-type')).toBe('application/x-protobuf');
    expect((await protobufAnswer.arrayBuffer()).byteLength).toBe(0);
    expect((await post(deflateSync(json), { 'content-type': 'application/json; charset=utf-8', 'content-encoding': 'deflate' })).status).toBe(200);
    await viewer.flush();
    const traces = await (await fetch(`${viewer.url}/api/traces?filter=${encodeURIComponent('service.name = receiver-test')}&limit=10`)).json();
    // The same three spans, sent three ways.
    expect(traces.total).toBe(9);
  });

  it('answers 415 to other content types (a cross-site text/plain or form POST stores nothing)', async () => {
    const body = JSON.stringify({ resourceSpans: [] });
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/jsonx']) {
      expect((await post(body, { 'content-type': type })).status, type).toBe(415);
    }
    expect((await fetch(`${viewer.url}/v1/traces`, { method: 'POST', body: new Uint8Array([1]) })).status).toBe(415);
    expect((await post(body, { 'content-type': 'application/json', 'content-encoding': 'br' })).status).toBe(415);
  });

  it('answers 400 to bodies that are not an export request', async () => {
    const cases: Array<[string | Uint8Array, Record<string, string>]> = [
      ['{"resourceSpans":', { 'content-type': 'application/json' }],
      ['{"resourceSpans":"nope"}', { 'content-type': 'application/json' }],
      ['[1,2,3]', { 'content-type': 'application/json' }],
      ['"text"', { 'content-type': 'application/json' }],
      ['null', { 'content-type': 'application/json' }],
      [new Uint8Array([0x0a, 0xff, 0xff, 0xff, 0x0f, 1, 2]), { 'content-type': 'application/x-protobuf' }],
      [new Uint8Array([0x0f]), { 'content-type': 'application/x-protobuf' }],
      [Buffer.from('not gzip at all'), { 'content-type': 'application/json', 'content-encoding': 'gzip' }],
      [gzipSync('{"resourceSpans":[]}').subarray(0, 12), { 'content-type': 'application/json', 'content-encoding': 'gzip' }],
      [Buffer.from('not deflate'), { 'content-type': 'application/json', 'content-encoding': 'deflate' }],
    ];
    for (const [body, headers] of cases) {
      const answer = await post(body, headers);
      expect(answer.status, String(body).slice(0, 40)).toBe(400);
    }
  });

  it('keeps the valid spans and reports the invalid ones as partial success', async () => {
    const valid = { traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), name: 'kept', startTimeUnixNano: '1796461200000000000', endTimeUnixNano: '1796461200100000000' };
    const body = {
      resourceSpans: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'partial' } }] },
          scopeSpans: [
            {
              spans: [
                valid,
                { spanId: 'c'.repeat(16), name: 'no trace id' },
                { traceId: 'zz', spanId: 'd'.repeat(16) },
                { traceId: '0'.repeat(32), spanId: 'e'.repeat(16) },
                { traceId: 'a'.repeat(32), spanId: 'f'.repeat(16), startTimeUnixNano: 'soon' },
                { traceId: 'a'.repeat(32), spanId: '2'.repeat(16), startTimeUnixNano: '1000000' },
                'not a span',
                { traceId: 'a'.repeat(32), spanId: '1'.repeat(16), attributes: 'nope' },
              ],
            },
            { spans: 'nope' },
          ],
        },
      ],
    };
    const answer = await post(JSON.stringify(body), { 'content-type': 'application/json' });
    expect(answer.status).toBe(200);
    const result = await answer.json();
    expect(result.partialSuccess.rejectedSpans).toBe('8');
    expect(result.partialSuccess.errorMessage).toMatch(/traceId/);
    await viewer.flush();
    const stored = await (await fetch(`${viewer.url}/api/traces/${'a'.repeat(32)}`)).json();
    expect(stored.spans.map((span: { name: string }) => span.name)).toEqual(['kept']);

    // Protobuf: a span with a 3-byte trace id is rejected, reported in ExportTracePartialSuccess.
    const bad = Buffer.from([0x0a, 0x0d, 0x12, 0x0b, 0x12, 0x09, 0x0a, 0x03, 1, 2, 3, 0x12, 0x02, 1, 2]);
    const protobufAnswer = await post(bad, { 'content-type': 'application/x-protobuf' });
    expect(protobufAnswer.status).toBe(200);
    const bytes = Buffer.from(await protobufAnswer.arrayBuffer());
    // field 1 (partial_success) → field 1 (rejected_spans) = 1
    expect([...bytes.subarray(0, 4)]).toEqual([0x0a, bytes[1], 0x08, 0x01]);
  });

  it('answers 413 before reading a body declared too large, and to a chunked body that grows too large', async () => {
    expect(await declareLength(MAX_WIRE + 1)).toBe(413);
    const big = Buffer.alloc(MAX_WIRE + 1024, 0x20);
    const stream = new ReadableStream({
      start(controller) {
        controller.enqueue(big);
        controller.close();
      },
    });
    const answer = await fetch(`${viewer.url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: stream, duplex: 'half' } as RequestInit);
    expect(answer.status).toBe(413);
  });

  it('stops a gzip bomb at the decompressed limit with 413, serving other requests meanwhile', async () => {
    const bomb = await gzipBomb(256 * 1024 * 1024);
    expect(bomb.length).toBeLessThan(MAX_WIRE);
    const rssBefore = process.memoryUsage().rss;
    const bombAnswer = post(bomb, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
    const started = performance.now();
    const other = await fetch(`${viewer.url}/api/summary`);
    const otherMs = performance.now() - started;
    expect(other.status).toBe(200);
    expect(otherMs).toBeLessThan(1_000);
    expect((await bombAnswer).status).toBe(413);
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(200 * 1024 * 1024);
  });

  it('keeps the event loop free while a large export is decoded and stored', async () => {
    const spans = generateSyntheticSpans({ traces: 2_500, evalRuns: 0 });
    const body = encodeSpanRecords(spans);
    expect(body.length).toBeLessThan(MAX_BODY);
    // On a shared machine the OS alone delays a runnable thread (and the test's own garbage
    // collection pauses it): an idle baseline over the same time measures that, and of three
    // attempts the best may add at most 100 ms to it. A receiver that blocked would do so every time.
    const gzipped = gzipSync(body);
    const excess: number[] = [];
    const baselines: number[] = [];
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const baseline = monitorEventLoopDelay({ resolution: 5 });
      baseline.enable();
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      baseline.disable();
      const histogram = monitorEventLoopDelay({ resolution: 5 });
      histogram.enable();
      const answer = await post(gzipped, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
      await viewer.flush();
      histogram.disable();
      expect(answer.status).toBe(200);
      excess.push((histogram.max - baseline.max) / 1e6);
      baselines.push(baseline.max / 1e6);
      if (excess.at(-1)! < 100) break;
    }
    // The decode, the row encoding and the structure rules run in the ingest worker, the insert in
    // the engine's threads. When the machine alone stalls an idle event loop by more than 100 ms
    // (a load average of 30 on two cores), the bound is loosened to 250 ms and says so.
    const overloaded = Math.min(...baselines) > 100;
    if (overloaded) console.warn(`event-loop test: the idle baseline was ${Math.min(...baselines).toFixed(0)} ms; bound loosened to 250 ms`);
    expect(Math.min(...excess)).toBeLessThan(overloaded ? 250 : 100);
  });
});

describe('the API', () => {
  it('validates every parameter: 400 with a message, never 500', async () => {
    const bad = [
      '/api/drift?bucket=-5',
      '/api/drift?bucket=abc',
      '/api/drift?bucket=1',
      '/api/drift?bucket=1000&from=0&to=86400000000',
      '/api/drift?from=10&to=5',
      '/api/topology?from=1e400',
      '/api/traces?limit=0',
      '/api/traces?limit=100000',
      '/api/traces?offset=-1',
      `/api/traces?filter=${encodeURIComponent('= together')}`,
      `/api/traces?filter=${encodeURIComponent('gen_ai.route.upstream =')}`,
      `/api/traces?filter=${encodeURIComponent('"unclosed = x')}`,
      '/api/traces/%ZZ',
      '/api/traces/xyz',
      '/api/eval?from=abc',
    ];
    for (const path of bad) {
      const answer = await fetch(`${viewer.url}${path}`);
      expect(answer.status, path).toBe(400);
      expect((await answer.json()).error, path).toEqual(expect.any(String));
    }
    const filterAnswer = await (await fetch(`${viewer.url}/api/traces?filter=${encodeURIComponent('= together')}`)).json();
    expect(filterAnswer.filterErrors[0].message).toMatch(/missing attribute name/);
    expect((await fetch(`${viewer.url}/api/traces/${'f'.repeat(32)}`)).status).toBe(404);
    expect((await fetch(`${viewer.url}/api/nothing`)).status).toBe(404);
    expect((await fetch(`${viewer.url}/v1/traces`)).status).toBe(405);
  });

  it('groups queued spans into one insert, and flush and close store what is still waiting', async () => {
    let inserts = 0;
    const counting: TraceStore = Object.create(store, {
      insertEncoded: { value: (...args: Parameters<TraceStore['insertEncoded']>) => ((inserts += 1), store.insertEncoded(...args)) },
    });
    // Waits up to ten minutes for a million spans: only flush and close can end the wait here.
    const grouping = await startViewerServer({ store: counting, port: 0, insertBatchSpans: 1_000_000, insertLingerMs: 600_000 });
    const send = async () => {
      const answer = await fetch(`${grouping.url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body: ProtobufTraceSerializer.serializeRequest(sdkSpans(3) as never)! as BodyInit });
      expect(answer.status).toBe(200);
    };
    try {
      const before = (await store.summary()).spans;
      await send();
      await send();
      expect((await store.summary()).spans).toBe(before);
      await grouping.flush();
      expect(inserts).toBe(1);
      expect((await store.summary()).spans).toBe(before + 6);
      await send();
    } finally {
      await grouping.close();
    }
    expect(inserts).toBe(2);
  });

  it('bounds the drift windows by the range: at most about 2,000', async () => {
    await store.insert(generateSyntheticSpans({ traces: 400, evalRuns: 0 }));
    const drift = await (await fetch(`${viewer.url}/api/drift`)).json();
    expect(drift.minBucketMs).toBeGreaterThan(0);
    const atFloor = await fetch(`${viewer.url}/api/drift?bucket=${Math.ceil(drift.minBucketMs / 1000) * 1000}`);
    expect(atFloor.status).toBe(200);
    expect((await atFloor.json()).series[0].buckets.length).toBeLessThanOrEqual(2_001);
    expect((await fetch(`${viewer.url}/api/drift?bucket=${drift.minBucketMs - 1000}`)).status).toBe(400);
  });
});
