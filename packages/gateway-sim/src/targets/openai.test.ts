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

describe('OpenAI direct', () => {
  it('answers chat completions with a dated model and OpenAI fingerprint headers (openai SDK)', async () => {
    const client = new OpenAI({ apiKey: 'sk-test', baseURL: sim.baseUrls.openai, maxRetries: 0 });
    const { data, response } = await client.chat.completions
      .create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] })
      .withResponse();
    expect(data.model).toBe('gpt-4o-2024-08-06');
    expect(data.system_fingerprint).toMatch(/^fp_/);
    expect(response.headers.get('x-request-id')).toMatch(/^req_[0-9a-f]{32}$/);
    expect(response.headers.get('openai-organization')).toBeTruthy();
    expect(response.headers.get('openai-processing-ms')).toMatch(/^\d+$/);
  });

  it('streams chat completions with usage, tool calls included', async () => {
    const client = new OpenAI({ apiKey: 'sk-test', baseURL: sim.baseUrls.openai, maxRetries: 0 });
    const stream = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: 'user', content: 'weather?' }],
      tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }],
    });
    let argumentsText = '';
    let usage: unknown;
    for await (const chunk of stream) {
      argumentsText += chunk.choices[0]?.delta.tool_calls?.[0]?.function?.arguments ?? '';
      if (chunk.usage) usage = chunk.usage;
    }
    expect(JSON.parse(argumentsText)).toEqual({ city: 'Paris' });
    expect(usage).toMatchObject({ prompt_tokens: expect.any(Number) });
  });

  it('answers the Responses API, JSON and stream (openai SDK and @ai-sdk/openai)', async () => {
    const client = new OpenAI({ apiKey: 'sk-test', baseURL: sim.baseUrls.openai, maxRetries: 0 });
    const response = await client.responses.create({ model: 'gpt-5-nano', input: 'hi' });
    expect(response.output_text).toBe('Hello from the gateway simulator.');
    expect(response.model).toBe('gpt-5-nano-2025-08-07');
    const openai = createOpenAI({ apiKey: 'sk-test', baseURL: sim.baseUrls.openai });
    const generated = await generateText({ model: openai('gpt-5-nano'), prompt: 'hi', maxRetries: 0 });
    expect(generated.text).toBe('Hello from the gateway simulator.');
    expect(generated.response.modelId).toBe('gpt-5-nano-2025-08-07');
    const streamed = streamText({ model: openai('gpt-5-nano'), prompt: 'hi', maxRetries: 0 });
    expect(await streamed.text).toBe('Hello from the gateway simulator.');
    expect((await streamed.response).headers?.['x-request-id']).toMatch(/^req_/);
  });

  it('answers a rate limit with 429 and Retry-After, an unknown model with 404', async () => {
    const client = new OpenAI({ apiKey: 'sk-test', baseURL: sim.baseUrls.openai, maxRetries: 0 });
    await expect(
      client.chat.completions.create(
        { model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] },
        { headers: { 'x-sim-scenario': 'rate-limit' } },
      ),
    ).rejects.toMatchObject({ status: 429, headers: expect.anything() });
    await expect(
      client.chat.completions.create({ model: 'does-not-exist', messages: [{ role: 'user', content: 'hi' }] }),
    ).rejects.toMatchObject({ status: 404, code: 'model_not_found' });
  });
});
