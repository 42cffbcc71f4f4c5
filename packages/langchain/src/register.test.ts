import { ChatOpenAI } from '@langchain/openai';
import { captureRouteFetch } from '@servedby/conventions';
import { startGatewaySim, type GatewaySim } from '@servedby/gateway-sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerRouteCallbacks } from './index';
import { createTestTelemetry, modelSpans } from './test-support';

const telemetry = createTestTelemetry();
let sim: GatewaySim;

beforeAll(async () => {
  sim = await startGatewaySim({ port: 0, seed: 9 });
});
afterAll(async () => {
  await sim?.close();
});

describe('registerRouteCallbacks', () => {
  it('traces calls that pass no callbacks, once per call', async () => {
    registerRouteCallbacks({ tracerProvider: telemetry.tracerProvider, meterProvider: telemetry.meterProvider });
    const model = new ChatOpenAI({
      model: 'openai/gpt-4o',
      apiKey: 'sk-test',
      maxRetries: 0,
      configuration: {
        baseURL: sim.baseUrls.openrouter,
        fetch: captureRouteFetch(),
        defaultHeaders: { 'x-sim-upstream': 'Together' },
      },
    });
    await model.invoke('Hello');
    await Promise.all([model.invoke('Hello'), model.invoke('Hello')]);
    const spans = modelSpans(telemetry.spans());
    expect(spans).toHaveLength(3);
    for (const span of spans) {
      expect(span.attributes).toMatchObject({ 'gen_ai.route.gateway': 'openrouter', 'gen_ai.route.upstream': 'together' });
    }
  });
});
