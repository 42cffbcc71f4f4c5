import { BedrockRuntimeClient, CountTokensCommand } from '@aws-sdk/client-bedrock-runtime';
import { SpanKind, SpanStatusCode, context, trace, type Tracer, type TracerProvider } from '@opentelemetry/api';
import type { ReadableSpan } from '@servedby/test-otel';
import { contextWithUpstreamsCollector, createUpstreamsCollector } from '@servedby/conventions';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { bedrockRoutePlugin, instrumentBedrock } from './index';
import { type BedrockStub, startBedrockStub } from './test-support/bedrock-stub';
import {
  TEST_CREDENTIALS,
  converse,
  converseStream,
  createTestClient,
  invokeModel,
  invokeModelStream,
  withScenario,
} from './test-support/clients';
import { createTestTelemetry } from './test-support/telemetry';

const telemetry = createTestTelemetry();
let stub: BedrockStub;
let client: BedrockRuntimeClient;
let plainClient: BedrockRuntimeClient;

beforeAll(async () => {
  stub = await startBedrockStub();
  client = instrumentBedrock(createTestClient(stub.url), { tracerProvider: telemetry.tracerProvider, meterProvider: telemetry.meterProvider });
  plainClient = createTestClient(stub.url);
});

afterAll(async () => {
  client.destroy();
  plainClient.destroy();
  await stub.close();
  await telemetry.shutdown();
});

beforeEach(() => telemetry.reset());

function onlySpan(): ReadableSpan {
  const spans = telemetry.spans();
  expect(spans).toHaveLength(1);
  return spans[0]!;
}

async function caught(promise: Promise<unknown>): Promise<any> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail');
}

describe('Converse', () => {
  it('attributes a foundation model call with the full semconv and route set', async () => {
    const output = await client.send(converse('anthropic.claude-3-5-sonnet-20240620-v1:0'));
    expect(output.stopReason).toBe('end_turn');
    const span = onlySpan();
    expect(span.name).toBe('chat anthropic.claude-3-5-sonnet-20240620-v1:0');
    expect(span.kind).toBe(SpanKind.CLIENT);
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
    expect(span.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.system': 'aws.bedrock',
      'gen_ai.provider.name': 'aws.bedrock',
      'gen_ai.request.model': 'anthropic.claude-3-5-sonnet-20240620-v1:0',
      'gen_ai.response.model': 'anthropic.claude-3-5-sonnet-20240620-v1:0',
      'gen_ai.request.max_tokens': 64,
      'gen_ai.request.temperature': 0.2,
      'gen_ai.request.stream': false,
      'gen_ai.response.finish_reasons': ['end_turn'],
      // Converse's inputTokens (12) excludes the 4 cache-read tokens; semconv's count includes them.
      'gen_ai.usage.input_tokens': 16,
      'gen_ai.usage.output_tokens': 5,
      'gen_ai.usage.cache_read.input_tokens': 4,
      'gen_ai.route.gateway': 'aws.bedrock',
      'gen_ai.route.upstream': 'anthropic',
      'gen_ai.route.path': ['aws.bedrock', 'anthropic'],
      'gen_ai.route.request_id': expect.stringMatching(/^stub-/),
      'gen_ai.route.attempts': 1,
      'aws.region': 'us-east-1',
      'cloud.region': 'us-east-1',
      'server.address': '127.0.0.1',
      'server.port': Number(new URL(stub.url).port),
    });
    expect(span.attributes['gen_ai.route.evidence']).toEqual(expect.arrayContaining(['model_id']));
    expect(span.attributes['gen_ai.route.region_scope']).toBeUndefined();
    expect(span.attributes['gen_ai.input.messages']).toBeUndefined();
  });

  it.each([
    ['amazon.nova-lite-v1:0', 'amazon'],
    ['meta.llama3-1-70b-instruct-v1:0', 'meta'],
    ['mistral.mistral-large-2407-v1:0', 'mistral_ai'],
    ['cohere.command-r-plus-v1:0', 'cohere'],
    ['ai21.jamba-1-5-mini-v1:0', 'ai21'],
    ['deepseek.r1-v1:0', 'deepseek'],
    ['openai.gpt-oss-120b-1:0', 'openai'],
  ])('names the vendor of %s as upstream', async (modelId, vendor) => {
    await client.send(converse(modelId));
    const span = onlySpan();
    expect(span.attributes).toMatchObject({
      'gen_ai.route.gateway': 'aws.bedrock',
      'gen_ai.route.upstream': vendor,
      'gen_ai.request.model': modelId,
      'gen_ai.response.model': modelId,
      'cloud.region': 'us-east-1',
    });
  });

  it.each([
    ['us.anthropic.claude-3-5-haiku-20241022-v1:0', 'us', 'anthropic', 'anthropic.claude-3-5-haiku-20241022-v1:0'],
    ['eu.amazon.nova-pro-v1:0', 'eu', 'amazon', 'amazon.nova-pro-v1:0'],
    ['global.anthropic.claude-sonnet-4-5-20250929-v1:0', 'global', 'anthropic', 'anthropic.claude-sonnet-4-5-20250929-v1:0'],
  ])('records the geography of the %s profile, never a serving region', async (modelId, scope, vendor, foundation) => {
    await client.send(converse(modelId));
    const span = onlySpan();
    expect(span.attributes).toMatchObject({
      'gen_ai.request.model': modelId,
      'gen_ai.response.model': foundation,
      'gen_ai.route.upstream': vendor,
      'gen_ai.route.region_scope': scope,
      'aws.region': 'us-east-1',
    });
    expect(span.attributes['cloud.region']).toBeUndefined();
  });

  it('does not guess the vendor behind an application inference profile ARN', async () => {
    const arn = 'arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/a1b2c3d4e5f6';
    await client.send(converse(arn));
    const span = onlySpan();
    expect(span.name).toBe(`chat ${arn}`);
    expect(span.attributes).toMatchObject({ 'gen_ai.request.model': arn, 'gen_ai.route.gateway': 'aws.bedrock', 'aws.region': 'us-east-1' });
    expect(span.attributes['gen_ai.route.upstream']).toBeUndefined();
    expect(span.attributes['gen_ai.response.model']).toBeUndefined();
    expect(span.attributes['cloud.region']).toBeUndefined();
  });

  it('takes the served model of a prompt router from its trace', async () => {
    const router = 'arn:aws:bedrock:us-east-1:123456789012:default-prompt-router/anthropic.claude:1';
    const output = await client.send(converse(router));
    expect(output.trace?.promptRouter?.invokedModelId).toContain('claude-3-5-haiku');
    const span = onlySpan();
    expect(span.attributes).toMatchObject({
      'gen_ai.request.model': router,
      'gen_ai.response.model': 'anthropic.claude-3-5-haiku-20241022-v1:0',
      'gen_ai.route.upstream': 'anthropic',
    });
  });

  it("with providerName 'upstream', names the model vendor as gen_ai.provider.name and keeps the gateway", async () => {
    const upstreamNamed = instrumentBedrock(createTestClient(stub.url), {
      tracerProvider: telemetry.tracerProvider,
      meterProvider: telemetry.meterProvider,
      providerName: 'upstream',
    });
    try {
      await upstreamNamed.send(converse('anthropic.claude-3-5-sonnet-20240620-v1:0'));
      expect(onlySpan().attributes).toMatchObject({
        'gen_ai.provider.name': 'anthropic',
        'gen_ai.system': 'anthropic',
        'gen_ai.route.gateway': 'aws.bedrock',
        'gen_ai.route.upstream': 'anthropic',
      });
    } finally {
      upstreamNamed.destroy();
    }
  });

  it('records prompt and completion text only when asked to', async () => {
    const capturing = instrumentBedrock(createTestClient(stub.url), { tracerProvider: telemetry.tracerProvider, captureContent: true });
    await capturing.send(converse('amazon.nova-lite-v1:0'));
    capturing.destroy();
    const span = onlySpan();
    expect(JSON.parse(String(span.attributes['gen_ai.input.messages']))).toEqual([{ role: 'user', content: [{ text: 'Say hello.' }] }]);
    expect(String(span.attributes['gen_ai.output.messages'])).toContain('Hello from the stub.');
  });
});

describe('InvokeModel', () => {
  it('reads the served model, response id and billed usage of an Anthropic body', async () => {
    const output = await client.send(invokeModel('anthropic.claude-3-5-sonnet-20240620-v1:0'));
    expect(JSON.parse(new TextDecoder().decode(output.body)).model).toBe('claude-3-5-sonnet-20240620');
    const span = onlySpan();
    expect(span.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': 'anthropic.claude-3-5-sonnet-20240620-v1:0',
      'gen_ai.response.model': 'claude-3-5-sonnet-20240620',
      'gen_ai.response.id': expect.stringMatching(/^msg_bdrk_/),
      'gen_ai.response.finish_reasons': ['end_turn'],
      'gen_ai.usage.input_tokens': 13,
      'gen_ai.usage.output_tokens': 35,
      'gen_ai.route.upstream': 'anthropic',
      'gen_ai.route.request_id': expect.stringMatching(/^stub-/),
      'cloud.region': 'us-east-1',
    });
  });

  it('names embedding calls embeddings', async () => {
    await client.send(invokeModel('amazon.titan-embed-text-v2:0', { inputText: 'hi' }));
    const span = onlySpan();
    expect(span.name).toBe('embeddings amazon.titan-embed-text-v2:0');
    expect(span.attributes).toMatchObject({ 'gen_ai.operation.name': 'embeddings', 'gen_ai.usage.input_tokens': 6, 'gen_ai.route.upstream': 'amazon' });
  });

  it('reads OpenAI-shaped bodies (AI21)', async () => {
    await client.send(invokeModel('ai21.jamba-1-5-mini-v1:0', { messages: [{ role: 'user', content: 'hi' }] }));
    const span = onlySpan();
    expect(span.attributes).toMatchObject({
      'gen_ai.route.upstream': 'ai21',
      'gen_ai.response.finish_reasons': ['stop'],
      'gen_ai.usage.input_tokens': 13,
      'gen_ai.usage.output_tokens': 35,
    });
  });
});

describe('streams', () => {
  it('ConverseStream: usage and stop reason from the final events, span ends with the stream', async () => {
    const output = await client.send(converseStream('us.anthropic.claude-3-5-haiku-20241022-v1:0'));
    expect(telemetry.spans()).toHaveLength(0);
    const texts: string[] = [];
    for await (const event of output.stream!) {
      if (event.contentBlockDelta?.delta?.text) texts.push(event.contentBlockDelta.delta.text);
    }
    expect(texts.join('')).toBe('Hello from the stub.');
    const span = onlySpan();
    expect(span.attributes).toMatchObject({
      'gen_ai.request.stream': true,
      'gen_ai.response.finish_reasons': ['end_turn'],
      'gen_ai.usage.input_tokens': 16,
      'gen_ai.usage.output_tokens': 5,
      'gen_ai.route.upstream': 'anthropic',
      'gen_ai.route.region_scope': 'us',
      'gen_ai.response.model': 'anthropic.claude-3-5-haiku-20241022-v1:0',
      'gen_ai.route.request_id': expect.stringMatching(/^stub-/),
    });
    expect(span.attributes['gen_ai.response.time_to_first_chunk']).toEqual(expect.any(Number));
  });

  it('ConverseStream through a prompt router: served model from the metadata trace', async () => {
    const output = await client.send(converseStream('arn:aws:bedrock:us-east-1:123456789012:default-prompt-router/anthropic.claude:1'));
    for await (const _event of output.stream!) {
      // drain
    }
    expect(onlySpan().attributes['gen_ai.response.model']).toBe('anthropic.claude-3-5-haiku-20241022-v1:0');
  });

  it('InvokeModelWithResponseStream: served model from message_start, usage from invocation metrics', async () => {
    const output = await client.send(invokeModelStream('anthropic.claude-3-5-sonnet-20240620-v1:0'));
    let chunks = 0;
    for await (const part of output.body!) {
      if (part.chunk?.bytes) chunks += 1;
    }
    expect(chunks).toBe(6);
    const span = onlySpan();
    expect(span.attributes).toMatchObject({
      'gen_ai.request.stream': true,
      'gen_ai.response.model': 'claude-3-5-sonnet-20240620',
      'gen_ai.response.id': expect.stringMatching(/^msg_bdrk_/),
      'gen_ai.response.finish_reasons': ['end_turn'],
      'gen_ai.usage.input_tokens': 13,
      'gen_ai.usage.output_tokens': 35,
      'gen_ai.route.upstream': 'anthropic',
    });
  });

  it('InvokeModelWithResponseStream for Llama: stop reason and usage from the last chunk', async () => {
    const output = await client.send(invokeModelStream('meta.llama3-1-70b-instruct-v1:0', { prompt: 'hi', max_gen_len: 32 }));
    for await (const _part of output.body!) {
      // drain
    }
    expect(onlySpan().attributes).toMatchObject({
      'gen_ai.route.upstream': 'meta',
      'gen_ai.response.finish_reasons': ['stop'],
      'gen_ai.usage.input_tokens': 13,
      'gen_ai.usage.output_tokens': 35,
    });
  });

  it('ends the span when the caller breaks out of the stream', async () => {
    const output = await client.send(converseStream('amazon.nova-lite-v1:0'));
    for await (const event of output.stream!) {
      if (event.messageStart) break;
    }
    const span = onlySpan();
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
    expect(span.attributes['gen_ai.route.upstream']).toBe('amazon');
  });

  it('ends the span with error.type on a mid-stream exception, keeping the route', async () => {
    const output = await client.send(withScenario(converseStream('anthropic.claude-3-5-sonnet-20240620-v1:0'), 'x-stub-scenario', 'midstream-error'));
    const error = await caught(
      (async () => {
        for await (const _event of output.stream!) {
          // read until it fails
        }
      })(),
    );
    expect(error.name).toBe('ModelStreamErrorException');
    const span = onlySpan();
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(span.attributes).toMatchObject({ 'error.type': 'ModelStreamErrorException', 'gen_ai.route.upstream': 'anthropic' });
  });

  it('ends the span of a stream the caller drops without reading it', async () => {
    setFlagsFromString('--expose-gc');
    const collectGarbage = runInNewContext('gc') as () => void;
    await (async () => {
      const output = await client.send(converseStream('amazon.nova-lite-v1:0'));
      expect(output.stream).toBeDefined();
    })();
    for (let round = 0; round < 50 && telemetry.spans().length === 0; round += 1) {
      collectGarbage();
      await new Promise((resolve) => setImmediate(resolve));
    }
    const span = onlySpan();
    expect(span.attributes['gen_ai.route.upstream']).toBe('amazon');
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
  });

  it('hands the first event to the caller before the stream has ended', async () => {
    const output = await client.send(withScenario(converseStream('amazon.nova-lite-v1:0'), 'x-stub-scenario', 'slow-stream'));
    const iterator = output.stream![Symbol.asyncIterator]();
    const first = await iterator.next();
    expect(first.value?.messageStart?.role).toBe('assistant');
    expect(telemetry.spans()).toHaveLength(0);
    await iterator.return?.();
    expect(telemetry.spans()).toHaveLength(1);
  });
});

describe('failures', () => {
  it.each([
    ['throttle', 'ThrottlingException', 429],
    ['validation', 'ValidationException', 400],
    ['model-not-ready', 'ModelNotReadyException', 429],
    ['access-denied', 'AccessDeniedException', 403],
  ])('%s ends the span with error.type %s and the same error as without servedby', async (scenario, errorName, status) => {
    const modelId = 'us.anthropic.claude-3-5-haiku-20241022-v1:0';
    const withPlugin = await caught(client.send(withScenario(converse(modelId), 'x-stub-scenario', scenario)));
    const withoutPlugin = await caught(plainClient.send(withScenario(converse(modelId), 'x-stub-scenario', scenario)));
    expect(withPlugin.name).toBe(errorName);
    expect(withPlugin.constructor).toBe(withoutPlugin.constructor);
    expect(withPlugin.message).toBe(withoutPlugin.message);
    expect(withPlugin.$metadata.httpStatusCode).toBe(status);
    const span = onlySpan();
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(span.attributes).toMatchObject({
      'error.type': errorName,
      'gen_ai.route.gateway': 'aws.bedrock',
      'gen_ai.route.upstream': 'anthropic',
      'gen_ai.route.region_scope': 'us',
      'gen_ai.route.request_id': expect.stringMatching(/^stub-/),
    });
    expect(span.attributes['gen_ai.response.model']).toBeUndefined();
  });

  it('ends the span with error.type AbortError when the caller aborts before the answer', async () => {
    const controller = new AbortController();
    const requestsBefore = stub.requests.length;
    const pending = client.send(withScenario(converse('amazon.nova-lite-v1:0'), 'x-stub-scenario', 'hang'), { abortSignal: controller.signal });
    while (stub.requests.length === requestsBefore) await new Promise((resolve) => setImmediate(resolve));
    controller.abort();
    const error = await caught(pending);
    expect(error.name).toBe('AbortError');
    const span = onlySpan();
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    // No response arrived: nothing may decide an upstream (DESIGN.md §2.7), the system stays.
    expect(span.attributes).toMatchObject({ 'error.type': 'AbortError', 'gen_ai.system': 'aws.bedrock' });
    expect(span.attributes['gen_ai.route.upstream']).toBeUndefined();
    expect(span.attributes['gen_ai.route.evidence']).toContain('no_response');
  });

  it('carries no upstream for a call whose connection was refused', async () => {
    const refused = instrumentBedrock(
      new BedrockRuntimeClient({ region: 'us-east-1', endpoint: 'http://127.0.0.1:1', credentials: TEST_CREDENTIALS, maxAttempts: 1 }),
      { tracerProvider: telemetry.tracerProvider, meterProvider: telemetry.meterProvider },
    );
    try {
      await caught(refused.send(converse('anthropic.claude-3-5-sonnet-20240620-v1:0')));
      const span = onlySpan();
      expect(span.status.code).toBe(SpanStatusCode.ERROR);
      expect(span.attributes['error.type']).toBeDefined();
      expect(span.attributes['gen_ai.route.upstream']).toBeUndefined();
      expect(span.attributes['gen_ai.route.path']).toBeUndefined();
    } finally {
      refused.destroy();
    }
  });

  it('ends the span when the caller aborts part way through a stream (the SDK ends the stream silently)', async () => {
    const controller = new AbortController();
    const output = await client.send(withScenario(converseStream('amazon.nova-lite-v1:0'), 'x-stub-scenario', 'slow-stream'), {
      abortSignal: controller.signal,
    });
    const read = (async () => {
      for await (const event of output.stream!) {
        if (event.messageStart) controller.abort();
      }
    })();
    const outcome = await read.then(
      () => 'ended',
      (error) => error.name,
    );
    // The SDK gives the caller a short, quiet stream rather than an error; servedby sees the same.
    expect(outcome).toBe('ended');
    const span = onlySpan();
    expect(span.attributes['gen_ai.route.upstream']).toBe('amazon');
    expect(span.attributes['gen_ai.response.finish_reasons']).toBeUndefined();
  });

  it('counts SDK retries as attempts', async () => {
    const retrying = instrumentBedrock(createTestClient(stub.url, { maxAttempts: 3 }), { tracerProvider: telemetry.tracerProvider });
    const output = await retrying.send(withScenario(converse('meta.llama3-1-70b-instruct-v1:0'), 'x-stub-scenario', 'throttle-once'));
    retrying.destroy();
    expect(output.$metadata.attempts).toBe(2);
    const span = onlySpan();
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
    expect(span.attributes).toMatchObject({ 'gen_ai.route.attempts': 2, 'gen_ai.route.upstream': 'meta' });
    expect(span.attributes['error.type']).toBeUndefined();
  });

  it('passes other commands through without a span', async () => {
    const error = await caught(
      client.send(new CountTokensCommand({ modelId: 'anthropic.claude-3-5-sonnet-20240620-v1:0', input: { converse: { messages: [] } } })),
    );
    expect(error).toBeDefined();
    expect(telemetry.spans()).toHaveLength(0);
  });

  it('never breaks the call when its own telemetry throws', async () => {
    const throwingTracer = {
      startSpan() {
        throw new Error('tracer exploded');
      },
      startActiveSpan() {
        throw new Error('tracer exploded');
      },
    } as unknown as Tracer;
    const throwingProvider: TracerProvider = { getTracer: () => throwingTracer };
    const fragile = instrumentBedrock(createTestClient(stub.url), { tracerProvider: throwingProvider });
    const output = await fragile.send(converse('amazon.nova-lite-v1:0'));
    const stream = await fragile.send(converseStream('amazon.nova-lite-v1:0'));
    let events = 0;
    for await (const _event of stream.stream!) events += 1;
    fragile.destroy();
    expect(output.stopReason).toBe('end_turn');
    expect(events).toBe(6);
  });

  it('returns the same result as the uninstrumented client', async () => {
    const withPlugin = await client.send(converse('amazon.nova-lite-v1:0'));
    const withoutPlugin = await plainClient.send(converse('amazon.nova-lite-v1:0'));
    const { $metadata: metadataWith, ...restWith } = withPlugin;
    const { $metadata: metadataWithout, ...restWithout } = withoutPlugin;
    expect(restWith).toEqual(restWithout);
    expect(Object.keys(metadataWith)).toEqual(Object.keys(metadataWithout));
  });

  it('records no credentials, signatures or auth headers', async () => {
    await client.send(converse('amazon.nova-lite-v1:0'));
    const serialized = JSON.stringify(onlySpan().attributes);
    expect(serialized).not.toContain(TEST_CREDENTIALS.accessKeyId);
    expect(serialized).not.toContain(TEST_CREDENTIALS.secretAccessKey);
    expect(serialized.toLowerCase()).not.toContain('authorization');
    expect(serialized).not.toContain('Signature=');
  });
});

describe('context', () => {
  it('nests under the active span and reports the upstream to agent collectors', async () => {
    const tracer = telemetry.tracerProvider.getTracer('test');
    const collector = createUpstreamsCollector();
    await tracer.startActiveSpan('agent', async (agentSpan) => {
      await context.with(contextWithUpstreamsCollector(context.active(), collector), async () => {
        await client.send(converse('meta.llama3-1-70b-instruct-v1:0'));
        await client.send(converse('mistral.mistral-large-2407-v1:0'));
      });
      agentSpan.end();
    });
    const spans = telemetry.spans();
    const agent = spans.find((span) => span.name === 'agent')!;
    const calls = spans.filter((span) => span.name.startsWith('chat '));
    expect(calls).toHaveLength(2);
    for (const call of calls) expect(call.parentSpanContext?.spanId).toBe(agent.spanContext().spanId);
    expect(collector.values().sort()).toEqual(['meta', 'mistral_ai']);
  });

  it('keeps 100 concurrent calls apart: each span carries its own upstream', async () => {
    const models: Array<[string, string]> = [
      ['anthropic.claude-3-5-sonnet-20240620-v1:0', 'anthropic'],
      ['amazon.nova-lite-v1:0', 'amazon'],
      ['meta.llama3-1-70b-instruct-v1:0', 'meta'],
      ['mistral.mistral-large-2407-v1:0', 'mistral_ai'],
      ['cohere.command-r-plus-v1:0', 'cohere'],
      ['ai21.jamba-1-5-mini-v1:0', 'ai21'],
      ['deepseek.r1-v1:0', 'deepseek'],
      ['openai.gpt-oss-120b-1:0', 'openai'],
      ['qwen.qwen3-32b-v1:0', 'alibaba'],
      ['eu.amazon.nova-pro-v1:0', 'amazon'],
    ];
    const calls = Array.from({ length: 100 }, (_, index) => models[index % models.length]!);
    const tracer = telemetry.tracerProvider.getTracer('test');
    await Promise.all(
      calls.map(([modelId], index) =>
        tracer.startActiveSpan(`caller-${index}`, async (parent) => {
          const command = index % 2 === 0 ? converse(modelId) : invokeModelStream(modelId);
          const output: any = await client.send(command as any);
          if (output.body?.[Symbol.asyncIterator]) for await (const _part of output.body) void _part;
          parent.end();
        }),
      ),
    );
    const spans = telemetry.spans();
    const parents = new Map(spans.filter((span) => span.name.startsWith('caller-')).map((span) => [span.spanContext().spanId, span.name]));
    const modelSpans = spans.filter((span) => span.attributes['gen_ai.request.model'] !== undefined);
    expect(modelSpans).toHaveLength(100);
    for (const span of modelSpans) {
      const index = Number(parents.get(span.parentSpanContext!.spanId)!.slice('caller-'.length));
      const [modelId, vendor] = calls[index]!;
      expect(span.attributes['gen_ai.request.model']).toBe(modelId);
      expect(span.attributes['gen_ai.route.upstream']).toBe(vendor);
    }
    const requestIds = new Set(modelSpans.map((span) => span.attributes['gen_ai.route.request_id']));
    expect(requestIds.size).toBe(100);
  });
});

describe('cached middleware', () => {
  it('keeps concurrent calls apart when the SDK reuses one handler (cacheMiddleware: true)', async () => {
    const cached = instrumentBedrock(createTestClient(stub.url, { cacheMiddleware: true }), { tracerProvider: telemetry.tracerProvider });
    const models: Array<[string, string]> = [
      ['anthropic.claude-3-5-sonnet-20240620-v1:0', 'anthropic'],
      ['meta.llama3-1-70b-instruct-v1:0', 'meta'],
      ['mistral.mistral-large-2407-v1:0', 'mistral_ai'],
      ['amazon.nova-lite-v1:0', 'amazon'],
    ];
    const outputs = await Promise.all(Array.from({ length: 40 }, (_, index) => cached.send(converse(models[index % 4]![0]))));
    cached.destroy();
    const spans = telemetry.spans();
    expect(spans).toHaveLength(40);
    const byRequestId = new Map(spans.map((span) => [span.attributes['gen_ai.route.request_id'], span]));
    expect(byRequestId.size).toBe(40);
    outputs.forEach((output, index) => {
      const span = byRequestId.get(output.$metadata.requestId)!;
      expect(span.attributes['gen_ai.request.model']).toBe(models[index % 4]![0]);
      expect(span.attributes['gen_ai.route.upstream']).toBe(models[index % 4]![1]);
    });
  });
});

describe('bedrockRoutePlugin', () => {
  it('works on a client it did not build, reading the region from the call', async () => {
    const foreign = new BedrockRuntimeClient({ region: 'eu-central-1', endpoint: stub.url, credentials: TEST_CREDENTIALS });
    foreign.middlewareStack.use(bedrockRoutePlugin({ tracerProvider: telemetry.tracerProvider, semconv: 'latest' }));
    foreign.middlewareStack.use(bedrockRoutePlugin({ tracerProvider: telemetry.tracerProvider }));
    await foreign.send(converse('anthropic.claude-3-5-sonnet-20240620-v1:0'));
    foreign.destroy();
    const span = onlySpan();
    expect(span.attributes).toMatchObject({
      'gen_ai.provider.name': 'aws.bedrock',
      'aws.region': 'eu-central-1',
      'cloud.region': 'eu-central-1',
      'gen_ai.route.upstream': 'anthropic',
    });
    expect(span.attributes['gen_ai.system']).toBeUndefined();
  });

  it('is harmless to apply twice', async () => {
    const twice = instrumentBedrock(instrumentBedrock(createTestClient(stub.url), { tracerProvider: telemetry.tracerProvider }));
    await twice.send(converse('amazon.nova-lite-v1:0'));
    twice.destroy();
    expect(telemetry.spans()).toHaveLength(1);
  });
});

describe('metrics', () => {
  it('records duration and token usage with route dimensions', async () => {
    await client.send(converse('cohere.command-r-plus-v1:0'));
    const resourceMetrics = await telemetry.metrics();
    const metrics = resourceMetrics.flatMap((resource) => resource.scopeMetrics.flatMap((scope) => scope.metrics));
    const duration = metrics.find((metric) => metric.descriptor.name === 'gen_ai.client.operation.duration');
    const usage = metrics.find((metric) => metric.descriptor.name === 'gen_ai.client.token.usage');
    expect(duration).toBeDefined();
    expect(usage).toBeDefined();
    const cohere = duration!.dataPoints.find((point) => point.attributes['gen_ai.route.upstream'] === 'cohere');
    expect(cohere?.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.route.gateway': 'aws.bedrock',
      'gen_ai.request.model': 'cohere.command-r-plus-v1:0',
    });
  });
});

void trace;
