import { Agent } from '@mastra/core/agent';
import { startGatewaySim, type GatewaySim } from '@servedby/gateway-sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMastra, createTelemetry, flush, modelCallSpans, type Telemetry } from '../test/harness';

// Issue 15: the routing policy a model step sent (OpenRouter `provider` through the AI SDK provider
// Mastra's router string uses), its hash, the cost, who refused and cache hits, end to end against
// gateway-sim. The policy comes from the request body the fetch capture kept.
let sim: GatewaySim;

beforeAll(async () => {
  sim = await startGatewaySim({ port: 0 });
  process.env.OPENROUTER_BASE_URL = sim.baseUrls.openrouter;
  process.env.OPENROUTER_API_KEY = 'sk-or-policy-test';
});

afterAll(async () => {
  await sim?.close();
});

const MODEL = 'openrouter/anthropic/claude-sonnet-4';
const PREFERENCES = { order: ['anthropic', 'amazon-bedrock'], allow_fallbacks: false };

async function run(mode: 'generate' | 'stream', headers: Record<string, string> = {}, preferences: object = PREFERENCES): Promise<{ telemetry: Telemetry; failed: boolean }> {
  const telemetry = createTelemetry();
  const agent = new Agent({ id: 'plain', name: 'plain', instructions: 'Be brief.', model: MODEL });
  const mastra = createMastra({ agents: { plain: agent }, telemetry });
  const options = { modelSettings: { headers, maxRetries: 0 }, providerOptions: { openrouter: { provider: preferences } } } as never;
  let failed = false;
  try {
    if (mode === 'generate') await mastra.getAgent('plain').generate('Hello', options);
    else {
      const result = await mastra.getAgent('plain').stream('Hello', options);
      for await (const _chunk of result.textStream);
    }
  } catch {
    failed = true;
  }
  await flush(mastra);
  return { telemetry, failed };
}

for (const mode of ['generate', 'stream'] as const) {
  describe(`Mastra routing policy, cost and error source (${mode}, gateway-sim OpenRouter)`, () => {
    it('records the provider preferences the model step sent, their hash and the cost; the sim honours the order', async () => {
      const { telemetry } = await run(mode);
      const [call] = modelCallSpans(telemetry.spans());
      expect(call?.attributes).toMatchObject({
        'gen_ai.route.gateway': 'openrouter',
        'gen_ai.route.upstream': 'anthropic',
        'gen_ai.route.policy': JSON.stringify({ provider: { allow_fallbacks: false, order: ['anthropic', 'amazon-bedrock'] } }),
        'gen_ai.route.policy_hash': expect.stringMatching(/^[0-9a-f]{16}$/),
        'gen_ai.usage.cost': expect.any(Number),
      });
      expect(call?.attributes['gen_ai.route.error_source']).toBeUndefined();
      expect(call?.attributes['gen_ai.route.cache_hit']).toBeUndefined();
    });

    it("an upstream's relayed error is the upstream's; OpenRouter's own 402 is the gateway's", async () => {
      const relayed = await run(mode, { 'x-sim-scenario': 'rate-limit' });
      const [relayedCall] = modelCallSpans(relayed.telemetry.spans());
      expect(relayedCall?.attributes).toMatchObject({ 'gen_ai.route.error_source': 'upstream', 'gen_ai.route.policy_hash': expect.stringMatching(/^[0-9a-f]{16}$/) });
      const own = await run(mode, { 'x-sim-scenario': 'insufficient-credits' });
      const [ownCall] = modelCallSpans(own.telemetry.spans());
      expect(ownCall?.attributes).toMatchObject({ 'gen_ai.route.error_source': 'gateway' });
      expect(ownCall?.attributes['gen_ai.route.upstream']).toBeUndefined();
    });

    it('a policy no provider of the model satisfies is refused by OpenRouter itself (404), with that policy on the span', async () => {
      const { telemetry, failed } = await run(mode, {}, { only: ['together'], allow_fallbacks: false });
      expect(failed || mode === 'stream').toBe(true);
      const [call] = modelCallSpans(telemetry.spans());
      expect(call?.attributes).toMatchObject({
        'error.type': '404',
        'gen_ai.route.error_source': 'gateway',
        'gen_ai.route.policy': JSON.stringify({ provider: { allow_fallbacks: false, only: ['together'] } }),
      });
      expect(call?.attributes['gen_ai.route.upstream']).toBeUndefined();
    });
  });
}
