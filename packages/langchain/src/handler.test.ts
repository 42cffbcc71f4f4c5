import { SpanKind, trace } from '@opentelemetry/api';
import { ChatAnthropic } from '@langchain/anthropic';
import { HumanMessage } from '@langchain/core/messages';
import { ChatBedrockConverse } from '@langchain/aws';
import { AzureChatOpenAI, ChatOpenAI } from '@langchain/openai';
import { ChatOpenRouter } from '@langchain/openrouter';
import { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { captureRouteFetch } from '@servedby/conventions';
import { startGatewaySim, type GatewaySim } from '@servedby/gateway-sim';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createRouteCallbackHandler } from './index';
import { allAttributeText, createTestTelemetry, modelSpans } from './test-support';

const telemetry = createTestTelemetry();
let sim: GatewaySim;
const handler = () =>
  createRouteCallbackHandler({ tracerProvider: telemetry.tracerProvider, meterProvider: telemetry.meterProvider });

beforeAll(async () => {
  sim = await startGatewaySim({ port: 0, seed: 7 });
});
afterAll(async () => {
  await sim?.close();
});
beforeEach(() => telemetry.reset());

function openAiCompatible(baseURL: string, model: string, headers: Record<string, string> = {}): ChatOpenAI {
  return new ChatOpenAI({
    model,
    apiKey: 'sk-test-secret',
    maxRetries: 0,
    configuration: { baseURL, fetch: captureRouteFetch(), defaultHeaders: headers },
  });
}

function onlyModelSpan() {
  const spans = modelSpans(telemetry.spans());
  expect(spans).toHaveLength(1);
  return spans[0]!;
}

describe('ChatOpenAI through OpenRouter', () => {
  it('attributes a JSON call to the upstream OpenRouter reports', async () => {
    const model = openAiCompatible(sim.baseUrls.openrouter, 'anthropic/claude-sonnet-4', { 'x-sim-upstream': 'Together' });
    const result = await model.invoke('Hello', { callbacks: [handler()] });
    expect(typeof result.content).toBe('string');
    const span = onlyModelSpan();
    expect(span.name).toBe('chat anthropic/claude-sonnet-4');
    expect(span.kind).toBe(SpanKind.CLIENT);
    expect(span.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.system': 'openrouter',
      'gen_ai.provider.name': 'openrouter',
      'gen_ai.request.model': 'anthropic/claude-sonnet-4',
      'gen_ai.route.gateway': 'openrouter',
      'gen_ai.route.upstream': 'together',
      'gen_ai.route.path': ['openrouter', 'together'],
      'gen_ai.route.evidence': expect.arrayContaining(['body.provider']),
      'server.address': '127.0.0.1',
      'server.port': sim.port,
    });
    expect(span.attributes['gen_ai.response.id']).toMatch(/^gen-/);
    expect(span.attributes['gen_ai.route.request_id']).toMatch(/^gen-/);
    expect(span.attributes['gen_ai.usage.input_tokens']).toBeGreaterThan(0);
    expect(span.attributes['gen_ai.usage.output_tokens']).toBeGreaterThan(0);
    expect(span.attributes['gen_ai.response.finish_reasons']).toEqual(['stop']);
    expect(span.attributes['gen_ai.response.model']).toEqual(expect.any(String));
    expect(allAttributeText(telemetry.spans())).not.toContain('sk-test-secret');
  });

  it("records the routing policy the call carried (model kwargs: OpenRouter's provider preferences)", async () => {
    const model = new ChatOpenAI({
      model: 'anthropic/claude-sonnet-4',
      apiKey: 'sk-test-secret',
      maxRetries: 0,
      modelKwargs: { provider: { order: ['together', 'fireworks'], allow_fallbacks: false } },
      configuration: { baseURL: sim.baseUrls.openrouter, fetch: captureRouteFetch(), defaultHeaders: { 'x-sim-upstream': 'Together' } },
    });
    await model.invoke('Hello', { callbacks: [handler()] });
    const span = onlyModelSpan();
    expect(span.attributes['gen_ai.route.policy']).toBe('{"provider":{"allow_fallbacks":false,"order":["together","fireworks"]}}');
    expect(span.attributes['gen_ai.route.policy_hash']).toMatch(/^[0-9a-f]{16}$/);
    expect(allAttributeText(telemetry.spans())).not.toContain('sk-test-secret');
  });

  it('attributes a stream from its chunks and ends the span with the stream', async () => {
    const model = openAiCompatible(sim.baseUrls.openrouter, 'openai/gpt-4o', { 'x-sim-upstream': 'Fireworks' });
    const stream = await model.stream('Hello', { callbacks: [handler()] });
    let text = '';
    for await (const chunk of stream) {
      expect(modelSpans(telemetry.spans())).toHaveLength(0);
      text += typeof chunk.content === 'string' ? chunk.content : '';
    }
    expect(text.length).toBeGreaterThan(0);
    const span = onlyModelSpan();
    expect(span.attributes).toMatchObject({
      'gen_ai.route.gateway': 'openrouter',
      'gen_ai.route.upstream': 'fireworks',
      'gen_ai.request.stream': true,
      'gen_ai.request.model': 'openai/gpt-4o',
      // One reason, although LangChain concatenates it across the merged chunks.
      'gen_ai.response.finish_reasons': ['stop'],
    });
    expect(span.attributes['gen_ai.response.time_to_first_chunk']).toEqual(expect.any(Number));
  });

  it('attributes streamEvents v2', async () => {
    const model = openAiCompatible(sim.baseUrls.openrouter, 'openai/gpt-4o', { 'x-sim-upstream': 'DeepInfra' });
    const events: string[] = [];
    for await (const event of model.streamEvents('Hello', { version: 'v2', callbacks: [handler()] })) {
      events.push(event.event);
    }
    expect(events).toContain('on_chat_model_stream');
    expect(onlyModelSpan().attributes).toMatchObject({ 'gen_ai.route.upstream': 'deepinfra' });
  });

  it('nests the model span under the span active when the call starts', async () => {
    const tracer = telemetry.tracerProvider.getTracer('test');
    const model = openAiCompatible(sim.baseUrls.openrouter, 'openai/gpt-4o', { 'x-sim-upstream': 'Together' });
    await tracer.startActiveSpan('request', async (parent) => {
      await model.invoke('Hello', { callbacks: [handler()] });
      parent.end();
    });
    const parent = telemetry.spanNamed('request');
    expect(onlyModelSpan().parentSpanContext?.spanId).toBe(parent.spanContext().spanId);
  });

  it('makes the model span the active context while the SDK sends the request', async () => {
    const activeDuringFetch: Array<string | undefined> = [];
    const observingFetch: typeof fetch = (input, init) => {
      activeDuringFetch.push(trace.getActiveSpan()?.spanContext().spanId);
      return fetch(input, init);
    };
    const model = new ChatOpenAI({
      model: 'openai/gpt-4o',
      apiKey: 'sk-test',
      maxRetries: 0,
      configuration: { baseURL: sim.baseUrls.openrouter, fetch: captureRouteFetch(observingFetch) },
    });
    await model.invoke('Hello', { callbacks: [handler()] });
    for await (const _chunk of await model.stream('Hello', { callbacks: [handler()] })) {
      // drain
    }
    const spanIds = modelSpans(telemetry.spans()).map((span) => span.spanContext().spanId);
    expect(activeDuringFetch).toHaveLength(2);
    expect(spanIds).toEqual(expect.arrayContaining(activeDuringFetch as string[]));
  });

  it('two handlers on one call (e.g. two tracer providers) both see the route', async () => {
    const other = createTestTelemetry();
    const model = openAiCompatible(sim.baseUrls.openrouter, 'openai/gpt-4o', { 'x-sim-upstream': 'Together' });
    const second = createRouteCallbackHandler({ tracerProvider: other.tracerProvider, meterProvider: other.meterProvider });
    await model.invoke('Hello', { callbacks: [handler(), second] });
    expect(onlyModelSpan().attributes['gen_ai.route.upstream']).toBe('together');
    expect(modelSpans(other.spans())[0]?.attributes['gen_ai.route.upstream']).toBe('together');
  });

  it('gives each prompt of a batched generate() its own route', async () => {
    // The upstream follows the prompt, so the two concurrent requests are told apart by content.
    const byPrompt: typeof fetch = (input, init) => {
      const headers = new Headers(init?.headers);
      headers.set('x-sim-upstream', String(init?.body).includes('first') ? 'Together' : 'Fireworks');
      return fetch(input, { ...init, headers });
    };
    const model = new ChatOpenAI({
      model: 'openai/gpt-4o',
      apiKey: 'sk-test',
      maxRetries: 0,
      configuration: { baseURL: sim.baseUrls.openrouter, fetch: captureRouteFetch(byPrompt) },
    });
    await model.generate([[new HumanMessage('first prompt')], [new HumanMessage('second prompt')]], { callbacks: [handler()] });
    const upstreams = modelSpans(telemetry.spans()).map((span) => span.attributes['gen_ai.route.upstream']);
    expect(upstreams.sort()).toEqual(['fireworks', 'together']);
  });

  it('records the route metrics', async () => {
    const model = openAiCompatible(sim.baseUrls.openrouter, 'openai/gpt-4o', { 'x-sim-upstream': 'Together' });
    await model.invoke('Hello', { callbacks: [handler()] });
    const metrics = (await telemetry.metrics()).flatMap((resource) =>
      resource.scopeMetrics.flatMap((scope) => scope.metrics),
    );
    const duration = metrics.find((metric) => metric.descriptor.name === 'gen_ai.client.operation.duration');
    expect(duration).toBeDefined();
    const point = duration!.dataPoints.find((candidate) => candidate.attributes['gen_ai.route.upstream'] === 'together');
    expect(point?.attributes).toMatchObject({ 'gen_ai.route.gateway': 'openrouter', 'gen_ai.operation.name': 'chat' });
    expect(metrics.some((metric) => metric.descriptor.name === 'gen_ai.client.token.usage')).toBe(true);
  });
});

describe('ChatOpenAI through LiteLLM and the Vercel AI Gateway', () => {
  it('reads the LiteLLM upstream and deployment from its headers (JSON and stream)', async () => {
    const model = openAiCompatible(sim.baseUrls.litellm, 'claude-sonnet', {
      'x-sim-upstream': 'aws.bedrock',
      'x-sim-scenario': JSON.stringify({ servedModel: 'anthropic.claude-3-5-sonnet-20241022-v2:0' }),
    });
    await model.invoke('Hello', { callbacks: [handler()] });
    const span = onlyModelSpan();
    expect(span.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.system': 'litellm',
      'gen_ai.provider.name': 'litellm',
      'gen_ai.route.gateway': 'litellm',
      'gen_ai.route.upstream': 'aws.bedrock',
      'gen_ai.route.path': ['litellm', 'aws.bedrock', 'anthropic'],
      'gen_ai.route.deployment': expect.any(String),
      'gen_ai.route.attempts': 1,
      'gen_ai.route.fallback': false,
      'gen_ai.request.model': 'claude-sonnet',
      // The served model from x-litellm-model-name, not the alias LiteLLM writes into the body.
      'gen_ai.response.model': 'anthropic.claude-3-5-sonnet-20241022-v2:0',
      'gen_ai.response.finish_reasons': ['stop'],
      'gen_ai.usage.input_tokens': expect.any(Number),
    });
    expect(span.attributes['gen_ai.route.request_id']).toEqual(expect.any(String));
    telemetry.reset();
    for await (const _chunk of await model.stream('Hello', { callbacks: [handler()] })) {
      // drain
    }
    expect(onlyModelSpan().attributes).toMatchObject({ 'gen_ai.route.upstream': 'aws.bedrock' });
  });

  it('reads the Vercel final provider on the OpenAI-compatible route (JSON and stream)', async () => {
    const model = openAiCompatible(sim.baseUrls.vercel, 'anthropic/claude-sonnet-4', { 'x-sim-upstream': 'vertex' });
    await model.invoke('Hello', { callbacks: [handler()] });
    expect(onlyModelSpan().attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.system': 'vercel',
      'gen_ai.route.gateway': 'vercel',
      'gen_ai.route.upstream': 'gcp.vertex_ai',
      'gen_ai.route.path': ['vercel', 'gcp.vertex_ai', 'anthropic'],
      'gen_ai.request.model': 'anthropic/claude-sonnet-4',
      'gen_ai.response.model': expect.stringMatching(/^claude-sonnet-4/),
      'gen_ai.route.request_id': expect.stringMatching(/^gen_/),
      'gen_ai.route.fallback': false,
    });
    telemetry.reset();
    for await (const _chunk of await model.stream('Hello', { callbacks: [handler()] })) {
      // drain
    }
    expect(onlyModelSpan().attributes).toMatchObject({ 'gen_ai.route.upstream': 'gcp.vertex_ai' });
  });
});

describe('direct providers', () => {
  it('ChatOpenAI direct: upstream openai, no gateway', async () => {
    const model = openAiCompatible(sim.baseUrls.openai, 'gpt-4o');
    await model.invoke('Hello', { callbacks: [handler()] });
    const span = onlyModelSpan();
    expect(span.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.system': 'openai',
      'gen_ai.provider.name': 'openai',
      'gen_ai.route.upstream': 'openai',
      'gen_ai.request.model': 'gpt-4o',
      'gen_ai.response.model': expect.stringMatching(/^gpt-4o-/),
      'gen_ai.response.id': expect.stringMatching(/^chatcmpl-/),
      'gen_ai.response.finish_reasons': ['stop'],
    });
    expect(span.attributes['gen_ai.route.gateway']).toBeUndefined();
    expect(span.attributes['gen_ai.route.request_id']).toEqual(expect.any(String));
    telemetry.reset();
    for await (const _chunk of await model.stream('Hello', { callbacks: [handler()] })) {
      // drain
    }
    expect(onlyModelSpan().attributes).toMatchObject({ 'gen_ai.route.upstream': 'openai', 'gen_ai.request.stream': true });
  });

  it('ChatAnthropic direct (JSON and stream)', async () => {
    const model = new ChatAnthropic({
      model: 'claude-sonnet-4-5',
      apiKey: 'sk-ant-secret',
      maxRetries: 0,
      // The Anthropic SDK appends /v1/messages itself.
      clientOptions: { baseURL: sim.baseUrls.anthropic.replace(/\/v1$/, ''), fetch: captureRouteFetch() },
    });
    await model.invoke('Hello', { callbacks: [handler()] });
    const span = onlyModelSpan();
    expect(span.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.system': 'anthropic',
      'gen_ai.provider.name': 'anthropic',
      'gen_ai.route.upstream': 'anthropic',
      'gen_ai.request.model': 'claude-sonnet-4-5',
      'gen_ai.response.model': expect.stringMatching(/^claude-sonnet-4-5-/),
      'gen_ai.response.id': expect.stringMatching(/^msg_/),
      'gen_ai.route.request_id': expect.stringMatching(/^req_/),
      'gen_ai.response.finish_reasons': ['end_turn'],
      'gen_ai.usage.input_tokens': expect.any(Number),
    });
    expect(span.attributes['gen_ai.route.gateway']).toBeUndefined();
    telemetry.reset();
    for await (const _chunk of await model.stream('Hello', { callbacks: [handler()] })) {
      // drain
    }
    expect(onlyModelSpan().attributes).toMatchObject({
      'gen_ai.route.upstream': 'anthropic',
      'gen_ai.response.finish_reasons': ['end_turn'],
      'gen_ai.request.stream': true,
    });
    expect(allAttributeText(telemetry.spans())).not.toContain('sk-ant-secret');
  });
});

describe('AzureChatOpenAI', () => {
  it('attributes deployment, served model and region', async () => {
    const model = new AzureChatOpenAI({
      azureOpenAIApiKey: 'azure-secret-key',
      azureOpenAIApiDeploymentName: 'gpt-4o-eastus',
      azureOpenAIApiVersion: '2024-10-21',
      azureOpenAIBasePath: `${sim.baseUrls.azure}/openai/deployments`,
      maxRetries: 0,
      configuration: { fetch: captureRouteFetch() },
    });
    await model.invoke('Hello', { callbacks: [handler()] });
    const span = onlyModelSpan();
    expect(span.name).toBe('chat gpt-4o-eastus');
    expect(span.attributes).toMatchObject({
      'gen_ai.system': 'azure.ai.openai',
      'gen_ai.route.gateway': 'azure.ai.openai',
      'gen_ai.route.upstream': 'openai',
      'gen_ai.route.deployment': 'gpt-4o-eastus',
      'gen_ai.route.path': ['azure.ai.openai', 'openai'],
      'gen_ai.request.model': 'gpt-4o-eastus',
      // The model the deployment really served, and where (x-ms-region, normalised).
      'gen_ai.response.model': expect.stringMatching(/^gpt-4o-\d{4}-\d{2}-\d{2}$/),
      'cloud.region': expect.stringMatching(/^[a-z0-9]+$/),
      'gen_ai.route.request_id': expect.any(String),
    });
    expect(allAttributeText(telemetry.spans())).not.toContain('azure-secret-key');
    expect(allAttributeText(telemetry.spans())).not.toContain('api-version');
    telemetry.reset();
    for await (const _chunk of await model.stream('Hello', { callbacks: [handler()] })) {
      // drain
    }
    expect(onlyModelSpan().attributes).toMatchObject({
      'gen_ai.route.gateway': 'azure.ai.openai',
      'gen_ai.route.deployment': 'gpt-4o-eastus',
      'gen_ai.request.stream': true,
      'cloud.region': span.attributes['cloud.region'],
    });
  });
});

describe('ChatBedrockConverse', () => {
  const bedrock = (model: string, extra: Record<string, unknown> = {}) =>
    new ChatBedrockConverse({
      model,
      region: 'us-east-1',
      client: new BedrockRuntimeClient({
        region: 'us-east-1',
        endpoint: sim.baseUrls.bedrock,
        credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'bedrock-secret' },
        requestHandler: new NodeHttpHandler(),
        maxAttempts: 1,
      }),
      ...extra,
    });

  it('attributes region, profile and vendor (JSON)', async () => {
    await bedrock('us.anthropic.claude-3-5-haiku-20241022-v1:0').invoke('Hello', { callbacks: [handler()] });
    const span = onlyModelSpan();
    expect(span.name).toBe('chat us.anthropic.claude-3-5-haiku-20241022-v1:0');
    expect(span.attributes).toMatchObject({
      'gen_ai.system': 'aws.bedrock',
      'gen_ai.route.gateway': 'aws.bedrock',
      'gen_ai.route.upstream': 'anthropic',
      'gen_ai.route.region_scope': 'us',
      'aws.region': 'us-east-1',
      'gen_ai.route.path': ['aws.bedrock', 'anthropic'],
      'gen_ai.request.model': 'us.anthropic.claude-3-5-haiku-20241022-v1:0',
      'gen_ai.response.model': 'anthropic.claude-3-5-haiku-20241022-v1:0',
      'gen_ai.route.request_id': expect.any(String),
      'gen_ai.response.finish_reasons': ['end_turn'],
      'gen_ai.usage.input_tokens': expect.any(Number),
    });
    expect(span.attributes['cloud.region']).toBeUndefined();
    expect(allAttributeText(telemetry.spans())).not.toContain('bedrock-secret');
  });

  it('sends and records an application inference profile ARN, with no invented vendor or region', async () => {
    const profile = 'arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc123def456';
    await bedrock('anthropic.claude-3-5-haiku-20241022-v1:0', { applicationInferenceProfile: profile }).invoke('Hello', {
      callbacks: [handler()],
    });
    const span = onlyModelSpan();
    expect(span.name).toBe(`chat ${profile}`);
    expect(span.attributes).toMatchObject({
      'gen_ai.system': 'aws.bedrock',
      'gen_ai.request.model': profile,
      'aws.region': 'us-east-1',
    });
    expect(span.attributes['cloud.region']).toBeUndefined();
  });

  it('a throttled call ends the span with error.type and keeps the route', async () => {
    const model = bedrock('us.anthropic.claude-3-5-haiku-20241022-v1:0', {
      defaultHeaders: { 'x-sim-scenario': 'rate-limit' },
    });
    await expect(model.invoke('Hello', { callbacks: [handler()] })).rejects.toMatchObject({ name: 'ThrottlingException' });
    expect(onlyModelSpan().attributes).toMatchObject({
      'error.type': 'ThrottlingException',
      'gen_ai.route.gateway': 'aws.bedrock',
      'gen_ai.route.upstream': 'anthropic',
      'aws.region': 'us-east-1',
    });
  });

  it('attributes an in-region foundation model (stream)', async () => {
    for await (const _chunk of await bedrock('meta.llama3-70b-instruct-v1:0').stream('Hello', { callbacks: [handler()] })) {
      // drain
    }
    expect(onlyModelSpan().attributes).toMatchObject({
      'gen_ai.route.gateway': 'aws.bedrock',
      'gen_ai.route.upstream': 'meta',
      'cloud.region': 'us-east-1',
    });
  });
});

describe('ChatOpenRouter', () => {
  it('attributes the gateway from its base URL', async () => {
    const model = new ChatOpenRouter({
      model: 'openai/gpt-4o',
      apiKey: 'or-secret',
      baseURL: sim.baseUrls.openrouter,
    });
    await model.invoke('Hello', { callbacks: [handler()] });
    const span = onlyModelSpan();
    expect(span.attributes).toMatchObject({
      'gen_ai.system': 'openrouter',
      'gen_ai.route.gateway': 'openrouter',
      'gen_ai.request.model': 'openai/gpt-4o',
    });
    expect(span.attributes['gen_ai.response.id']).toMatch(/^gen-/);
  });
});

describe('calls the handler is not attached to', () => {
  it("leave captureRouteFetch's own span alone", async () => {
    handler(); // the model hooks are installed, but this call has no route handler
    const model = new ChatOpenAI({
      model: 'openai/gpt-4o',
      apiKey: 'sk-test',
      maxRetries: 0,
      configuration: {
        baseURL: sim.baseUrls.openrouter,
        fetch: captureRouteFetch(undefined, { tracerProvider: telemetry.tracerProvider }),
        defaultHeaders: { 'x-sim-upstream': 'Together' },
      },
    });
    await model.invoke('Hello');
    expect(onlyModelSpan().attributes['gen_ai.route.upstream']).toBe('together');
  });

  it('makes no trouble when no handler is attached', async () => {
    const model = openAiCompatible(sim.baseUrls.openrouter, 'openai/gpt-4o');
    const result = await model.invoke('Hello');
    expect(typeof result.content).toBe('string');
    expect(trace.getActiveSpan()).toBeUndefined();
  });
});
