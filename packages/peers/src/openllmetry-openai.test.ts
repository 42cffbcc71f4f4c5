import { describe, expect, it } from 'vitest';
import { openAIClient, openAICreate, openAIStream } from './calls/openai';
import { installOpenLLMetryOpenAI } from './peers/openllmetry-openai';
import { BODY_MODEL, GATEWAY_FROM_RESPONSE_ID } from './testing/expectations';
import type { ChatRoute } from './testing/routes';
import { routeView } from './testing/route-view';
import { setUpPeerTest } from './testing/harness';

// Zero-code mode over OpenLLMetry's real OpenAI instrumentation. Its spans carry
// `gen_ai.provider.name=openai` for every base URL, the response id and model, and no URL.
const { telemetry, peer, routes: simRoutes } = setUpPeerTest(installOpenLLMetryOpenAI);

function onlySpan() {
  const spans = telemetry.spans();
  expect(spans).toHaveLength(1);
  expect(spans[0]!.instrumentationScope.name).toBe('@traceloop/instrumentation-openai');
  return spans[0]!;
}

describe('OpenLLMetry openai instrumentation + RouteSpanProcessor over gateway-sim', () => {
  describe.each([
    ['create', openAICreate],
    ['stream', openAIStream],
  ] as const)('%s', (_mode, call) => {
    it.each(['openrouter', 'litellm', 'vercel', 'azure', 'openai'] as const)(
      '%s: the openai client label never becomes an upstream; only a gateway the response id proves is added',
      async (name) => {
        await call(openAIClient(peer.sdk, simRoutes()[name]), simRoutes()[name]);
        const span = onlySpan();
        expect(routeView(span.attributes)).toEqual({
          // OpenLLMetry's own attributes, left as it wrote them
          'gen_ai.provider.name': 'openai',
          'gen_ai.response.model': BODY_MODEL[name],
          ...GATEWAY_FROM_RESPONSE_ID[name],
        });
      },
    );
  });
});
