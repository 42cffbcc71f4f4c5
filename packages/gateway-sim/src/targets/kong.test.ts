import { createOpenAI } from '@ai-sdk/openai';
import { generateText, streamText } from 'ai';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGatewaySim } from '../server';
import type { GatewaySim } from '../types';

let sim: GatewaySim;
beforeAll(async () => {
  sim = await startGatewaySim({ port: 0, seed: 11 });
});
afterAll(async () => {
  await sim.close();
});

const question = [{ role: 'user' as const, content: 'Who is Jimi Hendrix?' }];

describe('Kong AI Gateway', () => {
  it('proxies to OpenAI: X-Kong-LLM-Model, upstream latency, OpenAI headers and body passed through (openai SDK)', async () => {
    const client = new OpenAI({ apiKey: 'kong-key', baseURL: sim.baseUrls.kong, maxRetries: 0 });
    const { data, response } = await client.chat.completions.create({ model: 'gpt-4.1', messages: question }).withResponse();
    expect(response.headers.get('x-kong-llm-model')).toBe('openai/gpt-4.1');
    expect(Number(response.headers.get('x-kong-upstream-latency'))).toBeGreaterThan(0);
    expect(response.headers.get('x-kong-proxy-latency')).toMatch(/^\d+$/);
    expect(response.headers.get('via')).toBe('1.1 kong/3.11.0.2-enterprise-edition');
    expect(response.headers.get('x-kong-request-id')).toMatch(/^[0-9a-f]{32}$/);
    expect(response.headers.get('x-cache-status')).toBe('Miss');
    expect(response.headers.get('x-ai-ratelimit-limit-minute-openai')).toBe('500');
    expect(response.headers.get('openai-organization')).toBeTruthy();
    expect(response.headers.get('x-request-id')).toMatch(/^req_/);
    expect(data.model).toBe('gpt-4.1-2025-04-14');
    expect(data.choices[0]!.message.content).toBe('Hello from the gateway simulator.');
    expect(sim.requests().at(-1)).toMatchObject({ target: 'kong', upstream: 'openai', path: '/kong/openai-route/chat/completions' });
  });

  it('uses the route model when the body has none, and streams through the proxy (@ai-sdk/openai)', async () => {
    const raw = await fetch(sim.baseUrls.kong, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ messages: question }) });
    expect(raw.headers.get('x-kong-llm-model')).toBe('openai/gpt-4.1');
    const kong = createOpenAI({ apiKey: 'kong-key', baseURL: sim.baseUrls.kong });
    const streamed = streamText({ model: kong.chat('gpt-4.1'), prompt: 'hi', maxRetries: 0 });
    expect(await streamed.text).toBe('Hello from the gateway simulator.');
    expect((await streamed.response).headers?.['x-kong-llm-model']).toBe('openai/gpt-4.1');
  });

  it('answers a semantic-cache hit itself: X-Cache-Status Hit, X-Cache-Key, no X-Kong-LLM-Model, no upstream header', async () => {
    const client = new OpenAI({ apiKey: 'kong-key', baseURL: sim.baseUrls.kong, maxRetries: 0 });
    const { data, response } = await client.chat.completions
      .create({ model: 'gpt-4.1', messages: question }, { headers: { 'x-sim-scenario': 'cache-hit' } })
      .withResponse();
    expect(response.headers.get('x-cache-status')).toBe('Hit');
    expect(response.headers.get('x-cache-key')).toMatch(/^kong_semantic_cache:[0-9a-f-]{36}:openai-gpt-4\.1:[0-9a-f]{64}$/);
    expect(response.headers.get('x-kong-response-latency')).toMatch(/^\d+$/);
    expect(response.headers.get('x-kong-llm-model')).toBeNull();
    expect(response.headers.get('x-kong-upstream-latency')).toBeNull();
    expect(response.headers.get('openai-organization')).toBeNull();
    expect(response.headers.get('server')).toBe('kong/3.11.0.2-enterprise-edition');
    expect(data.id).toMatch(/^[0-9a-f]{64}$/);
    expect(data.choices[0]!.message.content).toBe('Hello from the gateway simulator.');
    expect(sim.requests().at(-1)!.upstream).toBeUndefined();
  });

  it('a recorded quirk reaches the clients: the cached body\'s `annotations: {}` (Kong re-serialises OpenAI\'s `[]`) is rejected by @ai-sdk/openai, accepted by openai', async () => {
    const kong = createOpenAI({ apiKey: 'kong-key', baseURL: sim.baseUrls.kong, headers: { 'x-sim-scenario': 'cache-hit' } });
    await expect(generateText({ model: kong.chat('gpt-4.1'), prompt: 'hi', maxRetries: 0 })).rejects.toThrow(/Invalid JSON response/);
    const client = new OpenAI({ apiKey: 'kong-key', baseURL: sim.baseUrls.kong, maxRetries: 0 });
    const data = await client.chat.completions.create({ model: 'gpt-4.1', messages: question }, { headers: { 'x-sim-scenario': 'cache-hit' } });
    expect((data.choices[0]!.message as unknown as { annotations: unknown }).annotations).toEqual({});
  });

  it('refuses with its own AI rate limit (429, X-AI-RateLimit-*) and no upstream was called', async () => {
    const client = new OpenAI({ apiKey: 'kong-key', baseURL: sim.baseUrls.kong, maxRetries: 0 });
    const error = await client.chat.completions
      .create({ model: 'gpt-4.1', messages: question }, { headers: { 'x-sim-scenario': 'gateway-rate-limit' } })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    const rateLimited = error as InstanceType<typeof OpenAI.RateLimitError>;
    expect(rateLimited.headers.get('x-ai-ratelimit-remaining-minute-openai')).toBe('0');
    expect(rateLimited.headers.get('x-ai-ratelimit-retry-after')).toBe('9');
    expect(rateLimited.headers.get('x-kong-llm-model')).toBeNull();
    expect(rateLimited.headers.get('x-kong-response-latency')).toMatch(/^\d+$/);
    expect(rateLimited.message).toContain('AI token rate limit exceeded for provider(s): openai');
    expect(sim.requests().at(-1)!.upstream).toBeUndefined();
  });

  it('relays an upstream 429 with the proxy headers (X-Kong-LLM-Model, OpenAI error body)', async () => {
    const client = new OpenAI({ apiKey: 'kong-key', baseURL: sim.baseUrls.kong, maxRetries: 0 });
    const error = (await client.chat.completions
      .create({ model: 'gpt-4.1', messages: question }, { headers: { 'x-sim-scenario': 'rate-limit' } })
      .catch((caught: unknown) => caught)) as InstanceType<typeof OpenAI.RateLimitError>;
    expect(error.status).toBe(429);
    expect(error.headers.get('x-kong-llm-model')).toBe('openai/gpt-4.1');
    expect(error.headers.get('x-kong-upstream-latency')).toMatch(/^\d+$/);
    expect(error.headers.get('x-ai-ratelimit-remaining-minute-openai')).not.toBe('0');
    expect(error.code).toBe('rate_limit_exceeded');
    expect(sim.requests().at(-1)!.upstream).toBe('openai');
  });

  it('proxies the Bedrock route: bedrock/<profile> model header, x-amzn-RequestId, body without model or id (AI SDK)', async () => {
    const kong = createOpenAI({ apiKey: 'kong-key', baseURL: sim.url + '/kong/bedrock-route' });
    const result = await generateText({ model: kong.chat('us.amazon.nova-lite-v1:0'), prompt: 'hi', maxRetries: 0 });
    expect(result.text).toBe('Hello from the gateway simulator.');
    expect(result.response.headers?.['x-kong-llm-model']).toBe('bedrock/us.amazon.nova-lite-v1:0');
    expect(result.response.headers?.['x-amzn-requestid']).toMatch(/^[0-9a-f-]{36}$/);
    const raw = await fetch(sim.url + '/kong/bedrock-route', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ messages: question }) });
    const body = (await raw.json()) as Record<string, unknown>;
    expect('model' in body).toBe(false);
    expect('id' in body).toBe(false);
  });

  it('answers Kong\'s 404 for a route it does not have', async () => {
    const response = await fetch(sim.url + '/kong/nowhere-route/chat/completions', { method: 'POST', body: '{}' });
    expect(response.status).toBe(404);
    expect(((await response.json()) as { message: string }).message).toBe('no Route matched with those values');
  });
});
