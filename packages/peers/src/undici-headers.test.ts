import { startGatewaySim, type GatewaySim } from '@servedby/gateway-sim';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openAIClient, openAICreate, openAIStream } from './calls/openai';
import { installOpenInferenceOpenAI } from './peers/openinference-openai';
import { installUndici } from './peers/undici';
import { chatRoutes, type ChatRoute } from './testing/routes';
import { routeView } from './testing/route-view';
import { createPeerTelemetry } from './testing/telemetry';

// Zero-code mode with an HTTP client instrumentation beside the LLM one: undici's span (a child
// of OpenInference's LLM span) carries the captured response headers, and RouteSpanProcessor
// reads them when the LLM span ends. This is what makes LiteLLM and Azure decidable without a
// servedby hook in the call.
const telemetry = createPeerTelemetry({ route: true });
const openInference = installOpenInferenceOpenAI(telemetry.tracerProvider);
const undici = installUndici(telemetry.tracerProvider);
let sim: GatewaySim;
let routes: Record<ChatRoute['name'], ChatRoute>;

beforeAll(async () => {
  sim = await startGatewaySim({ port: 0, seed: 7 });
  routes = Object.fromEntries(chatRoutes(sim).map((route) => [route.name, route])) as typeof routes;
});
afterAll(async () => {
  undici.uninstall();
  openInference.uninstall();
  await sim?.close();
  await telemetry.shutdown();
});
beforeEach(() => telemetry.reset());

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
      await call(openAIClient(openInference.sdk, routes.litellm), routes.litellm);
      expect(routeView(llmSpan().attributes)).toEqual({
        'gen_ai.system': 'litellm',
        'gen_ai.provider.name': 'litellm',
        'gen_ai.response.model': 'chat-small', // x-litellm-model-name `bedrock/chat-small` without its prefix
        'gen_ai.route.gateway': 'litellm',
        'gen_ai.route.upstream': 'aws.bedrock',
        'gen_ai.route.path': expect.arrayContaining(['litellm', 'aws.bedrock']),
        'gen_ai.route.deployment': expect.stringMatching(/^[0-9a-f]{64}$/),
        'gen_ai.route.request_id': expect.any(String),
        'gen_ai.route.attempts': expect.any(Number),
        'gen_ai.route.fallback': false,
        'gen_ai.route.evidence': expect.arrayContaining(['header.x-litellm-model-name']),
      });
    });

    it('OpenRouter: the gateway from x-generation-id even on a stream, where the body is not on the span', async () => {
      await call(openAIClient(openInference.sdk, routes.openrouter), routes.openrouter);
      const view = routeView(llmSpan().attributes);
      expect(view['gen_ai.route.gateway']).toBe('openrouter');
      expect(view['gen_ai.route.request_id']).toMatch(/^gen-/);
    });

    it('Azure deployment: gateway from the Azure headers and URL, upstream the served model\'s vendor', async () => {
      await call(openAIClient(openInference.sdk, routes.azure), routes.azure);
      const view = routeView(llmSpan().attributes);
      expect(view).toMatchObject({ 'gen_ai.route.gateway': 'azure.ai.openai', 'gen_ai.route.upstream': 'openai', 'gen_ai.route.deployment': 'gpt-4o-eastus' });
    });
  });
});
