import { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { ChatBedrockConverse } from '@langchain/aws';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { ReadableSpan } from '@servedby/test-otel';
import { type GatewaySim, startGatewaySim } from '@servedby/gateway-sim';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { instrumentBedrock } from './index';
import {
  TEST_CREDENTIALS,
  converse,
  converseStream,
  invokeModel,
  invokeModelStream,
  withScenario,
} from './test-support/clients';
import { createTestTelemetry } from './test-support/telemetry';

// The shared gateway simulator's Bedrock Runtime target (`/bedrock`, HTTP/2 by default).
const telemetry = createTestTelemetry();
let sim: GatewaySim;
let client: BedrockRuntimeClient;

beforeAll(async () => {
  sim = await startGatewaySim({ port: 0, seed: 7 });
  client = instrumentBedrock(
    new BedrockRuntimeClient({ region: 'us-west-2', endpoint: sim.baseUrls.bedrock, credentials: TEST_CREDENTIALS, maxAttempts: 1 }),
    { tracerProvider: telemetry.tracerProvider, meterProvider: telemetry.meterProvider },
  );
});

afterAll(async () => {
  client.destroy();
  await sim.close();
  await telemetry.shutdown();
});

beforeEach(() => telemetry.reset());

function onlySpan(): ReadableSpan {
  const spans = telemetry.spans();
  expect(spans).toHaveLength(1);
  return spans[0]!;
}

async function drain(iterable: AsyncIterable<unknown> | undefined): Promise<number> {
  let count = 0;
  for await (const _item of iterable!) count += 1;
  return count;
}

const port = () => Number(new URL(sim.baseUrls.bedrock).port);

describe('gateway-sim Bedrock Runtime', () => {
  it('Converse on a foundation model: the full attribute set', async () => {
    const output = await client.send(converse('anthropic.claude-3-5-sonnet-20240620-v1:0'));
    const span = onlySpan();
    expect(span.kind).toBe(SpanKind.CLIENT);
    expect(span.name).toBe('chat anthropic.claude-3-5-sonnet-20240620-v1:0');
    expect(span.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.system': 'aws.bedrock',
      'gen_ai.provider.name': 'aws.bedrock',
      'gen_ai.request.model': 'anthropic.claude-3-5-sonnet-20240620-v1:0',
      'gen_ai.response.model': 'anthropic.claude-3-5-sonnet-20240620-v1:0',
      'gen_ai.request.stream': false,
      'gen_ai.request.max_tokens': 64,
      'gen_ai.request.temperature': 0.2,
      'gen_ai.response.finish_reasons': ['end_turn'],
      'gen_ai.usage.input_tokens': output.usage!.inputTokens,
      'gen_ai.usage.output_tokens': output.usage!.outputTokens,
      'gen_ai.route.gateway': 'aws.bedrock',
      'gen_ai.route.upstream': 'anthropic',
      'gen_ai.route.path': ['aws.bedrock', 'anthropic'],
      'gen_ai.route.request_id': output.$metadata.requestId,
      'gen_ai.route.attempts': 1,
      'aws.region': 'us-west-2',
      'cloud.region': 'us-west-2',
      'server.address': '127.0.0.1',
      'server.port': port(),
    });
  });

  it.each([
    ['amazon.nova-pro-v1:0', 'amazon'],
    ['meta.llama3-1-70b-instruct-v1:0', 'meta'],
    ['mistral.mistral-large-2407-v1:0', 'mistral_ai'],
    ['cohere.command-r-plus-v1:0', 'cohere'],
    ['ai21.jamba-1-5-large-v1:0', 'ai21'],
    ['deepseek.r1-v1:0', 'deepseek'],
    ['openai.gpt-oss-120b-1:0', 'openai'],
  ])('Converse %s → upstream %s', async (modelId, vendor) => {
    await client.send(converse(modelId));
    expect(onlySpan().attributes).toMatchObject({
      'gen_ai.route.upstream': vendor,
      'gen_ai.response.model': modelId,
      'cloud.region': 'us-west-2',
    });
  });

  it.each([
    ['us.anthropic.claude-3-5-haiku-20241022-v1:0', 'us', 'anthropic'],
    ['eu.amazon.nova-lite-v1:0', 'eu', 'amazon'],
    ['global.anthropic.claude-sonnet-4-5-20250929-v1:0', 'global', 'anthropic'],
  ])('ConverseStream on the %s profile: geography, no serving region', async (modelId, scope, vendor) => {
    const output = await client.send(converseStream(modelId));
    expect(await drain(output.stream)).toBeGreaterThan(3);
    const span = onlySpan();
    expect(span.attributes).toMatchObject({
      'gen_ai.request.stream': true,
      'gen_ai.route.upstream': vendor,
      'gen_ai.route.region_scope': scope,
      'gen_ai.response.model': modelId.slice(modelId.indexOf('.') + 1),
      'gen_ai.response.finish_reasons': ['end_turn'],
      'gen_ai.usage.input_tokens': expect.any(Number),
      'gen_ai.usage.output_tokens': expect.any(Number),
      'aws.region': 'us-west-2',
    });
    expect(span.attributes['cloud.region']).toBeUndefined();
  });

  it('application inference profile ARN: vendor unknown, never guessed', async () => {
    const arn = 'arn:aws:bedrock:us-west-2:123456789012:application-inference-profile/x1y2z3';
    await client.send(converse(arn));
    const span = onlySpan();
    expect(span.attributes).toMatchObject({ 'gen_ai.request.model': arn, 'gen_ai.route.gateway': 'aws.bedrock' });
    expect(span.attributes['gen_ai.route.upstream']).toBeUndefined();
    expect(span.attributes['gen_ai.response.model']).toBeUndefined();
  });

  it('default prompt router: served model from trace.promptRouter.invokedModelId, JSON and stream', async () => {
    const router = 'arn:aws:bedrock:us-west-2:123456789012:default-prompt-router/meta.llama:1';
    const output = await client.send(converse(router));
    expect(output.trace?.promptRouter?.invokedModelId).toContain('meta.llama3-1-8b-instruct-v1:0');
    expect(onlySpan().attributes).toMatchObject({
      'gen_ai.request.model': router,
      'gen_ai.response.model': 'meta.llama3-1-8b-instruct-v1:0',
      'gen_ai.route.upstream': 'meta',
    });
    telemetry.reset();
    const stream = await client.send(converseStream(router));
    await drain(stream.stream);
    expect(onlySpan().attributes).toMatchObject({ 'gen_ai.response.model': 'meta.llama3-1-8b-instruct-v1:0', 'gen_ai.route.upstream': 'meta' });
  });

  it('InvokeModel (Anthropic body): body model, msg_bdrk_ id, header usage', async () => {
    const output = await client.send(invokeModel('us.anthropic.claude-3-5-sonnet-20240620-v1:0'));
    const body = JSON.parse(new TextDecoder().decode(output.body));
    expect(onlySpan().attributes).toMatchObject({
      'gen_ai.response.model': body.model,
      'gen_ai.response.id': body.id,
      'gen_ai.usage.input_tokens': body.usage.input_tokens,
      'gen_ai.usage.output_tokens': body.usage.output_tokens,
      'gen_ai.route.upstream': 'anthropic',
      'gen_ai.route.region_scope': 'us',
    });
  });

  it.each([
    ['meta.llama3-1-70b-instruct-v1:0', { prompt: 'Say hello.', max_gen_len: 64 }, 'meta'],
    ['mistral.mistral-large-2407-v1:0', { prompt: '<s>[INST] Say hello. [/INST]', max_tokens: 64 }, 'mistral_ai'],
    ['amazon.titan-text-express-v1', { inputText: 'Say hello.' }, 'amazon'],
    ['ai21.jamba-1-5-large-v1:0', { messages: [{ role: 'user', content: 'Say hello.' }] }, 'ai21'],
  ])('InvokeModel and InvokeModelWithResponseStream on %s', async (modelId, body, vendor) => {
    await client.send(invokeModel(modelId, body));
    const json = onlySpan();
    expect(json.attributes).toMatchObject({ 'gen_ai.route.upstream': vendor, 'gen_ai.usage.input_tokens': expect.any(Number) });
    expect(json.attributes['gen_ai.response.finish_reasons']).toHaveLength(1);
    telemetry.reset();
    const output = await client.send(invokeModelStream(modelId, body));
    await drain(output.body);
    const stream = onlySpan();
    expect(stream.attributes).toMatchObject({
      'gen_ai.request.stream': true,
      'gen_ai.route.upstream': vendor,
      'gen_ai.usage.input_tokens': expect.any(Number),
      'gen_ai.usage.output_tokens': expect.any(Number),
    });
    expect(stream.attributes['gen_ai.response.finish_reasons']).toHaveLength(1);
  });

  it('InvokeModelWithResponseStream (Anthropic): served model from message_start', async () => {
    const output = await client.send(invokeModelStream('anthropic.claude-3-5-sonnet-20240620-v1:0'));
    await drain(output.body);
    expect(onlySpan().attributes).toMatchObject({
      'gen_ai.response.model': 'claude-3-5-sonnet-20240620',
      'gen_ai.response.id': expect.stringMatching(/^msg_bdrk_/),
      'gen_ai.response.finish_reasons': ['end_turn'],
    });
  });

  it.each([
    ['rate-limit', 'ThrottlingException'],
    ['unavailable', 'ServiceUnavailableException'],
    ['server-error', 'InternalServerException'],
  ])('%s: error.type %s, route kept, attempts counted', async (scenario, errorName) => {
    const retrying = instrumentBedrock(
      new BedrockRuntimeClient({ region: 'us-west-2', endpoint: sim.baseUrls.bedrock, credentials: TEST_CREDENTIALS, maxAttempts: 2 }),
      { tracerProvider: telemetry.tracerProvider },
    );
    const error: any = await retrying.send(withScenario(converse('us.amazon.nova-pro-v1:0'), 'x-sim-scenario', scenario)).catch((caught) => caught);
    retrying.destroy();
    expect(error.name).toBe(errorName);
    const span = onlySpan();
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(span.attributes).toMatchObject({
      'error.type': errorName,
      'gen_ai.route.upstream': 'amazon',
      'gen_ai.route.region_scope': 'us',
      'gen_ai.route.attempts': 2,
      'gen_ai.route.request_id': error.$metadata.requestId,
    });
  });

  it('unknown model: ValidationException', async () => {
    const error: any = await client.send(converse('not a model')).catch((caught) => caught);
    expect(error.name).toBe('ValidationException');
    expect(onlySpan().attributes).toMatchObject({ 'error.type': 'ValidationException' });
  });

  it('mid-stream error: error.type from the exception event, route kept', async () => {
    const output = await client.send(withScenario(converseStream('meta.llama3-1-70b-instruct-v1:0'), 'x-sim-scenario', 'midstream-error'));
    const error: any = await drain(output.stream).catch((caught) => caught);
    expect(error.name).toBe('ModelStreamErrorException');
    expect(onlySpan().attributes).toMatchObject({ 'error.type': 'ModelStreamErrorException', 'gen_ai.route.upstream': 'meta' });
  });

  it('mid-stream error on InvokeModelWithResponseStream', async () => {
    const output = await client.send(
      withScenario(invokeModelStream('anthropic.claude-3-5-sonnet-20240620-v1:0'), 'x-sim-scenario', 'midstream-error'),
    );
    const error: any = await drain(output.body).catch((caught) => caught);
    expect(error.name).toBe('ModelStreamErrorException');
    expect(onlySpan().attributes).toMatchObject({ 'error.type': 'ModelStreamErrorException', 'gen_ai.route.upstream': 'anthropic' });
  });

  it("semconv 'legacy' emits gen_ai.system only", async () => {
    const legacy = instrumentBedrock(
      new BedrockRuntimeClient({ region: 'us-west-2', endpoint: sim.baseUrls.bedrock, credentials: TEST_CREDENTIALS }),
      { tracerProvider: telemetry.tracerProvider, semconv: 'legacy' },
    );
    await legacy.send(converse('cohere.command-r-plus-v1:0'));
    legacy.destroy();
    const span = onlySpan();
    expect(span.attributes).toMatchObject({ 'gen_ai.system': 'aws.bedrock', 'gen_ai.route.upstream': 'cohere' });
    expect(span.attributes['gen_ai.provider.name']).toBeUndefined();
  });

  it('100 concurrent calls, each with its own upstream', async () => {
    const models: Array<[string, string]> = [
      ['anthropic.claude-3-5-sonnet-20240620-v1:0', 'anthropic'],
      ['amazon.nova-pro-v1:0', 'amazon'],
      ['meta.llama3-1-70b-instruct-v1:0', 'meta'],
      ['mistral.mistral-large-2407-v1:0', 'mistral_ai'],
      ['cohere.command-r-plus-v1:0', 'cohere'],
    ];
    const tracer = telemetry.tracerProvider.getTracer('test');
    await Promise.all(
      Array.from({ length: 100 }, (_, index) =>
        tracer.startActiveSpan(`caller-${index}`, async (parent) => {
          const [modelId] = models[index % models.length]!;
          if (index % 2) await drain((await client.send(converseStream(modelId))).stream);
          else await client.send(converse(modelId));
          parent.end();
        }),
      ),
    );
    const spans = telemetry.spans();
    const callerIndex = new Map(spans.filter((span) => span.name.startsWith('caller-')).map((span) => [span.spanContext().spanId, Number(span.name.slice(7))]));
    const modelSpans = spans.filter((span) => span.name.startsWith('chat '));
    expect(modelSpans).toHaveLength(100);
    for (const span of modelSpans) {
      const [modelId, vendor] = models[callerIndex.get(span.parentSpanContext!.spanId)! % models.length]!;
      expect(span.attributes['gen_ai.request.model']).toBe(modelId);
      expect(span.attributes['gen_ai.route.upstream']).toBe(vendor);
    }
  });

  it('ChatBedrockConverse (@langchain/aws) through the simulator, invoke and stream', async () => {
    const model = new ChatBedrockConverse({ model: 'eu.anthropic.claude-3-5-haiku-20241022-v1:0', region: 'eu-west-1', client, maxTokens: 64 });
    const message = await model.invoke('Say hello.');
    expect(String(message.content).length).toBeGreaterThan(0);
    expect(onlySpan().attributes).toMatchObject({
      'gen_ai.request.model': 'eu.anthropic.claude-3-5-haiku-20241022-v1:0',
      'gen_ai.route.upstream': 'anthropic',
      'gen_ai.route.region_scope': 'eu',
      'gen_ai.response.model': 'anthropic.claude-3-5-haiku-20241022-v1:0',
      'gen_ai.request.max_tokens': 64,
    });
    telemetry.reset();
    let chunks = 0;
    for await (const _chunk of await model.stream('Say hello.')) chunks += 1;
    expect(chunks).toBeGreaterThan(1);
    expect(onlySpan().attributes).toMatchObject({ 'gen_ai.request.stream': true, 'gen_ai.route.upstream': 'anthropic' });
  });
});
