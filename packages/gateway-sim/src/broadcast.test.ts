import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createOpenRouter } from '@openrouter/ai-sdk-provider';
import { generateText } from 'ai';
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createBroadcastExporter, parseTraceparent, tracesUrl, type GatewaySpan } from './broadcast';
import { startGatewaySim } from './server';
import type { GatewaySim } from './types';

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  status: { code: number; message?: string };
  attributes: Array<{ key: string; value: Record<string, unknown> }>;
}

/** A minimal OTLP/HTTP JSON receiver that keeps what it is sent. */
function startReceiver(respond: (request: IncomingMessage, response: ServerResponse) => void = (_, response) => response.end('{}')) {
  const bodies: unknown[] = [];
  const paths: string[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      paths.push(request.url ?? '');
      bodies.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      respond(request, response);
    });
  });
  return new Promise<{ url: string; bodies: unknown[]; paths: string[]; close: () => Promise<void> }>((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${port}`,
        bodies,
        paths,
        close: () => {
          server.closeAllConnections();
          return new Promise((done) => server.close(() => done()));
        },
      });
    });
  });
}

function spansOf(bodies: unknown[]): Array<OtlpSpan & { service: string; scope: string; attrs: Record<string, unknown> }> {
  const spans: Array<OtlpSpan & { service: string; scope: string; attrs: Record<string, unknown> }> = [];
  for (const body of bodies as Array<{ resourceSpans: Array<{ resource: { attributes: OtlpSpan['attributes'] }; scopeSpans: Array<{ scope: { name: string }; spans: OtlpSpan[] }> }> }>) {
    for (const resourceSpans of body.resourceSpans) {
      const service = String(resourceSpans.resource.attributes.find((attribute) => attribute.key === 'service.name')?.value.stringValue);
      for (const scopeSpans of resourceSpans.scopeSpans) {
        for (const span of scopeSpans.spans) {
          const attrs = Object.fromEntries(span.attributes.map((attribute) => [attribute.key, Object.values(attribute.value)[0]]));
          spans.push({ ...span, service, scope: scopeSpans.scope.name, attrs });
        }
      }
    }
  }
  return spans;
}

let receiver: Awaited<ReturnType<typeof startReceiver>>;
let sim: GatewaySim;
beforeAll(async () => {
  receiver = await startReceiver();
  sim = await startGatewaySim({ port: 0, seed: 21, otlpEndpoint: receiver.url });
});
afterAll(async () => {
  await sim.close();
  await receiver.close();
});
beforeEach(() => {
  receiver.bodies.length = 0;
});

const messages = [{ role: 'user' as const, content: 'hi' }];
const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const PARENT_ID = '00f067aa0ba902b7';

describe('OpenRouter Broadcast-shaped spans', () => {
  it('joins a W3C traceparent: generation span under the caller\'s span, one attempt child, gen_ai attributes', async () => {
    const client = new OpenAI({ apiKey: 'sk-or-test', baseURL: sim.baseUrls.openrouter, maxRetries: 0 });
    const data = await client.chat.completions.create(
      { model: 'anthropic/claude-haiku-4.5', messages, user: 'user-7', session_id: 's-1' } as OpenAI.Chat.ChatCompletionCreateParamsNonStreaming,
      { headers: { traceparent: `00-${TRACE_ID}-${PARENT_ID}-01` } },
    );
    await sim.flushTraces();
    expect(receiver.paths.at(-1)).toBe('/v1/traces');
    const spans = spansOf(receiver.bodies);
    expect(spans.map((span) => span.name)).toEqual(['LLM Generation', 'provider attempt 1: Amazon Bedrock']);
    const [generation, attempt] = spans;
    expect(generation).toMatchObject({ service: 'openrouter', scope: 'openrouter', traceId: TRACE_ID, parentSpanId: PARENT_ID, status: { code: 1 } });
    expect(attempt).toMatchObject({ traceId: TRACE_ID, parentSpanId: generation!.spanId, kind: 3 });
    const usage = data.usage as unknown as { cost: number; prompt_tokens: number };
    expect(generation!.attrs).toMatchObject({
      'gen_ai.request.model': 'anthropic/claude-haiku-4.5',
      'gen_ai.response.model': 'anthropic/claude-4.5-haiku-20251001',
      'gen_ai.provider.name': 'Amazon Bedrock',
      'gen_ai.usage.input_tokens': String(usage.prompt_tokens),
      'gen_ai.usage.total_cost': usage.cost,
      'trace.metadata.openrouter.provider_slug': 'amazon-bedrock',
      'user.id': 'user-7',
      'session.id': 's-1',
    });
    expect(BigInt(generation!.endTimeUnixNano)).toBeGreaterThanOrEqual(BigInt(attempt!.endTimeUnixNano));
    expect(generation!.attrs['gen_ai.input.messages']).toBeUndefined();
  });

  it('prefers the body trace object: trace_id / parent_span_id, span_name parent, generation_name, custom metadata', async () => {
    const client = new OpenAI({ apiKey: 'sk-or-test', baseURL: sim.baseUrls.openrouter, maxRetries: 0 });
    const trace = { trace_id: TRACE_ID, parent_span_id: PARENT_ID, span_name: 'support turn', generation_name: 'answer', environment: 'demo' };
    await client.chat.completions.create({ model: 'openai/gpt-4o', messages, trace } as OpenAI.Chat.ChatCompletionCreateParamsNonStreaming, {
      headers: { traceparent: `00-${'1'.repeat(32)}-${'2'.repeat(16)}-01` },
    });
    await sim.flushTraces();
    const spans = spansOf(receiver.bodies);
    expect(spans.map((span) => span.name)).toEqual(['support turn', 'answer', 'provider attempt 1: OpenAI']);
    expect(spans.every((span) => span.traceId === TRACE_ID)).toBe(true);
    expect(spans[0]!.parentSpanId).toBe(PARENT_ID);
    expect(spans[1]!.parentSpanId).toBe(spans[0]!.spanId);
    expect(spans[1]!.attrs['trace.metadata.environment']).toBe('demo');
  });

  it('one child span per attempt: a failed Anthropic attempt, then Bedrock; a relayed failure marks the generation', async () => {
    const client = new OpenAI({ apiKey: 'sk-or-test', baseURL: sim.baseUrls.openrouter, maxRetries: 0 });
    const down = { 'x-sim-scenario': JSON.stringify({ down: ['anthropic'] }) };
    await client.chat.completions.create({ model: 'anthropic/claude-haiku-4.5', messages, provider: { order: ['anthropic'] } } as OpenAI.Chat.ChatCompletionCreateParamsNonStreaming, { headers: down });
    await sim.flushTraces();
    const fallback = spansOf(receiver.bodies);
    expect(fallback.map((span) => [span.name, span.status.code])).toEqual([
      ['LLM Generation', 1],
      ['provider attempt 1: Anthropic', 2],
      ['provider attempt 2: Amazon Bedrock', 1],
    ]);
    expect(fallback[1]!.attrs['error.type']).toBe('429');
    expect(fallback[0]!.attrs['gen_ai.provider.name']).toBe('Amazon Bedrock');
    expect(new Set(fallback.map((span) => span.traceId)).size).toBe(1);
    expect(fallback[0]!.parentSpanId).toBeUndefined();
    receiver.bodies.length = 0;
    await client.chat.completions
      .create({ model: 'anthropic/claude-haiku-4.5', messages, provider: { order: ['anthropic'], allow_fallbacks: false } } as OpenAI.Chat.ChatCompletionCreateParamsNonStreaming, { headers: down })
      .catch(() => undefined);
    await sim.flushTraces();
    const failed = spansOf(receiver.bodies);
    expect(failed.map((span) => [span.name, span.status.code])).toEqual([
      ['LLM Generation', 2],
      ['provider attempt 1: Anthropic', 2],
    ]);
  });

  it('streams too, and the AI SDK provider\'s trace body field reaches the spans', async () => {
    const openrouter = createOpenRouter({ apiKey: 'sk-or-test', baseURL: sim.baseUrls.openrouter, extraBody: { trace: { trace_id: TRACE_ID, parent_span_id: PARENT_ID } } });
    await generateText({ model: openrouter('openai/gpt-4o'), prompt: 'hi', maxRetries: 0 });
    const client = new OpenAI({ apiKey: 'sk-or-test', baseURL: sim.baseUrls.openrouter, maxRetries: 0 });
    const stream = await client.chat.completions.create({ model: 'openai/gpt-4o', messages, stream: true });
    for await (const _ of stream) void _;
    await sim.flushTraces();
    const generations = spansOf(receiver.bodies).filter((span) => span.name === 'LLM Generation');
    expect(generations).toHaveLength(2);
    expect(generations[0]!).toMatchObject({ traceId: TRACE_ID, parentSpanId: PARENT_ID });
    expect(generations[1]!.traceId).not.toBe(TRACE_ID);
  });

  it('marks the generation failed when the stream broke mid-way (the attempt had answered)', async () => {
    const client = new OpenAI({ apiKey: 'sk-or-test', baseURL: sim.baseUrls.openrouter, maxRetries: 0 });
    const stream = await client.chat.completions.create({ model: 'openai/gpt-4o', messages, stream: true }, { headers: { 'x-sim-scenario': 'midstream-error' } });
    await (async () => {
      for await (const _ of stream) void _;
    })().catch(() => undefined);
    await sim.flushTraces();
    const [generation, attempt] = spansOf(receiver.bodies);
    expect(generation).toMatchObject({ name: 'LLM Generation', status: { code: 2 } });
    expect(generation!.attrs['error.type']).toBe('502');
    expect(attempt).toMatchObject({ name: 'provider attempt 1: OpenAI', status: { code: 1 } });
  });

  it('sends nothing for OpenRouter\'s own refusals (no generation happened)', async () => {
    const client = new OpenAI({ apiKey: 'sk-or-test', baseURL: sim.baseUrls.openrouter, maxRetries: 0 });
    await client.chat.completions.create({ model: 'openai/gpt-4o', messages }, { headers: { 'x-sim-scenario': 'insufficient-credits' } }).catch(() => undefined);
    await sim.flushTraces();
    expect(receiver.bodies).toEqual([]);
  });
});

describe('the exporter is non-blocking and bounded', () => {
  it('a receiver that never answers slows no call; the batch is dropped after the timeout', async () => {
    const stuck = await startReceiver(() => {
      /* never answers */
    });
    const slowSim = await startGatewaySim({ port: 0, otlpEndpoint: stuck.url });
    try {
      const client = new OpenAI({ apiKey: 'x', baseURL: slowSim.baseUrls.openrouter, maxRetries: 0 });
      for (let index = 0; index < 3; index += 1) {
        const data = await client.chat.completions.create({ model: 'openai/gpt-4o', messages });
        expect(data.choices[0]!.message.content).toBe('Hello from the gateway simulator.');
      }
      // The three answers arrived although no export ever completed.
      expect(slowSim.traceStats().sent).toBe(0);
    } finally {
      await slowSim.close();
      await stuck.close();
    }
    expect(slowSim.traceStats().dropped).toBeGreaterThan(0);
  });

  it('drops spans past the queue bound and counts them; a refused endpoint costs dropped spans, not errors', async () => {
    const span = (name: string): GatewaySpan => ({ traceId: TRACE_ID, spanId: PARENT_ID, name, kind: 1, startMs: 1, endMs: 2, attributes: {} });
    const refused = createBroadcastExporter({ endpoint: 'http://127.0.0.1:9/', maxQueuedSpans: 3, requestTimeoutMs: 500 });
    refused.export([span('a'), span('b'), span('c'), span('d'), span('e')], { 'service.name': 'openrouter' }, 'openrouter');
    expect(refused.stats()).toEqual({ queued: 3, sent: 0, dropped: 2 });
    await refused.flush();
    expect(refused.stats()).toEqual({ queued: 3, sent: 0, dropped: 5 });
    await refused.close();
  });

  it('parses traceparent strictly and completes endpoint URLs', () => {
    expect(parseTraceparent(`00-${TRACE_ID}-${PARENT_ID}-01`)).toEqual({ traceId: TRACE_ID, parentSpanId: PARENT_ID });
    expect(parseTraceparent(`00-${'0'.repeat(32)}-${PARENT_ID}-01`)).toBeUndefined();
    expect(parseTraceparent(`ff-${TRACE_ID}-${PARENT_ID}-01`)).toBeUndefined();
    expect(parseTraceparent('garbage')).toBeUndefined();
    expect(tracesUrl('http://collector:4318')).toBe('http://collector:4318/v1/traces');
    expect(tracesUrl('http://collector:4318/custom/traces')).toBe('http://collector:4318/custom/traces');
  });
});
