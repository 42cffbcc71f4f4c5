import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { connect as http2Connect, createServer as createHttp2Server } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { startGatewaySim } from '@servedby/gateway-sim';
import { createTestTracing } from '@servedby/test-otel';
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import '../register';
import { runWithRouteCapture, type RouteCapture } from './storage';

// What `import '@servedby/conventions/register'` gives a raw SDK user: the real openai client,
// no fetch option, the global tracer provider, the gateway simulator on loopback.
const tracing = createTestTracing();
trace.setGlobalTracerProvider(tracing.tracerProvider);
let sim: Awaited<ReturnType<typeof startGatewaySim>>;

beforeAll(async () => {
  sim = await startGatewaySim({ port: 0, seed: 11 });
});
afterAll(async () => {
  await sim?.close();
});
beforeEach(() => tracing.reset());

function openRouter(): OpenAI {
  return new OpenAI({ apiKey: 'sk-or-secret', baseURL: sim.baseUrls.openrouter, maxRetries: 0, defaultHeaders: { 'x-sim-upstream': 'together' } });
}

async function chat(client: OpenAI, stream: boolean): Promise<string> {
  const messages = [{ role: 'user' as const, content: 'hi' }];
  if (!stream) return (await client.chat.completions.create({ model: 'anthropic/claude-haiku-4.5', messages })).choices[0]?.message.content ?? '';
  let text = '';
  const chunks = await client.chat.completions.create({ model: 'anthropic/claude-haiku-4.5', messages, stream: true, stream_options: { include_usage: true } });
  for await (const chunk of chunks) text += chunk.choices[0]?.delta?.content ?? '';
  return text;
}

async function until(condition: () => boolean): Promise<void> {
  for (let round = 0; round < 1000 && !condition(); round += 1) await new Promise((resolve) => setTimeout(resolve, 5));
}

describe.each([false, true])('register entry: what the request and the gateway say (stream: %s)', (stream) => {
  it('records the routing policy the request carried, its hash and the cost OpenRouter reported', async () => {
    const client = new OpenAI({ apiKey: 'sk-or-secret', baseURL: sim.baseUrls.openrouter, maxRetries: 0 });
    const body = {
      model: 'anthropic/claude-haiku-4.5',
      messages: [{ role: 'user' as const, content: 'hi' }],
      provider: { order: ['anthropic'], allow_fallbacks: true },
    };
    if (stream) {
      const chunks = await client.chat.completions.create({ ...body, stream: true, stream_options: { include_usage: true } });
      for await (const chunk of chunks) void chunk;
    } else {
      await client.chat.completions.create(body);
    }
    await until(() => tracing.spans().length === 1);
    const [span] = tracing.spans();
    expect(span!.attributes['gen_ai.route.policy']).toBe('{"provider":{"allow_fallbacks":true,"order":["anthropic"]}}');
    expect(span!.attributes['gen_ai.route.policy_hash']).toMatch(/^[0-9a-f]{16}$/);
    expect(span!.attributes['gen_ai.route.upstream']).toBe('anthropic');
    expect(span!.attributes['gen_ai.usage.cost']).toBeGreaterThan(0);
  });
});

describe.each([false, true])('register entry with the raw openai client (stream: %s)', (stream) => {
  it('gives the call a CLIENT span with its route, without any fetch option', async () => {
    expect((await chat(openRouter(), stream)).length).toBeGreaterThan(0);
    await until(() => tracing.spans().length === 1);
    const [span] = tracing.spans();
    expect(span!.name).toBe('chat anthropic/claude-haiku-4.5');
    expect(span!.kind).toBe(SpanKind.CLIENT);
    expect(span!.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.route.gateway': 'openrouter',
      'gen_ai.route.upstream': 'together',
      'gen_ai.request.model': 'anthropic/claude-haiku-4.5',
    });
    expect(span!.attributes['gen_ai.usage.input_tokens']).toBeGreaterThan(0);
    expect(JSON.stringify(span!.attributes)).not.toContain('sk-or-secret');
  });

  it('puts the route on another instrumentation\'s model span instead of making one', async () => {
    const modelSpan = tracing.tracerProvider.getTracer('other').startSpan('ChatCompletion', { attributes: { 'gen_ai.operation.name': 'chat' } });
    await context.with(trace.setSpan(context.active(), modelSpan), () => chat(openRouter(), stream));
    await until(() => (modelSpan as unknown as { attributes: Record<string, unknown> }).attributes['gen_ai.route.upstream'] !== undefined);
    modelSpan.end();
    const spans = tracing.spans();
    expect(spans.map((span) => span.name)).toEqual(['ChatCompletion']);
    expect(spans[0]!.attributes['gen_ai.route.upstream']).toBe('together');
  });

  it('never writes onto an unrelated active span (an HTTP server span): its own span is that span\'s child', async () => {
    const serverSpan = tracing.tracerProvider.getTracer('http').startSpan('POST /ask', { kind: SpanKind.SERVER });
    await context.with(trace.setSpan(context.active(), serverSpan), () => chat(openRouter(), stream));
    await until(() => tracing.spans().length === 1);
    serverSpan.end();
    const spans = tracing.spans();
    const server = spans.find((span) => span.name === 'POST /ask')!;
    const own = spans.find((span) => span.name.startsWith('chat'))!;
    expect(Object.keys(server.attributes).filter((key) => key.startsWith('gen_ai'))).toEqual([]);
    expect(own.parentSpanContext?.spanId ?? (own as unknown as { parentSpanId?: string }).parentSpanId).toBe(serverSpan.spanContext().spanId);
  });

  it('leaves a call a plugin owns to the plugin (its sink), with no span of its own', async () => {
    const captures: RouteCapture[] = [];
    await runWithRouteCapture((capture) => captures.push(capture), () => chat(openRouter(), stream));
    await captures[0]!.done;
    expect(captures).toHaveLength(1);
    expect(tracing.spans()).toHaveLength(0);
  });
});

describe('register entry: what is not a GenAI exchange', () => {
  it('makes no span for other traffic', async () => {
    await fetch(`${sim.baseUrls.openrouter}/models`);
    await fetch(`${sim.baseUrls.openrouter}/files`, { method: 'POST', body: '{}' }).catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(tracing.spans()).toHaveLength(0);
  });
});

describe('register entry: node:http2 clients', () => {
  it('a span per HTTP/2 model call, ended on success and on a reset (route from URL and headers only)', async () => {
    const server = createHttp2Server();
    server.on('stream', (stream, headers) => {
      stream.on('error', () => {});
      if (headers[':path'] === '/reset/v1/chat/completions') {
        stream.respond({ ':status': 200, 'content-type': 'text/event-stream' });
        stream.write('data: {}\n\n');
        setTimeout(() => stream.destroy(new Error('upstream reset')), 10);
        return;
      }
      stream.respond({ ':status': 200, 'content-type': 'application/json', 'x-litellm-model-api-base': 'https://api.openai.com/v1' });
      stream.end('{}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const session = http2Connect(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    const call = (path: string) =>
      new Promise<void>((resolve) => {
        const stream = session.request({ ':path': path, ':method': 'POST' });
        stream.on('data', () => {});
        stream.on('end', resolve);
        stream.on('error', () => resolve());
        stream.end('{"model":"gpt-4o"}');
      });
    try {
      await call('/ok/v1/chat/completions');
      await call('/reset/v1/chat/completions');
      await until(() => tracing.spans().length === 2);
      const ok = tracing.spans().find((span) => span.attributes['gen_ai.route.gateway'] === 'litellm')!;
      const reset = tracing.spans().find((span) => span !== ok)!;
      // No channel shows an HTTP/2 (or node:http) request body: the requested model stays unknown here.
      expect(ok.name).toBe('chat');
      expect(ok.status.code).not.toBe(SpanStatusCode.ERROR);
      expect(ok.attributes['gen_ai.route.upstream']).toBe('openai');
      expect(reset.status.code).toBe(SpanStatusCode.ERROR);
      expect(reset.attributes['error.type']).toBe('ERR_HTTP2_STREAM_ERROR');
    } finally {
      session.close();
      server.close();
    }
  });
});

describe('node --import @servedby/conventions/register', () => {
  it('works when the app sets up its tracer provider after the import', async () => {
    const child = fileURLToPath(new URL('./register-child.ts', import.meta.url));
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--import', fileURLToPath(new URL('../register.ts', import.meta.url)), child], {
      cwd: fileURLToPath(new URL('../..', import.meta.url)),
    });
    const spans = JSON.parse(stdout) as Array<{ name: string; upstream: unknown; gateway: unknown }>;
    expect(spans).toEqual([{ name: 'chat anthropic/claude-haiku-4.5', gateway: 'openrouter', upstream: 'together' }]);
  }, 60_000);
});
