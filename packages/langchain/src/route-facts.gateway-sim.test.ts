import { ChatOpenAI } from '@langchain/openai';
import { captureRouteFetch } from '@servedby/conventions';
import { startGatewaySim, type GatewaySim } from '@servedby/gateway-sim';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createRouteCallbackHandler } from './index';
import { createTestTelemetry, modelSpans } from './test-support';

// Issue 15 proof for LangChain: cost, who refused and cache hits on the model span, end to end
// against gateway-sim (policy: handler.test.ts).
const telemetry = createTestTelemetry();
let sim: GatewaySim;
const handler = () => createRouteCallbackHandler({ tracerProvider: telemetry.tracerProvider, meterProvider: telemetry.meterProvider });

beforeAll(async () => {
  sim = await startGatewaySim({ port: 0, seed: 11 });
});
afterAll(async () => {
  await sim?.close();
});
beforeEach(() => telemetry.reset());

function chat(baseURL: string, model: string, headers: Record<string, string> = {}): ChatOpenAI {
  return new ChatOpenAI({ model, apiKey: 'sk-test-secret', maxRetries: 0, configuration: { baseURL, fetch: captureRouteFetch(), defaultHeaders: headers } });
}

async function modelSpanOf(call: () => Promise<unknown>) {
  await call().catch(() => undefined);
  const spans = modelSpans(telemetry.spans());
  expect(spans).toHaveLength(1);
  return spans[0]!;
}

describe('LangChain route facts against gateway-sim', () => {
  it("records OpenRouter's cost, with no error source or cache hit on a served call", async () => {
    const span = await modelSpanOf(() => chat(sim.baseUrls.openrouter, 'anthropic/claude-sonnet-4').invoke('Hello', { callbacks: [handler()] }));
    expect(span.attributes).toMatchObject({ 'gen_ai.route.gateway': 'openrouter', 'gen_ai.usage.cost': expect.any(Number) });
    expect(span.attributes['gen_ai.usage.cost']).toBeGreaterThan(0);
    expect(span.attributes['gen_ai.route.error_source']).toBeUndefined();
    expect(span.attributes['gen_ai.route.cache_hit']).toBeUndefined();
  });

  // On the sim's 127.0.0.1 base URL only the body can name OpenRouter: its relayed-error body
  // (`error.metadata.provider_name`) and its own refusals (`user_id` beside `error`) both do.
  it("an upstream's relayed 429 is the upstream's; OpenRouter's own 402 is the gateway's, with no upstream", async () => {
    const relayed = await modelSpanOf(() => chat(sim.baseUrls.openrouter, 'anthropic/claude-sonnet-4', { 'x-sim-scenario': 'rate-limit' }).invoke('Hello', { callbacks: [handler()] }));
    expect(relayed.attributes).toMatchObject({ 'error.type': expect.any(String), 'gen_ai.route.error_source': 'upstream', 'gen_ai.route.upstream': expect.any(String) });
    telemetry.reset();
    const own = await modelSpanOf(() => chat(sim.baseUrls.openrouter, 'anthropic/claude-sonnet-4', { 'x-sim-scenario': 'insufficient-credits' }).invoke('Hello', { callbacks: [handler()] }));
    expect(own.attributes).toMatchObject({ 'gen_ai.route.gateway': 'openrouter', 'gen_ai.route.error_source': 'gateway' });
    expect(own.attributes['gen_ai.route.upstream']).toBeUndefined();
  });

  it("Kong's semantic-cache hit: cache_hit true, no upstream, no served model", async () => {
    const span = await modelSpanOf(() => chat(sim.baseUrls.kong, 'gpt-4.1', { 'x-sim-scenario': 'cache-hit' }).invoke('Hello', { callbacks: [handler()] }));
    expect(span.attributes).toMatchObject({ 'gen_ai.route.gateway': 'kong', 'gen_ai.route.cache_hit': true });
    expect(span.attributes['gen_ai.route.upstream']).toBeUndefined();
    expect(span.attributes['error.type']).toBeUndefined();
  });

  it("LiteLLM's own budget refusal is the gateway's", async () => {
    const span = await modelSpanOf(() => chat(sim.baseUrls.litellm, 'gpt-4o', { 'x-sim-scenario': 'budget-exceeded' }).invoke('Hello', { callbacks: [handler()] }));
    expect(span.attributes).toMatchObject({ 'gen_ai.route.gateway': 'litellm', 'gen_ai.route.error_source': 'gateway' });
    expect(span.attributes['gen_ai.route.upstream']).toBeUndefined();
  });
});
