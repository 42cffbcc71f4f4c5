import { describe, expect, it } from 'vitest';
import { openAIClient, openAICreate, openAIStream } from './calls/openai';
import { installOpenLLMetryOpenAI } from './peers/openllmetry-openai';
import { installUndici } from './peers/undici';
import { routeView } from './testing/route-view';
import { setUpPeerTest } from './testing/harness';

// OpenLLMetry's OpenAI span is active while the SDK fetches, so undici's span (with the captured
// route headers) is its child and RouteSpanProcessor reads it when the chat span ends.
const { telemetry, peer: openLLMetry, routes } = setUpPeerTest((tracerProvider) => {
  const undici = installUndici(tracerProvider);
  const installed = installOpenLLMetryOpenAI(tracerProvider);
  return { sdk: installed.sdk, uninstall: () => (undici.uninstall(), installed.uninstall()) };
});

function chatSpan() {
  const spans = telemetry.spans();
  const chat = spans.filter((span) => span.instrumentationScope.name === '@traceloop/instrumentation-openai');
  expect(chat).toHaveLength(1);
  const http = spans.filter((span) => span.attributes['http.request.method'] !== undefined);
  expect(http).toHaveLength(1);
  expect(http[0]!.parentSpanContext?.spanId).toBe(chat[0]!.spanContext().spanId);
  return chat[0]!;
}

describe('OpenLLMetry openai + undici instrumentation (response headers) + RouteSpanProcessor', () => {
  describe.each([
    ['create', openAICreate],
    ['stream', openAIStream],
  ] as const)('%s', (_mode, call) => {
    it('LiteLLM → Azure: gateway, upstream, deployment and the served model from the LiteLLM headers; the openai label stays', async () => {
      const route = { ...routes().litellm, headers: { 'x-sim-upstream': 'azure.ai.openai' } };
      await call(openAIClient(openLLMetry.sdk, route), route);
      const view = routeView(chatSpan().attributes);
      expect(view).toEqual({
        'gen_ai.provider.name': 'openai',
        'gen_ai.response.model': 'chat-small', // OpenLLMetry's own (LiteLLM re-stamps the alias)
        'gen_ai.route.gateway': 'litellm',
        'gen_ai.route.upstream': 'azure.ai.openai',
        'gen_ai.route.path': ['litellm', 'azure.ai.openai'],
        'gen_ai.route.deployment': expect.stringMatching(/^[0-9a-f]{64}$/),
        'gen_ai.route.request_id': expect.stringMatching(/^[0-9a-f-]{36}$/),
        'gen_ai.route.attempts': 1,
        'gen_ai.route.fallback': false,
        'gen_ai.route.evidence': ['header.x-litellm-model-name', 'header.x-litellm-call-id'],
      });
    });

    it('direct OpenAI API shape on an unknown host: openai-organization is OpenAI\'s own header, so openai is the upstream', async () => {
      await call(openAIClient(openLLMetry.sdk, routes().openai), routes().openai);
      expect(routeView(chatSpan().attributes)).toEqual({
        'gen_ai.provider.name': 'openai',
        'gen_ai.response.model': 'gpt-4o-2024-08-06',
        'gen_ai.route.upstream': 'openai',
        'gen_ai.route.request_id': expect.stringMatching(/^req_/),
        'gen_ai.route.evidence': ['body.model', 'header.openai-organization'],
      });
    });
  });
});
