import {
  createInMemorySpanExporter,
  createSimpleSpanProcessor,
  createTracerProvider,
} from '@servedby/test-otel';
import { startGatewaySim } from '@servedby/gateway-sim';
import OpenAI, { AzureOpenAI } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureRouteFetch } from './capture-route-fetch';

// The real openai client, wrapped fetch, own CLIENT span: what a plain SDK user gets.
let sim: Awaited<ReturnType<typeof startGatewaySim>>;
const exporter = createInMemorySpanExporter();
const tracerProvider = createTracerProvider({ spanProcessors: [createSimpleSpanProcessor(exporter)] });

beforeAll(async () => {
  sim = await startGatewaySim({ port: 0, seed: 7 });
});
afterAll(async () => {
  await sim?.close();
});

function client(baseURL: string, headers: Record<string, string> = {}): OpenAI {
  return new OpenAI({
    apiKey: 'sk-test-secret',
    baseURL,
    maxRetries: 0,
    defaultHeaders: headers,
    fetch: captureRouteFetch(undefined, { tracerProvider }),
  });
}

async function chat(openai: OpenAI, model: string, stream: boolean): Promise<string> {
  if (!stream) {
    const completion = await openai.chat.completions.create({ model, messages: [{ role: 'user', content: 'hi' }] });
    return completion.choices[0]?.message.content ?? '';
  }
  let text = '';
  const chunks = await openai.chat.completions.create({
    model,
    messages: [{ role: 'user', content: 'hi' }],
    stream: true,
    stream_options: { include_usage: true },
  });
  for await (const chunk of chunks) text += chunk.choices[0]?.delta?.content ?? '';
  return text;
}

function lastSpan() {
  const spans = exporter.getFinishedSpans();
  return spans[spans.length - 1]!;
}

describe.each([false, true])('captureRouteFetch against the gateway simulator (stream: %s)', (stream) => {
  it('OpenRouter: gateway, upstream from the body, permaslug response model, generation id', async () => {
    const text = await chat(client(sim.baseUrls.openrouter, { 'x-sim-upstream': 'together' }), 'anthropic/claude-haiku-4.5', stream);
    expect(text.length).toBeGreaterThan(0);
    const span = lastSpan();
    expect(span.name).toBe('chat anthropic/claude-haiku-4.5');
    expect(span.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.route.gateway': 'openrouter',
      'gen_ai.route.upstream': 'together',
      'gen_ai.request.model': 'anthropic/claude-haiku-4.5',
      'gen_ai.response.model': 'anthropic/claude-4.5-haiku-20251001',
    });
    expect(String(span.attributes['gen_ai.route.request_id'])).toMatch(/^gen-/);
    expect(span.attributes['gen_ai.usage.input_tokens']).toBeGreaterThan(0);
    expect(JSON.stringify(span.attributes)).not.toContain('sk-test-secret');
  });

  it('LiteLLM: upstream from x-litellm-model-name, deployment id', async () => {
    await chat(client(sim.baseUrls.litellm, { 'x-sim-upstream': 'azure.ai.openai' }), 'gpt-4o', stream);
    const span = lastSpan();
    expect(span.attributes['gen_ai.route.gateway']).toBe('litellm');
    expect(span.attributes['gen_ai.route.upstream']).toBe('azure.ai.openai');
    expect(span.attributes['gen_ai.route.deployment']).toBeDefined();
  });

  it('Azure OpenAI deployment: region and deployment, no api-key anywhere', async () => {
    const azure = new AzureOpenAI({
      endpoint: sim.baseUrls.azure,
      apiKey: 'azure-secret-key',
      apiVersion: '2024-10-21',
      deployment: 'gpt-4o-prod',
      maxRetries: 0,
      defaultHeaders: { 'x-sim-scenario': JSON.stringify({ region: 'West Europe' }) },
      fetch: captureRouteFetch(undefined, { tracerProvider }),
    });
    await chat(azure, 'gpt-4o', stream);
    const span = lastSpan();
    expect(span.attributes['gen_ai.route.gateway']).toBe('azure.ai.openai');
    expect(span.attributes['gen_ai.route.upstream']).toBe('openai');
    expect(span.attributes['gen_ai.route.deployment']).toBe('gpt-4o-prod');
    expect(span.attributes['cloud.region']).toBe('westeurope');
    expect(JSON.stringify(span.attributes)).not.toMatch(/azure-secret-key|api-version/);
  });

  it('OpenAI direct: no gateway, upstream openai', async () => {
    await chat(client(sim.baseUrls.openai), 'gpt-4o-mini', stream);
    const span = lastSpan();
    expect(span.attributes['gen_ai.route.gateway']).toBeUndefined();
    expect(span.attributes['gen_ai.route.upstream']).toBe('openai');
  });

  it('Vercel AI Gateway: upstream from routing.finalProvider after a fallback', async () => {
    await chat(
      client(sim.baseUrls.vercel, { 'x-sim-scenario': JSON.stringify({ upstream: 'google', fallbackFrom: ['vertex'] }) }),
      'google/gemini-2.5-flash',
      stream,
    );
    const span = lastSpan();
    expect(span.attributes['gen_ai.route.gateway']).toBe('vercel');
    expect(span.attributes['gen_ai.route.upstream']).toBe('gcp.gemini');
    expect(span.attributes['gen_ai.route.fallback']).toBe(true);
  });

  it('an upstream error ends the span with error.type and the client sees the same error', async () => {
    const failing = client(sim.baseUrls.openrouter, { 'x-sim-scenario': 'rate-limit', 'x-sim-upstream': 'together' });
    const error = await chat(failing, 'anthropic/claude-haiku-4.5', stream).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    const span = lastSpan();
    expect(span.attributes['error.type']).toBe('429');
    expect(span.attributes['gen_ai.request.model']).toBe('anthropic/claude-haiku-4.5');
    // On loopback the error body alone (no host, no X-Generation-Id) does not prove OpenRouter:
    // deriveRoute leaves the gateway unset rather than guess.
  });
});
