import { createGateway } from '@ai-sdk/gateway';
import { experimental_extract as extract } from 'ai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGatewaySim } from '../server';
import type { GatewaySim } from '../types';

// The AI Gateway's native extraction-model route, driven by the real client (`@ai-sdk/gateway`
// `GatewayExtractionModel`, which validates the answer against its own response schema). The answer
// is synthetic: no recorded extraction-model response exists.
let sim: GatewaySim;
beforeAll(async () => {
  sim = await startGatewaySim({ port: 0, seed: 11 });
});
afterAll(async () => {
  await sim.close();
});

describe('vercel /v4/ai/extraction-model (synthetic answer, client schema)', () => {
  it('answers every field type the client supports, with the routing block in providerMetadata.gateway', async () => {
    const gateway = createGateway({ baseURL: `${sim.url}/vercel/v4/ai`, apiKey: 'test-key' });
    const result = await extract({
      model: gateway.extractionModel('anthropic/claude-haiku-4.5'),
      state: 'Ana orders 4 boxes. Deliver soon.',
      referenceDate: '2026-12-06',
      fields: {
        note: { type: 'text' },
        count: { type: 'number' },
        day: { type: 'date' },
        at: { type: 'time' },
        when: { type: 'datetime' },
        wait: { type: 'duration' },
        tags: { type: 'list', items: 'text' },
      },
      headers: { 'x-sim-upstream': 'vertexAnthropic' },
      maxRetries: 0,
    });
    expect(result.answers.note.value).toBe('Ana orders 4 boxes');
    expect(result.answers.count.value).toBe(4);
    expect(result.answers.day.value).toBe('2026-12-06');
    expect(result.answers.tags.value).toEqual(['Ana orders 4 boxes. Deliver soon.']);
    const routing = (result.providerMetadata?.gateway as { routing: Record<string, unknown> }).routing;
    expect(routing.finalProvider).toBe('vertexAnthropic');
    expect(result.response.headers?.['x-vercel-id']).toMatch(/^iad1::/);
    expect(result.usage.inputTokens).toBeGreaterThan(0);
  });

  it('rejects a body without fields with a 400', async () => {
    const response = await fetch(`${sim.url}/vercel/v4/ai/extraction-model`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'ai-model-id': 'openai/gpt-5-mini' },
      body: JSON.stringify({ stateParts: [] }),
    });
    expect(response.status).toBe(400);
  });
});
