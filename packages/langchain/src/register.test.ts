import { ChatOpenAI } from '@langchain/openai';
import { captureRouteFetch } from '@servedby/conventions';
import { startGatewaySim, type GatewaySim } from '@servedby/gateway-sim';
import { createServer, request } from 'node:http';
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

  it('traces runs started from an async context created before registration (a server built earlier)', async () => {
    // The server's request handler runs in the async context of the server's creation, before the
    // second registration below: LangChain's context variable and hooks are not there.
    let run: (() => Promise<unknown>) | undefined;
    const server = createServer((incoming, response) => {
      void run!().then(
        () => response.end('ok'),
        (error: unknown) => response.end(String(error)),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const before = modelSpans(telemetry.spans()).length;
      const handler = registerRouteCallbacks({ tracerProvider: telemetry.tracerProvider, meterProvider: telemetry.meterProvider });
      const model = new ChatOpenAI({
        model: 'openai/gpt-4o',
        apiKey: 'sk-test',
        maxRetries: 0,
        configuration: { baseURL: sim.baseUrls.openrouter, defaultHeaders: { 'x-sim-upstream': 'Together' } },
      });
      // Passed explicitly as well: still one span per call.
      run = () => Promise.all([model.invoke('Hello'), model.invoke('Hello', { callbacks: [handler] })]);
      const { port } = server.address() as { port: number };
      const answer = await new Promise<string>((resolve, reject) => {
        request({ host: '127.0.0.1', port }, (response) => {
          let text = '';
          response.on('data', (chunk: Buffer) => (text += chunk.toString()));
          response.on('end', () => resolve(text));
        })
          .on('error', reject)
          .end();
      });
      expect(answer).toBe('ok');
      const spans = modelSpans(telemetry.spans()).slice(before);
      expect(spans).toHaveLength(2);
      for (const span of spans) {
        expect(span.attributes).toMatchObject({ 'gen_ai.route.gateway': 'openrouter', 'gen_ai.route.upstream': 'together' });
      }
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
