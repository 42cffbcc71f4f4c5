import { createGateway } from '@ai-sdk/gateway';
import { createOpenRouter } from '@openrouter/ai-sdk-provider';
import { generateText, streamText } from 'ai';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callCost } from './pricing';
import { startGatewaySim } from './server';
import type { GatewaySim } from './types';

/**
 * Cost where the real gateways report it, in their wire shapes: OpenRouter `usage.cost` (+ `cost_details`,
 * JSON and the last stream chunk; recorded in openrouter-chat-*-amazon-bedrock), LiteLLM
 * `x-litellm-response-cost` (recorded in litellm-proxy-headers-issue-16534), the AI Gateway's
 * `providerMetadata.gateway.cost` / `usage.cost` (recorded in vercel-ai-gateway-*). The same call costs
 * differently by upstream, and the same seed gives the same figures.
 */
let sim: GatewaySim;
beforeAll(async () => {
  sim = await startGatewaySim({ port: 0, seed: 9 });
});
afterAll(async () => {
  await sim.close();
});

const messages = [{ role: 'user' as const, content: 'What is the capital of France?' }];
interface OpenRouterUsage {
  cost: number;
  cost_details: { upstream_inference_prompt_cost: number; upstream_inference_completions_cost: number };
}

describe('cost by upstream', () => {
  it('OpenRouter: usage.cost in JSON, differs by upstream, matches cost_details', async () => {
    const client = new OpenAI({ apiKey: 'sk-or-test', baseURL: sim.baseUrls.openrouter, maxRetries: 0 });
    const cost = async (upstream: string) => {
      const data = await client.chat.completions.create({ model: 'meta-llama/llama-3.3-70b-instruct', messages }, { headers: { 'x-sim-upstream': upstream } });
      return (data.usage as unknown as OpenRouterUsage);
    };
    const together = await cost('Together');
    const groq = await cost('Groq');
    expect(together.cost).toBeGreaterThan(0);
    expect(together.cost).not.toBe(groq.cost);
    expect(together.cost).toBeCloseTo(together.cost_details.upstream_inference_prompt_cost + together.cost_details.upstream_inference_completions_cost, 9);
  });

  it('OpenRouter: cost on the final stream chunk (openai SDK) and in providerMetadata.openrouter.usage (AI SDK provider)', async () => {
    const client = new OpenAI({ apiKey: 'sk-or-test', baseURL: sim.baseUrls.openrouter, maxRetries: 0 });
    const stream = await client.chat.completions.create({ model: 'openai/gpt-4o', messages, stream: true });
    let usage: OpenRouterUsage | undefined;
    for await (const chunk of stream) if (chunk.usage) usage = chunk.usage as unknown as OpenRouterUsage;
    expect(usage!.cost).toBeGreaterThan(0);
    const openrouter = createOpenRouter({ apiKey: 'sk-or-test', baseURL: sim.baseUrls.openrouter });
    const streamed = streamText({ model: openrouter('openai/gpt-4o'), prompt: 'hi', maxRetries: 0 });
    await streamed.consumeStream();
    const metadata = (await streamed.providerMetadata)?.openrouter as { usage?: { cost?: number } } | undefined;
    expect(metadata?.usage?.cost).toBeGreaterThan(0);
  });

  it('LiteLLM: x-litellm-response-cost by deployment', async () => {
    const client = new OpenAI({ apiKey: 'sk-litellm', baseURL: sim.baseUrls.litellm, maxRetries: 0 });
    const header = async (upstream: string) => {
      const { response } = await client.chat.completions.create({ model: 'gpt-4o', messages }, { headers: { 'x-sim-upstream': upstream } }).withResponse();
      return Number(response.headers.get('x-litellm-response-cost'));
    };
    const azure = await header('azure');
    const openai = await header('openai');
    expect(azure).toBeGreaterThan(0);
    expect(azure).toBeGreaterThan(openai);
  });

  it('LiteLLM: no cost header on a stream (unknown before the body), 0 on a refused call', async () => {
    const client = new OpenAI({ apiKey: 'sk-litellm', baseURL: sim.baseUrls.litellm, maxRetries: 0 });
    const { data: stream, response } = await client.chat.completions.create({ model: 'gpt-4o', messages, stream: true }).withResponse();
    for await (const _ of stream) void _;
    expect(response.headers.get('x-litellm-response-cost')).toBeNull();
    const refused = await client.chat.completions.create({ model: 'gpt-4o', messages }, { headers: { 'x-sim-scenario': 'budget-exceeded' } }).then(
      () => undefined,
      (error: unknown) => error as InstanceType<typeof OpenAI.APIError>,
    );
    expect(refused?.headers?.get('x-litellm-response-cost')).toBe('0');
  });

  it('Vercel: providerMetadata.gateway.cost (native protocol) and usage.cost (OpenAI-compatible) agree', async () => {
    const gateway = createGateway({ apiKey: 'vck_test', baseURL: `${sim.url}/vercel/v4/ai` });
    const result = await generateText({ model: gateway('anthropic/claude-sonnet-4'), prompt: 'hi', maxRetries: 0 });
    const native = (result.providerMetadata?.gateway as { cost: string; marketCost: string }).cost;
    expect(Number(native)).toBeGreaterThan(0);
    const client = new OpenAI({ apiKey: 'vck_test', baseURL: sim.baseUrls.vercel, maxRetries: 0 });
    const data = await client.chat.completions.create({ model: 'anthropic/claude-sonnet-4', messages: [{ role: 'user', content: 'hi' }] });
    const compat = data as unknown as { usage: { cost: number }; choices: Array<{ message: { provider_metadata: { gateway: { cost: string } } } }> };
    expect(compat.usage.cost).toBe(Number(compat.choices[0]!.message.provider_metadata.gateway.cost));
    expect(compat.usage.cost).toBe(Number(native));
  });

  it('prices by model family and upstream', () => {
    expect(callCost('anthropic/claude-haiku-4.5', 'anthropic', 1_000_000, 1_000_000)).toEqual({ prompt: 1, completion: 5, total: 6 });
    expect(callCost('anthropic/claude-haiku-4.5', 'aws.bedrock', 1_000_000, 0).total).toBeCloseTo(1.05, 9);
    expect(callCost('meta-llama/llama-3.3-70b-instruct', 'together', 1_000_000, 0).total).toBeCloseTo(0.48, 9);
    expect(callCost('x', 'constructor', 1_000_000, 0).total).toBe(1);
  });

  it('is deterministic: the same seed and request give the same costs', async () => {
    const other = await startGatewaySim({ port: 0, seed: 9 });
    try {
      const ask = async (baseURL: string) => {
        const client = new OpenAI({ apiKey: 'x', baseURL, maxRetries: 0 });
        const data = await client.chat.completions.create({ model: 'anthropic/claude-haiku-4.5', messages }, { headers: { 'x-sim-seed': 'same' } });
        return (data.usage as unknown as OpenRouterUsage).cost;
      };
      expect(await ask(sim.baseUrls.openrouter)).toBe(await ask(other.baseUrls.openrouter));
    } finally {
      await other.close();
    }
  });
});
