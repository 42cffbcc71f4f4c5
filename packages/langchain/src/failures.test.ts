import { SpanStatusCode, type Tracer, type TracerProvider } from '@opentelemetry/api';
import { ChatOpenAI } from '@langchain/openai';
import { captureRouteFetch } from '@servedby/conventions';
import { startGatewaySim, type GatewaySim } from '@servedby/gateway-sim';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createRouteCallbackHandler } from './index';
import { createTestTelemetry, loopbackFetch, modelSpans } from './test-support';

const telemetry = createTestTelemetry();
let sim: GatewaySim;
const handler = () =>
  createRouteCallbackHandler({ tracerProvider: telemetry.tracerProvider, meterProvider: telemetry.meterProvider });

beforeAll(async () => {
  sim = await startGatewaySim({ port: 0, seed: 11 });
});
afterAll(async () => {
  await sim?.close();
});
beforeEach(() => telemetry.reset());

const OPENROUTER = 'https://openrouter.ai/api/v1';

// The model talks to openrouter.ai as in production; the fetch underneath sends it to the simulator.
function openRouterModel(headers: Record<string, string>, maxRetries = 0): ChatOpenAI {
  return new ChatOpenAI({
    model: 'openai/gpt-4o',
    apiKey: 'sk-test',
    maxRetries,
    configuration: {
      baseURL: OPENROUTER,
      fetch: captureRouteFetch(loopbackFetch(OPENROUTER, sim.baseUrls.openrouter)),
      defaultHeaders: headers,
    },
  });
}

async function errorOf(call: () => Promise<unknown>): Promise<unknown> {
  try {
    await call();
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail');
}

function onlyModelSpan() {
  const spans = modelSpans(telemetry.spans());
  expect(spans).toHaveLength(1);
  return spans[0]!;
}

describe('provider errors', () => {
  it('a 429 fails exactly as without the plugin, and the span keeps the route with error.type', async () => {
    const headers = { 'x-sim-scenario': 'rate-limit', 'x-sim-upstream': 'Together' };
    const without = await errorOf(() => openRouterModel(headers).invoke('Hello'));
    const withPlugin = await errorOf(() => openRouterModel(headers).invoke('Hello', { callbacks: [handler()] }));
    expect((withPlugin as Error).constructor).toBe((without as Error).constructor);
    expect((withPlugin as Error).message).toBe((without as Error).message);
    const span = onlyModelSpan();
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(span.attributes['error.type']).toEqual(expect.any(String));
    // OpenRouter names the upstream that failed in error.metadata.provider_name.
    expect(span.attributes).toMatchObject({
      'gen_ai.route.gateway': 'openrouter',
      'gen_ai.route.upstream': 'together',
      'gen_ai.request.model': 'openai/gpt-4o',
      'server.address': 'openrouter.ai',
    });
  });

  it('a 503 retried by LangChain is one span covering every attempt', async () => {
    const before = sim.requests().length;
    await errorOf(() =>
      openRouterModel({ 'x-sim-scenario': 'unavailable' }, 1).invoke('Hello', { callbacks: [handler()] }),
    );
    expect(sim.requests().length - before).toBe(2);
    const span = onlyModelSpan();
    expect(span.attributes['error.type']).toEqual(expect.any(String));
    expect(span.attributes['gen_ai.route.gateway']).toBe('openrouter');
  });

  it('a mid-stream error ends the span with error.type and the route the stream already gave', async () => {
    const model = openRouterModel({ 'x-sim-scenario': 'midstream-error', 'x-sim-upstream': 'Fireworks' });
    const error = await errorOf(async () => {
      for await (const _chunk of await model.stream('Hello', { callbacks: [handler()] })) {
        // read until it fails
      }
    });
    expect(error).toBeDefined();
    const span = onlyModelSpan();
    expect(span.attributes['error.type']).toEqual(expect.any(String));
    expect(span.attributes).toMatchObject({ 'gen_ai.route.gateway': 'openrouter', 'gen_ai.route.upstream': 'fireworks' });
  });
});

describe('streams the caller stops', () => {
  it('ends the span when the caller breaks out of the stream', async () => {
    const model = openRouterModel({ 'x-sim-scenario': 'slow', 'x-sim-upstream': 'Together' });
    let chunks = 0;
    for await (const _chunk of await model.stream('Tell me a long story', { callbacks: [handler()] })) {
      chunks += 1;
      break;
    }
    expect(chunks).toBe(1);
    const span = onlyModelSpan();
    expect(span.attributes).toMatchObject({ 'gen_ai.route.gateway': 'openrouter', 'gen_ai.route.upstream': 'together' });
    expect(span.attributes['error.type']).toBeUndefined();
  });

  it('ends the span with error.type when the call is aborted', async () => {
    const controller = new AbortController();
    const model = openRouterModel({ 'x-sim-scenario': 'hang' });
    const pending = errorOf(() => model.invoke('Hello', { callbacks: [handler()], signal: controller.signal }));
    setTimeout(() => controller.abort(), 50);
    const error = await pending;
    expect(error).toBeInstanceOf(Error);
    const span = onlyModelSpan();
    expect(span.attributes['error.type']).toEqual(expect.any(String));
  });
});

describe("the plugin's own failures", () => {
  it('a throwing tracer never breaks the call', async () => {
    const throwingTracer = {
      startSpan() {
        throw new Error('tracer exploded');
      },
      startActiveSpan() {
        throw new Error('tracer exploded');
      },
    } as unknown as Tracer;
    const tracerProvider: TracerProvider = { getTracer: () => throwingTracer };
    const brokenHandler = createRouteCallbackHandler({ tracerProvider, meterProvider: telemetry.meterProvider });
    const model = openRouterModel({ 'x-sim-upstream': 'Together' });
    const result = await model.invoke('Hello', { callbacks: [brokenHandler] });
    expect(typeof result.content).toBe('string');
    for await (const _chunk of await model.stream('Hello', { callbacks: [brokenHandler] })) {
      // drain
    }
  });
});

describe('calls that got no response', () => {
  it.each([
    ['OpenRouter', OPENROUTER, 'openai/gpt-4o'],
    ['LiteLLM', 'http://localhost:4000/v1', 'gpt-4o'],
  ])('a refused connection to a %s base URL carries no upstream', async (_name, baseURL, model) => {
    const refused = new ChatOpenAI({
      model,
      apiKey: 'sk-test',
      maxRetries: 0,
      // Nothing listens on port 1: the connection is refused before any response.
      configuration: { baseURL, fetch: captureRouteFetch(loopbackFetch(baseURL, 'http://127.0.0.1:1/v1')) },
    });
    await errorOf(() => refused.invoke('Hello', { callbacks: [handler()] }));
    const span = onlyModelSpan();
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(span.attributes['error.type']).toEqual(expect.any(String));
    expect(span.attributes['gen_ai.route.upstream']).toBeUndefined();
    expect(span.attributes['gen_ai.route.path']).toBeUndefined();
  });
});
