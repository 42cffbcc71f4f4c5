import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateText, streamText } from 'ai';
import * as ai6 from 'ai-v6';
import { OpenTelemetry } from '@ai-sdk/otel';
import { createOpenAI } from '@ai-sdk/openai';
import { createOpenAI as createOpenAI6 } from 'openai-v6';
import { createOpenRouter } from '@openrouter/ai-sdk-provider';
import { RouteSpanProcessor } from '@servedby/conventions';
import { startGatewaySim, type GatewaySim } from '@servedby/gateway-sim';
import type { SpanProcessor } from '@servedby/test-otel';
import { routeMiddleware } from './route-middleware';
import { createTestTelemetry } from './testing/harness';
import { TEST_API_KEY, UPSTREAM_HEADER } from './testing/routes';

// The zero-code mode: no servedby hook in the call, only conventions' RouteSpanProcessor on the
// tracer provider, reading what the AI SDK's own spans carry.
let sim: GatewaySim;
beforeAll(async () => {
  sim = await startGatewaySim({ port: 0, seed: 3 });
});
afterAll(async () => {
  await sim?.close();
});

function withProcessor() {
  return createTestTelemetry({ spanProcessors: [new RouteSpanProcessor() as unknown as SpanProcessor] });
}

describe('RouteSpanProcessor on AI SDK spans (no servedby code in the call)', () => {
  it('ai 7 + @ai-sdk/otel with providerMetadata: upstream from ai.response.providerMetadata, on chat and root', async () => {
    const telemetry = withProcessor();
    const otel = new OpenTelemetry({ tracer: telemetry.tracerProvider.getTracer('gen_ai'), providerMetadata: true });
    const model = createOpenRouter({ baseURL: sim.baseUrls.openrouter, apiKey: TEST_API_KEY }).chat('anthropic/claude-sonnet-4');
    await streamText({ model, prompt: 'Hi', headers: { [UPSTREAM_HEADER]: 'Fireworks' }, telemetry: { integrations: [otel] } }).consumeStream();
    const chat = telemetry.span(/^chat /);
    expect(chat.attributes).toMatchObject({
      'gen_ai.provider.name': 'openrouter',
      'gen_ai.route.gateway': 'openrouter',
      'gen_ai.route.upstream': 'fireworks',
    });
    expect(telemetry.span(/^invoke_agent /).attributes['gen_ai.route.upstreams']).toEqual(['fireworks']);
  });

  it('ai 7: cannot see headers, so a LiteLLM upstream stays unknown (honestly unset)', async () => {
    const telemetry = withProcessor();
    const otel = new OpenTelemetry({ tracer: telemetry.tracerProvider.getTracer('gen_ai'), providerMetadata: true });
    const model = createOpenAI({ baseURL: sim.baseUrls.litellm, apiKey: TEST_API_KEY }).chat('gpt-4o');
    await generateText({ model, prompt: 'Hi', headers: { [UPSTREAM_HEADER]: 'azure' }, telemetry: { integrations: [otel] } });
    const chat = telemetry.span(/^chat /);
    expect(chat.attributes['gen_ai.route.upstream']).toBeUndefined();
    expect(chat.attributes['cloud.region']).toBeUndefined();
  });

  it('ai 6 legacy spans + routeMiddleware: the ai.generateText root gets the upstreams of its steps', async () => {
    const telemetry = withProcessor();
    const provider = createOpenAI6({ baseURL: sim.baseUrls.openrouter, apiKey: TEST_API_KEY });
    const model = ai6.wrapLanguageModel({
      model: provider.chat('openai/gpt-4o'),
      middleware: routeMiddleware({ tracerProvider: telemetry.tracerProvider, meterProvider: telemetry.meterProvider }),
    });
    await ai6.generateText({
      model,
      prompt: 'Hi',
      headers: { [UPSTREAM_HEADER]: 'DeepInfra' },
      experimental_telemetry: { isEnabled: true, tracer: telemetry.tracerProvider.getTracer('ai') },
    });
    expect(telemetry.span('ai.generateText.doGenerate').attributes['gen_ai.route.upstream']).toBe('deepinfra');
    expect(telemetry.span('ai.generateText').attributes['gen_ai.route.upstreams']).toEqual(['deepinfra']);
  });
});
