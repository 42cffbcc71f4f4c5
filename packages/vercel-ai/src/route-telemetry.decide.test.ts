import { createGateway } from '@ai-sdk/gateway';
import { startGatewaySim, type GatewaySim } from '@servedby/gateway-sim';
import { experimental_decide as decide } from 'ai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { routeTelemetry } from './route-telemetry';
import { createTestTelemetry, type TestTelemetry } from './testing/harness';
import { TEST_API_KEY, UPSTREAM_HEADER } from './testing/routes';

// AI SDK 7 `experimental_decide` through the AI Gateway's native decision-model protocol
// (gateway-sim `/vercel/v4/ai/decision-model`, synthetic: no recorded answer exists). Extraction
// is tested the same way in `route-telemetry.extract.test.ts`.
let sim: GatewaySim;
let telemetry: TestTelemetry;

beforeAll(async () => {
  sim = await startGatewaySim({ port: 0, seed: 5 });
});
afterAll(async () => {
  await sim?.close();
});
beforeEach(() => {
  telemetry = createTestTelemetry();
});

const questions = {
  sentiment: { type: 'choice', criteria: { positive: 'The text is positive', negative: 'The text is negative' } },
  urgent: { type: 'boolean', instructions: 'Is the request urgent?' },
} as const;

describe('routeTelemetry: experimental_decide model calls', () => {
  it('attributes the decision-model call once, on the child span; the root decide span lists the upstream', async () => {
    const gateway = createGateway({ baseURL: `${sim.url}/vercel/v4/ai`, apiKey: TEST_API_KEY });
    const result = await decide({
      model: gateway.decisionModel('anthropic/claude-haiku-4.5'),
      state: 'I love this product, please ship it today!',
      questions,
      headers: { [UPSTREAM_HEADER]: 'bedrock' },
      telemetry: { integrations: [routeTelemetry({ tracerProvider: telemetry.tracerProvider, meterProvider: telemetry.meterProvider })] },
    });
    expect(result.answers.sentiment).toBeDefined();
    const spans = telemetry.spans();
    const decideSpans = spans.filter((span) => span.name.startsWith('decide '));
    expect(decideSpans).toHaveLength(2);
    const routed = decideSpans.filter((span) => span.attributes['gen_ai.route.gateway'] !== undefined);
    // Exactly one span carries the route: the model call, never the operation around it.
    expect(routed).toHaveLength(1);
    const [call] = routed;
    expect(call!.attributes).toMatchObject({
      'gen_ai.operation.name': 'decide',
      'gen_ai.route.gateway': 'vercel',
      'gen_ai.route.upstream': 'aws.bedrock',
      'gen_ai.request.model': 'anthropic/claude-haiku-4.5',
      'gen_ai.usage.cost': expect.any(Number),
    });
    const root = decideSpans.find((span) => span !== call)!;
    expect(call!.parentSpanContext?.spanId ?? (call as unknown as { parentSpanId?: string }).parentSpanId).toBe(root.spanContext().spanId);
    expect(root.attributes['gen_ai.route.upstreams']).toEqual(['aws.bedrock']);
    expect(JSON.stringify(spans.map((span) => span.attributes))).not.toContain(TEST_API_KEY);
  });
});
