import { ChatAnthropic } from '@langchain/anthropic';
import { ChatBedrockConverse } from '@langchain/aws';
import { AzureChatOpenAI, ChatOpenAI } from '@langchain/openai';
import { ChatOpenRouter } from '@langchain/openrouter';
import { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { startGatewaySim, type GatewaySim } from '@servedby/gateway-sim';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createRouteCallbackHandler, registerRouteCallbacks } from './index';
import { activeModelCallScope, type ModelCallScope } from './model-call-scope';
import { allAttributeText, createTestTelemetry, modelSpans } from './test-support';

// The handler alone: no `configuration.fetch`, no global fetch option. Every model is built BEFORE
// the handler exists, as in an app that adds observability last. The exchanges are seen on Node's
// diagnostics channels (undici for the fetch-based SDKs, http2 for the AWS SDK's default handler).
const telemetry = createTestTelemetry();
let sim: GatewaySim;
let models: ReturnType<typeof buildModels>;

function buildModels(sim: GatewaySim) {
  return {
    openRouter: new ChatOpenAI({
      model: 'anthropic/claude-sonnet-4',
      apiKey: 'sk-test-secret',
      maxRetries: 0,
      configuration: { baseURL: sim.baseUrls.openrouter, defaultHeaders: { 'x-sim-upstream': 'Together' } },
    }),
    azure: new AzureChatOpenAI({
      azureOpenAIApiKey: 'azure-secret-key',
      azureOpenAIApiDeploymentName: 'gpt-4o-eastus',
      azureOpenAIApiVersion: '2024-10-21',
      azureOpenAIBasePath: `${sim.baseUrls.azure}/openai/deployments`,
      maxRetries: 0,
    }),
    anthropic: new ChatAnthropic({
      model: 'claude-sonnet-4-5',
      apiKey: 'sk-ant-secret',
      maxRetries: 0,
      clientOptions: { baseURL: sim.baseUrls.anthropic.replace(/\/v1$/, '') },
    }),
    chatOpenRouter: new ChatOpenRouter({ model: 'openai/gpt-4o', apiKey: 'or-secret', baseURL: sim.baseUrls.openrouter }),
    // The AWS SDK's default request handler: HTTP/2 (h2c against the simulator).
    bedrock: new ChatBedrockConverse({
      model: 'us.anthropic.claude-3-5-haiku-20241022-v1:0',
      region: 'us-east-1',
      client: new BedrockRuntimeClient({
        region: 'us-east-1',
        endpoint: sim.baseUrls.bedrock,
        credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'bedrock-secret' },
        maxAttempts: 1,
      }),
    }),
  };
}

beforeAll(async () => {
  sim = await startGatewaySim({ port: 0, seed: 7 });
  models = buildModels(sim);
});
afterAll(async () => {
  await sim?.close();
});
beforeEach(() => telemetry.reset());

const handler = () => createRouteCallbackHandler({ tracerProvider: telemetry.tracerProvider, meterProvider: telemetry.meterProvider });

function onlyModelSpan() {
  const spans = modelSpans(telemetry.spans());
  expect(spans).toHaveLength(1);
  return spans[0]!;
}

async function drain(stream: AsyncIterable<unknown>): Promise<void> {
  for await (const _chunk of stream) {
    // read to the end
  }
}

describe('the LangChain handler alone (no fetch option) gives the full route', () => {
  it.each([false, true])('ChatOpenAI through OpenRouter (stream: %s): upstream from the body', async (stream) => {
    if (stream) await drain(await models.openRouter.stream('Hello', { callbacks: [handler()] }));
    else await models.openRouter.invoke('Hello', { callbacks: [handler()] });
    expect(onlyModelSpan().attributes).toMatchObject({
      'gen_ai.route.gateway': 'openrouter',
      'gen_ai.route.upstream': 'together',
      'gen_ai.route.path': ['openrouter', 'together'],
      'gen_ai.route.evidence': expect.arrayContaining(['body.provider']),
    });
    expect(onlyModelSpan().attributes['gen_ai.route.request_id']).toMatch(/^gen-/);
    expect(allAttributeText(telemetry.spans())).not.toContain('sk-test-secret');
  });

  it('AzureChatOpenAI: deployment, served model and region from the response headers', async () => {
    await models.azure.invoke('Hello', { callbacks: [handler()] });
    expect(onlyModelSpan().attributes).toMatchObject({
      'gen_ai.route.gateway': 'azure.ai.openai',
      'gen_ai.route.upstream': 'openai',
      'gen_ai.route.deployment': 'gpt-4o-eastus',
      'gen_ai.response.model': expect.stringMatching(/^gpt-4o-\d{4}-\d{2}-\d{2}$/),
      'cloud.region': expect.stringMatching(/^[a-z0-9]+$/),
    });
    expect(allAttributeText(telemetry.spans())).not.toContain('azure-secret-key');
  });

  it('ChatAnthropic: request id from the response headers', async () => {
    await models.anthropic.invoke('Hello', { callbacks: [handler()] });
    expect(onlyModelSpan().attributes).toMatchObject({
      'gen_ai.route.upstream': 'anthropic',
      'gen_ai.route.request_id': expect.stringMatching(/^req_/),
    });
  });

  it('ChatOpenRouter (global fetch, read at call time): upstream from the body', async () => {
    await models.chatOpenRouter.invoke('Hello', { callbacks: [handler()] });
    expect(onlyModelSpan().attributes).toMatchObject({
      'gen_ai.route.gateway': 'openrouter',
      'gen_ai.route.upstream': expect.any(String),
    });
  });

  it('ChatBedrockConverse over HTTP/2: region, profile, vendor and the request id header', async () => {
    await models.bedrock.invoke('Hello', { callbacks: [handler()] });
    expect(onlyModelSpan().attributes).toMatchObject({
      'gen_ai.route.gateway': 'aws.bedrock',
      'gen_ai.route.upstream': 'anthropic',
      'gen_ai.route.region_scope': 'us',
      'gen_ai.route.request_id': expect.any(String),
    });
    expect(allAttributeText(telemetry.spans())).not.toContain('bedrock-secret');
  });
});

describe('registerRouteCallbacks() alone (no handler passed, no fetch option)', () => {
  it('ChatOpenAI through OpenRouter, streamed: the upstream from the stream', async () => {
    // Registered last in this file: from here on every run in this async context gets the handler.
    registerRouteCallbacks({ tracerProvider: telemetry.tracerProvider, meterProvider: telemetry.meterProvider });
    await drain(await models.openRouter.stream('Hello'));
    expect(onlyModelSpan().attributes).toMatchObject({
      'gen_ai.route.gateway': 'openrouter',
      'gen_ai.route.upstream': 'together',
    });
  });
});

describe('what the async context of a model call keeps', () => {
  // undici keeps each fetch response's body stream, and the promises holding the call's async
  // context, until a major GC: the model call scope must let go of the call once it settles.
  it.each([false, true])('no exchange and no span once the call settles (stream: %s)', async (stream) => {
    const scopes: ModelCallScope[] = [];
    const model = new ChatOpenAI({
      model: 'anthropic/claude-sonnet-4',
      apiKey: 'sk-test-secret',
      maxRetries: 0,
      configuration: {
        baseURL: sim.baseUrls.openrouter,
        defaultHeaders: { 'x-sim-upstream': 'Together' },
        fetch: (input: string | URL | Request, init?: RequestInit) => {
          const scope = activeModelCallScope();
          if (scope) scopes.push(scope);
          return fetch(input, init);
        },
      },
    });
    if (stream) await drain(await model.stream('Hello', { callbacks: [handler()] }));
    else await model.invoke('Hello', { callbacks: [handler()] });
    await new Promise((resolve) => setImmediate(resolve));
    expect(onlyModelSpan().attributes).toMatchObject({ 'gen_ai.route.upstream': 'together' });
    expect(scopes).toHaveLength(1);
    expect(scopes[0]!.capturesByRun.size).toBe(0);
    expect(scopes[0]!.spansByRun.size).toBe(0);
  });
});
