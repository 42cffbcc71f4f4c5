import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { context, SpanKind, SpanStatusCode, trace, type Tracer, type TracerProvider } from '@opentelemetry/api';
import * as ai7 from 'ai';
import * as ai6 from 'ai-v6';
import * as ai5 from 'ai-v5';
import { createOpenAI as createOpenAI7 } from '@ai-sdk/openai';
import { createOpenAI as createOpenAI6 } from 'openai-v6';
import { createOpenAI as createOpenAI5 } from 'openai-v5';
import { createAmazonBedrock } from '@ai-sdk/amazon-bedrock';
import { createAzure } from '@ai-sdk/azure';
import { createOpenRouter } from '@openrouter/ai-sdk-provider';
import { OpenTelemetry } from '@ai-sdk/otel';
import { startGatewaySim, type GatewaySim } from '@servedby/gateway-sim';
import { z } from 'zod';
import { routeMiddleware } from './route-middleware';
import { createTestTelemetry, type TestTelemetry } from './testing/harness';
import { bedrockFetchVia, SCENARIO_HEADER, TEST_API_KEY, TEST_AWS_CREDENTIALS, UPSTREAM_HEADER } from './testing/routes';

// The three majors differ in their types, not in the calls used here.
// biome-ignore lint: each major types these functions differently.
type Loose = (...args: any[]) => any;
interface SdkUnderTest {
  major: number;
  generateText: Loose;
  streamText: Loose;
  wrapLanguageModel: Loose;
  tool: Loose;
  stepCountIs: Loose;
  createOpenAI: Loose;
  /** The per-call option that turns on the SDK's own spans in v5/v6. */
  telemetryOption(tracer: Tracer): Record<string, unknown>;
}

const sdks: SdkUnderTest[] = [
  {
    major: 5,
    ...(ai5 as unknown as Pick<SdkUnderTest, 'generateText' | 'streamText' | 'wrapLanguageModel' | 'tool' | 'stepCountIs'>),
    createOpenAI: createOpenAI5 as Loose,
    telemetryOption: (tracer) => ({ experimental_telemetry: { isEnabled: true, tracer } }),
  },
  {
    major: 6,
    ...(ai6 as unknown as Pick<SdkUnderTest, 'generateText' | 'streamText' | 'wrapLanguageModel' | 'tool' | 'stepCountIs'>),
    createOpenAI: createOpenAI6 as Loose,
    telemetryOption: (tracer) => ({ experimental_telemetry: { isEnabled: true, tracer } }),
  },
  {
    major: 7,
    ...(ai7 as unknown as Pick<SdkUnderTest, 'generateText' | 'streamText' | 'wrapLanguageModel' | 'tool' | 'stepCountIs'>),
    createOpenAI: createOpenAI7 as Loose,
    // v7 has no built-in spans: `@ai-sdk/otel`'s own integration makes the `chat` span.
    telemetryOption: (tracer) => ({ telemetry: { integrations: [new OpenTelemetry({ tracer })] } }),
  },
];

let sim: GatewaySim;
let telemetry: TestTelemetry;

beforeAll(async () => {
  sim = await startGatewaySim({ port: 0, seed: 11 });
});
afterAll(async () => {
  await sim?.close();
});
beforeEach(() => {
  telemetry = createTestTelemetry();
});

function middleware(extra: Parameters<typeof routeMiddleware>[0] = {}) {
  return routeMiddleware({ tracerProvider: telemetry.tracerProvider, meterProvider: telemetry.meterProvider, ...extra });
}

describe.each(sdks)('routeMiddleware with ai $major', (sdk) => {
  const gateways = [
    {
      name: 'OpenRouter',
      baseUrl: () => sim.baseUrls.openrouter,
      modelId: 'openai/gpt-4o',
      upstream: 'Fireworks',
      expected: { 'gen_ai.route.gateway': 'openrouter', 'gen_ai.route.upstream': 'fireworks', 'gen_ai.system': 'openrouter' },
    },
    {
      name: 'LiteLLM',
      baseUrl: () => sim.baseUrls.litellm,
      modelId: 'gpt-4o',
      upstream: 'azure',
      expected: { 'gen_ai.route.gateway': 'litellm', 'gen_ai.route.upstream': 'azure.ai.openai', 'gen_ai.system': 'litellm' },
    },
    {
      name: 'the Vercel AI Gateway',
      baseUrl: () => sim.baseUrls.vercel,
      modelId: 'anthropic/claude-sonnet-4',
      upstream: 'bedrock',
      expected: { 'gen_ai.route.gateway': 'vercel', 'gen_ai.route.upstream': 'aws.bedrock', 'gen_ai.system': 'vercel' },
    },
    {
      name: 'OpenAI direct',
      baseUrl: () => sim.baseUrls.openai,
      modelId: 'gpt-4o',
      upstream: undefined,
      expected: { 'gen_ai.route.upstream': 'openai', 'gen_ai.system': 'openai' },
    },
  ];

  function wrapped(gateway: (typeof gateways)[number], extra: Parameters<typeof routeMiddleware>[0] = {}) {
    const provider = sdk.createOpenAI({ baseURL: gateway.baseUrl(), apiKey: TEST_API_KEY });
    return sdk.wrapLanguageModel({ model: provider.chat(gateway.modelId), middleware: middleware(extra) });
  }
  const headersOf = (gateway: (typeof gateways)[number]) =>
    gateway.upstream ? { [UPSTREAM_HEADER]: gateway.upstream } : {};

  describe.each(gateways)('through $name', (gateway) => {
    it('makes its own CLIENT span when no span is active (generate)', async () => {
      const result = await sdk.generateText({ model: wrapped(gateway), prompt: 'Hi', headers: headersOf(gateway) });
      expect(result.text.length).toBeGreaterThan(0);
      const span = telemetry.span(`chat ${gateway.modelId}`);
      expect(span.kind).toBe(SpanKind.CLIENT);
      expect(span.attributes).toMatchObject({
        'gen_ai.operation.name': 'chat',
        'gen_ai.request.model': gateway.modelId,
        'gen_ai.provider.name': gateway.expected['gen_ai.system'],
        ...gateway.expected,
      });
      expect(span.attributes['gen_ai.usage.input_tokens']).toBeTypeOf('number');
      expect(span.attributes['gen_ai.response.finish_reasons']).toEqual(['stop']);
      expect(span.attributes['server.address']).toBe('127.0.0.1');
    });

    it('makes its own CLIENT span for a stream and ends it with the stream', async () => {
      const result = sdk.streamText({ model: wrapped(gateway), prompt: 'Hi', headers: headersOf(gateway) });
      let text = '';
      for await (const delta of result.textStream) text += delta;
      expect(text.length).toBeGreaterThan(0);
      const span = telemetry.span(`chat ${gateway.modelId}`);
      expect(span.attributes).toMatchObject({ 'gen_ai.request.stream': true, ...gateway.expected });
      expect(span.attributes['gen_ai.usage.output_tokens']).toBeTypeOf('number');
    });

    it("puts the route on the SDK's own model-call span when one is active", async () => {
      const tracer = telemetry.tracerProvider.getTracer('ai');
      await sdk.generateText({ model: wrapped(gateway), prompt: 'Hi', headers: headersOf(gateway), ...sdk.telemetryOption(tracer) });
      const modelSpanName = sdk.major === 7 ? `chat ${gateway.modelId}` : 'ai.generateText.doGenerate';
      const span = telemetry.span(modelSpanName);
      expect(span.attributes).toMatchObject(gateway.expected);
      // No second span for the same call.
      expect(telemetry.spans().filter((candidate) => candidate.name === `chat ${gateway.modelId}`)).toHaveLength(sdk.major === 7 ? 1 : 0);
    });
  });

  it('puts the route on the doStream span before the SDK ends it', async () => {
    const gateway = gateways[0]!;
    const tracer = telemetry.tracerProvider.getTracer('ai');
    const result = sdk.streamText({ model: wrapped(gateway), prompt: 'Hi', headers: headersOf(gateway), ...sdk.telemetryOption(tracer) });
    await result.consumeStream();
    const span = telemetry.span(sdk.major === 7 ? `chat ${gateway.modelId}` : 'ai.streamText.doStream');
    expect(span.attributes).toMatchObject(gateway.expected);
  });

  it('reads the upstream of OpenRouter behind @openrouter/ai-sdk-provider', async () => {
    // The OpenRouter provider speaks spec v2 in its 1.x line, v3 in 2.x and v4 in 3.x; 3.x is installed.
    if (sdk.major !== 7) return;
    const model = sdk.wrapLanguageModel({
      model: createOpenRouter({ baseURL: sim.baseUrls.openrouter, apiKey: TEST_API_KEY }).chat('anthropic/claude-sonnet-4'),
      middleware: middleware(),
    });
    const result = sdk.streamText({ model, prompt: 'Hi', headers: { [UPSTREAM_HEADER]: 'Amazon Bedrock' } });
    await result.consumeStream();
    expect(telemetry.span('chat anthropic/claude-sonnet-4').attributes).toMatchObject({
      'gen_ai.route.gateway': 'openrouter',
      'gen_ai.route.upstream': 'aws.bedrock',
    });
  });

  it('keeps the route and sets error.type on a failed call; the caller gets the same error', async () => {
    const gateway = gateways[1]!;
    const headers = { ...headersOf(gateway), [SCENARIO_HEADER]: 'unavailable' };
    const withPlugin = await sdk
      .generateText({ model: wrapped(gateway), prompt: 'Hi', maxRetries: 0, headers })
      .catch((error: unknown) => error);
    const provider = sdk.createOpenAI({ baseURL: gateway.baseUrl(), apiKey: TEST_API_KEY });
    const withoutPlugin = await sdk
      .generateText({ model: provider.chat(gateway.modelId), prompt: 'Hi', maxRetries: 0, headers })
      .catch((error: unknown) => error);
    expect((withPlugin as Error).message).toBe((withoutPlugin as Error).message);
    expect((withPlugin as Error).constructor).toBe((withoutPlugin as Error).constructor);
    const span = telemetry.span(`chat ${gateway.modelId}`);
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(span.attributes).toMatchObject({ 'error.type': '503', 'gen_ai.route.gateway': 'litellm' });
  });

  it('gives each attempt of a retried 429 its own span: the failed one with error.type, the served one with its route', async () => {
    const gateway = gateways[0]!;
    let attempts = 0;
    const provider = sdk.createOpenAI({
      baseURL: gateway.baseUrl(),
      apiKey: TEST_API_KEY,
      fetch: async (input: RequestInfo | URL, init?: RequestInit) => {
        const headers = new Headers(init?.headers);
        if (attempts++ === 0) headers.set(SCENARIO_HEADER, JSON.stringify({ failure: 'rate_limit', retryAfterSeconds: 0 }));
        return fetch(input, { ...init, headers });
      },
    });
    const model = sdk.wrapLanguageModel({ model: provider.chat(gateway.modelId), middleware: middleware() });
    const result = await sdk.generateText({ model, prompt: 'Hi', headers: headersOf(gateway) });
    expect(result.text.length).toBeGreaterThan(0);
    const [failed, served] = telemetry.spans().filter((span) => span.name === `chat ${gateway.modelId}`);
    // The simulated 429 carries no OpenRouter signal and the URL is loopback: only the request side is known.
    expect(failed!.attributes).toMatchObject({ 'error.type': '429', 'gen_ai.request.model': gateway.modelId });
    expect(failed!.status.code).toBe(SpanStatusCode.ERROR);
    expect(served!.attributes).toMatchObject({ 'gen_ai.route.upstream': 'fireworks' });
    expect(served!.attributes['error.type']).toBeUndefined();
  });

  it('ends its span when a stream fails mid-way', async () => {
    const gateway = gateways[0]!;
    const result = sdk.streamText({
      model: wrapped(gateway),
      prompt: 'Hi',
      headers: { ...headersOf(gateway), [SCENARIO_HEADER]: 'midstream-error' },
      onError: () => {},
    });
    await result.consumeStream().catch(() => {});
    const span = telemetry.span(`chat ${gateway.modelId}`);
    expect(span.attributes).toMatchObject({ 'gen_ai.route.gateway': 'openrouter', 'gen_ai.route.upstream': 'fireworks' });
    // Only ai 7 tells an interrupted stream from a finished one; v5/v6 report `unknown`/`other`.
    if (sdk.major === 7) expect(span.attributes['error.type']).toBe('interrupted');
  });

  it('ends its span when the caller stops reading the stream', async () => {
    const gateway = gateways[0]!;
    const controller = new AbortController();
    const result = sdk.streamText({
      model: wrapped(gateway),
      prompt: 'Hi',
      abortSignal: controller.signal,
      headers: { ...headersOf(gateway), [SCENARIO_HEADER]: JSON.stringify({ latency: { chunkDelayMs: 30 } }) },
      onError: () => {},
    });
    for await (const _delta of result.textStream) {
      controller.abort();
      break;
    }
    await waitUntil(() => telemetry.spans().length > 0);
    const span = telemetry.span(`chat ${gateway.modelId}`);
    expect(span.attributes['gen_ai.route.gateway']).toBe('openrouter');
  });

  it('never breaks the call when its own tracer throws', async () => {
    const brokenTracer = {
      startSpan: () => {
        throw new Error('tracer exploded');
      },
    } as unknown as Tracer;
    const brokenProvider: TracerProvider = { getTracer: () => brokenTracer };
    const result = await sdk.generateText({
      model: wrapped(gateways[0]!, { tracerProvider: brokenProvider }),
      prompt: 'Hi',
      headers: headersOf(gateways[0]!),
    });
    expect(result.text.length).toBeGreaterThan(0);
  });

  it('keeps 100 concurrent calls apart: each span carries its own upstream', async () => {
    const upstreams = ['Together', 'Fireworks', 'DeepInfra', 'Azure', 'Google'];
    const expected = ['together', 'fireworks', 'deepinfra', 'azure.ai.openai', 'gcp.vertex_ai'];
    const model = wrapped(gateways[0]!);
    const tracer = telemetry.tracerProvider.getTracer('test');
    await Promise.all(
      Array.from({ length: 100 }, (_, index) =>
        tracer.startActiveSpan(`request ${index}`, async (requestSpan) => {
          const options = { model, prompt: `call ${index}`, headers: { [UPSTREAM_HEADER]: upstreams[index % upstreams.length]! } };
          if (index % 2 === 0) await sdk.generateText(options);
          else await sdk.streamText(options).consumeStream();
          requestSpan.end();
        }),
      ),
    );
    const spans = telemetry.spans();
    const requests = spans.filter((span) => span.name.startsWith('request '));
    expect(requests).toHaveLength(100);
    for (const request of requests) {
      const index = Number(request.name.slice('request '.length));
      const chat = spans.find((span) => span.parentSpanContext?.spanId === request.spanContext().spanId)!;
      expect(chat.name).toBe('chat openai/gpt-4o');
      expect(chat.attributes['gen_ai.route.upstream']).toBe(expected[index % expected.length]);
    }
  });

  it('reports upstreams of a two-step tool run to an enclosing collector context', async () => {
    const gateway = gateways[0]!;
    let call = 0;
    const provider = sdk.createOpenAI({
      baseURL: gateway.baseUrl(),
      apiKey: TEST_API_KEY,
      fetch: async (input: RequestInfo | URL, init?: RequestInit) => {
        const headers = new Headers(init?.headers);
        headers.set(UPSTREAM_HEADER, call++ === 0 ? 'Together' : 'Fireworks');
        return fetch(input, { ...init, headers });
      },
    });
    const { createUpstreamsCollector, contextWithUpstreamsCollector } = await import('@servedby/conventions');
    const collector = createUpstreamsCollector();
    const result = await context.with(contextWithUpstreamsCollector(context.active(), collector), () =>
      sdk.generateText({
        model: sdk.wrapLanguageModel({ model: provider.chat(gateway.modelId), middleware: middleware() }),
        prompt: 'Weather in Paris?',
        tools: {
          weather: sdk.tool({ inputSchema: z.object({ city: z.string() }), execute: async () => 'sunny' }),
        },
        stopWhen: sdk.stepCountIs(3),
      }),
    );
    expect(result.steps.length).toBe(2);
    expect(collector.values()).toEqual(['together', 'fireworks']);
  });
});

describe('routeMiddleware types', () => {
  it('is accepted by wrapLanguageModel of ai 5, 6 and 7 with their own provider models', () => {
    const v5 = ai5.wrapLanguageModel({ model: createOpenAI5({ apiKey: TEST_API_KEY }).chat('gpt-4o'), middleware: routeMiddleware() });
    const v6 = ai6.wrapLanguageModel({ model: createOpenAI6({ apiKey: TEST_API_KEY }).chat('gpt-4o'), middleware: routeMiddleware() });
    const v7 = ai7.wrapLanguageModel({ model: createOpenAI7({ apiKey: TEST_API_KEY }).chat('gpt-4o'), middleware: routeMiddleware() });
    expect([v5.specificationVersion, v6.specificationVersion, v7.specificationVersion]).toEqual(['v2', 'v3', 'v4']);
  });
});

describe('routeMiddleware without an SDK call around it', () => {
  it('attributes a direct doGenerate call of a wrapped Bedrock model: region from the endpoint', async () => {
    const model = ai7.wrapLanguageModel({
      model: createAmazonBedrock({ region: 'eu-west-1', ...TEST_AWS_CREDENTIALS, fetch: bedrockFetchVia(sim, 'eu-west-1') })(
        'anthropic.claude-3-5-sonnet-20240620-v1:0',
      ),
      middleware: middleware(),
    });
    await ai7.generateText({ model, prompt: 'Hi' });
    await ai7.streamText({ model, prompt: 'Hi' }).consumeStream();
    const spans = telemetry.spans().filter((span) => span.name === 'chat anthropic.claude-3-5-sonnet-20240620-v1:0');
    expect(spans).toHaveLength(2);
    for (const span of spans) {
      expect(span.attributes).toMatchObject({
        'gen_ai.system': 'aws.bedrock',
        'gen_ai.route.gateway': 'aws.bedrock',
        'gen_ai.route.upstream': 'anthropic',
        'gen_ai.response.model': 'anthropic.claude-3-5-sonnet-20240620-v1:0',
        'cloud.region': 'eu-west-1',
        'aws.region': 'eu-west-1',
        'server.address': 'bedrock-runtime.eu-west-1.amazonaws.com',
      });
    }
  });

  it('attributes Azure: deployment, served model and region', async () => {
    const model = ai7.wrapLanguageModel({
      model: createAzure({ baseURL: `${sim.baseUrls.azure}/openai`, apiKey: TEST_API_KEY, useDeploymentBasedUrls: true }).chat(
        'gpt-4o-eastus',
      ),
      middleware: middleware(),
    });
    await ai7.generateText({ model, prompt: 'Hi', headers: { [SCENARIO_HEADER]: JSON.stringify({ region: 'East US 2' }) } });
    await ai7
      .streamText({ model, prompt: 'Hi', headers: { [SCENARIO_HEADER]: JSON.stringify({ region: 'Sweden Central' }) } })
      .consumeStream();
    const [generated, streamed] = telemetry.spans().filter((span) => span.name === 'chat gpt-4o-eastus');
    expect(generated!.attributes).toMatchObject({
      'gen_ai.system': 'azure.ai.openai',
      'gen_ai.route.gateway': 'azure.ai.openai',
      'gen_ai.route.upstream': 'openai',
      'gen_ai.route.deployment': 'gpt-4o-eastus',
      'cloud.region': 'eastus2',
    });
    expect(streamed!.attributes).toMatchObject({ 'gen_ai.route.deployment': 'gpt-4o-eastus', 'cloud.region': 'swedencentral' });
    const serialized = JSON.stringify(telemetry.spans().map((span) => span.attributes));
    expect(serialized).not.toContain(TEST_API_KEY);
    expect(serialized).not.toContain('api-version');
  });

  it('records the routing policy the call carried (AI Gateway providerOptions.gateway) and, with providerName upstream, names the upstream', async () => {
    const provider = createOpenAI7({ baseURL: sim.baseUrls.vercel, apiKey: TEST_API_KEY });
    const model = ai7.wrapLanguageModel({ model: provider.chat('anthropic/claude-sonnet-4'), middleware: middleware({ providerName: 'upstream' }) });
    await ai7.generateText({
      model,
      prompt: 'Hi',
      headers: { [UPSTREAM_HEADER]: 'bedrock' },
      providerOptions: { gateway: { order: ['bedrock', 'anthropic'] } },
    });
    const span = telemetry.span('chat anthropic/claude-sonnet-4');
    expect(span.attributes).toMatchObject({
      'gen_ai.route.gateway': 'vercel',
      'gen_ai.route.upstream': 'aws.bedrock',
      'gen_ai.provider.name': 'aws.bedrock',
      'gen_ai.route.policy': '{"providerOptions":{"gateway":{"order":["bedrock","anthropic"]}}}',
      'gen_ai.route.policy_hash': expect.stringMatching(/^[0-9a-f]{16}$/),
    });
  });

  it.each([
    ['OpenRouter', 'https://openrouter.ai/api/v1', 'openai/gpt-4o'],
    ['LiteLLM', 'http://localhost:4000/v1', 'gpt-4o'],
  ])('gives a refused connection to a %s base URL no upstream', async (_name, baseURL, modelId) => {
    // Nothing listens on port 1: the connection is refused before any response.
    const refusing: typeof fetch = (input, init) => fetch(String(input instanceof Request ? input.url : input).replace(baseURL, 'http://127.0.0.1:1/v1'), init);
    const provider = createOpenAI7({ baseURL, apiKey: TEST_API_KEY, fetch: refusing });
    const model = ai7.wrapLanguageModel({ model: provider.chat(modelId), middleware: middleware() });
    const error = await ai7.generateText({ model, prompt: 'Hi', maxRetries: 0 }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Error);
    const span = telemetry.span(`chat ${modelId}`);
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(span.attributes['error.type']).toEqual(expect.any(String));
    expect(span.attributes['gen_ai.route.upstream']).toBeUndefined();
    expect(span.attributes['gen_ai.route.path']).toBeUndefined();
  });

  it('records the route metrics for every call, own span or not', async () => {
    const provider = createOpenAI7({ baseURL: sim.baseUrls.litellm, apiKey: TEST_API_KEY });
    const model = ai7.wrapLanguageModel({ model: provider.chat('gpt-4o'), middleware: middleware() });
    await ai7.generateText({ model, prompt: 'Hi', headers: { [UPSTREAM_HEADER]: 'azure' } });
    await ai7.streamText({ model, prompt: 'Hi', headers: { [UPSTREAM_HEADER]: 'azure' } }).consumeStream();
    const durations = await telemetry.histogram('gen_ai.client.operation.duration');
    expect(durations).toHaveLength(1);
    expect(durations[0]).toMatchObject({
      count: 2,
      attributes: {
        'gen_ai.operation.name': 'chat',
        'gen_ai.provider.name': 'litellm',
        'gen_ai.route.gateway': 'litellm',
        'gen_ai.route.upstream': 'azure.ai.openai',
        'gen_ai.request.model': 'gpt-4o',
      },
    });
    const tokens = await telemetry.histogram('gen_ai.client.token.usage');
    expect(tokens.reduce((sum, point) => sum + point.count, 0)).toBe(4);
  });

  it('leaves a non-model active span alone and makes a child span', async () => {
    const tracer = telemetry.tracerProvider.getTracer('test');
    const provider = createOpenAI7({ baseURL: sim.baseUrls.openai, apiKey: TEST_API_KEY });
    const model = ai7.wrapLanguageModel({ model: provider.chat('gpt-4o'), middleware: middleware() });
    await tracer.startActiveSpan('http request', async (span) => {
      await ai7.generateText({ model, prompt: 'Hi' });
      span.end();
    });
    const parent = telemetry.span('http request');
    const chat = telemetry.span('chat gpt-4o');
    expect(parent.attributes['gen_ai.route.upstream']).toBeUndefined();
    expect(chat.parentSpanContext?.spanId).toBe(parent.spanContext().spanId);
    expect(trace.getActiveSpan()).toBeUndefined();
  });
});

async function waitUntil(condition: () => boolean, attempts = 100): Promise<void> {
  for (let attempt = 0; attempt < attempts && !condition(); attempt++) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
