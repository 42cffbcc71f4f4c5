import { describe, expect, it } from 'vitest';
import { openAIClient, openAICreate, openAIStream } from './calls/openai';
import { installOpenInferenceOpenAI } from './peers/openinference-openai';
import type { ChatRoute } from './testing/routes';
import { routeView } from './testing/route-view';
import { setUpPeerTest } from './testing/harness';

// Zero-code mode: OpenInference's real OpenAI instrumentation makes the spans, RouteSpanProcessor
// is the only servedby code, gateway-sim answers with each gateway's real wire format.
const { telemetry, peer, routes: simRoutes } = setUpPeerTest(installOpenInferenceOpenAI);

function onlySpan() {
  const spans = telemetry.spans();
  expect(spans).toHaveLength(1);
  expect(spans[0]!.instrumentationScope.name).toBe('@arizeai/openinference-instrumentation-openai');
  return spans[0]!;
}

describe('OpenInference openai instrumentation + RouteSpanProcessor over gateway-sim', () => {
  it('OpenRouter, JSON: upstream from the raw body provider OpenInference keeps in output.value', async () => {
    await openAICreate(openAIClient(peer.sdk, simRoutes().openrouter), simRoutes().openrouter);
    const span = onlySpan();
    expect(span.attributes['llm.system']).toBe('openai'); // the client label, left as the peer wrote it
    expect(routeView(span.attributes)).toEqual({
      'gen_ai.system': 'openrouter',
      'gen_ai.provider.name': 'openrouter',
      'gen_ai.response.model': 'anthropic/claude-4.5-haiku-20251001',
      'gen_ai.route.gateway': 'openrouter',
      'gen_ai.route.upstream': 'aws.bedrock',
      'gen_ai.route.path': ['openrouter', 'aws.bedrock', 'anthropic'],
      'gen_ai.route.request_id': expect.stringMatching(/^gen-\d+-/),
      'gen_ai.route.evidence': expect.arrayContaining(['body.provider']),
    });
  });

  it('OpenRouter with routing preferences in the request: the policy from OpenInference\'s input.value', async () => {
    const route = simRoutes().openrouter;
    const client = openAIClient(peer.sdk, route);
    // OpenRouter's provider routing object, sent as an extra body field (the SDK passes it through).
    const provider = { order: ['anthropic', 'amazon-bedrock'], allow_fallbacks: true };
    await client.chat.completions.create({ model: route.model, messages: [{ role: 'user', content: 'Say hello.' }], provider } as never);
    const view = routeView(onlySpan().attributes);
    // gateway-sim follows the order, as OpenRouter does when the first provider is up
    expect(view['gen_ai.route.upstream']).toBe('anthropic');
    expect(JSON.parse(view['gen_ai.route.policy'] as string)).toEqual({ provider });
    expect(view['gen_ai.route.policy_hash']).toMatch(/^[0-9a-f]{16}$/);
  });

  it('Vercel AI Gateway, JSON: upstream from provider_metadata.gateway in the raw body', async () => {
    await openAICreate(openAIClient(peer.sdk, simRoutes().vercel), simRoutes().vercel);
    expect(routeView(onlySpan().attributes)).toEqual({
      'gen_ai.system': 'vercel',
      'gen_ai.provider.name': 'vercel',
      // the served API model from routing, not the requested slug
      'gen_ai.response.model': 'claude-sonnet-4-20250514',
      'gen_ai.route.gateway': 'vercel',
      'gen_ai.route.upstream': 'anthropic',
      'gen_ai.route.path': ['vercel', 'anthropic'],
      'gen_ai.route.request_id': expect.stringMatching(/^gen_[0-9A-Z]{26}$/),
      'gen_ai.route.attempts': 1,
      'gen_ai.route.fallback': false,
      'gen_ai.route.evidence': expect.arrayContaining(['body.provider_metadata.gateway.routing.finalProvider']),
    });
  });

  it.each(['openrouter', 'litellm', 'vercel', 'azure', 'openai'] as const)(
    '%s, stream: OpenInference keeps only the text, so nothing may decide and nothing is added',
    async (name) => {
      await openAIStream(openAIClient(peer.sdk, simRoutes()[name]), simRoutes()[name]);
      expect(routeView(onlySpan().attributes)).toEqual({});
    },
  );

  it('Azure deployment, JSON: the content-filter fields of the raw body fingerprint Azure OpenAI; upstream the served model\'s vendor', async () => {
    await openAICreate(openAIClient(peer.sdk, simRoutes().azure), simRoutes().azure);
    expect(routeView(onlySpan().attributes)).toEqual({
      'gen_ai.system': 'azure.ai.openai',
      'gen_ai.provider.name': 'azure.ai.openai',
      'gen_ai.response.model': 'gpt-4o-2024-11-20',
      'gen_ai.route.gateway': 'azure.ai.openai',
      'gen_ai.route.upstream': 'openai',
      'gen_ai.route.path': ['azure.ai.openai', 'openai'],
      'gen_ai.route.deployment': 'gpt-4o-eastus',
      'gen_ai.route.evidence': ['body.model', 'body.prompt_filter_results'],
    });
  });

  it.each(['litellm', 'openai'] as const)(
    '%s, JSON: no URL and no headers on the span, and the body names no gateway: upstream stays unset, never the openai label',
    async (name) => {
      await openAICreate(openAIClient(peer.sdk, simRoutes()[name]), simRoutes()[name]);
      const view = routeView(onlySpan().attributes);
      expect(view['gen_ai.route.upstream']).toBeUndefined();
      expect(view).toEqual({});
    },
  );
});
