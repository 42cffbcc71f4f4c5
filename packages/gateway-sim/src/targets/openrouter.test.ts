import { createOpenRouter } from '@openrouter/ai-sdk-provider';
import { generateText, isStepCount, streamText, tool } from 'ai';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { startGatewaySim } from '../server';
import type { GatewaySim } from '../types';

let sim: GatewaySim;
beforeAll(async () => {
  sim = await startGatewaySim({ port: 0, seed: 7 });
});
afterAll(async () => {
  await sim.close();
});

describe('OpenRouter', () => {
  it('puts the upstream in body provider and the generation id in X-Generation-Id (openai SDK)', async () => {
    const client = new OpenAI({ apiKey: 'sk-or-test', baseURL: sim.baseUrls.openrouter, maxRetries: 0 });
    const { data, response } = await client.chat.completions
      .create({ model: 'anthropic/claude-haiku-4.5', messages: [{ role: 'user', content: 'hi' }] })
      .withResponse();
    const body = data as unknown as { provider: string; model: string; usage: { cost: number } };
    expect(body.provider).toBe('Amazon Bedrock');
    expect(body.model).toBe('anthropic/claude-4.5-haiku-20251001');
    expect(body.usage.cost).toBeGreaterThan(0);
    expect(response.headers.get('x-generation-id')).toMatch(/^gen-\d{10}-[A-Za-z0-9]{20}$/);
    expect(response.headers.get('x-generation-id')).toBe(data.id);
  });

  it('pads JSON bodies with leading whitespace and streams comment lines, as recorded', async () => {
    const plain = await fetch(`${sim.baseUrls.openrouter}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'openai/gpt-4o', messages: [{ role: 'user', content: 'hi' }] }),
    });
    const text = await plain.text();
    expect(text.startsWith('\n         \n\n         \n{')).toBe(true);
    const streamed = await fetch(`${sim.baseUrls.openrouter}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'openai/gpt-4o', stream: true, messages: [{ role: 'user', content: 'hi' }] }),
    });
    const sse = await streamed.text();
    expect(sse.startsWith(': OPENROUTER PROCESSING\n\n')).toBe(true);
    const chunks = sse.split('\n\n').filter((line) => line.startsWith('data: {')).map((line) => JSON.parse(line.slice(6)));
    expect(chunks.length).toBeGreaterThan(2);
    expect(chunks.every((chunk) => chunk.provider === 'OpenAI')).toBe(true);
    expect(sse.trimEnd().endsWith('data: [DONE]')).toBe(true);
  });

  it('reaches providerMetadata.openrouter.provider in @openrouter/ai-sdk-provider (generate and stream)', async () => {
    const openrouter = createOpenRouter({ apiKey: 'sk-or-test', baseURL: sim.baseUrls.openrouter, headers: { 'x-sim-upstream': 'together' } });
    const generated = await generateText({ model: openrouter('meta-llama/llama-3.3-70b-instruct'), prompt: 'hi', maxRetries: 0 });
    expect(generated.text).toBe('Hello from the gateway simulator.');
    expect(generated.providerMetadata?.openrouter?.provider).toBe('Together');
    const streamed = streamText({ model: openrouter('meta-llama/llama-3.3-70b-instruct'), prompt: 'hi', maxRetries: 0 });
    expect(await streamed.text).toBe('Hello from the gateway simulator.');
    expect((await streamed.providerMetadata)?.openrouter?.provider).toBe('Together');
  });

  it('runs an agent loop with one tool', async () => {
    const openrouter = createOpenRouter({ apiKey: 'sk-or-test', baseURL: sim.baseUrls.openrouter });
    const calls: string[] = [];
    const result = await generateText({
      model: openrouter('openai/gpt-4o'),
      prompt: 'weather in Paris?',
      maxRetries: 0,
      stopWhen: isStepCount(4),
      tools: {
        weather: tool({
          description: 'weather',
          inputSchema: z.object({ city: z.string() }),
          execute: async ({ city }) => {
            calls.push(city);
            return `sunny in ${city}`;
          },
        }),
      },
    });
    expect(calls).toEqual(['Paris']);
    expect(result.steps).toHaveLength(2);
    expect(result.text).toBe('The tool returned: sunny in Paris');
  });

  it('carries the provider on a mid-stream error chunk and on upstream error bodies', async () => {
    const client = new OpenAI({ apiKey: 'x', baseURL: sim.baseUrls.openrouter, maxRetries: 0 });
    const stream = await client.chat.completions.create(
      { model: 'openai/gpt-4o', stream: true, messages: [{ role: 'user', content: 'hi' }] },
      { headers: { 'x-sim-scenario': 'midstream-error', 'x-sim-upstream': 'Groq' } },
    );
    const seen: unknown[] = [];
    await expect(
      (async () => {
        for await (const chunk of stream) seen.push(chunk);
      })(),
    ).rejects.toThrow(/Upstream error/);
    expect(seen.length).toBeGreaterThan(0);
    const failed = await fetch(`${sim.baseUrls.openrouter}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-sim-scenario': 'rate-limit', 'x-sim-upstream': 'together' },
      body: JSON.stringify({ model: 'meta-llama/llama-3.3-70b-instruct', messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(failed.status).toBe(429);
    expect(failed.headers.get('retry-after')).toBe('1');
    expect(failed.headers.get('x-generation-id')).toBeNull();
    const body = (await failed.json()) as { error: { metadata: { provider_name: string } } };
    expect(body.error.metadata.provider_name).toBe('Together');
  });

  it('answers bad requests like OpenRouter does', async () => {
    const post = (body: string) =>
      fetch(`${sim.baseUrls.openrouter}/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect((await post('{not json')).status).toBe(400);
    expect((await post(JSON.stringify({ model: 'openai/gpt-4o' }))).status).toBe(400);
    const unknown = await post(JSON.stringify({ model: 'nonexistent/model', messages: [{ role: 'user', content: 'x' }] }));
    expect(unknown.status).toBe(400);
    expect(((await unknown.json()) as { error: { message: string } }).error.message).toBe('nonexistent/model is not a valid model ID');
  });
});
