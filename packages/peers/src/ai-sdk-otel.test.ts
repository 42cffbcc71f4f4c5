import { createGateway } from '@ai-sdk/gateway';
import { createOpenRouter } from '@openrouter/ai-sdk-provider';
import { generateText, streamText } from 'ai';
import { describe, expect, it } from 'vitest';
import { aiSdkGenerate, aiSdkModel, aiSdkStream } from './calls/ai-sdk';
import { installAiSdkOtel } from './peers/ai-sdk-otel';
import { BODY_MODEL, GATEWAY_FROM_RESPONSE_ID } from './testing/expectations';
import { TEST_API_KEY, UPSTREAM_HEADER, type ChatRoute } from './testing/routes';
import { routeView } from './testing/route-view';
import { setUpPeerTest } from './testing/harness';

// Zero-code mode over `@ai-sdk/otel` (AI SDK 7, `providerMetadata: true`) with `@ai-sdk/openai`
// pointed at each OpenAI-compatible route: the `chat` span has `server.address`, the response id
// and model, and `ai.response.providerMetadata` — which `@ai-sdk/openai` fills with `{ openai: … }`
// only, so no gateway's served-by field reaches it.
const { telemetry, routes: simRoutes, sim: currentSim } = setUpPeerTest(installAiSdkOtel);

function spanNamed(prefix: string) {
  const spans = telemetry.spans().filter((span) => span.name.startsWith(prefix));
  expect(spans).toHaveLength(1);
  return spans[0]!;
}

describe('@ai-sdk/otel + RouteSpanProcessor over gateway-sim', () => {
  describe.each([
    ['generateText', (route: ChatRoute) => aiSdkGenerate(aiSdkModel(route))],
    ['streamText', (route: ChatRoute) => aiSdkStream(aiSdkModel(route))],
  ] as const)('%s', (_mode, call) => {
    it.each(['openrouter', 'litellm', 'vercel', 'openai'] as const)(
      '%s on a loopback host: no upstream (no served-by field reaches the span); the gateway only where the response id proves it',
      async (name) => {
        expect(await call(simRoutes()[name])).toBe('Hello from the gateway simulator.');
        const chat = spanNamed('chat ');
        expect(chat.attributes['server.address']).toBe('127.0.0.1');
        expect(routeView(chat.attributes)).toEqual({
          // @ai-sdk/otel's own label for @ai-sdk/openai, left as it wrote it
          'gen_ai.provider.name': 'openai',
          'gen_ai.response.model': BODY_MODEL[name],
          ...GATEWAY_FROM_RESPONSE_ID[name],
        });
        expect(spanNamed('invoke_agent ').attributes['gen_ai.route.upstreams']).toBeUndefined();
      },
    );
  });

  describe.each([
    ['generateText', async (model: Parameters<typeof generateText>[0]['model'], headers: Record<string, string>) => (await generateText({ model, prompt: 'Say hello.', headers, maxRetries: 0 })).text],
    ['streamText', async (model: Parameters<typeof generateText>[0]['model'], headers: Record<string, string>) => streamText({ model, prompt: 'Say hello.', headers, maxRetries: 0 }).text],
  ] as const)('%s with a gateway\'s own provider package', (_mode, call) => {
    it('@openrouter/ai-sdk-provider: upstream from providerMetadata.openrouter.provider', async () => {
      const model = createOpenRouter({ baseURL: currentSim().baseUrls.openrouter, apiKey: TEST_API_KEY }).chat('anthropic/claude-haiku-4.5');
      await call(model, { [UPSTREAM_HEADER]: 'Together' });
      expect(routeView(spanNamed('chat ').attributes)).toEqual({
        // @ai-sdk/otel passes the provider package's name through: a label, left as it is
        'gen_ai.provider.name': 'openrouter',
        'gen_ai.response.model': 'anthropic/claude-4.5-haiku-20251001',
        'gen_ai.route.gateway': 'openrouter',
        'gen_ai.route.upstream': 'together',
        'gen_ai.route.path': ['openrouter', 'together'],
        'gen_ai.route.request_id': expect.stringMatching(/^gen-\d+-[A-Za-z0-9]+$/),
        'gen_ai.route.evidence': expect.arrayContaining(['provider_metadata.openrouter.provider']),
      });
      expect(spanNamed('invoke_agent ').attributes['gen_ai.route.upstreams']).toEqual(['together']);
    });

    it('@ai-sdk/gateway (native AI Gateway protocol): upstream from providerMetadata.gateway.routing.finalProvider', async () => {
      const model = createGateway({ baseURL: `${currentSim().url}/vercel/v4/ai`, apiKey: TEST_API_KEY })('anthropic/claude-sonnet-4');
      await call(model, { [UPSTREAM_HEADER]: 'bedrock' });
      expect(routeView(spanNamed('chat ').attributes)).toEqual({
        'gen_ai.provider.name': 'gateway',
        // @ai-sdk/otel already wrote the requested slug; the processor never overwrites a peer's
        // attribute, so the served API model (claude-sonnet-4-20250514) cannot be put here.
        'gen_ai.response.model': 'anthropic/claude-sonnet-4',
        'gen_ai.route.gateway': 'vercel',
        'gen_ai.route.upstream': 'aws.bedrock',
        'gen_ai.route.path': ['vercel', 'aws.bedrock', 'anthropic'],
        'gen_ai.route.request_id': expect.stringMatching(/^gen_[0-9A-Z]{26}$/),
        'gen_ai.route.attempts': 1,
        'gen_ai.route.fallback': false,
        'gen_ai.route.evidence': expect.arrayContaining(['provider_metadata.gateway.routing.finalProvider']),
      });
      expect(spanNamed('invoke_agent ').attributes['gen_ai.route.upstreams']).toEqual(['aws.bedrock']);
    });
  });
});
