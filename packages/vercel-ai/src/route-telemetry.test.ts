import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SpanKind, SpanStatusCode, type Tracer, type TracerProvider } from '@opentelemetry/api';
import { generateText, registerTelemetry, stepCountIs, streamText, tool, ToolLoopAgent, wrapLanguageModel, type LanguageModel } from 'ai';
import type { LanguageModelV4 } from '@ai-sdk/provider';
import { createOpenAI } from '@ai-sdk/openai';
import { createAzure } from '@ai-sdk/azure';
import { createAmazonBedrock } from '@ai-sdk/amazon-bedrock';
import { createAnthropic } from '@ai-sdk/anthropic';
import { createGateway } from '@ai-sdk/gateway';
import { createOpenRouter } from '@openrouter/ai-sdk-provider';
import { startGatewaySim, type GatewaySim } from '@servedby/gateway-sim';
import { z } from 'zod';
import { routeMiddleware } from './route-middleware';
import { routeTelemetry } from './route-telemetry';
import { childrenOf, createTestTelemetry, type TestTelemetry } from './testing/harness';
import { bedrockFetchVia, SCENARIO_HEADER, TEST_API_KEY, TEST_AWS_CREDENTIALS, UPSTREAM_HEADER } from './testing/routes';

let sim: GatewaySim;
let telemetry: TestTelemetry;

beforeAll(async () => {
  sim = await startGatewaySim({ port: 0, seed: 7 });
});
afterAll(async () => {
  await sim?.close();
});
beforeEach(() => {
  telemetry = createTestTelemetry();
});

function integration(extra: Parameters<typeof routeTelemetry>[0] = {}) {
  return routeTelemetry({ tracerProvider: telemetry.tracerProvider, meterProvider: telemetry.meterProvider, ...extra });
}

/** Every route the AI SDK can take to the simulator, with the attributes its `chat` span must carry. */
interface RouteCase {
  name: string;
  model(): LanguageModel;
  upstream?: string;
  /**
   * OpenAI-compatible streams carry the upstream only in the chunks, which no telemetry event
   * shows: these routes wrap the model with routeMiddleware, which reports the raw chunks.
   */
  streamsNeedMiddleware?: boolean;
  /** Bedrock's endpoint (its region) is only visible to routeMiddleware, which wraps the model then. */
  needsMiddleware?: boolean;
  expected: Record<string, unknown>;
}

const routes: RouteCase[] = [
  {
    name: '@openrouter/ai-sdk-provider',
    model: () => createOpenRouter({ baseURL: sim.baseUrls.openrouter, apiKey: TEST_API_KEY }).chat('anthropic/claude-sonnet-4'),
    upstream: 'Together',
    expected: {
      'gen_ai.operation.name': 'chat',
      'gen_ai.system': 'openrouter',
      'gen_ai.provider.name': 'openrouter',
      'gen_ai.request.model': 'anthropic/claude-sonnet-4',
      'gen_ai.response.model': 'anthropic/claude-4-sonnet-20250522',
      'gen_ai.response.finish_reasons': ['stop'],
      'gen_ai.usage.input_tokens': expect.any(Number),
      'gen_ai.usage.output_tokens': expect.any(Number),
      'gen_ai.route.gateway': 'openrouter',
      'gen_ai.route.upstream': 'together',
      'gen_ai.route.path': ['openrouter', 'together'],
      'gen_ai.route.request_id': expect.stringMatching(/^gen-/),
      'gen_ai.route.evidence': expect.arrayContaining(['header.x-generation-id']),
    },
  },
  {
    name: '@ai-sdk/openai on OpenRouter',
    model: () => createOpenAI({ baseURL: sim.baseUrls.openrouter, apiKey: TEST_API_KEY }).chat('openai/gpt-4o'),
    upstream: 'Azure',
    streamsNeedMiddleware: true,
    expected: {
      'gen_ai.system': 'openrouter',
      'gen_ai.provider.name': 'openrouter',
      'gen_ai.request.model': 'openai/gpt-4o',
      'gen_ai.route.gateway': 'openrouter',
      'gen_ai.route.upstream': 'azure.ai.openai',
      'gen_ai.route.path': ['openrouter', 'azure.ai.openai', 'openai'],
      'gen_ai.route.request_id': expect.stringMatching(/^gen-/),
      'server.address': '127.0.0.1',
    },
  },
  {
    name: '@ai-sdk/openai on LiteLLM',
    model: () => createOpenAI({ baseURL: sim.baseUrls.litellm, apiKey: TEST_API_KEY }).chat('gpt-4o'),
    upstream: 'bedrock',
    expected: {
      'gen_ai.system': 'litellm',
      'gen_ai.request.model': 'gpt-4o',
      'gen_ai.route.gateway': 'litellm',
      'gen_ai.route.upstream': 'aws.bedrock',
      'gen_ai.route.deployment': expect.any(String),
      'gen_ai.route.request_id': expect.any(String),
      'gen_ai.route.attempts': 1,
      'gen_ai.route.fallback': false,
      'gen_ai.route.evidence': expect.arrayContaining(['header.x-litellm-model-name']),
    },
  },
  {
    name: '@ai-sdk/openai on the Vercel AI Gateway',
    model: () => createOpenAI({ baseURL: sim.baseUrls.vercel, apiKey: TEST_API_KEY }).chat('anthropic/claude-sonnet-4'),
    upstream: 'vertexAnthropic',
    streamsNeedMiddleware: true,
    expected: {
      'gen_ai.system': 'vercel',
      'gen_ai.request.model': 'anthropic/claude-sonnet-4',
      'gen_ai.response.model': 'claude-sonnet-4-20250514',
      'gen_ai.route.gateway': 'vercel',
      'gen_ai.route.upstream': 'gcp.vertex_ai',
      'gen_ai.route.path': ['vercel', 'gcp.vertex_ai', 'anthropic'],
      'gen_ai.route.request_id': expect.stringMatching(/^gen_/),
      'gen_ai.route.evidence': expect.arrayContaining(['body.provider_metadata.gateway.routing.finalProvider']),
    },
  },
  {
    name: '@ai-sdk/gateway (native AI Gateway protocol)',
    model: () => createGateway({ baseURL: `${sim.url}/vercel/v4/ai`, apiKey: TEST_API_KEY })('anthropic/claude-sonnet-4'),
    upstream: 'bedrock',
    expected: {
      'gen_ai.system': 'vercel',
      'gen_ai.request.model': 'anthropic/claude-sonnet-4',
      'gen_ai.response.model': 'claude-sonnet-4-20250514',
      'gen_ai.route.gateway': 'vercel',
      'gen_ai.route.upstream': 'aws.bedrock',
      'gen_ai.route.path': ['vercel', 'aws.bedrock', 'anthropic'],
      'gen_ai.route.request_id': expect.stringMatching(/^gen_/),
      // generateText reads it from the response body, streamText from the finish part's providerMetadata.
      'gen_ai.route.evidence': expect.arrayContaining([expect.stringMatching(/provider_metadata\.gateway\.routing\.finalProvider$/)]),
    },
  },
  {
    name: '@ai-sdk/azure',
    model: () =>
      createAzure({ baseURL: `${sim.baseUrls.azure}/openai`, apiKey: TEST_API_KEY, useDeploymentBasedUrls: true }).chat('gpt-4o-prod'),
    expected: {
      'gen_ai.system': 'azure.ai.openai',
      'gen_ai.request.model': 'gpt-4o-prod',
      'gen_ai.route.gateway': 'azure.ai.openai',
      'gen_ai.route.upstream': 'openai',
      'gen_ai.route.path': ['azure.ai.openai', 'openai'],
      'gen_ai.route.deployment': 'gpt-4o-prod',
      'gen_ai.response.model': 'gpt-4o-2024-11-20',
      'gen_ai.route.request_id': expect.any(String),
      'cloud.region': 'westeurope',
    },
  },
  {
    name: '@ai-sdk/amazon-bedrock, cross-region profile',
    model: () =>
      createAmazonBedrock({ region: 'us-east-1', ...TEST_AWS_CREDENTIALS, fetch: bedrockFetchVia(sim, 'us-east-1') })(
        'us.anthropic.claude-3-5-sonnet-20240620-v1:0',
      ),
    needsMiddleware: true,
    expected: {
      'gen_ai.system': 'aws.bedrock',
      'gen_ai.provider.name': 'aws.bedrock',
      'gen_ai.request.model': 'us.anthropic.claude-3-5-sonnet-20240620-v1:0',
      'gen_ai.response.model': 'anthropic.claude-3-5-sonnet-20240620-v1:0',
      'gen_ai.route.gateway': 'aws.bedrock',
      'gen_ai.route.upstream': 'anthropic',
      'gen_ai.route.path': ['aws.bedrock', 'anthropic'],
      'gen_ai.route.region_scope': 'us',
      'aws.region': 'us-east-1',
      'server.address': 'bedrock-runtime.us-east-1.amazonaws.com',
    },
  },
  {
    name: '@ai-sdk/amazon-bedrock, in-region model',
    model: () =>
      createAmazonBedrock({ region: 'eu-west-1', ...TEST_AWS_CREDENTIALS, fetch: bedrockFetchVia(sim, 'eu-west-1') })(
        'meta.llama3-70b-instruct-v1:0',
      ),
    needsMiddleware: true,
    expected: {
      'gen_ai.system': 'aws.bedrock',
      'gen_ai.route.upstream': 'meta',
      'cloud.region': 'eu-west-1',
      'aws.region': 'eu-west-1',
    },
  },
  {
    name: '@ai-sdk/anthropic direct',
    model: () => createAnthropic({ baseURL: sim.baseUrls.anthropic, apiKey: TEST_API_KEY })('claude-sonnet-4-20250514'),
    expected: {
      'gen_ai.system': 'anthropic',
      'gen_ai.request.model': 'claude-sonnet-4-20250514',
      'gen_ai.response.model': 'claude-sonnet-4-20250514',
      'gen_ai.route.upstream': 'anthropic',
      'gen_ai.route.request_id': expect.stringMatching(/^req_/),
    },
  },
  {
    name: '@ai-sdk/openai direct',
    model: () => createOpenAI({ baseURL: sim.baseUrls.openai, apiKey: TEST_API_KEY }).chat('gpt-4o'),
    expected: {
      'gen_ai.system': 'openai',
      'gen_ai.request.model': 'gpt-4o',
      'gen_ai.response.model': 'gpt-4o-2024-08-06',
      'gen_ai.route.upstream': 'openai',
      'gen_ai.route.request_id': expect.stringMatching(/^req_/),
      'server.address': '127.0.0.1',
    },
  },
];

function withMiddleware(model: LanguageModel): LanguageModel {
  return wrapLanguageModel({ model: model as LanguageModelV4, middleware: routeMiddleware() });
}

function headersFor(route: RouteCase, extra: Record<string, string> = {}): Record<string, string> {
  return route.upstream ? { [UPSTREAM_HEADER]: route.upstream, ...extra } : extra;
}

describe('routeTelemetry (ai 7, @ai-sdk/otel)', () => {
  describe.each(routes)('$name', (route) => {
    it('attributes a generateText chat span', async () => {
      const result = await generateText({
        model: route.needsMiddleware ? withMiddleware(route.model()) : route.model(),
        prompt: 'Say hello',
        headers: headersFor(route),
        telemetry: { integrations: [integration()] },
      });
      expect(result.text.length).toBeGreaterThan(0);
      const chat = telemetry.span(/^chat /);
      expect(chat.kind).toBe(SpanKind.CLIENT);
      if (process.env.SERVEDBY_DUMP) console.log(route.name, JSON.stringify(chat.attributes, null, 1));
      expect(chat.attributes).toMatchObject(route.expected);
      expect(chat.attributes['gen_ai.response.model']).toBeTypeOf('string');
      expect(chat.attributes['gen_ai.usage.input_tokens']).toBeTypeOf('number');
    });

    it('attributes a streamText chat span from the stream itself', async () => {
      const model = route.streamsNeedMiddleware || route.needsMiddleware ? withMiddleware(route.model()) : route.model();
      const result = streamText({
        model,
        prompt: 'Say hello',
        headers: headersFor(route),
        telemetry: { integrations: [integration()] },
      });
      let text = '';
      for await (const delta of result.textStream) text += delta;
      expect(text.length).toBeGreaterThan(0);
      await result.consumeStream();
      const chat = telemetry.span(/^chat /);
      expect(chat.attributes).toMatchObject(route.expected);
      const root = telemetry.span(/^invoke_agent /);
      if (route.expected['gen_ai.route.upstream']) {
        expect(root.attributes['gen_ai.route.upstreams']).toEqual([route.expected['gen_ai.route.upstream']]);
      }
    });
  });

  it('reports the model a Bedrock prompt router invoked as the response model', async () => {
    const router = 'arn:aws:bedrock:us-east-1:123456789012:default-prompt-router/anthropic.claude:1';
    const model = createAmazonBedrock({ region: 'us-east-1', ...TEST_AWS_CREDENTIALS, fetch: bedrockFetchVia(sim, 'us-east-1') })(router);
    await generateText({ model: withMiddleware(model), prompt: 'Hi', telemetry: { integrations: [integration()] } });
    const chat = telemetry.span(/^chat /);
    expect(chat.attributes['gen_ai.request.model']).toBe(router);
    expect(chat.attributes['gen_ai.route.upstream']).toBe('anthropic');
    expect(chat.attributes).toMatchObject({
      'gen_ai.request.model': router,
      'gen_ai.response.model': 'anthropic.claude-3-5-haiku-20241022-v1:0',
      'gen_ai.route.region_scope': 'us',
      'aws.region': 'us-east-1',
    });
    // From the captured Converse body when the exchange was observed, else from the provider metadata.
    expect(chat.attributes['gen_ai.route.evidence']).toEqual(
      expect.arrayContaining([expect.stringMatching(/trace\.promptRouter\.invokedModelId$/)]),
    );
  });

  it('records the route metrics for every call', async () => {
    const route = routes[0]!;
    for (let index = 0; index < 2; index++) {
      await generateText({ model: route.model(), prompt: 'Hi', headers: headersFor(route), telemetry: { integrations: [integration()] } });
    }
    const durations = await telemetry.histogram('gen_ai.client.operation.duration');
    expect(durations).toHaveLength(1);
    expect(durations[0]).toMatchObject({
      count: 2,
      attributes: {
        'gen_ai.operation.name': 'chat',
        'gen_ai.route.gateway': 'openrouter',
        'gen_ai.route.upstream': 'together',
        'gen_ai.request.model': 'anthropic/claude-sonnet-4',
      },
    });
    const tokens = await telemetry.histogram('gen_ai.client.token.usage');
    expect(tokens.map((point) => point.attributes['gen_ai.token.type']).sort()).toEqual(['input', 'output']);
  });

  it('puts both upstreams of a two-step tool run on the root span; the tool span is a child of its step', async () => {
    const openai = createOpenAI({
      baseURL: sim.baseUrls.openrouter,
      apiKey: TEST_API_KEY,
      // The two model calls of one run are served by different upstreams.
      fetch: (() => {
        const upstreams = ['Together', 'Fireworks'];
        let call = 0;
        return async (input: RequestInfo | URL, init?: RequestInit) => {
          const headers = new Headers(init?.headers);
          headers.set(UPSTREAM_HEADER, upstreams[call++ % upstreams.length]!);
          return fetch(input, { ...init, headers });
        };
      })(),
    });
    const result = await generateText({
      model: openai.chat('openai/gpt-4o'),
      prompt: 'What is the weather in Paris?',
      tools: {
        weather: tool({
          description: 'Weather of a city',
          inputSchema: z.object({ city: z.string() }),
          execute: async ({ city }) => `Sunny in ${city}`,
        }),
      },
      toolChoice: 'auto',
      stopWhen: stepCountIs(3),
      telemetry: { integrations: [integration()] },
    });
    expect(result.steps.length).toBe(2);
    const spans = telemetry.spans();
    const root = telemetry.span(/^invoke_agent /);
    expect(root.attributes['gen_ai.route.upstreams']).toEqual(['together', 'fireworks']);
    const chats = spans.filter((span) => span.name.startsWith('chat '));
    expect(chats.map((span) => span.attributes['gen_ai.route.upstream'])).toEqual(['together', 'fireworks']);
    const steps = spans.filter((span) => span.name.startsWith('step '));
    expect(steps).toHaveLength(2);
    const toolSpan = telemetry.span('execute_tool weather');
    const firstStep = steps.find((span) => span.name === 'step 1')!;
    expect(toolSpan.parentSpanContext?.spanId).toBe(firstStep.spanContext().spanId);
    expect(childrenOf(spans, firstStep).map((span) => span.name).sort()).toEqual(['chat openai/gpt-4o', 'execute_tool weather']);
    expect(firstStep.attributes['gen_ai.route.upstreams']).toEqual(['together']);
  });

  it('attributes a ToolLoopAgent run (stream): invoke_agent carries the upstreams of its steps', async () => {
    let call = 0;
    const openrouter = createOpenRouter({
      baseURL: sim.baseUrls.openrouter,
      apiKey: TEST_API_KEY,
      fetch: async (input, init) => {
        const headers = new Headers(init?.headers);
        headers.set(UPSTREAM_HEADER, call++ === 0 ? 'Groq' : 'Cerebras');
        return fetch(input, { ...init, headers });
      },
    });
    const agent = new ToolLoopAgent({
      model: openrouter.chat('meta-llama/llama-3.3-70b-instruct'),
      tools: { lookup: tool({ inputSchema: z.object({ query: z.string() }), execute: async () => 'found' }) },
      stopWhen: stepCountIs(3),
      telemetry: { integrations: [integration()], functionId: 'researcher' },
    });
    const result = await agent.stream({ prompt: 'Look it up' });
    await result.consumeStream();
    const root = telemetry.span(/^invoke_agent /);
    expect(root.attributes['gen_ai.agent.name']).toBe('researcher');
    expect(root.attributes['gen_ai.route.upstreams']).toEqual(['groq', 'cerebras']);
    expect(telemetry.spans().filter((span) => span.name.startsWith('chat ')).map((span) => span.attributes['gen_ai.route.upstream'])).toEqual([
      'groq',
      'cerebras',
    ]);
  });

  it('gives an agent the upstreams of a sub-agent its tool ran; the sub-agent nests under the tool span', async () => {
    const plugin = integration();
    const openrouter = createOpenRouter({ baseURL: sim.baseUrls.openrouter, apiKey: TEST_API_KEY });
    await generateText({
      model: openrouter.chat('openai/gpt-4o'),
      prompt: 'Research this',
      headers: { [UPSTREAM_HEADER]: 'Together' },
      tools: {
        research: tool({
          description: 'Asks a research sub-agent',
          inputSchema: z.object({ topic: z.string() }),
          execute: async ({ topic }) =>
            (
              await generateText({
                model: openrouter.chat('anthropic/claude-sonnet-4'),
                prompt: `Research ${topic}`,
                headers: { [UPSTREAM_HEADER]: 'Amazon Bedrock' },
                telemetry: { integrations: [plugin], functionId: 'sub-agent' },
              })
            ).text,
        }),
      },
      stopWhen: stepCountIs(3),
      telemetry: { integrations: [plugin], functionId: 'main-agent' },
    });
    const roots = telemetry.spans().filter((span) => span.name.startsWith('invoke_agent'));
    const main = roots.find((span) => span.attributes['gen_ai.agent.name'] === 'main-agent')!;
    const sub = roots.find((span) => span.attributes['gen_ai.agent.name'] === 'sub-agent')!;
    expect(sub.attributes['gen_ai.route.upstreams']).toEqual(['aws.bedrock']);
    expect(main.attributes['gen_ai.route.upstreams']).toEqual(['together', 'aws.bedrock']);
    const toolSpan = telemetry.span('execute_tool research');
    expect(sub.parentSpanContext?.spanId).toBe(toolSpan.spanContext().spanId);
    expect(toolSpan.attributes['gen_ai.route.upstreams']).toEqual(['aws.bedrock']);
  });

  it('keeps the route and sets error.type when the gateway fails, and the caller sees the same error', async () => {
    const route = routes[0]!;
    const call = () =>
      generateText({
        model: route.model(),
        prompt: 'Hi',
        maxRetries: 0,
        headers: headersFor(route, { [SCENARIO_HEADER]: 'server-error' }),
        telemetry: { integrations: [integration()] },
      });
    const withPlugin = await call().catch((error: unknown) => error);
    const withoutPlugin = await generateText({
      model: route.model(),
      prompt: 'Hi',
      maxRetries: 0,
      headers: headersFor(route, { [SCENARIO_HEADER]: 'server-error' }),
    }).catch((error: unknown) => error);
    expect(withPlugin).toBeInstanceOf(Error);
    expect((withPlugin as Error).constructor).toBe((withoutPlugin as Error).constructor);
    expect((withPlugin as Error).message).toBe((withoutPlugin as Error).message);
    const chat = telemetry.span(/^chat /);
    expect(chat.status.code).toBe(SpanStatusCode.ERROR);
    expect(chat.attributes).toMatchObject({ 'error.type': '502', 'gen_ai.route.gateway': 'openrouter' });
  });

  it('retries a 429 and attributes the call that finally succeeded', async () => {
    const route = routes[1]!;
    let attempts = 0;
    const openai = createOpenAI({
      baseURL: sim.baseUrls.openrouter,
      apiKey: TEST_API_KEY,
      fetch: async (input, init) => {
        const headers = new Headers(init?.headers);
        if (attempts++ === 0) headers.set(SCENARIO_HEADER, JSON.stringify({ failure: 'rate_limit', retryAfterSeconds: 0 }));
        return fetch(input, { ...init, headers });
      },
    });
    const result = await generateText({
      model: openai.chat('openai/gpt-4o'),
      prompt: 'Hi',
      headers: headersFor(route),
      telemetry: { integrations: [integration()] },
    });
    expect(result.text.length).toBeGreaterThan(0);
    expect(attempts).toBe(2);
    const chat = telemetry.span(/^chat /);
    expect(chat.status.code).not.toBe(SpanStatusCode.ERROR);
    expect(chat.attributes['error.type']).toBeUndefined();
    expect(chat.attributes['gen_ai.route.upstream']).toBe('azure.ai.openai');
  });

  it('ends the spans with the route known so far when a stream fails mid-way', async () => {
    const route = routes[0]!;
    const result = streamText({
      model: route.model(),
      prompt: 'Hi',
      headers: headersFor(route, { [SCENARIO_HEADER]: 'midstream-error' }),
      telemetry: { integrations: [integration()] },
      onError: () => {},
    });
    await result.consumeStream();
    const chat = telemetry.span(/^chat /);
    expect(chat.attributes['gen_ai.route.gateway']).toBe('openrouter');
    expect(telemetry.span(/^invoke_agent /)).toBeDefined();
  });

  it('ends every span when the caller aborts a stream', async () => {
    const route = routes[0]!;
    const controller = new AbortController();
    const result = streamText({
      model: route.model(),
      prompt: 'Hi',
      abortSignal: controller.signal,
      headers: headersFor(route, { [SCENARIO_HEADER]: JSON.stringify({ latency: { chunkDelayMs: 50 } }) }),
      telemetry: { integrations: [integration()] },
      onError: () => {},
    });
    for await (const _delta of result.textStream) {
      controller.abort();
      break;
    }
    await Promise.resolve(result.consumeStream()).catch(() => {});
    await waitUntil(() => telemetry.spans().some((span) => span.name.startsWith('invoke_agent')));
    const chat = telemetry.span(/^chat /);
    expect(chat.attributes['gen_ai.route.gateway']).toBe('openrouter');
  });

  it('never breaks the call when its own tracer throws', async () => {
    const brokenTracer: Tracer = {
      startSpan: () => {
        throw new Error('tracer exploded');
      },
      startActiveSpan: () => {
        throw new Error('tracer exploded');
      },
    } as unknown as Tracer;
    const brokenProvider: TracerProvider = { getTracer: () => brokenTracer };
    const route = routes[0]!;
    const result = await generateText({
      model: route.model(),
      prompt: 'Hi',
      headers: headersFor(route),
      telemetry: { integrations: [routeTelemetry({ tracerProvider: brokenProvider, meterProvider: telemetry.meterProvider })] },
    });
    expect(result.text.length).toBeGreaterThan(0);
  });

  it('keeps 100 concurrent calls apart: each span carries its own upstream', async () => {
    const upstreams = ['Together', 'Fireworks', 'DeepInfra', 'Azure', 'Google'];
    const expected = ['together', 'fireworks', 'deepinfra', 'azure.ai.openai', 'gcp.vertex_ai'];
    const plugin = integration();
    const openrouter = createOpenRouter({ baseURL: sim.baseUrls.openrouter, apiKey: TEST_API_KEY });
    await Promise.all(
      Array.from({ length: 100 }, (_, index) => {
        const common = {
          model: openrouter.chat('openai/gpt-4o'),
          prompt: `call ${index}`,
          headers: { [UPSTREAM_HEADER]: upstreams[index % upstreams.length]! },
          telemetry: { integrations: [plugin], functionId: `call-${index}` },
        };
        return index % 2 === 0 ? generateText(common) : streamText(common).consumeStream();
      }),
    );
    const roots = telemetry.spans().filter((span) => span.name.startsWith('invoke_agent'));
    expect(roots).toHaveLength(100);
    for (const root of roots) {
      const index = Number(String(root.attributes['gen_ai.agent.name']).slice('call-'.length));
      const chat = telemetry.spans().find(
        (span) => span.name.startsWith('chat ') && span.spanContext().traceId === root.spanContext().traceId,
      )!;
      expect(chat.attributes['gen_ai.route.upstream']).toBe(expected[index % expected.length]);
      expect(root.attributes['gen_ai.route.upstreams']).toEqual([expected[index % expected.length]]);
    }
  });

  it('records no prompt or completion text unless captureContent is set', async () => {
    const route = routes[0]!;
    await generateText({ model: route.model(), prompt: 'secret prompt', headers: headersFor(route), telemetry: { integrations: [integration()] } });
    for (const span of telemetry.spans()) {
      expect(span.attributes['gen_ai.input.messages']).toBeUndefined();
      expect(span.attributes['gen_ai.output.messages']).toBeUndefined();
    }
    telemetry.reset();
    await generateText({
      model: route.model(),
      prompt: 'visible prompt',
      headers: headersFor(route),
      telemetry: { integrations: [integration({ captureContent: true })] },
    });
    expect(String(telemetry.span(/^chat /).attributes['gen_ai.input.messages'])).toContain('visible prompt');
  });

  it('records no secrets: no authorization header, no api key, no query string', async () => {
    await generateText({ model: routes[4]!.model(), prompt: 'Hi', telemetry: { integrations: [integration()] } });
    const serialized = JSON.stringify(telemetry.spans().map((span) => span.attributes));
    expect(serialized).not.toContain(TEST_API_KEY);
    expect(serialized).not.toContain('api-version=');
    expect(serialized.toLowerCase()).not.toContain('authorization');
  });

  it('works when registered globally with registerTelemetry, beside other integrations', async () => {
    const seen: string[] = [];
    registerTelemetry(integration(), { onLanguageModelCallEnd: (event) => void seen.push(event.modelId) });
    try {
      const route = routes[0]!;
      await generateText({ model: route.model(), prompt: 'Hi', headers: headersFor(route) });
      expect(telemetry.span(/^chat /).attributes['gen_ai.route.upstream']).toBe('together');
      expect(seen).toHaveLength(1);
    } finally {
      (globalThis as { AI_SDK_TELEMETRY_INTEGRATIONS?: unknown[] }).AI_SDK_TELEMETRY_INTEGRATIONS = [];
    }
  });
});

async function waitUntil(condition: () => boolean, attempts = 100): Promise<void> {
  for (let attempt = 0; attempt < attempts && !condition(); attempt++) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
