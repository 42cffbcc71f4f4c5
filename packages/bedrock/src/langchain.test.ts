import { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { ChatBedrockConverse } from '@langchain/aws';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { bedrockRoutePlugin, instrumentBedrock } from './index';
import { type BedrockStub, startBedrockStub } from './test-support/bedrock-stub';
import { TEST_CREDENTIALS } from './test-support/clients';
import { createTestTelemetry } from './test-support/telemetry';

const telemetry = createTestTelemetry();
let stub: BedrockStub;

beforeAll(async () => {
  stub = await startBedrockStub();
});

afterAll(async () => {
  await stub.close();
  await telemetry.shutdown();
});

beforeEach(() => telemetry.reset());

function createModel(model: string, applicationInferenceProfile?: string) {
  const client = instrumentBedrock(
    new BedrockRuntimeClient({ region: 'eu-west-1', endpoint: stub.url, credentials: TEST_CREDENTIALS }),
    { tracerProvider: telemetry.tracerProvider, meterProvider: telemetry.meterProvider },
  );
  return new ChatBedrockConverse({ model, region: 'eu-west-1', client, applicationInferenceProfile, maxTokens: 64 });
}

describe('ChatBedrockConverse from @langchain/aws', () => {
  it('attributes invoke()', async () => {
    const model = createModel('eu.anthropic.claude-3-5-haiku-20241022-v1:0');
    const message = await model.invoke('Say hello.');
    expect(message.content).toBe('Hello from the stub.');
    const spans = telemetry.spans();
    expect(spans).toHaveLength(1);
    expect(spans[0]!.name).toBe('chat eu.anthropic.claude-3-5-haiku-20241022-v1:0');
    expect(spans[0]!.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.system': 'aws.bedrock',
      'gen_ai.provider.name': 'aws.bedrock',
      'gen_ai.request.model': 'eu.anthropic.claude-3-5-haiku-20241022-v1:0',
      'gen_ai.response.model': 'anthropic.claude-3-5-haiku-20241022-v1:0',
      'gen_ai.request.max_tokens': 64,
      'gen_ai.response.finish_reasons': ['end_turn'],
      'gen_ai.usage.input_tokens': 16,
      'gen_ai.usage.output_tokens': 5,
      'gen_ai.route.gateway': 'aws.bedrock',
      'gen_ai.route.upstream': 'anthropic',
      'gen_ai.route.region_scope': 'eu',
      'gen_ai.route.request_id': expect.stringMatching(/^stub-/),
      'aws.region': 'eu-west-1',
    });
    expect(spans[0]!.attributes['cloud.region']).toBeUndefined();
  });

  it('attributes stream()', async () => {
    const model = createModel('mistral.mistral-large-2407-v1:0');
    const texts: string[] = [];
    for await (const chunk of await model.stream('Say hello.')) texts.push(String(chunk.content));
    expect(texts.join('')).toBe('Hello from the stub.');
    const spans = telemetry.spans();
    expect(spans).toHaveLength(1);
    expect(spans[0]!.attributes).toMatchObject({
      'gen_ai.request.stream': true,
      'gen_ai.route.upstream': 'mistral_ai',
      'gen_ai.response.model': 'mistral.mistral-large-2407-v1:0',
      'gen_ai.usage.output_tokens': 5,
      'cloud.region': 'eu-west-1',
    });
  });

  it('instruments model.client after the fact with bedrockRoutePlugin', async () => {
    const model = new ChatBedrockConverse({
      model: 'meta.llama3-1-70b-instruct-v1:0',
      region: 'eu-west-1',
      client: new BedrockRuntimeClient({ region: 'eu-west-1', endpoint: stub.url, credentials: TEST_CREDENTIALS }),
    });
    model.client.middlewareStack.use(bedrockRoutePlugin({ tracerProvider: telemetry.tracerProvider }));
    await model.invoke('Say hello.');
    const spans = telemetry.spans();
    expect(spans).toHaveLength(1);
    expect(spans[0]!.attributes).toMatchObject({ 'gen_ai.route.upstream': 'meta', 'aws.region': 'eu-west-1', 'cloud.region': 'eu-west-1' });
  });

  it('sends the application inference profile ARN and does not guess its vendor', async () => {
    const arn = 'arn:aws:bedrock:eu-west-1:123456789012:application-inference-profile/abc123';
    const model = createModel('anthropic.claude-3-5-haiku-20241022-v1:0', arn);
    await model.invoke('Say hello.');
    const span = telemetry.spans()[0]!;
    expect(span.attributes['gen_ai.request.model']).toBe(arn);
    expect(span.attributes['gen_ai.route.upstream']).toBeUndefined();
    expect(span.attributes['gen_ai.response.model']).toBeUndefined();
  });
});
