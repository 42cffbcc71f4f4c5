import { ChatOpenAI } from '@langchain/openai';
import { ChatOpenRouter } from '@langchain/openrouter';
import { startGatewaySim, type GatewaySim } from '@servedby/gateway-sim';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createRouteCallbackHandler } from './index';
import { createTestTelemetry, modelSpans } from './test-support';

const telemetry = createTestTelemetry();
let sim: GatewaySim;
let handler: ReturnType<typeof createRouteCallbackHandler>;

beforeAll(async () => {
  // ChatOpenRouter sends no custom headers: the simulator's OpenRouter reports Amazon Bedrock by default.
  sim = await startGatewaySim({ port: 0, seed: 13, config: { targets: { openrouter: { upstream: 'Amazon Bedrock' } } } });
  handler = createRouteCallbackHandler({
    tracerProvider: telemetry.tracerProvider,
    meterProvider: telemetry.meterProvider,
    captureGlobalFetch: true,
  });
});
afterAll(async () => {
  await sim?.close();
});
beforeEach(() => telemetry.reset());

describe('captureGlobalFetch', () => {
  it('gives ChatOpenRouter (global fetch, no fetch option) its upstream, JSON and stream', async () => {
    const model = new ChatOpenRouter({
      model: 'anthropic/claude-sonnet-4',
      apiKey: 'or-secret',
      baseURL: sim.baseUrls.openrouter,
    });
    await model.invoke('Hello', { callbacks: [handler] });
    const [span] = modelSpans(telemetry.spans());
    expect(span?.attributes).toMatchObject({
      'gen_ai.system': 'openrouter',
      'gen_ai.route.gateway': 'openrouter',
      'gen_ai.route.upstream': 'aws.bedrock',
      'gen_ai.request.model': 'anthropic/claude-sonnet-4',
    });
    telemetry.reset();
    for await (const _chunk of await model.stream('Hello', { callbacks: [handler] })) {
      // drain
    }
    expect(modelSpans(telemetry.spans())[0]?.attributes).toMatchObject({ 'gen_ai.route.upstream': 'aws.bedrock' });
    expect(JSON.stringify(telemetry.spans().map((span) => span.attributes))).not.toContain('or-secret');
  });

  it('covers a ChatOpenAI created without captureRouteFetch', async () => {
    const model = new ChatOpenAI({
      model: 'openai/gpt-4o',
      apiKey: 'sk-test',
      maxRetries: 0,
      configuration: { baseURL: sim.baseUrls.openrouter, defaultHeaders: { 'x-sim-upstream': 'Together' } },
    });
    await model.invoke('Hello', { callbacks: [handler] });
    expect(modelSpans(telemetry.spans())[0]?.attributes).toMatchObject({ 'gen_ai.route.upstream': 'together' });
  });

  it('leaves fetch calls outside model calls alone', async () => {
    const response = await fetch(`${sim.url}/openrouter/api/v1/models`);
    await response.arrayBuffer();
    expect(telemetry.spans()).toHaveLength(0);
  });
});
