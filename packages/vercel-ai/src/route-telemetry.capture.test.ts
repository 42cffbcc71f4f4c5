import { createGateway } from '@ai-sdk/gateway';
import { createOpenAI } from '@ai-sdk/openai';
import { startGatewaySim, type GatewaySim } from '@servedby/gateway-sim';
import { generateText, registerTelemetry, streamText, type LanguageModel } from 'ai';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
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
