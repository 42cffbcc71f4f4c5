import { createGateway } from '@ai-sdk/gateway';
import { startGatewaySim, type GatewaySim } from '@servedby/gateway-sim';
import { experimental_extract as extract } from 'ai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { routeTelemetry } from './route-telemetry';
import { createTestTelemetry, type TestTelemetry } from './testing/harness';
import { TEST_API_KEY, UPSTREAM_HEADER } from './testing/routes';

// AI SDK 7 `experimental_extract` (ai 7.0.178+ reports it through `experimental_onExtract*`) through
// the AI Gateway's native extraction-model protocol (gateway-sim `/vercel/v4/ai/extraction-model`,
// synthetic: no recorded answer exists, only `@ai-sdk/gateway`'s client and response schema).
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

const fields = {
  customer: { type: 'text', instructions: 'Who writes?' },
  quantity: { type: 'number', integer: true },
} as const;

const integration = () => routeTelemetry({ tracerProvider: telemetry.tracerProvider, meterProvider: telemetry.meterProvider });

describe('routeTelemetry: experimental_extract model calls (synthetic gateway-sim answer)', () => {
  it('attributes the extraction-model call once, on the child span; the root extract span lists the upstream', async () => {
    const gateway = createGateway({ baseURL: `${sim.url}/vercel/v4/ai`, apiKey: TEST_API_KEY });
    const result = await extract({
      model: gateway.extractionModel('anthropic/claude-haiku-4.5'),
      state: 'Ana Lopez orders 3 boxes. Ship them today.',
      fields,
      headers: { [UPSTREAM_HEADER]: 'bedrock' },
      telemetry: { integrations: [integration()] },
    });
    expect(result.answers.quantity.value).toBe(3);
    const spans = telemetry.spans();
    const extractSpans = spans.filter((span) => span.name.startsWith('extract '));
    expect(extractSpans).toHaveLength(2);
    const routed = extractSpans.filter((span) => span.attributes['gen_ai.route.gateway'] !== undefined);
    // Exactly one span carries the route: the model call, never the operation around it.
    expect(routed).toHaveLength(1);
    const [call] = routed;
    expect(call!.attributes).toMatchObject({
      'gen_ai.operation.name': 'extract',
      'gen_ai.route.gateway': 'vercel',
      'gen_ai.route.upstream': 'aws.bedrock',
      'gen_ai.request.model': 'anthropic/claude-haiku-4.5',
      'gen_ai.usage.input_tokens': 58,
      'gen_ai.usage.cost': expect.any(Number),
    });
    const root = extractSpans.find((span) => span !== call)!;
    expect(call!.parentSpanContext?.spanId ?? (call as unknown as { parentSpanId?: string }).parentSpanId).toBe(root.spanContext().spanId);
    expect(root.attributes['gen_ai.route.upstreams']).toEqual(['aws.bedrock']);
    expect(root.attributes['gen_ai.route.upstream']).toBeUndefined();
    expect(JSON.stringify(spans.map((span) => span.attributes))).not.toContain(TEST_API_KEY);
  });

  it('counts each extraction in the route metrics once', async () => {
    const gateway = createGateway({ baseURL: `${sim.url}/vercel/v4/ai`, apiKey: TEST_API_KEY });
    for (let index = 0; index < 2; index++) {
      await extract({
        model: gateway.extractionModel('openai/gpt-5-mini'),
        state: 'Order 12 pencils.',
        fields,
        telemetry: { integrations: [integration()] },
      });
    }
    const durations = await telemetry.histogram('gen_ai.client.operation.duration');
    expect(durations).toHaveLength(1);
    expect(durations[0]).toMatchObject({
      count: 2,
      attributes: { 'gen_ai.operation.name': 'extract', 'gen_ai.route.gateway': 'vercel', 'gen_ai.route.upstream': 'openai' },
    });
  });

  it('never breaks the call and ends both spans when the gateway answers 404; only the model call carries the error', async () => {
    // A path the sim does not serve: the gateway's own 404, as an unknown route would get.
    const gateway = createGateway({ baseURL: `${sim.url}/vercel/v9/ai`, apiKey: TEST_API_KEY });
    await expect(
      extract({
        model: gateway.extractionModel('openai/gpt-5-mini'),
        state: 'Order 12 pencils.',
        fields,
        maxRetries: 0,
        telemetry: { integrations: [integration()] },
      }),
    ).rejects.toThrow();
    const extractSpans = telemetry.spans().filter((span) => span.name.startsWith('extract '));
    expect(extractSpans).toHaveLength(2);
    const recorded = extractSpans.filter((span) => span.attributes['error.type'] !== undefined && span.attributes['gen_ai.route.gateway'] !== undefined);
    expect(recorded).toHaveLength(1);
    expect(recorded[0]!.attributes['gen_ai.operation.name']).toBe('extract');
    expect(JSON.stringify(telemetry.spans().map((span) => [span.attributes, span.events, span.status]))).not.toContain(TEST_API_KEY);
    const durations = await telemetry.histogram('gen_ai.client.operation.duration');
    expect(durations.reduce((sum, point) => sum + point.count, 0)).toBe(1);
  });
});
