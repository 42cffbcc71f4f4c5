import { describe, expect, it } from 'vitest';
import { openAIClient, openAICreate, openAIStream } from './calls/openai';
import { installOpenInferenceOpenAI } from './peers/openinference-openai';
import { installUndici } from './peers/undici';
import { routeView } from './testing/route-view';
import { setUpPeerTest } from './testing/harness';

// Zero-code mode with an HTTP client instrumentation beside the LLM one: undici's span (a child
// of OpenInference's LLM span) carries the captured response headers, and RouteSpanProcessor
// reads them when the LLM span ends. This is what makes LiteLLM and Azure decidable without a
// servedby hook in the call.
const { telemetry, peer: openInference, routes } = setUpPeerTest((tracerProvider) => {
  const undici = installUndici(tracerProvider);
  const installed = installOpenInferenceOpenAI(tracerProvider);
  return { sdk: installed.sdk, uninstall: () => (undici.uninstall(), installed.uninstall()) };
});

function llmSpan() {
  const spans = telemetry.spans();
  const llm = spans.filter((span) => span.attributes['openinference.span.kind'] === 'LLM');
  expect(llm).toHaveLength(1);
  const http = spans.filter((span) => span.attributes['http.request.method'] !== undefined);
  expect(http).toHaveLength(1);
  expect(http[0]!.parentSpanContext?.spanId).toBe(llm[0]!.spanContext().spanId);
  return llm[0]!;
}

describe('OpenInference openai + undici instrumentation (response headers) + RouteSpanProcessor', () => {
  describe.each([
    ['create', openAICreate],
    ['stream', openAIStream],
  ] as const)('%s', (_mode, call) => {
    it('LiteLLM → Bedrock: upstream from x-litellm-model-name on the HTTP child span', async () => {
      await call(openAIClient(openInference.sdk, routes().litellm), routes().litellm);
      expect(routeView(llmSpan().attributes)).toEqual({
        'gen_ai.system': 'litellm',
        'gen_ai.provider.name': 'litellm',
        'gen_ai.response.model': 'chat-small', // x-litellm-model-name `bedrock/chat-small` without its prefix
        'gen_ai.route.gateway': 'litellm',
        'gen_ai.route.upstream': 'aws.bedrock',
        'gen_ai.route.path': ['litellm', 'aws.bedrock'],
        'gen_ai.route.deployment': expect.stringMatching(/^[0-9a-f]{64}$/),
        'gen_ai.route.request_id': expect.stringMatching(/^[0-9a-f-]{36}$/),
        'gen_ai.route.attempts': 1,
        'gen_ai.route.fallback': false,
        'gen_ai.route.evidence': ['header.x-litellm-model-name', 'header.x-litellm-call-id'],
      });
    });

    it('OpenRouter: upstream from the body on JSON; on a stream (no body on the span) the gateway from x-generation-id only', async () => {
      await call(openAIClient(openInference.sdk, routes().openrouter), routes().openrouter);
      const requestId = expect.stringMatching(/^gen-\d+-[A-Za-z0-9]+$/);
      expect(routeView(llmSpan().attributes)).toEqual(
        _mode === 'create'
          ? {
              'gen_ai.system': 'openrouter',
              'gen_ai.provider.name': 'openrouter',
              'gen_ai.response.model': 'anthropic/claude-4.5-haiku-20251001',
              'gen_ai.route.gateway': 'openrouter',
              'gen_ai.route.upstream': 'aws.bedrock',
              'gen_ai.route.path': ['openrouter', 'aws.bedrock', 'anthropic'],
              'gen_ai.route.request_id': requestId,
              'gen_ai.route.evidence': ['body.provider', 'body.model', 'header.x-generation-id'],
            }
          : {
              'gen_ai.system': 'openrouter',
              'gen_ai.provider.name': 'openrouter',
              'gen_ai.route.gateway': 'openrouter',
              'gen_ai.route.request_id': requestId,
              'gen_ai.route.evidence': ['header.x-generation-id'],
            },
      );
    });

    // On a stream the span has the headers only: the deployment name (`gpt-4o-eastus`, user-chosen)
    // never names the vendor on its own (DESIGN §2.7), so the upstream stays unset there.
    it('Azure deployment: gateway from the Azure headers and URL, upstream the served model\'s vendor (none on a headers-only stream)', async () => {
      await call(openAIClient(openInference.sdk, routes().azure), routes().azure);
      expect(routeView(llmSpan().attributes)).toEqual({
        'gen_ai.system': 'azure.ai.openai',
        'gen_ai.provider.name': 'azure.ai.openai',
        ...(_mode === 'create'
          ? { 'gen_ai.response.model': 'gpt-4o-2024-11-20', 'gen_ai.route.upstream': 'openai', 'gen_ai.route.path': ['azure.ai.openai', 'openai'] }
          : {}),
        'gen_ai.route.gateway': 'azure.ai.openai',
        'gen_ai.route.deployment': 'gpt-4o-eastus',
        'gen_ai.route.request_id': expect.stringMatching(/^[0-9a-f-]{36}$/),
        'gen_ai.route.evidence': _mode === 'create' ? ['body.model', 'header.x-ms-region'] : ['header.x-ms-region'],
        // x-ms-region: the region that served (scenario default of gateway-sim's Azure target)
        'cloud.region': 'westeurope',
      });
    });
  });
});
