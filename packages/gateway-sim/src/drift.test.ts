import { readFileSync } from 'node:fs';
import { BedrockRuntimeClient, ConverseCommand } from '@aws-sdk/client-bedrock-runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isRecord } from './answer';
import { startGatewaySim } from './server';
import type { GatewaySim } from './types';

/**
 * Drift tests: every endpoint's header names and body shape (key paths) must cover what the
 * real service sent in the matching recording of `__fixtures__/` (copied from shared/fixtures).
 */

interface Fixture {
  request: { method: string; url: string; body?: Record<string, unknown> };
  response: { status: number; headers: Record<string, unknown>; body: unknown };
}

function fixture(name: string): Fixture {
  return JSON.parse(readFileSync(new URL(`./__fixtures__/${name}.json`, import.meta.url), 'utf8')) as Fixture;
}

/** Kong recordings live with the conventions rule (collected there, copied verbatim from Kong's workshop). */
function kongFixture(name: string): Fixture {
  return JSON.parse(readFileSync(new URL(`../../conventions/src/rules/kong/__fixtures__/${name}.json`, import.meta.url), 'utf8')) as Fixture;
}

/** Headers a recording has for reasons of transport or secrecy, which the simulator leaves to Node or never sends. */
const TRANSPORT_HEADERS = new Set(['content-length', 'transfer-encoding', 'connection', 'keep-alive', 'set-cookie']);

function recordedHeaderNames(recorded: Fixture, ignore: string[] = []): string[] {
  return Object.keys(recorded.response.headers)
    .map((name) => name.toLowerCase())
    .filter((name) => !TRANSPORT_HEADERS.has(name) && !ignore.includes(name));
}

function missingHeaders(recorded: Fixture, actual: Headers, ignore: string[] = []): string[] {
  return recordedHeaderNames(recorded, ignore).filter((name) => !actual.has(name));
}

/** Every key path of a JSON value (`a.b`, arrays as `a[].b`). */
function keyPaths(value: unknown, prefix = '', into = new Set<string>()): Set<string> {
  if (Array.isArray(value)) {
    for (const item of value) keyPaths(item, `${prefix}[]`, into);
  } else if (isRecord(value)) {
    for (const [key, child] of Object.entries(value)) {
      const path = prefix ? `${prefix}.${key}` : key;
      into.add(path);
      keyPaths(child, path, into);
    }
  }
  return into;
}

function missingPaths(recordedBody: unknown, actualBody: unknown, ignore: RegExp[] = []): string[] {
  const actual = keyPaths(actualBody);
  return [...keyPaths(recordedBody)].filter((path) => !actual.has(path) && !ignore.some((pattern) => pattern.test(path)));
}

/** Top-level keys of a recorded body the collector truncated (not valid JSON any more). */
function truncatedTopLevelKeys(text: string): string[] {
  return [...text.matchAll(/^ {2}"([a-z_]+)":/gm)].map((match) => match[1]!);
}

function sseChunks(text: string): unknown[] {
  return text
    .split('\n\n')
    .map((block) => block.split('\n').find((line) => line.startsWith('data: {')))
    .filter((line): line is string => line !== undefined)
    .map((line) => JSON.parse(line.slice(6)));
}

let sim: GatewaySim;
beforeAll(async () => {
  sim = await startGatewaySim({ port: 0 });
});
afterAll(async () => {
  await sim.close();
});

function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
}

const question = [{ role: 'user', content: "What's 2 + 2?" }];

describe('drift against recorded traffic', () => {
  it('OpenRouter non-stream (openrouter-chat-nonstream-amazon-bedrock)', async () => {
    const recorded = fixture('openrouter-chat-nonstream-amazon-bedrock');
    const response = await post(`${sim.baseUrls.openrouter}/chat/completions`, { ...recorded.request.body, messages: question });
    const text = await response.text();
    expect(missingHeaders(recorded, response.headers)).toEqual([]);
    const recordedRaw = (recorded.response as unknown as { body_raw: string }).body_raw;
    expect(text.slice(0, text.indexOf('{'))).toBe(recordedRaw.slice(0, recordedRaw.indexOf('{')));
    const body = JSON.parse(text) as Record<string, unknown>;
    expect(missingPaths(recorded.response.body, body)).toEqual([]);
    expect(body.model).toBe((recorded.response.body as { model: string }).model);
    expect(body.provider).toBe('Amazon Bedrock');
  });

  it('OpenRouter stream (openrouter-chat-stream-sse-amazon-bedrock)', async () => {
    const recorded = fixture('openrouter-chat-stream-sse-amazon-bedrock');
    const response = await post(`${sim.baseUrls.openrouter}/chat/completions`, { ...recorded.request.body, messages: question });
    const text = await response.text();
    expect(missingHeaders(recorded, response.headers)).toEqual([]);
    expect(text.startsWith(': OPENROUTER PROCESSING\n\n')).toBe(true);
    const recordedChunks = sseChunks(recorded.response.body as string);
    const chunks = sseChunks(text);
    expect(missingPaths(recordedChunks, chunks)).toEqual([]);
    expect(missingPaths(recordedChunks.at(-1), chunks.at(-1))).toEqual([]);
    expect(text.trimEnd().endsWith('data: [DONE]')).toBe(true);
  });

  it('OpenRouter mid-stream error (openrouter-stream-midstream-error-minimax)', async () => {
    const recorded = fixture('openrouter-stream-midstream-error-minimax');
    const response = await post(`${sim.baseUrls.openrouter}/chat/completions`, { ...recorded.request.body, messages: question }, {
      'x-sim-scenario': 'midstream-error',
      'x-sim-upstream': 'Minimax',
    });
    expect(missingHeaders(recorded, response.headers, ['vary'])).toEqual([]);
    const recordedError = sseChunks(recorded.response.body as string).at(-1);
    const error = sseChunks(await response.text()).at(-1) as { provider: string };
    expect(missingPaths(recordedError, error, [/prompt_tokens_details\.cache_write_tokens|video_tokens/])).toEqual([]);
    expect(error.provider).toBe('Minimax');
  });

  it('Vercel AI Gateway routing (vercel-ai-gateway-chat-anthropic-routing)', async () => {
    const recorded = fixture('vercel-ai-gateway-chat-anthropic-routing');
    const response = await post(`${sim.baseUrls.vercel}/chat/completions`, { ...recorded.request.body, messages: question });
    expect(missingHeaders(recorded, response.headers)).toEqual([]);
    const body = await response.json();
    expect(missingPaths(recorded.response.body, body)).toEqual([]);
  });

  it('Vercel AI Gateway fallback (vercel-ai-gateway-fallback-vertex-to-google)', async () => {
    const recorded = fixture('vercel-ai-gateway-fallback-vertex-to-google');
    const response = await post(
      `${sim.baseUrls.vercel}/chat/completions`,
      { ...recorded.request.body, messages: [...question, { role: 'tool', tool_call_id: 'x', content: '4' }] },
      { 'x-sim-scenario': JSON.stringify({ fallbackFrom: ['vertex'], upstream: 'google' }) },
    );
    const body = (await response.json()) as { choices: Array<{ message: { provider_metadata: { gateway: { routing: Record<string, unknown> } } } }> };
    expect(missingPaths(recorded.response.body, body)).toEqual([]);
    const routing = body.choices[0]!.message.provider_metadata.gateway.routing;
    expect([routing.resolvedProvider, routing.finalProvider]).toEqual(['vertex', 'google']);
  });

  it('LiteLLM proxy headers (litellm-proxy-headers-docs-curl, litellm-proxy-headers-issue-16534)', async () => {
    const response = await post(`${sim.baseUrls.litellm}/chat/completions`, { model: 'gpt-3.5-turbo', messages: question });
    // `x-litellm-key-*-limit: None` was dropped by LiteLLM after 1.40 (values equal to None are excluded).
    expect(missingHeaders(fixture('litellm-proxy-headers-docs-curl'), response.headers, ['x-litellm-key-tpm-limit', 'x-litellm-key-rpm-limit'])).toEqual([]);
    expect(missingHeaders(fixture('litellm-proxy-headers-issue-16534'), response.headers)).toEqual([]);
    expect(response.headers.get('server')).toBe('uvicorn');
  });

  it('Azure deployments chat (azure-openai-deployments-chat-completions)', async () => {
    const recorded = fixture('azure-openai-deployments-chat-completions');
    const response = await post(`${sim.baseUrls.azure}/openai/deployments/gpt-4o/chat/completions?api-version=2024-12-01-preview`, recorded.request.body);
    expect(missingHeaders(recorded, response.headers)).toEqual([]);
    const body = (await response.json()) as { model: string };
    expect(missingPaths(recorded.response.body, body)).toEqual([]);
    expect(body.model).toBe((recorded.response.body as { model: string }).model);
  });

  it('Azure v1 responses (azure-foundry-openai-v1-responses-served-model)', async () => {
    const recorded = fixture('azure-foundry-openai-v1-responses-served-model');
    const response = await post(`${sim.baseUrls.azure}/openai/v1/responses`, recorded.request.body);
    expect(missingHeaders(recorded, response.headers)).toEqual([]);
    expect(response.headers.get('x-ms-served-model')).toBe(recorded.response.headers['X-Ms-Served-Model']);
    const body = (await response.json()) as Record<string, unknown>;
    expect(truncatedTopLevelKeys(recorded.response.body as string).filter((key) => !(key in body))).toEqual([]);
    expect(body.model).toBe('gpt-5-nano');
  });

  it('Azure Foundry models (azure-foundry-models-chat-completions-grok)', async () => {
    const recorded = fixture('azure-foundry-models-chat-completions-grok');
    const response = await post(`${sim.baseUrls.azure}/models/chat/completions?api-version=2024-05-01-preview`, recorded.request.body);
    expect(missingHeaders(recorded, response.headers)).toEqual([]);
    expect(missingPaths(recorded.response.body, await response.json())).toEqual([]);
  });

  it('OpenAI direct responses (openai-direct-responses-headers)', async () => {
    const recorded = fixture('openai-direct-responses-headers');
    const response = await post(`${sim.baseUrls.openai}/responses`, recorded.request.body);
    expect(missingHeaders(recorded, response.headers)).toEqual([]);
    const body = (await response.json()) as Record<string, unknown>;
    expect(truncatedTopLevelKeys(recorded.response.body as string).filter((key) => !(key in body))).toEqual([]);
  });

  it('Bedrock InvokeModel (bedrock-invokemodel-claude-msg_bdrk)', async () => {
    const recorded = fixture('bedrock-invokemodel-claude-msg_bdrk');
    const path = new URL(recorded.request.url).pathname;
    const response = await post(`${sim.baseUrls.bedrock}${path}`, recorded.request.body);
    expect(missingHeaders(recorded, response.headers)).toEqual([]);
    const body = (await response.json()) as { model: string };
    expect(missingPaths(recorded.response.body, body)).toEqual([]);
    expect(body.model).toBe('claude-3-5-sonnet-20240620');
  });

  it('Bedrock Converse with a cross-region profile (bedrock-converse-cross-region-profile), through the SDK', async () => {
    const recorded = fixture('bedrock-converse-cross-region-profile');
    const response = await post(`${sim.baseUrls.bedrock}/model/us.anthropic.claude-haiku-4-5-20251001-v1%3A0/converse`, recorded.request.body);
    expect(missingHeaders(recorded, response.headers)).toEqual([]);
    expect(missingPaths(recorded.response.body, await response.json())).toEqual([]);
    const client = new BedrockRuntimeClient({ endpoint: sim.baseUrls.bedrock, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
    try {
      const output = await client.send(new ConverseCommand({ ...(recorded.request.body as object), modelId: 'us.anthropic.claude-haiku-4-5-20251001-v1:0' } as never));
      expect(output.usage?.cacheWriteInputTokens).toBeGreaterThan(0);
    } finally {
      client.destroy();
    }
  });

  it('Kong proxied OpenAI call (kong-proxied-openai-gpt-4.1, kong-semantic-cache-miss-openai)', async () => {
    const response = await post(sim.baseUrls.kong, { messages: question });
    const body = await response.json();
    for (const name of ['kong-proxied-openai-gpt-4.1', 'kong-semantic-cache-miss-openai']) {
      const recorded = kongFixture(name);
      expect(missingHeaders(recorded, response.headers)).toEqual([]);
      expect(missingPaths(recorded.response.body, body)).toEqual([]);
      expect(response.headers.get('x-kong-llm-model')).toBe(recorded.response.headers['X-Kong-LLM-Model']);
    }
  });

  it('Kong proxied Bedrock call (kong-proxied-bedrock-nova-cache-miss)', async () => {
    const recorded = kongFixture('kong-proxied-bedrock-nova-cache-miss');
    const response = await post(`${sim.url}/kong/bedrock-route`, recorded.request.body);
    expect(missingHeaders(recorded, response.headers)).toEqual([]);
    const body = (await response.json()) as Record<string, unknown>;
    expect(missingPaths(recorded.response.body, body)).toEqual([]);
    expect(response.headers.get('x-kong-llm-model')).toBe('bedrock/us.amazon.nova-lite-v1:0');
    expect(Object.keys(body).filter((key) => !(key in (recorded.response.body as object)))).toEqual([]);
  });

  it('Kong semantic-cache hit (kong-semantic-cache-hit, kong-semantic-cache-hit-bedrock)', async () => {
    for (const [name, url] of [
      ['kong-semantic-cache-hit', sim.baseUrls.kong],
      ['kong-semantic-cache-hit-bedrock', `${sim.url}/kong/bedrock-route`],
    ] as const) {
      const recorded = kongFixture(name);
      const response = await post(url, recorded.request.body, { 'x-sim-scenario': 'cache-hit' });
      expect(missingHeaders(recorded, response.headers)).toEqual([]);
      expect(missingPaths(recorded.response.body, await response.json())).toEqual([]);
      // What Kong leaves off its own answers must stay off.
      const absent = ['x-kong-llm-model', 'x-kong-upstream-latency', 'x-kong-proxy-latency', 'via'];
      expect(absent.filter((header) => response.headers.has(header))).toEqual([]);
    }
  });

  it('Kong AI rate limit (kong-ai-rate-limit-429)', async () => {
    const recorded = kongFixture('kong-ai-rate-limit-429');
    const response = await post(sim.baseUrls.kong, recorded.request.body, { 'x-sim-scenario': 'gateway-rate-limit' });
    expect(response.status).toBe(429);
    expect(missingHeaders(recorded, response.headers)).toEqual([]);
    expect(await response.json()).toEqual(recorded.response.body);
    expect(response.headers.has('x-kong-llm-model')).toBe(false);
  });

  it('OpenRouter refusals vs a relayed upstream 429 (openrouter-402-…, openrouter-429-free-models-per-day, openrouter-429-upstream-rate-limited)', async () => {
    const cases = [
      ['openrouter-402-insufficient-credits', 'insufficient-credits'],
      ['openrouter-429-free-models-per-day', 'gateway-rate-limit'],
      ['openrouter-429-upstream-rate-limited', 'rate-limit'],
    ] as const;
    for (const [name, preset] of cases) {
      const recorded = fixture(name);
      const response = await post(`${sim.baseUrls.openrouter}/chat/completions`, { model: 'meta-llama/llama-3.3-70b-instruct:free', messages: question }, {
        'x-sim-scenario': preset,
        'x-sim-upstream': 'Venice',
      });
      expect(response.status).toBe(recorded.response.status);
      const body = (await response.json()) as { error: { message: string; metadata?: Record<string, unknown> } };
      // The account-limit recording that carries `user_id` and the 402 one that does not are both real; the sim always sends it.
      expect(missingPaths(recorded.response.body, body)).toEqual([]);
      expect(body.error.message).toBe((recorded.response.body as { error: { message: string } }).error.message);
      const recordedMetadata = (recorded.response.body as { error: { metadata: Record<string, unknown> } }).error.metadata;
      expect('provider_name' in (body.error.metadata ?? {})).toBe('provider_name' in recordedMetadata);
    }
  });

  it('LiteLLM budget refusal vs a relayed upstream 429 (litellm-budget-exceeded, litellm-relayed-upstream-rate-limit)', async () => {
    const budget = fixture('litellm-budget-exceeded');
    const refused = await post(`${sim.baseUrls.litellm}/chat/completions`, { model: 'gpt-4o-mini', messages: question }, { 'x-sim-scenario': 'budget-exceeded' });
    expect(refused.status).toBe(budget.response.status);
    const refusedBody = (await refused.json()) as { error: Record<string, unknown> };
    expect(missingPaths(budget.response.body, refusedBody)).toEqual([]);
    expect(refusedBody.error.type).toBe('budget_exceeded');
    expect(refusedBody.error.message).toMatch(/^Budget has been exceeded! Current cost: [\d.]+, Max budget: [\d.]+$/);
    const relayed = fixture('litellm-relayed-upstream-rate-limit');
    const failed = await post(`${sim.baseUrls.litellm}/chat/completions`, { model: 'gpt-4o-mini', messages: question }, {
      'x-sim-scenario': 'rate-limit',
      'x-sim-upstream': 'openai',
    });
    expect(failed.status).toBe(429);
    const failedBody = (await failed.json()) as { error: Record<string, unknown> };
    expect(missingPaths(relayed.response.body, failedBody)).toEqual([]);
    expect(failedBody.error).toMatchObject({ type: 'throttling_error', param: null, code: '429' });
    expect(failedBody.error.message).toMatch(/^litellm\.RateLimitError: RateLimitError: OpenAIException - /);
    expect(failed.headers.has('retry-after')).toBe(false);
  });
});
