import { context, trace } from '@opentelemetry/api';
import { createTestMetrics, createTestTracing, type HistogramMetricData } from '@servedby/test-otel';
import { afterEach, describe, expect, it } from 'vitest';
import { createRouteMetrics } from './metrics';
import { chooseResponseModel, recordModelCall } from './record-model-call';
import { contextWithUpstreamsCollector, createUpstreamsCollector } from './upstreams';

const tracing = createTestTracing();
afterEach(() => tracing.reset());

const openRouterExchange = {
  url: 'https://openrouter.ai/api/v1/chat/completions',
  requestModel: 'anthropic/claude-haiku-4.5',
  responseHeaders: { 'x-generation-id': 'gen-1-a' },
  responseBody: { id: 'gen-1-a', provider: 'Amazon Bedrock', model: 'anthropic/claude-4.5-haiku-20251001', usage: { cost: 0.00042 } },
  status: 200,
};

describe('recordModelCall', () => {
  it('derives, sets every attribute, reports the upstream and records duration, tokens and cost', async () => {
    const { meterProvider, collect } = createTestMetrics();
    const metrics = createRouteMetrics(meterProvider.getMeter('test'), { semconv: 'latest' });
    const collector = createUpstreamsCollector();
    const parentContext = contextWithUpstreamsCollector(context.active(), collector);
    const span = tracing.tracerProvider.getTracer('t').startSpan('chat');
    const recorded = recordModelCall(
      span,
      { exchange: openRouterExchange, responseModel: 'anthropic/claude-haiku-4.5', usage: { inputTokens: 10, outputTokens: 5 }, durationSeconds: 0.5, timeToFirstChunkSeconds: 0.1, parentContext },
      { metrics, semconv: 'latest' },
    );
    span.end();
    expect(recorded.attribution.upstream).toBe('aws.bedrock');
    expect(tracing.spans()[0]!.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openrouter',
      'gen_ai.request.model': 'anthropic/claude-haiku-4.5',
      // The route's served model wins over the framework's echo of the request.
      'gen_ai.response.model': 'anthropic/claude-4.5-haiku-20251001',
      'gen_ai.route.upstream': 'aws.bedrock',
      'gen_ai.usage.cost': 0.00042,
      'gen_ai.usage.input_tokens': 10,
      'gen_ai.request.stream': true,
      'gen_ai.response.time_to_first_chunk': 0.1,
      'server.address': 'openrouter.ai',
      'server.port': 443,
    });
    expect(collector.values()).toEqual(['aws.bedrock']);
    const collected = (await collect()).scopeMetrics.flatMap((scope) => scope.metrics);
    const cost = collected.find((metric) => metric.descriptor.name === 'gen_ai.client.cost') as HistogramMetricData;
    expect(cost.dataPoints[0]!.value.sum).toBe(0.00042);
    expect(cost.dataPoints[0]!.attributes).toMatchObject({ 'gen_ai.route.upstream': 'aws.bedrock', 'gen_ai.route.gateway': 'openrouter' });
    await meterProvider.shutdown();
  });

  it.each([
    ['connection refused', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:4000'), { code: 'ECONNREFUSED' })],
    ['reset', Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })],
    ['abort before headers', new DOMException('This operation was aborted', 'AbortError')],
  ])('gives a call that got no response (%s) no upstream, on OpenRouter and LiteLLM base URLs', (_name, error) => {
    for (const url of ['https://openrouter.ai/api/v1', 'http://localhost:4000/v1', 'https://api.openai.com/v1']) {
      const span = tracing.tracerProvider.getTracer('t').startSpan('chat');
      const { attribution } = recordModelCall(span, { exchange: { url, requestModel: 'gpt-4o', providerHint: 'openai' }, durationSeconds: 0.01, error });
      span.end();
      expect(attribution.upstream).toBeUndefined();
      expect(attribution.evidence).toContain('no_response');
      const attributes = tracing.spans().at(-1)!.attributes;
      expect(attributes['gen_ai.route.upstream']).toBeUndefined();
      expect(attributes['error.type']).toBeDefined();
      expect(JSON.stringify(attributes)).not.toContain('ECONNREFUSED 127');
    }
  });

  it('keeps the upstream of an upstream that answered with an error', () => {
    const { attribution } = recordModelCall(undefined, {
      exchange: { url: 'https://openrouter.ai/api/v1', status: 429, responseBody: { error: { code: 429, message: 'Provider returned error', metadata: { provider_name: 'Google' } } } },
      durationSeconds: 0.01,
      error: Object.assign(new Error('429'), { statusCode: 429 }),
    });
    expect(attribution).toMatchObject({ upstream: 'gcp.vertex_ai', errorSource: 'upstream' });
  });

  it("on a stream (no body kept), the framework's served model stands in for the body's: Azure names the vendor from it, the deployment name never does", () => {
    // gateway-sim's Azure target headers; the AI SDK read `gpt-4o-2024-11-20` from the chunks.
    const exchange = {
      url: 'https://res.openai.azure.com/openai/deployments/gpt-4o-prod/chat/completions?api-version=2024-10-21',
      requestModel: 'gpt-4o-prod',
      responseHeaders: { 'x-ms-region': 'West Europe', 'apim-request-id': 'dd286cc7-4940-4027-979a-7290212cbb0f' },
      status: 200,
    };
    const streamed = recordModelCall(undefined, { exchange, responseModel: 'gpt-4o-2024-11-20', streaming: true, durationSeconds: 1 });
    expect(streamed.attribution).toMatchObject({ upstream: 'openai', responseModel: 'gpt-4o-2024-11-20', deployment: 'gpt-4o-prod' });
    expect(streamed.attribution.evidence).toContain('response.model');
    // Without it the deployment name alone decides nothing.
    const headersOnly = recordModelCall(undefined, { exchange, streaming: true, durationSeconds: 1 });
    expect(headersOnly.attribution.upstream).toBeUndefined();
    // A kept body wins: the framework's model is not consulted then.
    const withBody = recordModelCall(undefined, { exchange: { ...exchange, responseBody: { id: 'x', object: 'chat.completion', model: 'mistral-large-2411' } }, responseModel: 'gpt-4o-2024-11-20', durationSeconds: 1 });
    expect(withBody.attribution).toMatchObject({ upstream: 'mistral_ai', responseModel: 'mistral-large-2411' });
  });

  it("takes the client's attempts as an input and never overwrites a gateway's", () => {
    const bedrock = { url: 'https://bedrock-runtime.us-east-1.amazonaws.com/model/anthropic.claude-3-haiku-20240307-v1:0/converse', responseHeaders: { 'x-amzn-requestid': 'r' }, status: 200 };
    expect(recordModelCall(undefined, { exchange: bedrock, attempts: 3, durationSeconds: 1 }).attribution.attempts).toBe(3);
    const litellm = { url: 'http://localhost:4000/v1', responseHeaders: { 'x-litellm-call-id': 'c', 'x-litellm-attempted-retries': '1' }, status: 200 };
    expect(recordModelCall(undefined, { exchange: litellm, attempts: 5, durationSeconds: 1 }).attribution.attempts).toBe(2);
    expect(recordModelCall(undefined, { exchange: [bedrock, bedrock], durationSeconds: 1 }).attribution.attempts).toBe(2);
  });

  it("with providerName 'upstream', writes the upstream as gen_ai.provider.name", () => {
    const { attributes } = recordModelCall(undefined, { exchange: openRouterExchange, durationSeconds: 1 }, { semconv: 'latest', providerName: 'upstream' });
    expect(attributes['gen_ai.provider.name']).toBe('aws.bedrock');
  });

  it('reports to the active context by default and never throws on hostile input', () => {
    const collector = createUpstreamsCollector();
    context.with(contextWithUpstreamsCollector(context.active(), collector), () => {
      recordModelCall(trace.getActiveSpan(), { exchange: openRouterExchange, durationSeconds: 1 });
    });
    expect(collector.values()).toEqual(['aws.bedrock']);
    expect(() => recordModelCall(undefined, { exchange: 42 as never, durationSeconds: Number.NaN, usage: 'x' as never })).not.toThrow();
  });
});

describe('chooseResponseModel', () => {
  it('prefers the route, falls back to the framework, never on a cache hit', () => {
    expect(chooseResponseModel({ system: 's', responseModel: 'served', evidence: [] }, 'framework')).toBe('served');
    expect(chooseResponseModel({ system: 's', evidence: [] }, 'framework')).toBe('framework');
    expect(chooseResponseModel({ system: 'kong', cacheHit: true, evidence: [] }, 'cached-model')).toBeUndefined();
  });
});
