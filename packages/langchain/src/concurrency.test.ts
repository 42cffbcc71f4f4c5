import { ChatOpenAI } from '@langchain/openai';
import { captureRouteFetch } from '@servedby/conventions';
import { startGatewaySim, type GatewaySim } from '@servedby/gateway-sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRouteCallbackHandler } from './index';
import { createTestTelemetry, modelSpans } from './test-support';

const telemetry = createTestTelemetry();
let sim: GatewaySim;

beforeAll(async () => {
  sim = await startGatewaySim({ port: 0, seed: 3 });
});
afterAll(async () => {
  await sim?.close();
});

// Distinct provider names without trailing digits (the vocabulary drops pool numbers).
function upstreamName(index: number): string {
  const letters = 'abcdefghijklmnopqrstuvwxyz';
  return `Upstream ${letters[Math.floor(index / 26)]}${letters[index % 26]}`;
}

describe('concurrency', () => {
  it('100 concurrent calls through one handler each carry their own upstream', async () => {
    const handler = createRouteCallbackHandler({
      tracerProvider: telemetry.tracerProvider,
      meterProvider: telemetry.meterProvider,
    });
    const tracer = telemetry.tracerProvider.getTracer('test');
    const fetch = captureRouteFetch();
    await Promise.all(
      Array.from({ length: 100 }, (_, index) =>
        tracer.startActiveSpan(`caller ${index}`, async (caller) => {
          const model = new ChatOpenAI({
            model: 'openai/gpt-4o',
            apiKey: 'sk-test',
            maxRetries: 0,
            configuration: {
              baseURL: sim.baseUrls.openrouter,
              fetch,
              defaultHeaders: { 'x-sim-upstream': upstreamName(index) },
            },
          });
          const stream = index % 2 === 0;
          if (stream) {
            for await (const _chunk of await model.stream('Hello', { callbacks: [handler] })) {
              // drain
            }
          } else {
            await model.invoke('Hello', { callbacks: [handler] });
          }
          caller.end();
        }),
      ),
    );
    const spans = telemetry.spans();
    const modelCalls = modelSpans(spans);
    expect(modelCalls).toHaveLength(100);
    for (let index = 0; index < 100; index += 1) {
      const caller = spans.find((span) => span.name === `caller ${index}`)!;
      const call = modelCalls.find((span) => span.parentSpanContext?.spanId === caller.spanContext().spanId);
      expect(call, `model span under caller ${index}`).toBeDefined();
      expect(call!.attributes['gen_ai.route.upstream']).toBe(upstreamName(index).toLowerCase().replace(/ /g, '_'));
    }
  });
});
