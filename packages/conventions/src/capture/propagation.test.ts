import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { context, trace } from '@opentelemetry/api';
import { startGatewaySim, startOtlpReceiver, type GatewaySim, type OtlpReceiver } from '@servedby/gateway-sim';
import { createTestTracing } from '@servedby/test-otel';
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { captureRouteFetch } from '../capture-route-fetch';
import { enableRouteCapture } from './observer';
import { propagationTarget, resolveGatewayPropagation, withOpenRouterTrace } from './propagation';

const tracing = createTestTracing();
trace.setGlobalTracerProvider(tracing.tracerProvider);
let receiver: OtlpReceiver;
let sim: GatewaySim;
let seenTraceparents: Array<string | undefined> = [];
let plainServer: { url: string; close(): Promise<void> };
// A server the test maps to OpenRouter: records what it was sent.
let openRouterLike: { url: string; close(): Promise<void> };
let received: Array<{ body: string; headers: Record<string, string | string[] | undefined> }> = [];

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  sim = await startGatewaySim({ port: 0, seed: 13, otlpEndpoint: receiver.endpoint });
  const recording = createServer((request: IncomingMessage, response: ServerResponse) => {
    const parts: Buffer[] = [];
    request.on('data', (part: Buffer) => parts.push(part));
    request.on('end', () => {
      received.push({ body: Buffer.concat(parts).toString('utf8'), headers: request.headers });
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end('{"id":"gen-1","provider":"Together","model":"m","choices":[]}');
    });
  });
  await new Promise<void>((resolve) => recording.listen(0, '127.0.0.1', resolve));
  const recordingHost = `127.0.0.1:${(recording.address() as AddressInfo).port}`;
  openRouterLike = {
    url: `http://${recordingHost}`,
    close: () =>
      new Promise<void>((resolve) => {
        recording.closeAllConnections();
        recording.close(() => resolve());
      }),
  };
  // The simulator runs on loopback, where no rule recognises OpenRouter's host: name it.
  enableRouteCapture({
    ownSpans: true,
    propagateToGateways: { gatewayOfHost: { [`127.0.0.1:${sim.port}`]: 'openrouter', [recordingHost]: 'openrouter' } },
  });
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    seenTraceparents.push(request.headers.traceparent as string | undefined);
    request.resume();
    request.on('end', () => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end('{"id":"chatcmpl-1","model":"gpt-4o","choices":[]}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  plainServer = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
});
afterAll(async () => {
  await sim?.close();
  await receiver?.close();
  await plainServer?.close();
  await openRouterLike?.close();
});
beforeEach(() => {
  tracing.reset();
  receiver.reset();
  seenTraceparents = [];
  received = [];
});

describe('propagateToGateways: where the context may go', () => {
  it('recognised gateways and named hosts only; never a direct provider, a cloud or an unknown host', () => {
    const propagation = resolveGatewayPropagation({ hosts: ['litellm.internal', '10.0.0.5:4000'] })!;
    expect(propagationTarget('https://openrouter.ai/api/v1/chat/completions', propagation)).toEqual({ gateway: 'openrouter' });
    expect(propagationTarget('http://litellm.internal/v1/chat/completions', propagation)).toEqual({ gateway: undefined });
    expect(propagationTarget('http://10.0.0.5:4000/v1/chat/completions', propagation)).toEqual({ gateway: undefined });
    expect(propagationTarget('http://10.0.0.5:4001/v1/chat/completions', propagation)).toBeUndefined();
    expect(propagationTarget('https://api.openai.com/v1/chat/completions', propagation)).toBeUndefined();
    expect(propagationTarget('https://bedrock-runtime.us-east-1.amazonaws.com/model/x/converse', propagation)).toBeUndefined();
    expect(propagationTarget('https://example.com/v1/chat/completions', propagation)).toBeUndefined();
    expect(resolveGatewayPropagation(false)).toBeUndefined();
    expect(resolveGatewayPropagation(undefined)).toBeUndefined();
  });

  it('adds OpenRouter\'s body trace only to a JSON object body without one', () => {
    const spanContext = { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceFlags: 1 };
    expect(JSON.parse(withOpenRouterTrace('{"model":"m","messages":[]}', spanContext)!)).toEqual({
      model: 'm',
      messages: [],
      trace: { trace_id: spanContext.traceId, parent_span_id: spanContext.spanId },
    });
    expect(withOpenRouterTrace('{"model":"m","trace":{"trace_id":"mine"}}', spanContext)).toBeUndefined();
    expect(withOpenRouterTrace('not json', spanContext)).toBeUndefined();
    expect(withOpenRouterTrace('[1]', spanContext)).toBeUndefined();
    expect(withOpenRouterTrace(new Uint8Array(3), spanContext)).toBeUndefined();
  });
});

describe('propagateToGateways end to end (gateway-sim Broadcast)', () => {
  it.each([false, true])('the gateway\'s spans land in the app\'s trace under the capture span (stream: %s)', async (stream) => {
    const client = new OpenAI({ apiKey: 'sk-or-test', baseURL: sim.baseUrls.openrouter, maxRetries: 0 });
    const messages = [{ role: 'user' as const, content: 'hi' }];
    if (stream) {
      for await (const _chunk of await client.chat.completions.create({ model: 'openai/gpt-4o', messages, stream: true })) {
        // read to the end
      }
    } else {
      await client.chat.completions.create({ model: 'openai/gpt-4o', messages });
    }
    for (let round = 0; round < 200 && tracing.spans().length === 0; round += 1) await new Promise((resolve) => setTimeout(resolve, 5));
    await sim.flushTraces();
    const [own] = tracing.spans();
    expect(own?.name).toBe('chat openai/gpt-4o');
    const gatewaySpans = receiver.spans();
    expect(gatewaySpans.length).toBeGreaterThan(0);
    for (const span of gatewaySpans) expect(span.traceId).toBe(own!.spanContext().traceId);
    const root = gatewaySpans.find((span) => !gatewaySpans.some((other) => other.spanId === span.parentSpanId))!;
    expect(root.parentSpanId).toBe(own!.spanContext().spanId);
  });

  it('OpenRouter gets its body trace fields without a fetch wrapper; the rest of the body and the answer are unchanged', async () => {
    const client = new OpenAI({ apiKey: 'sk-or-test', baseURL: `${openRouterLike.url}/api/v1`, maxRetries: 0 });
    const completion = await client.chat.completions.create({ model: 'openai/gpt-4o', messages: [{ role: 'user', content: 'hi €' }] });
    expect(completion.id).toBe('gen-1');
    for (let round = 0; round < 200 && tracing.spans().length === 0; round += 1) await new Promise((resolve) => setTimeout(resolve, 5));
    const [own] = tracing.spans();
    const sent = JSON.parse(received[0]!.body) as Record<string, unknown>;
    expect(sent).toEqual({
      model: 'openai/gpt-4o',
      messages: [{ role: 'user', content: 'hi €' }],
      trace: { trace_id: own!.spanContext().traceId, parent_span_id: own!.spanContext().spanId },
    });
    expect(received[0]!.headers.traceparent).toBe(`00-${own!.spanContext().traceId}-${own!.spanContext().spanId}-01`);
    // The route still comes out of the exchange.
    expect(own!.attributes['gen_ai.route.upstream']).toBe('together');
  });

  it('a body over 1 MiB, or one with its own trace, goes to OpenRouter exactly as sent', async () => {
    const big = JSON.stringify({ model: 'openai/gpt-4o', messages: [{ role: 'user', content: 'x'.repeat(1_100_000) }] });
    const ownTrace = JSON.stringify({ model: 'openai/gpt-4o', messages: [], trace: { trace_id: 'mine' } });
    for (const body of [big, ownTrace]) {
      const response = await fetch(`${openRouterLike.url}/api/v1/chat/completions`, { method: 'POST', body, headers: { 'content-type': 'application/json' } });
      expect(response.status).toBe(200);
      await response.text();
    }
    expect(received.map((request) => request.body)).toEqual([big, ownTrace]);
    expect(received[0]!.headers['content-length']).toBe(String(Buffer.byteLength(big)));
  });

  it('sends nothing to a host that is not a gateway', async () => {
    const client = new OpenAI({ apiKey: 'sk-test', baseURL: `${plainServer.url}/v1`, maxRetries: 0 });
    await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] });
    expect(seenTraceparents).toEqual([undefined]);
  });

  it('a fetch wrapper adds OpenRouter\'s body trace fields under the active model span', async () => {
    let sentBody: unknown;
    const recordingFetch: typeof fetch = async (_input, init) => {
      sentBody = init?.body;
      return new Response('{}', { headers: { 'content-type': 'application/json' } });
    };
    const wrapped = captureRouteFetch(recordingFetch, {
      tracerProvider: tracing.tracerProvider,
      propagateToGateways: { gatewayOfHost: { 'or-proxy.internal': 'openrouter' } },
    });
    const modelSpan = tracing.tracerProvider.getTracer('plugin').startSpan('chat m', { attributes: { 'gen_ai.operation.name': 'chat' } });
    await context.with(trace.setSpan(context.active(), modelSpan), () =>
      wrapped('http://or-proxy.internal/api/v1/chat/completions', { method: 'POST', body: '{"model":"m"}' }),
    );
    modelSpan.end();
    expect(JSON.parse(String(sentBody))).toEqual({
      model: 'm',
      trace: { trace_id: modelSpan.spanContext().traceId, parent_span_id: modelSpan.spanContext().spanId },
    });
    await wrapped('http://other.internal/api/v1/chat/completions', { method: 'POST', body: '{"model":"m"}' });
    expect(sentBody).toBe('{"model":"m"}');
  });
});
