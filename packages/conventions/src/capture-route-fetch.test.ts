import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { context, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import {
  createContextManager,
  createInMemorySpanExporter,
  createSimpleSpanProcessor,
  createTracerProvider,
  type ReadableSpan,
} from '@servedby/test-otel';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import OpenAI from 'openai';
import { captureRouteFetch, runWithRouteCapture, type RouteCapture } from './capture-route-fetch';
import { routeCaptureSupport } from './capture/observer';
import { captureStorage } from './capture/storage';
import { contextWithUpstreamsCollector, createUpstreamsCollector } from './upstreams';
import openRouterStream from './rules/openrouter/__fixtures__/openrouter-chat-stream-sse-amazon-bedrock.json';
import openRouterJson from './rules/openrouter/__fixtures__/openrouter-chat-nonstream-amazon-bedrock.json';

type Handler = (request: IncomingMessage, response: ServerResponse, body: string) => void;

interface TestServer {
  url: string;
  close(): Promise<void>;
}

const servers: TestServer[] = [];
const contextManager = createContextManager();

beforeAll(() => {
  context.setGlobalContextManager(contextManager.enable());
});
afterAll(() => {
  contextManager.disable();
  context.disable();
});
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function startServer(handler: Handler): Promise<TestServer> {
  const server = createServer((request, response) => {
    const parts: Buffer[] = [];
    request.on('data', (part: Buffer) => parts.push(part));
    request.on('end', () => handler(request, response, Buffer.concat(parts).toString('utf8')));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const testServer = {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  servers.push(testServer);
  return testServer;
}

function tracing() {
  const exporter = createInMemorySpanExporter();
  const ended: Array<(span: ReadableSpan) => void> = [];
  const tracerProvider = createTracerProvider({
    spanProcessors: [
      createSimpleSpanProcessor(exporter),
      {
        onStart: () => {},
        onEnd: (span: ReadableSpan) => ended.splice(0).forEach((notify) => notify(span)),
        forceFlush: async () => {},
        shutdown: async () => {},
      },
    ],
  });
  const nextEnd = () => new Promise<ReadableSpan>((resolve) => ended.push(resolve));
  return { exporter, tracerProvider, nextEnd };
}

function openRouterHeaders(): Record<string, string> {
  return openRouterStream.response.headers as Record<string, string>;
}

const sseBody = openRouterStream.response.body as string;

describe('captureRouteFetch: the caller body', () => {
  it('reaches the caller byte-for-byte and unbuffered: the first chunk arrives before the second is sent', async () => {
    // A multi-byte character split across chunks, and bytes that are not UTF-8 at all.
    const euro = Buffer.from('€', 'utf8');
    const first = Buffer.concat([Buffer.from(sseBody.slice(0, 200)), euro.subarray(0, 1)]);
    const second = Buffer.concat([euro.subarray(1), Buffer.from([0xff, 0xfe, 0x00]), Buffer.from(sseBody.slice(200))]);
    let sendSecond!: () => void;
    const secondMayGo = new Promise<void>((resolve) => {
      sendSecond = resolve;
    });
    const server = await startServer((_request, response) => {
      response.writeHead(200, openRouterHeaders());
      response.write(first);
      void secondMayGo.then(() => response.end(second));
    });

    const captures: RouteCapture[] = [];
    const fetchWithCapture = captureRouteFetch();
    const response = await runWithRouteCapture(
      (capture) => captures.push(capture),
      () => fetchWithCapture(`${server.url}/api/v1/chat/completions`, { method: 'POST', body: '{"model":"anthropic/claude-haiku-4.5"}' }),
    );
    const reader = response.body!.getReader();
    const received: Uint8Array[] = [];
    const firstRead = await reader.read();
    received.push(firstRead.value!);
    // The server has not sent the second chunk yet: the first must already be here, whole.
    expect(Buffer.concat(received)).toEqual(first);
    sendSecond();
    for (;;) {
      const next = await reader.read();
      if (next.done) break;
      received.push(next.value);
    }
    expect(Buffer.concat(received)).toEqual(Buffer.concat([first, second]));

    expect(captures).toHaveLength(1);
    const capture = captures[0]!;
    await capture.done;
    expect(capture.status).toBe(200);
    expect(capture.method).toBe('POST');
    expect(capture.url).toBe(`${server.url}/api/v1/chat/completions`);
    expect(capture.responseHeaders.get('x-generation-id')).toBe('gen-1780944361-X5HAtL0Z2NQp8nHAiT6F');
    expect(capture.bodyText()).toContain('"provider":"Amazon Bedrock"');
    const observation = capture.observation({ providerHint: 'openai' });
    expect(observation.requestModel).toBe('anthropic/claude-haiku-4.5');
    expect(observation.providerHint).toBe('openai');
    expect(observation.status).toBe(200);
    expect(observation.responseBody).toBe(capture.bodyText());
  });

  it('keeps status, headers and url, and lets the caller use text() and json()', async () => {
    const server = await startServer((_request, response) => {
      response.writeHead(201, { 'content-type': 'application/json', 'x-generation-id': 'gen-1' });
      response.end(JSON.stringify(openRouterJson.response.body));
    });
    const fetchWithCapture = captureRouteFetch(undefined, { onCapture: () => {} });
    const response = await fetchWithCapture(`${server.url}/v1/chat/completions`);
    expect(response.status).toBe(201);
    expect(response.ok).toBe(true);
    expect(response.url).toBe(`${server.url}/v1/chat/completions`);
    expect(response.headers.get('x-generation-id')).toBe('gen-1');
    expect(await response.json()).toEqual(openRouterJson.response.body);
  });

  it('peeks at most the look-ahead and still passes the whole body', async () => {
    const big = 'x'.repeat(200_000);
    const server = await startServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/plain' });
      response.end(big);
    });
    const captures: RouteCapture[] = [];
    const fetchWithCapture = captureRouteFetch(undefined, { onCapture: (capture) => captures.push(capture), lookAheadBytes: 1000 });
    const text = await (await fetchWithCapture(server.url)).text();
    expect(text).toBe(big);
    await captures[0]!.done;
    expect(captures[0]!.bodyText()).toHaveLength(1000);
  });

  it('passes binary bodies through untouched and does not peek them', async () => {
    const bytes = Buffer.from(Array.from({ length: 4096 }, (_, index) => index % 256));
    const server = await startServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/octet-stream' });
      response.end(bytes);
    });
    const captures: RouteCapture[] = [];
    const fetchWithCapture = captureRouteFetch(undefined, { onCapture: (capture) => captures.push(capture) });
    const body = Buffer.from(await (await fetchWithCapture(server.url)).arrayBuffer());
    expect(body).toEqual(bytes);
    await captures[0]!.done;
    expect(captures[0]!.bodyText()).toBe('');
  });
});

describe('captureRouteFetch: per-call captures', () => {
  it('gives each of 200 concurrent calls its own capture', async () => {
    const server = await startServer((request, response, body) => {
      const id = (JSON.parse(body) as { id: string }).id;
      response.writeHead(200, { 'content-type': 'text/event-stream', 'x-call-id': id });
      response.write(`data: {"id":"${id}","provider":"P${id}"}\n\n`);
      setImmediate(() => response.end(`data: {"id":"${id}","done":true}\n\ndata: [DONE]\n\n`));
    });
    const fetchWithCapture = captureRouteFetch();
    const results = await Promise.all(
      Array.from({ length: 200 }, async (_, index) => {
        const id = `call-${index}`;
        const seen: RouteCapture[] = [];
        const text = await runWithRouteCapture(
          (capture) => seen.push(capture),
          async () => {
            // Yield so the calls interleave.
            await new Promise((resolve) => setImmediate(resolve));
            const response = await fetchWithCapture(`${server.url}/chat/completions`, {
              method: 'POST',
              body: JSON.stringify({ id, model: `model-${index}` }),
            });
            return response.text();
          },
        );
        await seen[0]?.done;
        return { id, index, text, seen };
      }),
    );
    for (const { id, index, text, seen } of results) {
      expect(seen).toHaveLength(1);
      const capture = seen[0]!;
      expect(capture.responseHeaders.get('x-call-id')).toBe(id);
      expect(capture.bodyText()).toBe(text);
      expect(capture.bodyText()).toContain(`"provider":"P${id}"`);
      expect(capture.observation().requestModel).toBe(`model-${index}`);
    }
  });
});

describe('captureRouteFetch: what the request\'s async context keeps', () => {
  // undici keeps the async context of a fetch until a major GC: the claim in it must let go of the
  // exchanges and the request body once the response is in hand.
  it.each([false, true])('a claim holds no exchange and no body once the response is read (fetch fails: %s)', async (fails) => {
    const server = await startServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json', 'x-generation-id': 'gen-1' });
      response.end(JSON.stringify(openRouterJson.response.body));
    });
    const claims: Array<NonNullable<ReturnType<typeof captureStorage.getStore>>['claim']> = [];
    const captures: RouteCapture[] = [];
    const baseFetch: typeof fetch = async (input, init) => {
      claims.push(captureStorage.getStore()?.claim);
      if (fails) throw new TypeError('fetch failed');
      return fetch(input, init);
    };
    const fetchWithCapture = captureRouteFetch(baseFetch, { onCapture: (capture) => captures.push(capture) });
    const call = fetchWithCapture(`${server.url}/api/v1/chat/completions`, { method: 'POST', body: '{"model":"anthropic/claude-haiku-4.5"}' });
    if (fails) {
      await expect(call).rejects.toThrow('fetch failed');
    } else {
      expect(await (await call).json()).toEqual(openRouterJson.response.body);
      await captures[0]!.done;
      expect(captures[0]!.observation().requestModel).toBe('anthropic/claude-haiku-4.5');
    }
    expect(claims).toHaveLength(1);
    expect(claims[0]!.exchanges).toEqual([]);
    expect(claims[0]!.requestBody).toBeUndefined();
  });
});

describe('captureRouteFetch: spans', () => {
  it('makes its own CLIENT span when no span is active, ended when the body is read', async () => {
    const server = await startServer((_request, response) => {
      response.writeHead(200, openRouterHeaders());
      response.end(sseBody);
    });
    const { exporter, tracerProvider } = tracing();
    const collector = createUpstreamsCollector();
    const fetchWithCapture = captureRouteFetch(undefined, { tracerProvider });
    const response = await context.with(contextWithUpstreamsCollector(ROOT_CONTEXT, collector), () =>
      fetchWithCapture(`${server.url}/api/v1/chat/completions?api-key=sk-secret-123`, {
        method: 'POST',
        body: JSON.stringify({ model: 'anthropic/claude-haiku-4.5', stream: true }),
        headers: { authorization: 'Bearer sk-secret-456' },
      }),
    );
    expect(await response.text()).toBe(sseBody);
    const spans = exporter.getFinishedSpans();
    expect(spans).toHaveLength(1);
    const span = spans[0]!;
    expect(span.name).toBe('chat anthropic/claude-haiku-4.5');
    expect(span.kind).toBe(SpanKind.CLIENT);
    expect(span.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': 'anthropic/claude-haiku-4.5',
      'gen_ai.response.id': 'gen-1780944361-X5HAtL0Z2NQp8nHAiT6F',
      'gen_ai.usage.input_tokens': 15,
      'gen_ai.usage.output_tokens': 9,
      'server.address': '127.0.0.1',
    });
    expect(span.attributes['gen_ai.response.finish_reasons']).toContain('stop');
    expect(span.attributes).toMatchObject({
      'gen_ai.system': 'openrouter',
      'gen_ai.provider.name': 'openrouter',
      'gen_ai.route.gateway': 'openrouter',
      'gen_ai.route.upstream': 'aws.bedrock',
      'gen_ai.response.model': 'anthropic/claude-4.5-haiku-20251001',
      'gen_ai.route.request_id': 'gen-1780944361-X5HAtL0Z2NQp8nHAiT6F',
      'gen_ai.route.path': ['openrouter', 'aws.bedrock', 'anthropic'],
    });
    expect(collector.values()).toEqual(['aws.bedrock']);
    expect(JSON.stringify(span.attributes)).not.toMatch(/sk-secret/);
    expect(span.status.code).not.toBe(SpanStatusCode.ERROR);
  });

  it('sets the route on the active span instead of making one', async () => {
    const server = await startServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json', 'x-generation-id': 'gen-1780944464-aVi4x8Mw2aEBGnCL6z99' });
      response.end(`   \n${JSON.stringify(openRouterJson.response.body)}`);
    });
    const { exporter, tracerProvider } = tracing();
    const fetchWithCapture = captureRouteFetch(undefined, { tracerProvider });
    const outer = tracerProvider.getTracer('other-instrumentation').startSpan('ChatCompletion');
    const text = await context.with(trace.setSpan(context.active(), outer), async () => {
      const response = await fetchWithCapture(`${server.url}/api/v1/chat/completions`, { method: 'POST', body: '{"model":"m"}' });
      return response.text();
    });
    outer.end();
    expect(text).toContain('Amazon Bedrock');
    const spans = exporter.getFinishedSpans();
    expect(spans.map((span) => span.name)).toEqual(['ChatCompletion']);
    expect(spans[0]!.attributes).toMatchObject({
      'gen_ai.route.gateway': 'openrouter',
      'gen_ai.route.upstream': 'aws.bedrock',
      'gen_ai.route.request_id': 'gen-1780944464-aVi4x8Mw2aEBGnCL6z99',
    });
  });

  it('stops peeking once the route is known, yet the own span still gets the usage at the stream end', async () => {
    const events = sseBody.split('\n\n').filter((event) => event.length > 0).map((event) => `${event}\n\n`);
    let release!: () => void;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    const server = await startServer((_request, response) => {
      response.writeHead(200, openRouterHeaders());
      // Comment lines and the first data event, then the rest only once the test has looked.
      const firstData = events.findIndex((event) => event.startsWith('data:'));
      response.write(events.slice(0, firstData + 1).join(''));
      void released.then(() => response.end(`${events.slice(firstData + 1).join('')}${': padding\n\n'.repeat(3000)}`));
    });
    const { exporter, tracerProvider } = tracing();
    const outer = tracerProvider.getTracer('other-instrumentation').startSpan('ChatCompletion');
    const activeFetch = captureRouteFetch(undefined, { tracerProvider });
    const response = await context.with(trace.setSpan(context.active(), outer), () =>
      activeFetch(`${server.url}/api/v1/chat/completions`, { method: 'POST', body: '{"model":"anthropic/claude-haiku-4.5"}' }),
    );
    const reader = response.body!.getReader();
    let seen = '';
    const decoder = new TextDecoder();
    while (!seen.includes('"provider"')) seen += decoder.decode((await reader.read()).value);
    // The route is on the still-open span before the stream has ended.
    expect((outer as unknown as { attributes: Record<string, unknown> }).attributes['gen_ai.route.upstream']).toBe('aws.bedrock');
    release();
    while (!(await reader.read()).done);
    outer.end();

    const ownFetch = captureRouteFetch(undefined, { tracerProvider });
    const server2 = await startServer((_request, response) => {
      response.writeHead(200, openRouterHeaders());
      // The usage event comes after more than a whole look-ahead of comment lines.
      for (const event of events.slice(0, -2)) response.write(event);
      response.write(': padding\n\n'.repeat(8000));
      response.end(events.slice(-2).join(''));
    });
    const text = await (await ownFetch(`${server2.url}/api/v1/chat/completions`, { method: 'POST', body: '{"model":"x"}' })).text();
    expect(text.endsWith(events.slice(-2).join(''))).toBe(true);
    const own = exporter.getFinishedSpans().find((span) => span.name === 'chat x')!;
    expect(own.attributes['gen_ai.route.upstream']).toBe('aws.bedrock');
    expect(own.attributes['gen_ai.usage.input_tokens']).toBe(15);
    expect(own.attributes['gen_ai.usage.output_tokens']).toBe(9);
  });

  it('ends its span when the caller never reads a body that stalls before the look-ahead fills (idle give-up)', async () => {
    const server = await startServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      // Less than the look-ahead, then the server stalls: only the idle give-up can end the capture.
      response.write('data: {"provider":"Together"}\n\n');
    });
    const { exporter, tracerProvider, nextEnd } = tracing();
    const ended = nextEnd();
    const captures: RouteCapture[] = [];
    const response = await captureRouteFetch(undefined, { tracerProvider, idleTimeoutMs: 50 })(`${server.url}/chat/completions`);
    const sinkResponse = await runWithRouteCapture(
      (capture) => captures.push(capture),
      () => captureRouteFetch(undefined, { idleTimeoutMs: 50 })(`${server.url}/chat/completions`),
    );
    expect(response.status).toBe(200);
    const span = await ended;
    expect(span.name).toBe('chat');
    expect(exporter.getFinishedSpans()).toHaveLength(1);
    // The capture settles too, with what it saw.
    await captures[0]!.done;
    // Node ≥ 24 sees the bytes on the channel; where the wrapper tees the body, only what the caller reads.
    expect(captures[0]!.bodyText()).toBe(routeCaptureSupport().undiciBody ? 'data: {"provider":"Together"}\n\n' : '');
    // The caller can still read (or cancel) the body afterwards, unchanged.
    await response.body?.cancel();
    await sinkResponse.body?.cancel();
  });

  it('leaves nothing behind a body nobody reads: one unref\'d timer, no pending read, nothing pulled ahead', async () => {
    // An endless source, so only the wrapper's own behaviour decides how much is pulled.
    let pulls = 0;
    let cancelled = false;
    const source = new ReadableStream<Uint8Array>(
      {
        pull(controller) {
          pulls += 1;
          controller.enqueue(new TextEncoder().encode(`data: {"n":${pulls}}\n\n`.padEnd(4096, ' ')));
        },
        cancel() {
          cancelled = true;
        },
      },
      { highWaterMark: 0 },
    );
    const endedSpans: ReadableSpan[] = [];
    let notifyEnded!: () => void;
    const ended = new Promise<void>((resolve) => {
      notifyEnded = resolve;
    });
    const tracerProvider = createTracerProvider({
      spanProcessors: [
        {
          onStart: () => {},
          onEnd: (span: ReadableSpan) => {
            endedSpans.push(span);
            notifyEnded();
          },
          forceFlush: async () => {},
          shutdown: async () => {},
        },
      ],
    });
    const timers: Array<{ hasRef(): boolean }> = [];
    const realSetTimeout = globalThis.setTimeout;
    const realSetInterval = globalThis.setInterval;
    const setTimeoutSpy = vi.spyOn(globalThis, 'setTimeout').mockImplementation(((...args: Parameters<typeof setTimeout>) => {
      const timer = realSetTimeout(...args);
      if ((new Error().stack ?? '').includes('capture/exchange.ts')) timers.push(timer);
      return timer;
    }) as typeof setTimeout);
    // The idle sweep: one interval per idle time in use, shared by every exchange.
    const setIntervalSpy = vi.spyOn(globalThis, 'setInterval').mockImplementation(((...args: Parameters<typeof setInterval>) => {
      const timer = realSetInterval(...args);
      if ((new Error().stack ?? '').includes('capture/exchange.ts')) timers.push(timer);
      return timer;
    }) as typeof setInterval);
    const fetchWithCapture = captureRouteFetch(async () => new Response(source, { headers: { 'content-type': 'text/event-stream' } }), {
      tracerProvider,
      idleTimeoutMs: 30,
    });
    const response = await fetchWithCapture('https://api.openai.com/v1/chat/completions');
    await ended;
    setTimeoutSpy.mockRestore();
    setIntervalSpy.mockRestore();
    // Nothing was read ahead of the caller (the response stream pulls once to fill itself at most).
    expect(pulls).toBeLessThanOrEqual(1);
    // The idle timer never keeps the process alive.
    expect(timers.length).toBeGreaterThan(0);
    expect(timers.every((timer) => !timer.hasRef())).toBe(true);
    expect(endedSpans).toHaveLength(1);
    await response.body?.cancel('not needed');
    expect(cancelled).toBe(true);
  });

  it('ends its span with an error when the request is aborted mid-body, and the caller sees the abort', async () => {
    let headersSent!: () => void;
    const headersAreOut = new Promise<void>((resolve) => {
      headersSent = resolve;
    });
    const server = await startServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write('data: {"provider":"Together"}\n\n');
      headersSent();
      // Never ends: only the abort stops it.
    });
    const { exporter, tracerProvider, nextEnd } = tracing();
    const abort = new AbortController();
    const ended = nextEnd();
    const response = await captureRouteFetch(undefined, { tracerProvider })(`${server.url}/chat/completions`, { signal: abort.signal });
    await headersAreOut;
    const reader = response.body!.getReader();
    await reader.read();
    abort.abort();
    await expect(reader.read()).rejects.toThrow();
    const span = await ended;
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(span.attributes['error.type']).toBe('AbortError');
    expect(exporter.getFinishedSpans()).toHaveLength(1);
  });

  it('rethrows a failed fetch unchanged and ends its span with the transport error code as error.type', async () => {
    const server = await startServer(() => {});
    const { url } = server;
    await server.close();
    servers.splice(servers.indexOf(server), 1);
    const { exporter, tracerProvider } = tracing();
    const plain = await fetch(`${url}/chat/completions`).catch((error: unknown) => error);
    const captured = await captureRouteFetch(undefined, { tracerProvider })(`${url}/chat/completions`).catch((error: unknown) => error);
    expect(captured).toBeInstanceOf(TypeError);
    expect((captured as Error).message).toBe((plain as Error).message);
    const [span] = exporter.getFinishedSpans();
    expect(span?.status.code).toBe(SpanStatusCode.ERROR);
    // `TypeError: fetch failed` wraps every transport error; its cause's code says which one.
    expect(span?.attributes['error.type']).toBe('ECONNREFUSED');
  });

  it('marks an HTTP error status on its span and still passes the error body', async () => {
    const errorBody = '{"error":{"message":"rate limited","code":429,"metadata":{"provider_name":"Together"}}}';
    const server = await startServer((_request, response) => {
      response.writeHead(429, { 'content-type': 'application/json' });
      response.end(errorBody);
    });
    const { exporter, tracerProvider } = tracing();
    const response = await captureRouteFetch(undefined, { tracerProvider })(`${server.url}/chat/completions`);
    expect(response.status).toBe(429);
    expect(await response.text()).toBe(errorBody);
    const [span] = exporter.getFinishedSpans();
    expect(span?.attributes['error.type']).toBe('429');
    expect(span?.status.code).toBe(SpanStatusCode.ERROR);
  });

  it('reads the request model from a byte body and honours semconv: latest', async () => {
    const server = await startServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end('{"id":"chatcmpl-1","model":"gpt-4o-2024-08-06","usage":{"prompt_tokens":3,"completion_tokens":2}}');
    });
    const { exporter, tracerProvider } = tracing();
    await (
      await captureRouteFetch(undefined, { tracerProvider, semconv: 'latest' })(`${server.url}/v1/embeddings`, {
        method: 'POST',
        body: new TextEncoder().encode('{"model":"text-embedding-3-small","input":"hi"}'),
      })
    ).text();
    const [span] = exporter.getFinishedSpans();
    expect(span?.name).toBe('embeddings text-embedding-3-small');
    expect(span?.attributes['gen_ai.operation.name']).toBe('embeddings');
    expect(span?.attributes['gen_ai.system']).toBeUndefined();
    expect(span?.attributes['gen_ai.provider.name']).toBeDefined();
    expect(span?.attributes['gen_ai.usage.input_tokens']).toBe(3);
  });

  it('can be installed as the global fetch without calling itself', async () => {
    const server = await startServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end('{"ok":true}');
    });
    const original = globalThis.fetch;
    const captures: RouteCapture[] = [];
    globalThis.fetch = captureRouteFetch(undefined, { onCapture: (capture) => captures.push(capture) });
    try {
      expect(await (await fetch(server.url)).json()).toEqual({ ok: true });
    } finally {
      globalThis.fetch = original;
    }
    expect(captures).toHaveLength(1);
  });

  it('survives a sink that throws', async () => {
    const server = await startServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end('{"ok":true}');
    });
    const fetchWithCapture = captureRouteFetch(undefined, {
      onCapture: () => {
        throw new Error('sink bug');
      },
    });
    expect(await (await fetchWithCapture(server.url)).json()).toEqual({ ok: true });
  });
});

describe('captureRouteFetch with the real openai client', () => {
  function openRouterLikeServer(): Promise<TestServer> {
    return startServer((request, response, body) => {
      const stream = (JSON.parse(body) as { stream?: boolean }).stream === true;
      if (stream) {
        response.writeHead(200, openRouterHeaders());
        response.end(sseBody);
      } else {
        response.writeHead(200, {
          'content-type': 'application/json',
          'x-generation-id': 'gen-1780944464-aVi4x8Mw2aEBGnCL6z99',
        });
        response.end(`\n   ${JSON.stringify(openRouterJson.response.body)}`);
      }
      void request;
    });
  }

  it('returns exactly what the client returns without the wrapper, streaming and not', async () => {
    const server = await openRouterLikeServer();
    const { exporter, tracerProvider } = tracing();
    const plainClient = new OpenAI({ apiKey: 'sk-test', baseURL: `${server.url}/api/v1`, maxRetries: 0 });
    const client = new OpenAI({
      apiKey: 'sk-test',
      baseURL: `${server.url}/api/v1`,
      maxRetries: 0,
      fetch: captureRouteFetch(undefined, { tracerProvider }),
    });
    const request = { model: 'anthropic/claude-haiku-4.5', messages: [{ role: 'user' as const, content: 'What is 2 + 2?' }] };
    const plain = await plainClient.chat.completions.create(request);
    const wrapped = await client.chat.completions.create(request);
    expect(wrapped).toEqual(plain);

    const plainChunks: unknown[] = [];
    for await (const chunk of await plainClient.chat.completions.create({ ...request, stream: true })) plainChunks.push(chunk);
    const chunks: unknown[] = [];
    for await (const chunk of await client.chat.completions.create({ ...request, stream: true })) chunks.push(chunk);
    expect(chunks).toEqual(plainChunks);

    const spans = exporter.getFinishedSpans();
    expect(spans.map((span) => span.name)).toEqual(['chat anthropic/claude-haiku-4.5', 'chat anthropic/claude-haiku-4.5']);
    expect(spans[0]!.attributes['gen_ai.response.id']).toBe('gen-1780944464-aVi4x8Mw2aEBGnCL6z99');
    for (const span of spans) {
      expect(span.attributes['gen_ai.route.gateway']).toBe('openrouter');
      expect(span.attributes['gen_ai.route.upstream']).toBe('aws.bedrock');
    }
    expect(JSON.stringify(spans.map((span) => span.attributes))).not.toContain('sk-test');
  });
});
