import { type GatewaySim, startGatewaySim } from '@servedby/gateway-sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deriveRoute } from './derive-route';
import type { RouteAttribution, RouteObservation } from './types';

// deriveRoute over real HTTP exchanges with the gateway simulator: response headers as a
// WHATWG `Headers`, bodies as the raw JSON or SSE text the client received.
let sim: GatewaySim;

beforeAll(async () => {
  sim = await startGatewaySim({ port: 0, seed: 7 });
});

afterAll(async () => {
  await sim?.close();
});

async function observe(
  url: string,
  body: unknown,
  options: { headers?: Record<string, string>; requestModel?: string; region?: string } = {},
): Promise<RouteObservation> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...options.headers },
    body: JSON.stringify(body),
  });
  return {
    url,
    responseHeaders: response.headers,
    responseBody: await response.text(),
    status: response.status,
    ...(options.requestModel ? { requestModel: options.requestModel } : {}),
    ...(options.region ? { region: options.region } : {}),
  };
}

const chat = (model: string, stream: boolean) => ({ model, stream, messages: [{ role: 'user', content: 'hi' }] });

type Expected = Pick<RouteAttribution, 'system' | 'gateway' | 'upstream'> & Partial<RouteAttribution>;

describe('deriveRoute over gateway-sim traffic', () => {
  describe.each([false, true])('stream: %s', (stream) => {
    it.each<[string, Expected]>([
      ['Amazon Bedrock', { system: 'openrouter', gateway: 'openrouter', upstream: 'aws.bedrock', path: ['openrouter', 'aws.bedrock', 'anthropic'] }],
      ['together', { system: 'openrouter', gateway: 'openrouter', upstream: 'together', path: ['openrouter', 'together'] }],
      ['gcp.vertex_ai', { system: 'openrouter', gateway: 'openrouter', upstream: 'gcp.vertex_ai' }],
    ])('OpenRouter serving through %s', async (upstream, expected) => {
      const model = 'anthropic/claude-haiku-4.5';
      const observation = await observe(`${sim.baseUrls.openrouter}/chat/completions`, chat(model, stream), {
        headers: { 'x-sim-upstream': upstream },
        requestModel: model,
      });
      const attribution = deriveRoute(observation);
      expect(attribution).toMatchObject(expected);
      expect(attribution.requestId).toMatch(/^gen-/);
      expect(attribution.evidence[0]).toBe('body.provider');
    });

    it.each<[string, Expected]>([
      ['aws.bedrock', { system: 'litellm', gateway: 'litellm', upstream: 'aws.bedrock' }],
      ['azure.ai.openai', { system: 'litellm', gateway: 'litellm', upstream: 'azure.ai.openai' }],
      ['groq', { system: 'litellm', gateway: 'litellm', upstream: 'groq' }],
      ['openai', { system: 'litellm', gateway: 'litellm', upstream: 'openai' }],
    ])('LiteLLM serving through %s', async (upstream, expected) => {
      const observation = await observe(`${sim.baseUrls.litellm}/chat/completions`, chat('chat-small', stream), {
        headers: { 'x-sim-upstream': upstream },
        requestModel: 'chat-small',
      });
      const attribution = deriveRoute(observation);
      expect(attribution).toMatchObject({ ...expected, fallback: false });
      expect(attribution.deployment).toMatch(/^[0-9a-f]{64}$/);
      expect(attribution.evidence[0]).toBe('header.x-litellm-model-name');
    });

    it.each<[string, Expected]>([
      ['anthropic', { system: 'vercel', gateway: 'vercel', upstream: 'anthropic' }],
      ['bedrock', { system: 'vercel', gateway: 'vercel', upstream: 'aws.bedrock' }],
      ['vertex', { system: 'vercel', gateway: 'vercel', upstream: 'gcp.vertex_ai' }],
      ['google', { system: 'vercel', gateway: 'vercel', upstream: 'gcp.gemini' }],
    ])('Vercel AI Gateway serving through %s', async (upstream, expected) => {
      const observation = await observe(`${sim.baseUrls.vercel}/chat/completions`, chat('anthropic/claude-sonnet-4', stream), {
        headers: { 'x-sim-upstream': upstream },
        requestModel: 'anthropic/claude-sonnet-4',
      });
      const attribution = deriveRoute(observation);
      expect(attribution).toMatchObject(expected);
      expect(attribution.requestId).toMatch(/^gen_/);
    });

    it('Azure OpenAI deployment', async () => {
      const url = `${sim.baseUrls.azure}/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21`;
      const attribution = deriveRoute(await observe(url, chat('gpt-4o', stream)));
      expect(attribution).toMatchObject({ system: 'azure.ai.openai', gateway: 'azure.ai.openai', upstream: 'openai', deployment: 'gpt-4o' });
      expect(attribution.region).toMatch(/^[a-z0-9]+$/);
    });

    it('OpenAI direct', async () => {
      const attribution = deriveRoute(await observe(`${sim.baseUrls.openai}/chat/completions`, chat('gpt-4o', stream), { requestModel: 'gpt-4o' }));
      expect(attribution).toMatchObject({ system: 'openai', upstream: 'openai', requestModel: 'gpt-4o' });
      expect(attribution.gateway).toBeUndefined();
    });

    it('Anthropic direct', async () => {
      const body = { model: 'claude-haiku-4-5', max_tokens: 16, stream, messages: [{ role: 'user', content: 'hi' }] };
      const attribution = deriveRoute(await observe(`${sim.baseUrls.anthropic}/messages`, body, { requestModel: 'claude-haiku-4-5' }));
      expect(attribution).toMatchObject({ system: 'anthropic', upstream: 'anthropic' });
      expect(attribution.gateway).toBeUndefined();
    });
  });

  it('Azure v1 responses: the served model from x-ms-served-model, the deployment from the request', async () => {
    const attribution = deriveRoute(
      await observe(`${sim.baseUrls.azure}/openai/v1/responses`, { model: 'gpt-5-nano', input: 'hi' }, { requestModel: 'gpt-5-nano' }),
    );
    expect(attribution).toMatchObject({ system: 'azure.ai.openai', upstream: 'openai', deployment: 'gpt-5-nano' });
    expect(attribution.evidence[0]).toBe('header.x-ms-served-model');
  });

  it('Azure Foundry models: a third-party model on Azure', async () => {
    const model = 'grok-4-1-fast-non-reasoning';
    const attribution = deriveRoute(
      await observe(`${sim.baseUrls.azure}/models/chat/completions?api-version=2024-05-01-preview`, chat(model, false), { requestModel: model }),
    );
    expect(attribution).toMatchObject({ system: 'azure.ai.inference', gateway: 'azure.ai.inference', upstream: 'x_ai' });
  });

  it('Bedrock Converse with a cross-region profile: scope, never an invented region', async () => {
    const url = `${sim.baseUrls.bedrock}/model/${encodeURIComponent('us.anthropic.claude-haiku-4-5-20251001-v1:0')}/converse`;
    const observation = await observe(url, { messages: [{ role: 'user', content: [{ text: 'hi' }] }] }, { region: 'us-east-1' });
    const attribution = deriveRoute(observation);
    expect(attribution).toMatchObject({
      system: 'aws.bedrock',
      gateway: 'aws.bedrock',
      upstream: 'anthropic',
      path: ['aws.bedrock', 'anthropic'],
      responseModel: 'anthropic.claude-haiku-4-5-20251001-v1:0',
      awsRegion: 'us-east-1',
      regionScope: 'us',
    });
    expect(attribution.region).toBeUndefined();
  });

  it('LiteLLM after a fallback', async () => {
    const scenario = JSON.stringify({ upstream: 'anthropic', fallbackFrom: ['openai'] });
    const attribution = deriveRoute(
      await observe(`${sim.baseUrls.litellm}/chat/completions`, chat('chat-small', false), { headers: { 'x-sim-scenario': scenario } }),
    );
    expect(attribution).toMatchObject({ gateway: 'litellm', upstream: 'anthropic', fallback: true, attempts: 2 });
  });

  it('Vercel fallback: finalProvider, never resolvedProvider', async () => {
    const scenario = JSON.stringify({ upstream: 'google', fallbackFrom: ['vertex'] });
    const attribution = deriveRoute(
      await observe(`${sim.baseUrls.vercel}/chat/completions`, chat('google/gemini-2.5-flash', false), { headers: { 'x-sim-scenario': scenario } }),
    );
    expect(attribution).toMatchObject({ gateway: 'vercel', upstream: 'gcp.gemini', fallback: true, attempts: 2 });
  });

  it('OpenRouter mid-stream error: the upstream that failed is still the upstream', async () => {
    const scenario = JSON.stringify({ upstream: 'Minimax', failure: 'midstream_error' });
    const attribution = deriveRoute(
      await observe(`${sim.baseUrls.openrouter}/chat/completions`, chat('minimax/minimax-m2:free', true), { headers: { 'x-sim-scenario': scenario } }),
    );
    expect(attribution).toMatchObject({ gateway: 'openrouter', upstream: 'minimax' });
  });
});
