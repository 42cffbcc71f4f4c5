import { createHash } from 'node:crypto';
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { connect as http2Connect, createServer as createHttp2Server } from 'node:http2';
import type { AddressInfo } from 'node:net';
import * as zlib from 'node:zlib';
import { SpanStatusCode } from '@opentelemetry/api';
import { createTestTracing, type ReadableSpan } from '@servedby/test-otel';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { captureRouteFetch } from '../capture-route-fetch';
import { readHeader } from '../headers';
import { addRouteCaptureResolver, enableRouteCapture, observedExchangeCount, routeCaptureSupport } from './observer';
import { runWithRouteCapture, type RouteCapture } from './storage';

// Everything here runs through the diagnostics channels: plain `fetch`, no wrapper, unless a
// test says otherwise. On Node 22 (no body channel) the body comes from the automatic fetch feeder.
const support = enableRouteCapture({ idleTimeoutMs: 200 });
const nodeMajor = Number(process.versions.node.split('.')[0]);

type Handler = (request: IncomingMessage, response: ServerResponse, body: string) => void;
const servers: Array<{ close(): Promise<void> }> = [];
let handler: Handler = () => {};
let baseUrl = '';

beforeAll(async () => {
  const server = createServer((request, response) => {
    const parts: Buffer[] = [];
    request.on('data', (part: Buffer) => parts.push(part));
    request.on('end', () => handler(request, response, Buffer.concat(parts).toString('utf8')));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  servers.push({
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
});
afterAll(async () => {
  await Promise.all(servers.map((server) => server.close()));
});
afterEach(() => {
  handler = () => {};
});

interface Outcome {
  status?: number;
  bytes?: Buffer;
  error?: { name: string; message: string; cause?: string };
}

function describeError(error: unknown): Outcome['error'] {
  const value = error as { name?: string; message?: string; cause?: { code?: string; name?: string } };
  return { name: String(value?.name), message: String(value?.message), cause: value?.cause?.code ?? value?.cause?.name };
}

/** The user's side of one call: what fetch and the body gave, or how they failed. */
async function callAndRead(path: string, init?: RequestInit): Promise<Outcome> {
  const outcome: Outcome = {};
  try {
    const response = await fetch(`${baseUrl}${path}`, init);
    outcome.status = response.status;
    const parts: Buffer[] = [];
    for await (const part of response.body!) parts.push(Buffer.from(part));
    outcome.bytes = Buffer.concat(parts);
  } catch (error) {
    outcome.error = describeError(error);
  }
  return outcome;
}

/** The same call without servedby and with it (inside a model call's capture scope). */
async function withAndWithout(path: string, init?: () => RequestInit): Promise<{ bare: Outcome; captured: Outcome; captures: RouteCapture[] }> {
  const bare = await callAndRead(path, init?.());
  const captures: RouteCapture[] = [];
  const captured = await runWithRouteCapture((capture) => captures.push(capture), () => callAndRead(path, init?.()));
  return { bare, captured, captures };
}

const sse = (provider: string) => `data: {"id":"gen-1","provider":"${provider}","model":"m","choices":[{"delta":{"content":"€ü"}}]}\n\n`;

describe('channel capture: what the caller gets', () => {
  it('reports the capture of a plain fetch inside a model call, without touching its Response', async () => {
    handler = (_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream', 'x-generation-id': 'gen-1' });
      response.end(`${sse('Together')}data: [DONE]\n\n`);
    };
    const captures: RouteCapture[] = [];
    const base = globalThis.fetch;
    let fromBase: Response | undefined;
    const spyFetch: typeof fetch = async (input, init) => (fromBase = await base(input, init));
    const response = await runWithRouteCapture(
      (capture) => captures.push(capture),
      () => captureRouteFetch(spyFetch)(`${baseUrl}/api/v1/chat/completions?key=secret`, { method: 'POST', body: '{"model":"anthropic/claude"}' }),
    );
    if (support.undiciBody) expect(response).toBe(fromBase); // Node ≥ 24: nothing wrapped
    expect(await response.text()).toBe(`${sse('Together')}data: [DONE]\n\n`);
    expect(captures).toHaveLength(1);
    const capture = captures[0]!;
    await capture.done;
    expect(capture.url).toBe(`${baseUrl}/api/v1/chat/completions`);
    expect(capture.status).toBe(200);
    expect(capture.responseHeaders.get('x-generation-id')).toBe('gen-1');
    expect(capture.bodyText()).toContain('"provider":"Together"');
    expect(capture.observation().requestModel).toBe('anthropic/claude');
    // The request as sent, for routing preferences; never a credential header.
    expect(capture.observation().request?.body).toBe('{"model":"anthropic/claude"}');
  });

  it('a request body over the bound (a 2 MB string) still names its model and never reaches the caller as an error', async () => {
    const captures: RouteCapture[] = [];
    const body = JSON.stringify({ model: 'big-model', messages: [{ role: 'user', content: 'y'.repeat(2_000_000) }] });
    const fakeFetch: typeof fetch = async () => new Response('{"id":"x"}', { headers: { 'content-type': 'application/json' } });
    const response = await runWithRouteCapture(
      (capture) => captures.push(capture),
      () => captureRouteFetch(fakeFetch)('https://api.openai.com/v1/chat/completions', { method: 'POST', body }),
    );
    expect(await response.text()).toBe('{"id":"x"}');
    await captures[0]!.done;
    expect(captures[0]!.observation().requestModel).toBe('big-model');
    expect(captures[0]!.observation().request?.body).toBeUndefined();
  });

  it('reports the request headers without credentials, and a cut request body not at all', async () => {
    handler = (_request, response) => response.end('{}');
    const captures: RouteCapture[] = [];
    await runWithRouteCapture(
      (capture) => captures.push(capture),
      async () => {
        await (
          await fetch(`${baseUrl}/v1/chat/completions`, {
            method: 'POST',
            headers: {
              authorization: 'Bearer SECRET-1',
              'x-api-key': 'SECRET-2',
              'x-amz-security-token': 'SECRET-3',
              cookie: 'SECRET-4',
              'x-portkey-config': '{"strategy":{"mode":"fallback"}}',
            },
            body: new TextEncoder().encode(`{"model":"m","messages":["${'x'.repeat(200_000)}"]}`),
          })
        ).text();
      },
    );
    await captures[0]!.done;
    const request = captures[0]!.observation().request!;
    const headers = [...(request.headers as Iterable<[string, string]>)];
    expect(headers.length).toBeGreaterThan(0);
    expect(JSON.stringify(headers)).not.toContain('SECRET');
    expect(readHeader(request.headers, 'x-portkey-config')).toBe('{"strategy":{"mode":"fallback"}}');
    expect(request.body).toBeUndefined();
    expect(captures[0]!.observation().requestModel).toBe('m');
  });

  it('observes nothing outside a model call', async () => {
    handler = (_request, response) => response.end('{}');
    const before = observedExchangeCount();
    const outcome = await callAndRead('/v1/chat/completions', { method: 'POST', body: '{}' });
    expect(outcome.status).toBe(200);
    expect(observedExchangeCount()).toBe(before);
    await runWithRouteCapture(() => {}, () => callAndRead('/v1/chat/completions', { method: 'POST', body: '{}' }));
    expect(observedExchangeCount()).toBe(before + 1);
  });

  it.each(['gzip', 'deflate', 'br'])('decodes a %s body into the look-ahead; the caller gets the same bytes', async (coding) => {
    const body = `{"id":"gen-2","provider":"Fireworks","model":"m","pad":"${'x'.repeat(5000)}"}`;
    const wire = coding === 'gzip' ? zlib.gzipSync(body) : coding === 'deflate' ? zlib.deflateSync(body) : zlib.brotliCompressSync(body);
    handler = (_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json', 'content-encoding': coding });
      response.end(wire);
    };
    const { bare, captured, captures } = await withAndWithout('/v1/chat/completions');
    expect(captured).toEqual(bare);
    expect(captured.bytes!.toString()).toBe(body);
    await captures[0]!.done;
    expect(captures[0]!.bodyText()).toBe(body);
  });

  it('corrupt compressed body: same bytes and same error as without servedby, capture settles', async () => {
    const good = zlib.gzipSync(`${'data: {"provider":"Together"}\n\n'.repeat(500)}`);
    // Damaged mid-stream (may decode to garbage), and a header followed by an invalid block type (always fails).
    const damaged = Buffer.from(good);
    for (let index = 200; index < 260; index += 1) damaged[index] = 0xaa;
    const invalid = Buffer.concat([good.subarray(0, 10), Buffer.alloc(64, 0xff)]);
    for (const corrupt of [damaged, invalid]) {
      handler = (_request, response) => {
        response.writeHead(200, { 'content-type': 'text/event-stream', 'content-encoding': 'gzip' });
        response.end(corrupt);
      };
      const { bare, captured, captures } = await withAndWithout('/v1/chat/completions');
      expect(captured).toEqual(bare);
      if (corrupt === invalid) expect(bare.error).toBeDefined();
      await captures[0]!.done;
      expect(captures[0]!.bodyText().length).toBeLessThanOrEqual(64 * 1024);
    }
  });

  it('reset mid-body: same bytes and same error as without servedby; the span ends with the transport error', async () => {
    handler = (request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write(sse('Together'));
      setTimeout(() => request.socket.destroy(), 20);
    };
    const { bare, captured, captures } = await withAndWithout('/v1/chat/completions');
    expect(captured).toEqual(bare);
    expect(bare.error?.name).toBe('TypeError');
    await captures[0]!.done;
    expect(captures[0]!.bodyText()).toBe(sse('Together'));

    const tracing = createTestTracing();
    const failed = await captureRouteFetch(undefined, { tracerProvider: tracing.tracerProvider })(`${baseUrl}/v1/chat/completions`)
      .then((response) => response.text())
      .catch((error: unknown) => error);
    expect(failed).toBeInstanceOf(Error);
    await until(() => tracing.spans().length === 1);
    const [span] = tracing.spans();
    expect(span!.status.code).toBe(SpanStatusCode.ERROR);
    expect(span!.attributes['error.type']).toMatch(/^UND_ERR_SOCKET$|^ECONNRESET$|^TypeError$/);
  });

  it('abort before headers: same AbortError as without servedby; no capture; the span ends', async () => {
    handler = () => {
      // Never answers.
    };
    const abortAfter = () => {
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 30);
      return { signal: controller.signal };
    };
    const { bare, captured, captures } = await withAndWithout('/v1/chat/completions', abortAfter);
    expect(captured).toEqual(bare);
    expect(bare.error?.name).toBe('AbortError');
    expect(captures).toHaveLength(0);

    const tracing = createTestTracing();
    const error = await captureRouteFetch(undefined, { tracerProvider: tracing.tracerProvider })(`${baseUrl}/v1/chat/completions`, abortAfter()).catch(
      (caught: unknown) => caught,
    );
    expect((error as Error).name).toBe('AbortError');
    await until(() => tracing.spans().length === 1);
    expect(tracing.spans()[0]!.attributes['error.type']).toBe('AbortError');
  });

  it('a 100 MB stream: every byte reaches the caller, the look-ahead stays at its bound, the span ends', async () => {
    const chunk = Buffer.alloc(64 * 1024, 'a');
    const chunks = 1600; // 100 MiB
    handler = (_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      let sent = 0;
      const pump = () => {
        while (sent < chunks) {
          sent += 1;
          if (!response.write(chunk)) {
            response.once('drain', pump);
            return;
          }
        }
        response.end();
      };
      pump();
    };
    const tracing = createTestTracing();
    const captures: RouteCapture[] = [];
    const response = await runWithRouteCapture(
      (capture) => captures.push(capture),
      () => fetch(`${baseUrl}/v1/chat/completions`),
    );
    const hash = createHash('sha256');
    let total = 0;
    for await (const part of response.body!) {
      total += part.byteLength;
      hash.update(part);
    }
    expect(total).toBe(chunk.byteLength * chunks);
    await captures[0]!.done;
    expect(captures[0]!.bodyText().length).toBe(64 * 1024);

    const ownFetch = captureRouteFetch(undefined, { tracerProvider: tracing.tracerProvider });
    let ownTotal = 0;
    for await (const part of (await ownFetch(`${baseUrl}/v1/chat/completions`)).body!) ownTotal += part.byteLength;
    expect(ownTotal).toBe(total);
    await until(() => tracing.spans().length === 1);
  });

  it('1-byte chunks splitting UTF-8: the caller gets the same bytes, the look-ahead decodes whole characters', async () => {
    const body = `data: {"provider":"Together","text":"€🙂ü"}\n\n`;
    handler = (request, response) => {
      request.socket.setNoDelay(true);
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      const bytes = Buffer.from(body);
      let index = 0;
      const next = () => {
        if (index >= bytes.byteLength) {
          response.end();
          return;
        }
        response.write(bytes.subarray(index, index + 1));
        index += 1;
        setImmediate(next);
      };
      next();
    };
    const { bare, captured, captures } = await withAndWithout('/v1/chat/completions');
    expect(captured).toEqual(bare);
    expect(captured.bytes!.toString()).toBe(body);
    await captures[0]!.done;
    expect(captures[0]!.bodyText()).toBe(body);
  });

  it('200 concurrent calls never see each other\'s route', async () => {
    handler = (_request, response, body) => {
      const id = (JSON.parse(body) as { id: string }).id;
      response.writeHead(200, { 'content-type': 'text/event-stream', 'x-call-id': id });
      response.write(`data: {"id":"${id}","provider":"P-${id}"}\n\n`);
      setImmediate(() => response.end('data: [DONE]\n\n'));
    };
    const results = await Promise.all(
      Array.from({ length: 200 }, async (_, index) => {
        const id = `call-${index}`;
        const seen: RouteCapture[] = [];
        const text = await runWithRouteCapture(
          (capture) => seen.push(capture),
          async () => {
            await new Promise((resolve) => setImmediate(resolve));
            const response = await fetch(`${baseUrl}/v1/chat/completions`, { method: 'POST', body: JSON.stringify({ id, model: `model-${index}` }) });
            return response.text();
          },
        );
        await seen[0]?.done;
        return { id, index, text, seen };
      }),
    );
    for (const { id, index, text, seen } of results) {
      expect(seen).toHaveLength(1);
      expect(seen[0]!.responseHeaders.get('x-call-id')).toBe(id);
      expect(seen[0]!.bodyText()).toBe(text);
      expect(seen[0]!.observation().requestModel).toBe(`model-${index}`);
    }
  });
});

describe('channel capture: resolvers', () => {
  it('hands exchanges outside any runWithRouteCapture scope to the sink a resolver finds, and only those', async () => {
    handler = (_request, response) => response.end('{"id":"gen-9","provider":"Groq"}');
    const { AsyncLocalStorage } = await import('node:async_hooks');
    // A framework's own async context (Mastra's current span, say).
    const frameworkStep = new AsyncLocalStorage<RouteCapture[]>();
    const remove = addRouteCaptureResolver(() => {
      const captures = frameworkStep.getStore();
      return captures ? (capture) => captures.push(capture) : undefined;
    });
    try {
      const inStep: RouteCapture[] = [];
      await frameworkStep.run(inStep, () => callAndRead('/v1/chat/completions', { method: 'POST', body: '{}' }));
      const before = observedExchangeCount();
      await callAndRead('/v1/chat/completions', { method: 'POST', body: '{}' });
      expect(observedExchangeCount()).toBe(before);
      expect(inStep).toHaveLength(1);
      await inStep[0]!.done;
      expect(inStep[0]!.bodyText()).toBe('{"id":"gen-9","provider":"Groq"}');
    } finally {
      remove();
    }
  });
});

describe('channel capture: lifecycle', () => {
  it('a body never read that stalls before the look-ahead fills: the capture settles and the span ends after the idle time', async () => {
    handler = (_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write(sse('Together'));
    };
    const tracing = createTestTracing();
    const captures: RouteCapture[] = [];
    const response = await runWithRouteCapture(
      (capture) => captures.push(capture),
      () => captureRouteFetch(undefined, { tracerProvider: tracing.tracerProvider })(`${baseUrl}/v1/chat/completions`),
    );
    await captures[0]!.done;
    // Node ≥ 24 sees the bytes on the channel; Node 22's fetch feeder only sees what the caller reads.
    expect(captures[0]!.bodyText()).toBe(support.undiciBody ? sse('Together') : '');
    const own = await captureRouteFetch(undefined, { tracerProvider: tracing.tracerProvider })(`${baseUrl}/v1/chat/completions`);
    await until(() => tracing.spans().length === 1);
    expect(tracing.spans()[0]!.status.code).not.toBe(SpanStatusCode.ERROR);
    // The caller's stream is still intact and readable after the give-up.
    const reader = own.body!.getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toBe(sse('Together'));
    await reader.cancel();
    await response.body?.cancel();
  });

  it('a stream abandoned after its first chunk ends the span', async () => {
    handler = (_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write(sse('Together'));
      const timer = setInterval(() => response.write(': keep-alive\n\n'), 10);
      response.on('close', () => clearInterval(timer));
    };
    const tracing = createTestTracing();
    const response = await captureRouteFetch(undefined, { tracerProvider: tracing.tracerProvider })(`${baseUrl}/v1/chat/completions`);
    for await (const _ of response.body!) break;
    await until(() => tracing.spans().length === 1);
    expect(tracing.spans()[0]!.attributes['gen_ai.route.upstream']).toBe('together');
  });

  it('records no credentials or query string, also when the request fails', async () => {
    const tracing = createTestTracing();
    const captures: RouteCapture[] = [];
    handler = (_request, response) => response.end('{}');
    await runWithRouteCapture(
      (capture) => captures.push(capture),
      async () => (await fetch(`${baseUrl}/v1/chat/completions?api-key=SECRET-KEY`, { method: 'POST', body: '{}' })).text(),
    );
    await captureRouteFetch(undefined, { tracerProvider: tracing.tracerProvider })('http://127.0.0.1:1/v1/chat/completions?api-key=SECRET-KEY').catch(
      () => undefined,
    );
    // An error whose message carries a URL with credentials and a key (as AI SDK errors do).
    const leaky = async () => {
      throw new Error('request to https://user:SECRET-PASS@gateway.example/v1/chat/completions?api-key=SECRET-KEY failed');
    };
    await captureRouteFetch(leaky, { tracerProvider: tracing.tracerProvider })('https://user:SECRET-PASS@gateway.example/v1/chat/completions?api-key=SECRET-KEY').catch(
      () => undefined,
    );
    await until(() => tracing.spans().length === 2);
    expect(captures[0]!.url).not.toContain('SECRET');
    const recorded = JSON.stringify(tracing.spans().map((span: ReadableSpan) => [span.name, span.attributes, span.status, span.events]));
    expect(recorded).not.toContain('SECRET');
  });
});

describe('channel capture: node:http clients', () => {
  it('captures URL, status and headers of an http.request inside a model call, and ends with the response', async () => {
    handler = (_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json', 'x-litellm-model-api-base': 'https://api.openai.com' });
      response.end('{"ok":true}');
    };
    const captures: RouteCapture[] = [];
    const text = await runWithRouteCapture(
      (capture) => captures.push(capture),
      () =>
        new Promise<string>((resolve, reject) => {
          const request = httpRequest(`${baseUrl}/v1/chat/completions?key=secret`, { method: 'POST' }, (response) => {
            let body = '';
            response.setEncoding('utf8');
            response.on('data', (part: string) => (body += part));
            response.on('end', () => resolve(body));
          });
          request.on('error', reject);
          request.end('{"model":"gpt-4o"}');
        }),
    );
    expect(text).toBe('{"ok":true}');
    expect(captures).toHaveLength(1);
    await captures[0]!.done;
    expect(captures[0]!.url).toBe(`${baseUrl}/v1/chat/completions`);
    expect(captures[0]!.status).toBe(200);
    expect(captures[0]!.responseHeaders.get('x-litellm-model-api-base')).toBe('https://api.openai.com');
    // The body of a node:http response is never observed (that would need a 'data' listener).
    expect(captures[0]!.bodyText()).toBe('');
  });
});

describe('channel capture: proxy tunnels', () => {
  it('a CONNECT (a proxy tunnel) is not an exchange of the model call', async () => {
    const proxy = createServer();
    proxy.on('connect', (_request, socket) => {
      socket.end('HTTP/1.1 200 Connection Established\r\n\r\n');
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const captures: RouteCapture[] = [];
    try {
      await runWithRouteCapture(
        (capture) => captures.push(capture),
        () =>
          new Promise<void>((resolve, reject) => {
            const request = httpRequest({ host: '127.0.0.1', port: (proxy.address() as AddressInfo).port, method: 'CONNECT', path: 'api.openai.com:443' });
            request.on('connect', (_response, socket) => {
              socket.destroy();
              resolve();
            });
            request.on('error', reject);
            request.end();
          }),
      );
      expect(captures).toHaveLength(0);
    } finally {
      proxy.close();
    }
  });
});

describe('channel capture: node:http2 clients (the AWS SDK\'s default handler for Bedrock Runtime)', () => {
  it('captures URL, status and headers of an HTTP/2 stream inside a model call, and ends with it', async () => {
    const server = createHttp2Server();
    server.on('stream', (stream, headers) => {
      stream.on('error', () => {});
      if (headers[':path']?.startsWith('/reset')) {
        stream.respond({ ':status': 200, 'content-type': 'application/vnd.amazon.eventstream' });
        stream.write('partial');
        setTimeout(() => stream.destroy(new Error('upstream reset')), 10);
        return;
      }
      stream.respond({ ':status': 200, 'content-type': 'application/json', 'x-amzn-requestid': 'req-1' });
      stream.end('{"output":{}}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const session = http2Connect(origin);
    const call = (path: string) =>
      new Promise<string>((resolve, reject) => {
        const stream = session.request({ ':path': path, ':method': 'POST' });
        let body = '';
        stream.setEncoding('utf8');
        stream.on('data', (part: string) => (body += part));
        stream.on('end', () => resolve(body));
        stream.on('error', reject);
        stream.end('{}');
      });
    try {
      const captures: RouteCapture[] = [];
      const body = await runWithRouteCapture((capture) => captures.push(capture), () => call('/model/anthropic.claude/converse?x=secret'));
      expect(body).toBe('{"output":{}}');
      await captures[0]!.done;
      expect(captures[0]!.url).toBe(`${origin}/model/anthropic.claude/converse`);
      expect(captures[0]!.status).toBe(200);
      expect(captures[0]!.responseHeaders.get('x-amzn-requestid')).toBe('req-1');

      // A reset mid-body: the caller's outcome is the same with and without the capture.
      const bare = await call('/reset').catch((error: unknown) => describeError(error));
      const resetCaptures: RouteCapture[] = [];
      const captured = await runWithRouteCapture(
        (capture) => resetCaptures.push(capture),
        () => call('/reset').catch((error: unknown) => describeError(error)),
      );
      expect(captured).toEqual(bare);
      expect(resetCaptures[0]!.status).toBe(200);
    } finally {
      session.close();
      server.close();
    }
  });
});

describe('support', () => {
  it(`reports what Node ${process.versions.node} (undici ${process.versions.undici}) lets the capture see`, () => {
    expect(routeCaptureSupport()).toEqual({ undici: true, undiciBody: support.undiciBody, http: true, http2: true });
    if (nodeMajor >= 24) expect(support.undiciBody).toBe(true);
    if (nodeMajor === 22) expect(support.undiciBody).toBe(false);
  });
});

async function until(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error('condition not reached');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
