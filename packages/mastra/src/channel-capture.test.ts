import { createAzure } from '@ai-sdk/azure';
import { Agent } from '@mastra/core/agent';
import { routeCaptureSupport } from '@servedby/conventions';
import { startGatewaySim, type GatewaySim } from '@servedby/gateway-sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMastra, createTelemetry, flush, modelCallSpans } from '../test/harness';

// The fetch as it was before servedby: a provider that keeps its own reference to it bypasses the
// processor's patched global fetch, so only the diagnostics-channel capture sees its exchanges.
const fetchBeforeServedby = globalThis.fetch;
let sim: GatewaySim;

beforeAll(async () => {
  sim = await startGatewaySim({ port: 0 });
});
afterAll(async () => {
  await sim?.close();
});

describe('routeSpanProcessor() alone, provider with its own fetch', () => {
  it.each(['generate', 'stream'] as const)('%s through OpenRouter: the upstream from the body the patched fetch never saw', async (mode) => {
    // The package's own AI SDK provider, pointed at OpenRouter's OpenAI-compatible API (`{baseURL}/chat/completions`).
    const model = createAzure({
      baseURL: sim.baseUrls.openrouter,
      apiKey: 'sk-or-test',
      fetch: (input, init) => fetchBeforeServedby(input, init),
    }).chat('openai/gpt-4o');
    const telemetry = createTelemetry();
    const agent = new Agent({ id: 'plain', name: 'plain', instructions: 'Answer briefly.', model });
    const mastra = createMastra({ agents: { plain: agent }, telemetry });
    const headers = { 'x-sim-upstream': 'Together' };
    if (mode === 'generate') {
      await mastra.getAgent('plain').generate('Hello', { modelSettings: { headers } });
    } else {
      const stream = await mastra.getAgent('plain').stream('Hello', { modelSettings: { headers } });
      for await (const _chunk of stream.textStream) {
        // read to the end
      }
    }
    await flush(mastra);
    const calls = modelCallSpans(telemetry.spans());
    expect(calls).toHaveLength(1);
    if (mode === 'stream' && !routeCaptureSupport().undiciBody) {
      // Node 22: no body channel, and this fetch bypasses the feeder: headers only, so no upstream
      // (the stream's chunks name it) — and never a wrong one.
      expect(calls[0]!.attributes).toMatchObject({ 'gen_ai.route.gateway': 'openrouter' });
      expect(calls[0]!.attributes['gen_ai.route.upstream']).toBeUndefined();
      return;
    }
    expect(calls[0]!.attributes).toMatchObject({
      'gen_ai.route.gateway': 'openrouter',
      'gen_ai.route.upstream': 'together',
      'gen_ai.route.request_id': expect.stringMatching(/^gen-/),
    });
    expect(JSON.stringify(calls[0]!.attributes)).not.toContain('sk-or-test');
  });
});
