import { context, trace } from '@opentelemetry/api';
import {
  createContextManager,
  createInMemorySpanExporter,
  createSimpleSpanProcessor,
  createTracerProvider,
} from '@servedby/test-otel';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureRouteFetch, runWithRouteCapture, type RouteCapture } from './capture-route-fetch';

const contextManager = createContextManager();
beforeAll(() => {
  context.setGlobalContextManager(contextManager.enable());
});
afterAll(() => {
  contextManager.disable();
  context.disable();
});

const encoder = new TextEncoder();

/** Bodies the wire can bring: binary noise, invalid UTF-8, truncated SSE, truncated JSON. */
const bodyChunks = fc.oneof(
  fc.array(fc.uint8Array({ maxLength: 2048 }), { maxLength: 8 }),
  fc.array(fc.constantFrom(0xc3, 0x28, 0xa0, 0xa1, 0xe2, 0x82, 0xf0, 0x9f, 0xff, 0xfe, 0x00, 0x0a), { maxLength: 600 }).map((bytes) => [
    Uint8Array.from(bytes),
  ]),
  fc
    .tuple(fc.array(fc.json(), { maxLength: 6 }), fc.nat({ max: 4000 }), fc.boolean())
    .map(([events, cut, comments]) => {
      const sse = events.map((event) => `${comments ? ': OPENROUTER PROCESSING\n\n' : ''}data: ${event}\n\n`).join('');
      const truncated = encoder.encode(sse).subarray(0, cut);
      return [truncated.subarray(0, truncated.length >> 1), truncated.subarray(truncated.length >> 1)];
    }),
  fc.tuple(fc.json(), fc.nat({ max: 200 })).map(([json, cut]) => [encoder.encode(`  \n${json}`.slice(0, cut))]),
);

const contentTypes = fc.constantFrom(
  'application/json',
  'text/event-stream',
  'application/octet-stream',
  'text/plain; charset=latin1',
  undefined,
);

const headerValues = fc.oneof(
  fc.string({ maxLength: 64 }).map((value) => value.replace(/[^\x20-\x7e]/g, '')),
  fc.constant('v'.repeat(1024 * 1024)),
);

const exchange = fc.record({
  chunks: bodyChunks,
  contentType: contentTypes,
  status: fc.integer({ min: 200, max: 599 }).filter((status) => ![204, 205, 304].includes(status)),
  headers: fc.dictionary(fc.constantFrom('x-generation-id', 'x-litellm-model-name', 'x-ms-region', 'apim-request-id', 'x-custom'), headerValues),
  mode: fc.constantFrom('sink', 'own-span', 'active-span'),
  lookAheadBytes: fc.constantFrom(undefined, 1, 100, 4096),
  readBody: fc.boolean(),
  url: fc.oneof(fc.webUrl({ withQueryParameters: true }), fc.constant('http://127.0.0.1:1/chat/completions?api-key=secret')),
});

function fakeFetch(chunks: Uint8Array[], init: ResponseInit): typeof fetch {
  return async () => {
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (const chunk of chunks) controller.enqueue(chunk);
        controller.close();
      },
    });
    return new Response(body, init);
  };
}

function concat(chunks: Uint8Array[]): Uint8Array {
  const total = chunks.reduce((sum, chunk) => sum + chunk.byteLength, 0);
  const joined = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    joined.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return joined;
}

describe('captureRouteFetch properties', () => {
  it('never throws and never changes what the caller gets, whatever the wire brings', async () => {
    await fc.assert(
      fc.asyncProperty(exchange, async (sample) => {
        const exporter = createInMemorySpanExporter();
        const tracerProvider = createTracerProvider({ spanProcessors: [createSimpleSpanProcessor(exporter)] });
        const headers = new Headers(sample.headers);
        if (sample.contentType) headers.set('content-type', sample.contentType);
        const init = { status: sample.status, headers };
        const fetchWithCapture = captureRouteFetch(fakeFetch(sample.chunks, init), {
          tracerProvider,
          lookAheadBytes: sample.lookAheadBytes,
        });
        const captures: RouteCapture[] = [];
        const call = () => fetchWithCapture(sample.url, { method: 'POST', body: '{"model":"m"}' });
        let response: Response;
        if (sample.mode === 'sink') {
          response = await runWithRouteCapture((capture) => captures.push(capture), call);
        } else if (sample.mode === 'active-span') {
          const outer = tracerProvider.getTracer('t').startSpan('outer');
          response = await context.with(trace.setSpan(context.active(), outer), call);
          outer.end();
        } else {
          response = await call();
        }

        expect(response.status).toBe(sample.status);
        for (const [name, value] of headers) expect(response.headers.get(name)).toBe(value);
        if (sample.readBody) {
          const received = new Uint8Array(await response.arrayBuffer());
          expect(received).toEqual(concat(sample.chunks));
        } else {
          await response.body?.cancel();
        }
        for (const capture of captures) {
          await capture.done;
          expect(capture.url).not.toContain('?');
          expect(() => capture.observation()).not.toThrow();
          expect(capture.bodyText().length).toBeLessThanOrEqual(sample.lookAheadBytes ?? 64 * 1024);
        }
        const spans = exporter.getFinishedSpans();
        if (sample.mode === 'own-span') expect(spans).toHaveLength(1);
        expect(JSON.stringify(spans.map((span) => span.attributes))).not.toContain('secret');
        for (const span of spans) {
          for (const value of Object.values(span.attributes)) {
            if (typeof value === 'string') expect(value.length).toBeLessThanOrEqual(1024);
          }
        }
      }),
      { numRuns: 150 },
    );
  });

  it('rethrows whatever the underlying fetch throws, unchanged', async () => {
    await fc.assert(
      fc.asyncProperty(fc.anything(), async (thrown) => {
        const fetchWithCapture = captureRouteFetch(async () => {
          throw thrown;
        });
        await expect(fetchWithCapture('https://openrouter.ai/api/v1/chat/completions')).rejects.toBe(thrown);
      }),
      { numRuns: 100 },
    );
  });

  it('records no credentials, query string or fragment in the captured URL', async () => {
    const captures: RouteCapture[] = [];
    const fetchWithCapture = captureRouteFetch(async () => new Response('{}'), { onCapture: (capture) => captures.push(capture) });
    await fetchWithCapture('https://user:hunter2@myres.openai.azure.com/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21&api-key=sk-1#frag');
    await fetchWithCapture(new URL('https://openrouter.ai/api/v1/chat/completions?key=sk-2'));
    await fetchWithCapture(new Request('https://api.example.com/v1/a@b/chat?token=sk-3'));
    expect(captures.map((capture) => capture.url)).toEqual([
      'https://myres.openai.azure.com/openai/deployments/gpt-4o/chat/completions',
      'https://openrouter.ai/api/v1/chat/completions',
      'https://api.example.com/v1/a@b/chat',
    ]);
  });

  it('tolerates inputs it cannot describe by passing them straight through', async () => {
    const sentinel = new Response('ok');
    const fetchWithCapture = captureRouteFetch(async () => sentinel);
    const strange = { toString: () => { throw new Error('no string'); } } as unknown as string;
    await expect(fetchWithCapture(strange)).resolves.toBe(sentinel);
  });
});
