import { createAnthropic } from '@ai-sdk/anthropic';
import Anthropic from '@anthropic-ai/sdk';
import { generateText, isStepCount, streamText, tool } from 'ai';
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

describe('Anthropic Messages', () => {
  it('answers with msg_01 ids, a dated model, request-id and inference_geo (@anthropic-ai/sdk)', async () => {
    const client = new Anthropic({ apiKey: 'sk-ant', baseURL: sim.url + '/anthropic', maxRetries: 0 });
    const { data, response } = await client.messages
      .create(
        { model: 'claude-haiku-4-5', max_tokens: 100, messages: [{ role: 'user', content: 'hi' }] },
        { headers: { 'x-sim-scenario': JSON.stringify({ region: 'us' }) } },
      )
      .withResponse();
    expect(data.id).toMatch(/^msg_01[A-Za-z0-9]{22}$/);
    expect(data.model).toBe('claude-haiku-4-5-20251001');
    expect(data.usage.inference_geo).toBe('us');
    expect(response.headers.get('request-id')).toMatch(/^req_011C/);
    expect(response.headers.get('anthropic-organization-id')).toBeTruthy();
  });

  it('streams the real event sequence and the SDK assembles the message', async () => {
    const client = new Anthropic({ apiKey: 'sk-ant', baseURL: sim.url + '/anthropic', maxRetries: 0 });
    const stream = client.messages.stream({ model: 'claude-sonnet-4-5', max_tokens: 100, messages: [{ role: 'user', content: 'hi' }] });
    const names: string[] = [];
    stream.on('streamEvent', (event) => names.push(event.type));
    const message = await stream.finalMessage();
    expect(message.content).toEqual([{ type: 'text', text: 'Hello from the gateway simulator.' }]);
    expect(message.usage.output_tokens).toBeGreaterThan(1);
    expect(names[0]).toBe('message_start');
    expect(names.at(-1)).toBe('message_stop');
    expect(names).toContain('content_block_delta');
  });

  it('runs an agent loop with one tool (@ai-sdk/anthropic) and streams', async () => {
    const anthropic = createAnthropic({ apiKey: 'sk-ant', baseURL: sim.baseUrls.anthropic });
    const result = await generateText({
      model: anthropic('claude-haiku-4-5'),
      prompt: 'weather?',
      maxRetries: 0,
      stopWhen: isStepCount(4),
      tools: { weather: tool({ inputSchema: z.object({ city: z.string() }), execute: async ({ city }) => `rain in ${city}` }) },
    });
    expect(result.steps).toHaveLength(2);
    expect(result.text).toBe('The tool returned: rain in Paris');
    expect(result.response.modelId).toBe('claude-haiku-4-5-20251001');
    const streamed = streamText({ model: anthropic('claude-haiku-4-5'), prompt: 'hi', maxRetries: 0 });
    expect(await streamed.text).toBe('Hello from the gateway simulator.');
    expect((await streamed.response).headers?.['request-id']).toMatch(/^req_/);
  });

  it('answers errors in Anthropic’s shape: 529 overloaded, 404 unknown model, mid-stream error event', async () => {
    const client = new Anthropic({ apiKey: 'sk-ant', baseURL: sim.url + '/anthropic', maxRetries: 0 });
    const params = { model: 'claude-haiku-4-5', max_tokens: 10, messages: [{ role: 'user' as const, content: 'hi' }] };
    await expect(client.messages.create(params, { headers: { 'x-sim-scenario': 'unavailable' } })).rejects.toMatchObject({ status: 529 });
    await expect(client.messages.create({ ...params, model: 'claude-unknown' })).rejects.toMatchObject({ status: 404 });
    const stream = client.messages.stream(params, { headers: { 'x-sim-scenario': 'midstream-error' } });
    await expect(stream.finalMessage()).rejects.toThrow(/Overloaded/);
  });
});
