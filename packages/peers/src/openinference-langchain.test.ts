import { describe, expect, it } from 'vitest';
import { langChainInvoke, langChainModel, langChainStream } from './calls/langchain';
import { installOpenInferenceLangChain } from './peers/openinference-langchain';
import { BODY_MODEL, GATEWAY_FROM_RESPONSE_ID } from './testing/expectations';
import type { ChatRoute } from './testing/routes';
import { routeView } from './testing/route-view';
import { setUpPeerTest } from './testing/harness';

// Zero-code mode over OpenInference's real LangChain instrumentation. Its LLM span's
// `output.value` is LangChain's serialised LLMResult: the message id and served model survive,
// the gateway's `provider` does not (ChatOpenAI drops it before any callback sees it).
const { telemetry, routes: simRoutes } = setUpPeerTest(installOpenInferenceLangChain);

function llmSpan() {
  const spans = telemetry.spans().filter((span) => span.attributes['openinference.span.kind'] === 'LLM');
  expect(spans).toHaveLength(1);
  return spans[0]!;
}

describe('OpenInference LangChain instrumentation + RouteSpanProcessor over gateway-sim', () => {
  describe.each([
    ['invoke', (route: ChatRoute) => langChainInvoke(langChainModel(route))],
    ['stream', (route: ChatRoute) => langChainStream(langChainModel(route))],
  ] as const)('%s', (_mode, call) => {
    it.each(['openrouter', 'litellm', 'vercel', 'azure', 'openai'] as const)(
      '%s: no served-by field survives LangChain, so no upstream; the gateway only where the message id proves it',
      async (name) => {
        expect(await call(simRoutes()[name])).toBe('Hello from the gateway simulator.');
        const span = llmSpan();
        const gateway = GATEWAY_FROM_RESPONSE_ID[name];
        expect(routeView(span.attributes)).toEqual(
          'gen_ai.route.gateway' in gateway
            ? {
                // the span had no system attribute: the gateway the id proves fills it
                'gen_ai.system': gateway['gen_ai.route.gateway'],
                'gen_ai.provider.name': gateway['gen_ai.route.gateway'],
                // the Vercel gateway's body `model` is the requested slug, not a served model: not taken
                ...(name === 'openrouter' ? { 'gen_ai.response.model': BODY_MODEL[name] } : {}),
                ...gateway,
              }
            : {},
        );
      },
    );
  });
});
