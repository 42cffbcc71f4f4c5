import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ChatOpenAI } from '@langchain/openai';
import { startGatewaySim, type GatewaySim } from '@servedby/gateway-sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRouteCallbackHandler } from './index';
import { createTestTelemetry, modelSpans } from './test-support';

// propagateToGateways with the handler alone: the simulator's OpenRouter Broadcast spans must land
// in the app's trace, under LangChain's `chat` span.
const telemetry = createTestTelemetry();
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

describe('propagateToGateways (LangChain handler)', () => {
  it.each([false, true])('OpenRouter Broadcast spans join the trace under the chat span (stream: %s)', async (stream) => {
    bodies.length = 0;
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
    const gatewaySpans = exportedSpans();
    expect(gatewaySpans.length).toBeGreaterThan(0);
    for (const span of gatewaySpans) expect(span.traceId).toBe(chat!.spanContext().traceId);
    const root = gatewaySpans.find((span) => !gatewaySpans.some((other) => other.spanId === span.parentSpanId))!;
    expect(root.parentSpanId).toBe(chat!.spanContext().spanId);
  });
});
