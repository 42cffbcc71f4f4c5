import { describe, expect, it } from 'vitest';
import { langChainInvoke, langChainModel, langChainStream } from './calls/langchain';
import { installOpenLLMetryLangChain } from './peers/openllmetry-langchain';
import type { ChatRoute } from './testing/routes';
import { routeView } from './testing/route-view';
import { setUpPeerTest } from './testing/harness';

// Zero-code mode over OpenLLMetry's real LangChain instrumentation: `gen_ai.provider.name` from the
// class name (`openai` for ChatOpenAI on any base URL, `azure.ai.openai` for AzureChatOpenAI),
// the request model as `gen_ai.response.model`, no response id, no URL.
const { telemetry, routes: simRoutes } = setUpPeerTest(installOpenLLMetryLangChain);

function chatSpan() {
  const spans = telemetry.spans().filter((span) => span.attributes['gen_ai.operation.name'] === 'chat');
  expect(spans).toHaveLength(1);
  expect(spans[0]!.instrumentationScope.name).toBe('@traceloop/instrumentation-langchain');
  return spans[0]!;
}

describe('OpenLLMetry LangChain instrumentation + RouteSpanProcessor over gateway-sim', () => {
  describe.each([
    ['invoke', (route: ChatRoute) => langChainInvoke(langChainModel(route))],
    ['stream', (route: ChatRoute) => langChainStream(langChainModel(route))],
  ] as const)('%s', (_mode, call) => {
    it.each([
      ['openrouter', 'openai'],
      ['litellm', 'openai'],
      ['vercel', 'openai'],
      ['azure', 'azure.ai.openai'],
      ['openai', 'openai'],
    ] as const)('%s: the class label (%s) stays the peer\'s; no gateway, no upstream is invented', async (name, label) => {
      await call(simRoutes()[name]);
      const span = chatSpan();
      expect(routeView(span.attributes)).toEqual({
        'gen_ai.provider.name': label,
        'gen_ai.response.model': expect.any(String),
      });
    });
  });
});
