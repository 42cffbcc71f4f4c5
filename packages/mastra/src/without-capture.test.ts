import { createAzure } from '@ai-sdk/azure';
import { Agent } from '@mastra/core/agent';
import { startGatewaySim, type GatewaySim } from '@servedby/gateway-sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routeCaptureFetch } from './index';
import { createMastra, createTelemetry, flush, modelCallSpans } from '../test/harness';

// Its own file: the fetch capture is process-wide, and no processor here may turn it on.
let sim: GatewaySim;

beforeAll(async () => {
  sim = await startGatewaySim({ port: 0 });
  process.env.OPENROUTER_BASE_URL = sim.baseUrls.openrouter;
  process.env.OPENROUTER_API_KEY = 'sk-or-no-capture-test';
});

afterAll(async () => {
  await sim?.close();
});

describe('without the fetch capture', () => {
  it('falls back to what Mastra keeps on the step: headers and, for JSON, the body', async () => {
    const telemetry = createTelemetry();
    const agent = new Agent({ id: 'plain', name: 'plain', instructions: 'Be brief.', model: 'openrouter/anthropic/claude-sonnet-4' });
    const mastra = createMastra({ agents: { plain: agent }, telemetry, servedby: { captureFetch: false } });
    const options = { modelSettings: { headers: { 'x-sim-upstream': 'Together' } } };
    await mastra.getAgent('plain').generate('Hello', options);
    const stream = await mastra.getAgent('plain').stream('Hello', options);
    for await (const _chunk of stream.textStream);
    await flush(mastra);

    const [generated, streamed] = modelCallSpans(telemetry.spans());
    expect(generated?.attributes).toMatchObject({ 'gen_ai.route.gateway': 'openrouter', 'gen_ai.route.upstream': 'together' });
    // Mastra keeps no body and no provider metadata for a stream: the gateway is known, the upstream honestly unset.
    expect(streamed?.attributes['gen_ai.route.gateway']).toBe('openrouter');
    expect(streamed?.attributes['gen_ai.route.upstream']).toBeUndefined();
  });
});

describe('routeCaptureFetch on a provider instance', () => {
  it('captures the route with the global capture turned off', async () => {
    const telemetry = createTelemetry();
    const model = createAzure({
      baseURL: `${sim.baseUrls.azure}/openai`,
      apiKey: 'azure-test-key',
      useDeploymentBasedUrls: true,
      apiVersion: '2024-10-21',
      fetch: routeCaptureFetch(),
    }).chat('gpt-4o-eastus');
    const agent = new Agent({ id: 'plain', name: 'plain', instructions: 'Be brief.', model });
    const mastra = createMastra({ agents: { plain: agent }, telemetry, servedby: { captureFetch: false } });
    const stream = await mastra.getAgent('plain').stream('Hello');
    for await (const _chunk of stream.textStream);
    await flush(mastra);
    const [call] = modelCallSpans(telemetry.spans());
    expect(call?.attributes).toMatchObject({
      'gen_ai.route.gateway': 'azure.ai.openai',
      'gen_ai.route.upstream': 'openai',
      'gen_ai.route.deployment': 'gpt-4o-eastus',
      // Only the capture knows the URL.
      'server.port': sim.port,
    });
  });
});
