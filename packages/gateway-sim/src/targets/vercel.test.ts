import { createGateway } from '@ai-sdk/gateway';
import { createOpenAI } from '@ai-sdk/openai';
import { generateText, stepCountIs, streamText, tool } from 'ai';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { startGatewaySim } from '../server';
import type { GatewaySim } from '../types';

let sim: GatewaySim;
beforeAll(async () => {
  sim = await startGatewaySim({ port: 0 });
});
afterAll(async () => {
  await sim.close();
});

interface Routing {
  originalModelId: string;
  resolvedProvider: string;
  finalProvider: string;
  resolvedProviderApiModelId: string;
  attempts: Array<{ provider: string; success: boolean }>;
}

describe('Vercel AI Gateway', () => {
  it('puts routing in choices[0].message.provider_metadata.gateway (openai SDK)', async () => {
    const client = new OpenAI({ apiKey: 'vck', baseURL: sim.baseUrls.vercel, maxRetries: 0 });
    const data = await client.chat.completions.create({ model: 'anthropic/claude-sonnet-4', messages: [{ role: 'user', content: 'hi' }] });
    const message = data.choices[0]!.message as unknown as { provider_metadata: { gateway: { routing: Routing; generationId: string } } };
    const routing = message.provider_metadata.gateway.routing;
    expect(data.id).toMatch(/^gen_[0-9A-Z]{26}$/);
    expect(message.provider_metadata.gateway.generationId).toBe(data.id);
    expect(routing.finalProvider).toBe('anthropic');
    expect(routing.resolvedProviderApiModelId).toBe('claude-sonnet-4-20250514');
    expect(data.model).toBe('anthropic/claude-sonnet-4');
  });

  it('reports a fallback: resolvedProvider planned, finalProvider served, the failed attempt first', async () => {
    const client = new OpenAI({ apiKey: 'vck', baseURL: sim.baseUrls.vercel, maxRetries: 0 });
    const data = await client.chat.completions.create(
      { model: 'google/gemini-2.5-flash', messages: [{ role: 'user', content: 'hi' }] },
      { headers: { 'x-sim-scenario': JSON.stringify({ fallbackFrom: ['vertex'], upstream: 'google' }) } },
    );
    const routing = (data.choices[0]!.message as unknown as { provider_metadata: { gateway: { routing: Routing } } }).provider_metadata.gateway.routing;
    expect(routing.resolvedProvider).toBe('vertex');
    expect(routing.finalProvider).toBe('google');
    expect(routing.attempts.map((attempt) => [attempt.provider, attempt.success])).toEqual([
      ['vertex', false],
      ['google', true],
    ]);
  });

  it('streams routing on the final chunk and reaches the AI SDK raw response (@ai-sdk/openai)', async () => {
    const gateway = createOpenAI({ apiKey: 'vck', baseURL: sim.baseUrls.vercel });
    const generated = await generateText({ model: gateway.chat('openai/gpt-4o'), prompt: 'hi', maxRetries: 0, headers: { 'x-sim-upstream': 'azure' }, include: { responseBody: true } });
    const body = generated.response.body as { choices: Array<{ message: { provider_metadata: { gateway: { routing: Routing } } } }> };
    expect(body.choices[0]!.message.provider_metadata.gateway.routing.finalProvider).toBe('azure');
    const streamed = streamText({ model: gateway.chat('openai/gpt-4o'), prompt: 'hi', maxRetries: 0, includeRawChunks: true });
    const raw: unknown[] = [];
    for await (const part of streamed.fullStream) if (part.type === 'raw') raw.push(part.rawValue);
    const last = raw.at(-1) as { choices: Array<{ delta: { provider_metadata?: { gateway: { routing: Routing } } } }> };
    expect(last.choices[0]!.delta.provider_metadata?.gateway.routing.finalProvider).toBe('openai');
    expect(await streamed.text).toBe('Hello from the gateway simulator.');
  });
});

describe('Vercel AI Gateway, native AI SDK protocol (@ai-sdk/gateway)', () => {
  const nativeBaseUrl = (): string => `${sim.url}/vercel/v4/ai`;
  const routingOf = (metadata: unknown): Routing => (metadata as { gateway: { routing: Routing } }).gateway.routing;

  it('answers generateText with providerMetadata.gateway routing from the same builder', async () => {
    const gateway = createGateway({ baseURL: nativeBaseUrl(), apiKey: 'vck-test' });
    const result = await generateText({
      model: gateway('anthropic/claude-sonnet-4'),
      prompt: 'hi',
      maxRetries: 0,
      headers: { 'x-sim-upstream': 'bedrock' },
    });
    expect(result.text).toBe('Hello from the gateway simulator.');
    const routing = routingOf(result.providerMetadata);
    expect(routing.originalModelId).toBe('anthropic/claude-sonnet-4');
    expect(routing.finalProvider).toBe('bedrock');
    expect(result.usage.inputTokens).toBeGreaterThan(0);
    const request = sim.requests().at(-1)!;
    expect(request.path).toBe('/vercel/v4/ai/language-model');
    expect(request.headers['ai-language-model-id']).toBe('anthropic/claude-sonnet-4');
    expect(request.upstream).toBe('bedrock');
  });

  it('streams parts with routing on the finish part, fallbacks included (streamText)', async () => {
    const gateway = createGateway({ baseURL: nativeBaseUrl(), apiKey: 'vck-test' });
    const result = streamText({
      model: gateway('google/gemini-2.5-flash'),
      prompt: 'hi',
      maxRetries: 0,
      headers: { 'x-sim-scenario': JSON.stringify({ fallbackFrom: ['vertex'], upstream: 'google' }) },
    });
    expect(await result.text).toBe('Hello from the gateway simulator.');
    const routing = routingOf(await result.providerMetadata);
    expect(routing.resolvedProvider).toBe('vertex');
    expect(routing.finalProvider).toBe('google');
    expect(routing.attempts.map((attempt) => [attempt.provider, attempt.success])).toEqual([
      ['vertex', false],
      ['google', true],
    ]);
    expect((await result.response).id).toMatch(/^gen_[0-9A-Z]{26}$/);
  });

  it('runs a one-tool agent loop over the native protocol', async () => {
    const gateway = createGateway({ baseURL: nativeBaseUrl(), apiKey: 'vck-test' });
    const result = await generateText({
      model: gateway('openai/gpt-4o'),
      prompt: 'weather?',
      maxRetries: 0,
      tools: { weather: tool({ inputSchema: z.object({ city: z.string() }), execute: async ({ city }) => `sunny in ${city}` }) },
      stopWhen: stepCountIs(3),
    });
    expect(result.steps[0]!.toolCalls[0]!.input).toEqual({ city: 'Paris' });
    expect(result.text).toBe('The tool returned: sunny in Paris');
  });

  it('ends a stream that fails mid-way with an error part', async () => {
    const gateway = createGateway({ baseURL: nativeBaseUrl(), apiKey: 'vck-test' });
    const result = streamText({
      model: gateway('openai/gpt-4o'),
      prompt: 'hi',
      maxRetries: 0,
      headers: { 'x-sim-scenario': 'midstream-error' },
      onError: () => {},
    });
    const types: string[] = [];
    for await (const part of result.fullStream) types.push(part.type);
    expect(types).toContain('error');
  });

  it('surfaces a scenario failure as the gateway error the client parses', async () => {
    const gateway = createGateway({ baseURL: nativeBaseUrl(), apiKey: 'vck-test' });
    await expect(
      generateText({ model: gateway('openai/gpt-4o'), prompt: 'hi', maxRetries: 0, headers: { 'x-sim-scenario': 'rate-limit' } }),
    ).rejects.toMatchObject({ statusCode: 429 });
  });
});
