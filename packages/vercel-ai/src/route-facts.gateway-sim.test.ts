import { createOpenAI } from '@ai-sdk/openai';
import { startGatewaySim, type GatewaySim } from '@servedby/gateway-sim';
import * as ai from 'ai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { routeMiddleware } from './route-middleware';
import { createTestTelemetry, type TestTelemetry } from './testing/harness';
import { SCENARIO_HEADER, TEST_API_KEY } from './testing/routes';

// Issue 15 proof for the AI SDK middleware: cost, who refused and cache hits on the model span, end to
// end against gateway-sim (the policy: route-middleware.test.ts).
let sim: GatewaySim;
let telemetry: TestTelemetry;

beforeAll(async () => {
  sim = await startGatewaySim({ port: 0, seed: 13 });
});
afterAll(async () => {
  await sim?.close();
});
beforeEach(() => {
  telemetry = createTestTelemetry();
});

async function call(baseURL: string, modelId: string, mode: 'generate' | 'stream', headers: Record<string, string> = {}) {
  const provider = createOpenAI({ baseURL, apiKey: TEST_API_KEY });
  const model = ai.wrapLanguageModel({ model: provider.chat(modelId), middleware: routeMiddleware({ tracerProvider: telemetry.tracerProvider, meterProvider: telemetry.meterProvider }) });
  try {
    if (mode === 'generate') await ai.generateText({ model, prompt: 'Hi', headers, maxRetries: 0 });
    else {
      const result = ai.streamText({ model, prompt: 'Hi', headers, maxRetries: 0, onError: () => undefined });
      await result.consumeStream();
    }
  } catch {
    // The failed calls below are the point.
  }
  return telemetry.span(`chat ${modelId}`);
}

for (const mode of ['generate', 'stream'] as const) {
  describe(`routeMiddleware route facts against gateway-sim (${mode})`, () => {
    it('records the AI Gateway cost and OpenRouter cost; no error source or cache hit on a served call', async () => {
      const vercel = await call(sim.baseUrls.vercel, 'anthropic/claude-sonnet-4', mode);
      expect(vercel.attributes).toMatchObject({ 'gen_ai.route.gateway': 'vercel', 'gen_ai.usage.cost': expect.any(Number) });
      expect(vercel.attributes['gen_ai.route.error_source']).toBeUndefined();
      expect(vercel.attributes['gen_ai.route.cache_hit']).toBeUndefined();
      telemetry = createTestTelemetry();
      const openrouter = await call(sim.baseUrls.openrouter, 'anthropic/claude-sonnet-4', mode);
      expect(openrouter.attributes).toMatchObject({ 'gen_ai.route.gateway': 'openrouter', 'gen_ai.usage.cost': expect.any(Number) });
    });

    it("a relayed upstream 429 is the upstream's; LiteLLM's own budget refusal is the gateway's", async () => {
      const relayed = await call(sim.baseUrls.openrouter, 'anthropic/claude-sonnet-4', mode, { [SCENARIO_HEADER]: 'rate-limit' });
      expect(relayed.attributes).toMatchObject({ 'gen_ai.route.gateway': 'openrouter', 'gen_ai.route.error_source': 'upstream', 'gen_ai.route.upstream': expect.any(String) });
      telemetry = createTestTelemetry();
      const own = await call(sim.baseUrls.litellm, 'gpt-4o', mode, { [SCENARIO_HEADER]: 'budget-exceeded' });
      expect(own.attributes).toMatchObject({ 'gen_ai.route.gateway': 'litellm', 'gen_ai.route.error_source': 'gateway' });
      expect(own.attributes['gen_ai.route.upstream']).toBeUndefined();
    });

    it("Kong's semantic-cache hit carries cache_hit and no upstream (the OpenAI provider rejects Kong's re-serialised body, so the call itself fails)", async () => {
      const span = await call(sim.baseUrls.kong, 'gpt-4.1', mode, { [SCENARIO_HEADER]: 'cache-hit' });
      expect(span.attributes).toMatchObject({ 'gen_ai.route.gateway': 'kong', 'gen_ai.route.cache_hit': true });
      expect(span.attributes['gen_ai.route.upstream']).toBeUndefined();
    });
  });
}
