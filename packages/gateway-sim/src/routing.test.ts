import { createGateway } from '@ai-sdk/gateway';
import { createOpenRouter } from '@openrouter/ai-sdk-provider';
import { generateText } from 'ai';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planRoute, type RoutingPolicy } from './routing';
import { startGatewaySim } from './server';
import type { GatewaySim } from './types';

/**
 * The gateways route by the preferences the request carries, so a policy change at a known time
 * changes who serves: OpenRouter body `provider` / `models`, the AI Gateway's
 * `providerOptions.gateway`, LiteLLM `fallbacks`. `down` in a scenario makes an upstream fail.
 */
let sim: GatewaySim;
beforeAll(async () => {
  sim = await startGatewaySim({ port: 0, seed: 3 });
});
afterAll(async () => {
  await sim.close();
});

const messages = [{ role: 'user' as const, content: 'hi' }];
type Body = OpenAI.Chat.ChatCompletionCreateParamsNonStreaming & Record<string, unknown>;

describe('planRoute', () => {
  const route = (policy: Partial<RoutingPolicy>, down: string[] = [], pool = ['a', 'b', 'c']) =>
    planRoute({
      models: ['m', ...(policy.models ?? [])],
      candidates: (model) => (model === 'm' ? pool : ['z']),
      policy: { allowFallbacks: true, ...policy },
      canonical: (name) => name.toLowerCase(),
      isDown: (name) => down.includes(name),
      downStatus: 429,
    });

  it('tries order first, then (with fallbacks allowed) the rest; only / ignore filter', () => {
    expect(route({ order: ['C'] }).served).toMatchObject({ upstream: 'c', model: 'm' });
    expect(route({ order: ['c'] }, ['c']).attempts.map((attempt) => [attempt.upstream, attempt.success])).toEqual([['c', false], ['a', true]]);
    expect(route({ only: ['b', 'c'] }).served!.upstream).toBe('b');
    expect(route({ ignore: ['a'] }).served!.upstream).toBe('b');
  });

  it('without fallbacks, a down order leaves nothing to serve; model fallbacks come next', () => {
    const refused = route({ order: ['c'], allowFallbacks: false }, ['c']);
    expect(refused.served).toBeUndefined();
    expect(refused.attempts).toEqual([{ upstream: 'c', model: 'm', success: false, status: 429 }]);
    expect(route({ order: ['x'], allowFallbacks: false }).attempts).toEqual([]);
    const nextModel = route({ order: ['c', 'z'], allowFallbacks: false, models: ['n'] }, ['c']);
    expect(nextModel.served).toMatchObject({ upstream: 'z', model: 'n' });
    expect(nextModel.modelIndex).toBe(1);
    expect(route({ only: ['x'] }).attempts).toEqual([]);
  });
});

describe('OpenRouter provider preferences', () => {
  const client = () => new OpenAI({ apiKey: 'sk-or-test', baseURL: sim.baseUrls.openrouter, maxRetries: 0 });
  const create = (body: Record<string, unknown>, headers: Record<string, string> = {}) =>
    client().chat.completions.create({ model: 'anthropic/claude-haiku-4.5', messages, ...body } as Body, { headers });

  it('order picks the provider over the load balancer; only and ignore restrict it', async () => {
    expect(((await create({})) as unknown as { provider: string }).provider).toBe('Amazon Bedrock');
    expect(((await create({ provider: { order: ['anthropic'] } })) as unknown as { provider: string }).provider).toBe('Anthropic');
    expect(((await create({ provider: { only: ['google-vertex'] } })) as unknown as { provider: string }).provider).toBe('Google');
    expect(((await create({ provider: { ignore: ['amazon-bedrock'] } })) as unknown as { provider: string }).provider).toBe('Anthropic');
  });

  it('only Anthropic without fallbacks: its 429 is relayed; with fallbacks allowed Bedrock serves (the policy change)', async () => {
    const down = { 'x-sim-scenario': JSON.stringify({ down: ['anthropic'] }) };
    const strict = await create({ provider: { order: ['anthropic'], allow_fallbacks: false } }, down).then(
      () => undefined,
      (error: unknown) => error as InstanceType<typeof OpenAI.APIError>,
    );
    expect(strict?.status).toBe(429);
    expect((strict?.error as { metadata: { provider_name: string } }).metadata.provider_name).toBe('Anthropic');
    const relaxed = (await create({ provider: { order: ['anthropic'], allow_fallbacks: true } }, { ...down, 'x-openrouter-metadata': 'enabled' })) as unknown as {
      provider: string;
      openrouter_metadata: { attempts: Array<{ provider: string; status: number }>; strategy: string };
    };
    expect(relaxed.provider).toBe('Amazon Bedrock');
    expect(relaxed.openrouter_metadata.strategy).toBe('fallback');
    expect(relaxed.openrouter_metadata.attempts.map((attempt) => [attempt.provider, attempt.status])).toEqual([
      ['Anthropic', 429],
      ['Amazon Bedrock', 200],
    ]);
  });

  it('a timeline segment can take an upstream down at a known time', async () => {
    sim.configure({
      targets: { openrouter: { timeline: [{ start: '2026-11-27T13:00:00Z', durationMs: 3600_000, down: ['Anthropic'] }] } },
    });
    try {
      const body = { provider: { order: ['anthropic'] } };
      const before = (await create(body, { 'x-sim-time': '2026-11-27T12:59:00Z' })) as unknown as { provider: string };
      const during = (await create(body, { 'x-sim-time': '2026-11-27T13:30:00Z' })) as unknown as { provider: string };
      expect([before.provider, during.provider]).toEqual(['Anthropic', 'Amazon Bedrock']);
    } finally {
      sim.configure({});
    }
  });

  it('models: the next model serves when the first has no provider left', async () => {
    const result = (await create(
      { provider: { order: ['anthropic', 'openai'], allow_fallbacks: false }, models: ['openai/gpt-4o'], route: 'fallback' },
      { 'x-sim-scenario': JSON.stringify({ down: ['anthropic'] }) },
    )) as unknown as { provider: string; model: string };
    expect(result).toMatchObject({ provider: 'OpenAI', model: 'openai/gpt-4o' });
  });

  it('only a provider that does not serve the model: the recorded "No allowed providers" 404', async () => {
    const error = await client()
      .chat.completions.create({ model: 'x-ai/grok-4', messages, provider: { only: ['anthropic'] } } as Body)
      .then(
        () => undefined,
        (caught: unknown) => caught as InstanceType<typeof OpenAI.APIError>,
      );
    expect(error?.status).toBe(404);
    expect(error?.message).toContain('No allowed providers are available for the selected model.');
    expect(error?.error).toMatchObject({ metadata: { available_providers: ['xai'], requested_providers: ['anthropic'] } });
  });

  it('@openrouter/ai-sdk-provider passes provider preferences through and reads the served provider', async () => {
    const openrouter = createOpenRouter({ apiKey: 'sk-or-test', baseURL: sim.baseUrls.openrouter });
    const result = await generateText({
      model: openrouter('anthropic/claude-haiku-4.5', { provider: { order: ['anthropic'], allow_fallbacks: false } }),
      prompt: 'hi',
      maxRetries: 0,
    });
    expect(result.providerMetadata?.openrouter?.provider).toBe('Anthropic');
    expect(JSON.parse(sim.requests().at(-1)!.body).provider).toEqual({ order: ['anthropic'], allow_fallbacks: false });
  });
});

describe('Vercel AI Gateway providerOptions.gateway', () => {
  it('native protocol: order, only and models through @ai-sdk/gateway', async () => {
    const gateway = createGateway({ apiKey: 'vck_test', baseURL: `${sim.url}/vercel/v4/ai` });
    const routing = async (gatewayOptions: Record<string, unknown>, scenario?: object) => {
      const result = await generateText({
        model: gateway('anthropic/claude-sonnet-4'),
        prompt: 'hi',
        maxRetries: 0,
        providerOptions: { gateway: gatewayOptions as never },
        headers: scenario ? { 'x-sim-scenario': JSON.stringify(scenario) } : undefined,
      });
      return (result.providerMetadata?.gateway as { routing: Record<string, unknown> }).routing;
    };
    expect((await routing({})).finalProvider).toBe('anthropic');
    expect((await routing({ order: ['bedrock', 'anthropic'] })).finalProvider).toBe('bedrock');
    expect((await routing({ only: ['vertexAnthropic'] })).finalProvider).toBe('vertexAnthropic');
    const fellBack = await routing({ order: ['bedrock'] }, { down: ['bedrock'] });
    expect([fellBack.resolvedProvider, fellBack.finalProvider]).toEqual(['bedrock', 'anthropic']);
    const otherModel = await routing({ models: ['openai/gpt-4o'] }, { down: ['anthropic', 'vertexAnthropic', 'bedrock'] });
    expect(otherModel).toMatchObject({ finalProvider: 'openai', canonicalSlug: 'openai/gpt-4o', modelAttemptCount: 2 });
  });

  it('OpenAI-compatible protocol: providerOptions in the body, routing on the final stream chunk', async () => {
    const client = new OpenAI({ apiKey: 'vck_test', baseURL: sim.baseUrls.vercel, maxRetries: 0 });
    const stream = await client.chat.completions.create({
      model: 'anthropic/claude-sonnet-4',
      messages,
      stream: true,
      providerOptions: { gateway: { order: ['vertexAnthropic'] } },
    } as OpenAI.Chat.ChatCompletionCreateParamsStreaming & Record<string, unknown>);
    let finalProvider: string | undefined;
    for await (const chunk of stream) {
      const delta = chunk.choices[0]?.delta as { provider_metadata?: { gateway: { routing: { finalProvider: string } } } } | undefined;
      finalProvider = delta?.provider_metadata?.gateway.routing.finalProvider ?? finalProvider;
    }
    expect(finalProvider).toBe('vertexAnthropic');
  });
});

describe('LiteLLM fallbacks', () => {
  it('the fallback group serves when the requested group\'s upstream is down (openai SDK)', async () => {
    const client = new OpenAI({ apiKey: 'sk-litellm', baseURL: sim.baseUrls.litellm, maxRetries: 0 });
    const { data, response } = await client.chat.completions
      .create({ model: 'gpt-4o', messages, fallbacks: ['claude-sonnet-4'] } as Body, {
        headers: { 'x-sim-scenario': JSON.stringify({ down: ['azure'] }) },
      })
      .withResponse();
    expect(response.headers.get('x-litellm-model-group')).toBe('claude-sonnet-4');
    expect(response.headers.get('x-litellm-attempted-fallbacks')).toBe('1');
    expect(response.headers.get('x-litellm-model-name')).toBe('anthropic/claude-sonnet-4');
    expect(JSON.parse(response.headers.get('x-litellm-fallback-errors')!)).toHaveLength(1);
    expect(data.model).toBe('claude-sonnet-4');
  });

  it('without fallbacks the upstream error is relayed; streaming with a fallback works too', async () => {
    const client = new OpenAI({ apiKey: 'sk-litellm', baseURL: sim.baseUrls.litellm, maxRetries: 0 });
    const headers = { 'x-sim-scenario': JSON.stringify({ down: ['azure'] }) };
    const error = await client.chat.completions.create({ model: 'gpt-4o', messages }, { headers }).then(
      () => undefined,
      (caught: unknown) => caught as InstanceType<typeof OpenAI.APIError>,
    );
    expect(error?.status).toBe(429);
    expect(error?.message).toContain('AzureException');
    const { data: stream, response } = await client.chat.completions
      .create({ model: 'gpt-4o', messages, stream: true, fallbacks: ['claude-sonnet-4'] } as OpenAI.Chat.ChatCompletionCreateParamsStreaming & Record<string, unknown>, { headers })
      .withResponse();
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
    expect(text).toBe('Hello from the gateway simulator.');
    expect(response.headers.get('x-litellm-model-group')).toBe('claude-sonnet-4');
  });
});
