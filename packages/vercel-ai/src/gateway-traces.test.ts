import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createOpenAI } from '@ai-sdk/openai';
import { startGatewaySim, type GatewaySim } from '@servedby/gateway-sim';
import { generateText, streamText } from 'ai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routeTelemetry } from './route-telemetry';
import { createTestTelemetry } from './testing/harness';
import { TEST_API_KEY } from './testing/routes';

// propagateToGateways with routeTelemetry: the simulator's OpenRouter Broadcast spans must land in
// the app's trace, under the AI SDK's `chat` span.
let sim: GatewaySim;
const bodies: unknown[] = [];
const receiver = createServer((request, response) => {
  const parts: Buffer[] = [];
  request.on('data', (part: Buffer) => parts.push(part));
  request.on('end', () => {
    bodies.push(JSON.parse(Buffer.concat(parts).toString('utf8')));
    response.end('{}');
  });
});

beforeAll(async () => {
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  sim = await startGatewaySim({ port: 0, seed: 3, otlpEndpoint: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}` });
});
afterAll(async () => {
  await sim?.close();
  receiver.closeAllConnections();
  receiver.close();
});

function exportedSpans(): Array<{ traceId: string; spanId: string; parentSpanId?: string }> {
  const spans: Array<{ traceId: string; spanId: string; parentSpanId?: string }> = [];
  for (const body of bodies as Array<{ resourceSpans: Array<{ scopeSpans: Array<{ spans: typeof spans }> }> }>) {
    for (const resourceSpans of body.resourceSpans) for (const scopeSpans of resourceSpans.scopeSpans) spans.push(...scopeSpans.spans);
  }
  return spans;
}

describe('propagateToGateways (routeTelemetry)', () => {
  it.each([false, true])('OpenRouter Broadcast spans join the trace under the chat span (stream: %s)', async (stream) => {
    bodies.length = 0;
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
    const gatewaySpans = exportedSpans();
    expect(gatewaySpans.length).toBeGreaterThan(0);
    for (const span of gatewaySpans) expect(span.traceId).toBe(chat.spanContext().traceId);
    const root = gatewaySpans.find((span) => !gatewaySpans.some((other) => other.spanId === span.parentSpanId))!;
    expect(root.parentSpanId).toBe(chat.spanContext().spanId);
  });
});
