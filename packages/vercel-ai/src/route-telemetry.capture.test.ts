import { context } from '@opentelemetry/api';
import { createGateway } from '@ai-sdk/gateway';
import { createOpenAI } from '@ai-sdk/openai';
import { startGatewaySim, type GatewaySim } from '@servedby/gateway-sim';
import { generateText, registerTelemetry, streamText, type LanguageModel } from 'ai';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ROUTE_ATTRIBUTED_KEY } from './route-middleware';
import { routeTelemetry } from './route-telemetry';
import { createTestTelemetry, type TestTelemetry } from './testing/harness';
import { TEST_API_KEY, UPSTREAM_HEADER } from './testing/routes';

// `registerTelemetry(routeTelemetry())` and nothing else: no routeMiddleware, no fetch option, the
// provider built before the integration. The streamed upstream comes from the HTTP exchange, seen
// on Node's diagnostics channels.
let sim: GatewaySim;
let telemetry: TestTelemetry;

beforeAll(async () => {
  sim = await startGatewaySim({ port: 0, seed: 7 });
});
afterAll(async () => {
  await sim?.close();
});
beforeEach(() => {
  telemetry = createTestTelemetry();
});
afterEach(() => {
  (globalThis as { AI_SDK_TELEMETRY_INTEGRATIONS?: unknown[] }).AI_SDK_TELEMETRY_INTEGRATIONS = [];
});

const cases: Array<{ name: string; model: () => LanguageModel; upstream: string; expected: Record<string, unknown> }> = [
  {
    name: '@ai-sdk/openai on OpenRouter',
    model: () => createOpenAI({ baseURL: sim.baseUrls.openrouter, apiKey: TEST_API_KEY }).chat('openai/gpt-4o'),
    upstream: 'Azure',
    expected: { 'gen_ai.route.gateway': 'openrouter', 'gen_ai.route.upstream': 'azure.ai.openai', 'gen_ai.route.request_id': expect.stringMatching(/^gen-/) },
  },
  {
    name: '@ai-sdk/openai on the Vercel AI Gateway',
    model: () => createOpenAI({ baseURL: sim.baseUrls.vercel, apiKey: TEST_API_KEY }).chat('anthropic/claude-sonnet-4'),
    upstream: 'vertexAnthropic',
    expected: { 'gen_ai.route.gateway': 'vercel', 'gen_ai.route.upstream': 'gcp.vertex_ai', 'gen_ai.route.path': ['vercel', 'gcp.vertex_ai', 'anthropic'] },
  },
  {
    name: '@ai-sdk/openai on LiteLLM',
    model: () => createOpenAI({ baseURL: sim.baseUrls.litellm, apiKey: TEST_API_KEY }).chat('gpt-4o'),
    upstream: 'bedrock',
    expected: { 'gen_ai.route.gateway': 'litellm', 'gen_ai.route.upstream': 'aws.bedrock' },
  },
  {
    name: '@ai-sdk/gateway (native protocol)',
    model: () => createGateway({ baseURL: `${sim.url}/vercel/v4/ai`, apiKey: TEST_API_KEY })('anthropic/claude-sonnet-4'),
    upstream: 'bedrock',
    expected: { 'gen_ai.route.gateway': 'vercel', 'gen_ai.route.upstream': 'aws.bedrock' },
  },
];

describe('registerTelemetry(routeTelemetry()) alone', () => {
  describe.each(cases)('$name', (route) => {
    it('attributes streamText from the stream itself', async () => {
      const model = route.model();
      registerTelemetry(routeTelemetry({ tracerProvider: telemetry.tracerProvider, meterProvider: telemetry.meterProvider }));
      const result = streamText({ model, prompt: 'Say hello', headers: { [UPSTREAM_HEADER]: route.upstream } });
      let text = '';
      for await (const delta of result.textStream) text += delta;
      expect(text.length).toBeGreaterThan(0);
      expect(telemetry.span(/^chat /).attributes).toMatchObject(route.expected);
    });

    it('attributes generateText the same way', async () => {
      const model = route.model();
      registerTelemetry(routeTelemetry({ tracerProvider: telemetry.tracerProvider, meterProvider: telemetry.meterProvider }));
      await generateText({ model, prompt: 'Say hello', headers: { [UPSTREAM_HEADER]: route.upstream } });
      expect(telemetry.span(/^chat /).attributes).toMatchObject(route.expected);
    });
  });
});

describe('what the async context of a model call keeps', () => {
  // undici keeps each fetch response's body stream, and the promises holding the call's async
  // context, until a major GC: what this integration puts there must let go of the call.
  it('holds nothing of the call once it is recorded', async () => {
    registerTelemetry(routeTelemetry({ tracerProvider: telemetry.tracerProvider, meterProvider: telemetry.meterProvider }));
    const seen: unknown[] = [];
    const model = createOpenAI({
      baseURL: sim.baseUrls.openrouter,
      apiKey: TEST_API_KEY,
      fetch: (input, init) => {
        seen.push(context.active().getValue(ROUTE_ATTRIBUTED_KEY));
        return globalThis.fetch(input, init);
      },
    }).chat('openai/gpt-4o');
    await generateText({ model, prompt: 'Say hello', headers: { [UPSTREAM_HEADER]: 'Azure' } });
    expect(telemetry.span(/^chat /).attributes).toMatchObject({ 'gen_ai.route.upstream': 'azure.ai.openai' });
    expect(seen).toHaveLength(1);
    const link = seen[0] as Record<string, unknown>;
    expect(typeof link.observe).toBe('function');
    // Only its forwarding function is left: no call state, no exchange, no body.
    expect(Object.values(link).filter((value) => typeof value === 'object' && value !== null)).toEqual([]);
  });
});
