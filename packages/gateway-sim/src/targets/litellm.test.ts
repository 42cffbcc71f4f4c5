import { createOpenAI } from '@ai-sdk/openai';
import { generateText, streamText } from 'ai';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGatewaySim } from '../server';
import type { GatewaySim } from '../types';

let sim: GatewaySim;
beforeAll(async () => {
  sim = await startGatewaySim({ port: 0 });
});
afterAll(async () => {
  await sim.close();
});

describe('LiteLLM proxy', () => {
  it('sends x-litellm-* and llm_provider-* headers and re-stamps body model to the alias (openai SDK)', async () => {
    const client = new OpenAI({ apiKey: 'sk-litellm', baseURL: sim.baseUrls.litellm, maxRetries: 0 });
    const { data, response } = await client.chat.completions
      .create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] })
      .withResponse();
    expect(data.model).toBe('gpt-4o');
    expect(response.headers.get('x-litellm-model-name')).toBe('azure/gpt-4o');
    expect(response.headers.get('x-litellm-model-api-base')).toBe('https://sim-eastus.openai.azure.com');
    expect(response.headers.get('x-litellm-model-group')).toBe('gpt-4o');
    expect(response.headers.get('x-litellm-call-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(response.headers.get('x-litellm-model-id')).toMatch(/^[0-9a-f]{64}$/);
    expect(response.headers.get('x-litellm-attempted-fallbacks')).toBe('0');
    expect(response.headers.get('llm_provider-apim-request-id')).toBeTruthy();
    expect(response.headers.get('llm_provider-x-ms-region')).toBe('East US');
  });

  it('reports the fallback: attempted-fallbacks, the real model in the body', async () => {
    const client = new OpenAI({ apiKey: 'sk-litellm', baseURL: sim.baseUrls.litellm, maxRetries: 0 });
    const { data, response } = await client.chat.completions
      .create(
        { model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] },
        { headers: { 'x-sim-scenario': JSON.stringify({ fallbackFrom: ['azure'], upstream: 'openai', servedModel: 'gpt-4o-mini' }) } },
      )
      .withResponse();
    expect(response.headers.get('x-litellm-attempted-fallbacks')).toBe('1');
    expect(response.headers.get('x-litellm-model-name')).toBe('openai/gpt-4o-mini');
    expect(response.headers.get('llm_provider-openai-organization')).toBeTruthy();
    expect(data.model).toBe('gpt-4o-mini');
  });

  it('reaches the AI SDK (@ai-sdk/openai chat) with headers in response.headers, JSON and stream', async () => {
    const litellm = createOpenAI({ apiKey: 'sk-litellm', baseURL: sim.baseUrls.litellm });
    const generated = await generateText({
      model: litellm.chat('claude-sonnet'),
      prompt: 'hi',
      maxRetries: 0,
      headers: { 'x-sim-upstream': 'bedrock' },
    });
    expect(generated.text).toBe('Hello from the gateway simulator.');
    expect(generated.response.headers?.['x-litellm-model-name']).toBe('bedrock/claude-sonnet');
    expect(generated.response.headers?.['llm_provider-x-amzn-requestid']).toBeTruthy();
    const streamed = streamText({ model: litellm.chat('claude-sonnet'), prompt: 'hi', maxRetries: 0 });
    expect(await streamed.text).toBe('Hello from the gateway simulator.');
    expect((await streamed.response).headers?.['x-litellm-model-name']).toBe('anthropic/claude-sonnet');
    expect((await streamed.usage).inputTokens).toBeGreaterThan(0);
  });

  it('passes an inner OpenRouter hop through: body provider, gen- id, llm_provider-x-generation-id', async () => {
    const client = new OpenAI({ apiKey: 'sk-litellm', baseURL: sim.baseUrls.litellm, maxRetries: 0 });
    const { data, response } = await client.chat.completions
      .create(
        { model: 'llama-70b', messages: [{ role: 'user', content: 'hi' }] },
        { headers: { 'x-sim-scenario': JSON.stringify({ upstream: 'openrouter', innerUpstream: 'together', servedModel: 'meta-llama/llama-3.3-70b-instruct' }) } },
      )
      .withResponse();
    expect(response.headers.get('x-litellm-model-name')).toBe('openrouter/meta-llama/llama-3.3-70b-instruct');
    expect(response.headers.get('llm_provider-x-generation-id')).toBe(data.id);
    expect((data as unknown as { provider: string }).provider).toBe('Together');
    expect(data.model).toBe('llama-70b');
  });

  it('answers an unknown model group like LiteLLM (400 with the model name)', async () => {
    const client = new OpenAI({ apiKey: 'sk-litellm', baseURL: sim.baseUrls.litellm, maxRetries: 0 });
    await expect(
      client.chat.completions.create({ model: 'unknown-group', messages: [{ role: 'user', content: 'hi' }] }),
    ).rejects.toMatchObject({ status: 400 });
  });
});
