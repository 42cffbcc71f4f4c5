// Must stay the first import: it installs the aws-sdk instrumentation before the SDK loads.
import { awsSdkInstrumentation, sdk, telemetry } from './test-support/aws-sdk-instrumentation';
import { SpanStatusCode } from '@opentelemetry/api';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { instrumentBedrock } from './index';
import { type BedrockStub, startBedrockStub } from './test-support/bedrock-stub';
import { TEST_CREDENTIALS } from './test-support/clients';

let stub: BedrockStub;
let client: InstanceType<typeof sdk.BedrockRuntimeClient>;

beforeAll(async () => {
  stub = await startBedrockStub();
  client = instrumentBedrock(
    new sdk.BedrockRuntimeClient({ region: 'us-east-1', endpoint: stub.url, credentials: TEST_CREDENTIALS, maxAttempts: 1 }),
    { tracerProvider: telemetry.tracerProvider, meterProvider: telemetry.meterProvider },
  );
});

afterAll(async () => {
  client.destroy();
  awsSdkInstrumentation.disable();
  await stub.close();
  await telemetry.shutdown();
});

beforeEach(() => telemetry.reset());

const messages = [{ role: 'user' as const, content: [{ text: 'Say hello.' }] }];

describe('with @opentelemetry/instrumentation-aws-sdk registered', () => {
  it('enriches the span the aws-sdk instrumentation made instead of adding a second one', async () => {
    await client.send(new sdk.ConverseCommand({ modelId: 'anthropic.claude-3-5-sonnet-20240620-v1:0', messages }));
    const spans = telemetry.spans();
    expect(spans).toHaveLength(1);
    const span = spans[0]!;
    expect(span.instrumentationScope.name).toBe('@opentelemetry/instrumentation-aws-sdk');
    expect(span.name).toBe('chat anthropic.claude-3-5-sonnet-20240620-v1:0');
    expect(span.attributes).toMatchObject({
      // the aws-sdk instrumentation's own attributes stay
      'rpc.system': 'aws-api',
      'rpc.method': 'Converse',
      // servedby's, including the cache-inclusive input count the instrumentation would overwrite
      'gen_ai.operation.name': 'chat',
      'gen_ai.system': 'aws.bedrock',
      'gen_ai.provider.name': 'aws.bedrock',
      'gen_ai.request.model': 'anthropic.claude-3-5-sonnet-20240620-v1:0',
      'gen_ai.response.model': 'anthropic.claude-3-5-sonnet-20240620-v1:0',
      'gen_ai.usage.input_tokens': 16,
      'gen_ai.usage.output_tokens': 5,
      'gen_ai.route.gateway': 'aws.bedrock',
      'gen_ai.route.upstream': 'anthropic',
      'gen_ai.route.request_id': expect.stringMatching(/^stub-/),
      'aws.region': 'us-east-1',
      'cloud.region': 'us-east-1',
    });
    // The ended span keeps no patch of servedby's (an exporter may hold it a while).
    expect(Object.prototype.hasOwnProperty.call(span, 'end')).toBe(false);
  });

  it('renames the InvokeModel span to the semconv name', async () => {
    await client.send(
      new sdk.InvokeModelCommand({
        modelId: 'eu.anthropic.claude-3-5-sonnet-20240620-v1:0',
        contentType: 'application/json',
        body: JSON.stringify({ anthropic_version: 'bedrock-2023-05-31', max_tokens: 32, messages: [{ role: 'user', content: 'hi' }] }),
      }),
    );
    const spans = telemetry.spans();
    expect(spans).toHaveLength(1);
    expect(spans[0]!.name).toBe('chat eu.anthropic.claude-3-5-sonnet-20240620-v1:0');
    expect(spans[0]!.attributes).toMatchObject({
      'gen_ai.response.model': 'claude-3-5-sonnet-20240620',
      'gen_ai.route.upstream': 'anthropic',
      'gen_ai.route.region_scope': 'eu',
    });
  });

  it('enriches the stream span, which still ends when the stream does', async () => {
    const output = await client.send(new sdk.ConverseStreamCommand({ modelId: 'us.amazon.nova-lite-v1:0', messages }));
    expect(telemetry.spans()).toHaveLength(0);
    for await (const _event of output.stream!) {
      // drain
    }
    const spans = telemetry.spans();
    expect(spans).toHaveLength(1);
    expect(spans[0]!.attributes).toMatchObject({
      'rpc.method': 'ConverseStream',
      'gen_ai.route.upstream': 'amazon',
      'gen_ai.route.region_scope': 'us',
      'gen_ai.response.finish_reasons': ['end_turn'],
      'gen_ai.usage.input_tokens': 16,
    });
  });

  it('enriches the InvokeModelWithResponseStream span at the end of the stream', async () => {
    const output = await client.send(
      new sdk.InvokeModelWithResponseStreamCommand({
        modelId: 'anthropic.claude-3-5-sonnet-20240620-v1:0',
        contentType: 'application/json',
        body: JSON.stringify({ anthropic_version: 'bedrock-2023-05-31', max_tokens: 32, messages: [{ role: 'user', content: 'hi' }] }),
      }),
    );
    for await (const _part of output.body!) {
      // drain
    }
    const spans = telemetry.spans();
    expect(spans).toHaveLength(1);
    expect(spans[0]!.name).toBe('chat anthropic.claude-3-5-sonnet-20240620-v1:0');
    expect(spans[0]!.attributes).toMatchObject({
      'rpc.method': 'InvokeModelWithResponseStream',
      'gen_ai.response.model': 'claude-3-5-sonnet-20240620',
      'gen_ai.usage.input_tokens': 13,
      'gen_ai.usage.output_tokens': 35,
      'gen_ai.route.upstream': 'anthropic',
    });
  });

  it('keeps the route and sets error.type on the failed call', async () => {
    const command = new sdk.ConverseCommand({ modelId: 'meta.llama3-1-70b-instruct-v1:0', messages });
    command.middlewareStack.add(
      (next) => async (args) => {
        (args.request as { headers: Record<string, string> }).headers['x-stub-scenario'] = 'access-denied';
        return next(args);
      },
      { step: 'build' },
    );
    await expect(client.send(command)).rejects.toMatchObject({ name: 'AccessDeniedException' });
    const spans = telemetry.spans();
    expect(spans).toHaveLength(1);
    expect(spans[0]!.status.code).toBe(SpanStatusCode.ERROR);
    expect(spans[0]!.attributes).toMatchObject({ 'error.type': 'AccessDeniedException', 'gen_ai.route.upstream': 'meta' });
  });
});
