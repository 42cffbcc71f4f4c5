import { createOpenAI } from '@ai-sdk/openai';
import { startGatewaySim, startOtlpReceiver, type GatewaySim, type OtlpReceiver } from '@servedby/gateway-sim';
import { generateText, streamText } from 'ai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routeTelemetry } from './route-telemetry';
import { createTestTelemetry } from './testing/harness';
import { TEST_API_KEY } from './testing/routes';

// propagateToGateways with routeTelemetry: the simulator's OpenRouter Broadcast spans must land in
// the app's trace, under the AI SDK's `chat` span.
let sim: GatewaySim;
let receiver: OtlpReceiver;

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  sim = await startGatewaySim({ port: 0, seed: 3, otlpEndpoint: receiver.endpoint });
});
afterAll(async () => {
  await sim?.close();
  await receiver?.close();
});

describe('propagateToGateways (routeTelemetry)', () => {
  it.each([false, true])('OpenRouter Broadcast spans join the trace under the chat span (stream: %s)', async (stream) => {
    receiver.reset();
    const telemetry = createTestTelemetry();
    // On loopback no rule recognises OpenRouter's host: the test names it.
    const integration = routeTelemetry({
      tracerProvider: telemetry.tracerProvider,
      propagateToGateways: { gatewayOfHost: { [`127.0.0.1:${sim.port}`]: 'openrouter' } },
    });
    const model = createOpenAI({ baseURL: sim.baseUrls.openrouter, apiKey: TEST_API_KEY }).chat('openai/gpt-4o');
    if (stream) {
      const result = streamText({ model, prompt: 'Hi', telemetry: { integrations: [integration] } });
      await result.consumeStream();
    } else {
      await generateText({ model, prompt: 'Hi', telemetry: { integrations: [integration] } });
    }
    await sim.flushTraces();
    const chat = telemetry.span(/^chat /);
    const gatewaySpans = receiver.spans();
    expect(gatewaySpans.length).toBeGreaterThan(0);
    for (const span of gatewaySpans) expect(span.traceId).toBe(chat.spanContext().traceId);
    const root = gatewaySpans.find((span) => !gatewaySpans.some((other) => other.spanId === span.parentSpanId))!;
    expect(root.parentSpanId).toBe(chat.spanContext().spanId);
  });
});
