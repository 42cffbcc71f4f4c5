import { ChatOpenAI } from '@langchain/openai';
import { startGatewaySim, startOtlpReceiver, type GatewaySim, type OtlpReceiver } from '@servedby/gateway-sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRouteCallbackHandler } from './index';
import { createTestTelemetry, modelSpans } from './test-support';

// propagateToGateways with the handler alone: the simulator's OpenRouter Broadcast spans must land
// in the app's trace, under LangChain's `chat` span.
const telemetry = createTestTelemetry();
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

describe('propagateToGateways (LangChain handler)', () => {
  it.each([false, true])('OpenRouter Broadcast spans join the trace under the chat span (stream: %s)', async (stream) => {
    receiver.reset();
    telemetry.reset();
    // On loopback no rule recognises OpenRouter's host: the test names it.
    const simHost = `127.0.0.1:${sim.port}`;
    const handler = createRouteCallbackHandler({
      tracerProvider: telemetry.tracerProvider,
      propagateToGateways: { gatewayOfHost: { [simHost]: 'openrouter' } },
    });
    const model = new ChatOpenAI({ model: 'openai/gpt-4o', apiKey: 'sk-test', maxRetries: 0, configuration: { baseURL: sim.baseUrls.openrouter } });
    if (stream) {
      for await (const _chunk of await model.stream('Hello', { callbacks: [handler] })) {
        // read to the end
      }
    } else {
      await model.invoke('Hello', { callbacks: [handler] });
    }
    await sim.flushTraces();
    const [chat] = modelSpans(telemetry.spans());
    const gatewaySpans = receiver.spans();
    expect(gatewaySpans.length).toBeGreaterThan(0);
    for (const span of gatewaySpans) expect(span.traceId).toBe(chat!.spanContext().traceId);
    const root = gatewaySpans.find((span) => !gatewaySpans.some((other) => other.spanId === span.parentSpanId))!;
    expect(root.parentSpanId).toBe(chat!.spanContext().spanId);
  });
});
