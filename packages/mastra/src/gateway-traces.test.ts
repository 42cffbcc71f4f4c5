import { Agent } from '@mastra/core/agent';
import { startGatewaySim, startOtlpReceiver, type GatewaySim, type OtlpReceiver } from '@servedby/gateway-sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMastra, createTelemetry, flush, modelCallSpans } from '../test/harness';

// propagateToGateways with routeSpanProcessor: the simulator's OpenRouter Broadcast spans join the
// app's trace. Mastra runs the provider call inside its step (bridged to OTel); servedby's model
// span is made when the step ends, so the gateway's spans sit under the step, beside that span.
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

describe('propagateToGateways (routeSpanProcessor)', () => {
  it('OpenRouter Broadcast spans join the app\'s trace', async () => {
    const telemetry = createTelemetry();
    const agent = new Agent({
      id: 'plain',
      name: 'plain',
      instructions: 'Answer briefly.',
      model: { id: 'openrouter/openai/gpt-4o', url: sim.baseUrls.openrouter, apiKey: 'sk-or-test' },
    });
    const mastra = createMastra({
      agents: { plain: agent },
      telemetry,
      // On loopback no rule recognises OpenRouter's host: the test names it.
      servedby: { propagateToGateways: { gatewayOfHost: { [`127.0.0.1:${sim.port}`]: 'openrouter' } } },
    });
    await mastra.getAgent('plain').generate('Hello');
    await flush(mastra);
    await sim.flushTraces();
    const [call] = modelCallSpans(telemetry.spans());
    const gatewaySpans = receiver.spans();
    expect(gatewaySpans.length).toBeGreaterThan(0);
    for (const span of gatewaySpans) expect(span.traceId).toBe(call!.spanContext().traceId);
    const root = gatewaySpans.find((span) => !gatewaySpans.some((other) => other.spanId === span.parentSpanId))!;
    // The gateway's spans and servedby's model span share the step as their parent.
    const callParent = (call as { parentSpanContext?: { spanId: string }; parentSpanId?: string }).parentSpanContext?.spanId ??
      (call as { parentSpanId?: string }).parentSpanId;
    expect(root.parentSpanId).toBe(callParent);
    expect(telemetry.spans().find((span) => span.spanContext().spanId === root.parentSpanId)?.name).toMatch(/^model_step/);
  });
});
