import { createOpenRouter } from '@openrouter/ai-sdk-provider';
import { APICallError, generateText } from 'ai';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGatewaySim } from './server';
import type { GatewaySim } from './types';

/**
 * Who refused: a gateway's own refusal (its rate limit, credits, budget) against an upstream's error the
 * gateway relayed. Each shape is from a real recording or the gateway's documentation (see the fixtures
 * and the comments next to each body in the targets); here the official clients must see the difference.
 */
let sim: GatewaySim;
beforeAll(async () => {
  sim = await startGatewaySim({ port: 0, seed: 5 });
});
afterAll(async () => {
  await sim.close();
});

const messages = [{ role: 'user' as const, content: 'hi' }];

async function failure(promise: Promise<unknown>): Promise<InstanceType<typeof OpenAI.APIError>> {
  const caught = await promise.then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(caught).toBeInstanceOf(OpenAI.APIError);
  return caught as InstanceType<typeof OpenAI.APIError>;
}

describe('OpenRouter: its own 402 / 429 against an upstream 429 with provider_name (openai SDK)', () => {
  const client = () => new OpenAI({ apiKey: 'sk-or-test', baseURL: sim.baseUrls.openrouter, maxRetries: 0 });

  it('402 insufficient credits: no provider_name, limit_source openrouter_credits, no upstream reported', async () => {
    const error = await failure(client().chat.completions.create({ model: 'anthropic/claude-haiku-4.5', messages }, { headers: { 'x-sim-scenario': 'insufficient-credits' } }));
    expect(error.status).toBe(402);
    expect(error.message).toContain('Insufficient credits');
    const body = error.error as { metadata: Record<string, unknown> };
    expect(body.metadata.limit_source).toBe('openrouter_credits');
    expect('provider_name' in body.metadata).toBe(false);
    expect(sim.requests().at(-1)!.upstream).toBeUndefined();
  });

  it('429 account limit: OpenRouter free-tier counter in metadata, no provider_name', async () => {
    const error = await failure(client().chat.completions.create({ model: 'meta-llama/llama-3.3-70b-instruct:free', messages }, { headers: { 'x-sim-scenario': 'gateway-rate-limit' } }));
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    const body = error.error as { metadata: { limit_source: string; headers: Record<string, string>; provider_name?: string } };
    expect(body.metadata.limit_source).toBe('openrouter_free_tier_daily');
    expect(body.metadata.headers['X-RateLimit-Remaining']).toBe('0');
    expect(body.metadata.provider_name).toBeUndefined();
    expect(sim.requests().at(-1)!.upstream).toBeUndefined();
  });

  it('429 relayed from the upstream: "Provider returned error" with metadata.provider_name and raw', async () => {
    const error = await failure(client().chat.completions.create({ model: 'meta-llama/llama-3.3-70b-instruct', messages }, { headers: { 'x-sim-scenario': 'rate-limit', 'x-sim-upstream': 'together' } }));
    expect(error.status).toBe(429);
    expect(error.message).toContain('Provider returned error');
    const body = error.error as { metadata: { provider_name: string; raw: string } };
    expect(body.metadata.provider_name).toBe('Together');
    expect(body.metadata.raw).toContain('is temporarily rate-limited upstream');
    expect(sim.requests().at(-1)!.upstream).toBe('Together');
  });

  it('the AI SDK provider sees the same two 429s apart through APICallError.responseBody', async () => {
    const openrouter = createOpenRouter({ apiKey: 'sk-or-test', baseURL: sim.baseUrls.openrouter });
    const call = (preset: string) =>
      generateText({ model: openrouter('openai/gpt-4o'), prompt: 'hi', maxRetries: 0, headers: { 'x-sim-scenario': preset } }).then(
        () => undefined,
        (error: unknown) => error,
      );
    const own = await call('gateway-rate-limit');
    const relayed = await call('rate-limit');
    expect(APICallError.isInstance(own) && own.statusCode).toBe(429);
    expect(APICallError.isInstance(relayed) && relayed.statusCode).toBe(429);
    const ownBody = JSON.parse((own as APICallError).responseBody!) as { error: { metadata: Record<string, unknown> } };
    const relayedBody = JSON.parse((relayed as APICallError).responseBody!) as { error: { metadata: Record<string, unknown> } };
    expect(ownBody.error.metadata.provider_name).toBeUndefined();
    expect(relayedBody.error.metadata.provider_name).toBe('OpenAI');
  });
});

describe('LiteLLM: budget and key rate limit against a relayed upstream error (openai SDK)', () => {
  const client = () => new OpenAI({ apiKey: 'sk-litellm', baseURL: sim.baseUrls.litellm, maxRetries: 0 });

  it('budget exceeded: type budget_exceeded, no deployment headers (nothing was routed)', async () => {
    const error = await failure(client().chat.completions.create({ model: 'gpt-4o', messages }, { headers: { 'x-sim-scenario': 'budget-exceeded' } }));
    expect(error.status).toBe(429);
    expect(error.type).toBe('budget_exceeded');
    expect(error.headers!.get('x-litellm-call-id')).toBeTruthy();
    expect(error.headers!.get('x-litellm-model-name')).toBeNull();
    expect(sim.requests().at(-1)!.upstream).toBeUndefined();
  });

  it('key rate limit: retry-after, rate_limit_type and reset_at headers, message names the api_key limit', async () => {
    const error = await failure(client().chat.completions.create({ model: 'gpt-4o', messages }, { headers: { 'x-sim-scenario': 'gateway-rate-limit' } }));
    expect(error.status).toBe(429);
    expect(error.headers!.get('retry-after')).toBe('60');
    expect(error.headers!.get('rate_limit_type')).toBe('requests');
    expect(error.headers!.get('reset_at')).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC$/);
    expect(error.message).toMatch(/Rate limit exceeded for api_key: [0-9a-f]{64}\. Limit type: requests\./);
    expect(error.headers!.get('x-litellm-model-name')).toBeNull();
  });

  it('relayed upstream 429: <Provider>Exception in the message, throttling_error, deployment headers, no retry-after', async () => {
    const error = await failure(client().chat.completions.create({ model: 'gpt-4o', messages }, { headers: { 'x-sim-scenario': 'rate-limit', 'x-sim-upstream': 'azure' } }));
    expect(error.status).toBe(429);
    expect(error.type).toBe('throttling_error');
    expect(error.message).toContain('AzureException');
    expect(error.message).toContain('Received Model Group=gpt-4o');
    expect(error.headers!.get('x-litellm-model-name')).toBe('azure/gpt-4o');
    expect(error.headers!.get('retry-after')).toBeNull();
    expect(sim.requests().at(-1)!.upstream).toBe('azure/gpt-4o');
  });
});

describe('direct providers have no refusal of their own', () => {
  it('a gateway refusal preset on OpenAI direct is its plain 429', async () => {
    const client = new OpenAI({ apiKey: 'sk', baseURL: sim.baseUrls.openai, maxRetries: 0 });
    const error = await failure(client.chat.completions.create({ model: 'gpt-4o', messages }, { headers: { 'x-sim-scenario': 'budget-exceeded' } }));
    expect(error.status).toBe(429);
    expect(error.code).toBe('rate_limit_exceeded');
  });
});
