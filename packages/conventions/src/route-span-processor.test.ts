import { context, trace, type Attributes } from '@opentelemetry/api';
import {
  createInMemorySpanExporter,
  createSimpleSpanProcessor,
  createTracerProvider,
} from '@servedby/test-otel';
import { describe, expect, it } from 'vitest';
import { createRouteSpanProcessor, RouteSpanProcessor } from './route-span-processor';
import openRouterJson from './rules/openrouter/__fixtures__/openrouter-chat-nonstream-amazon-bedrock.json';
import vercelFallback from './rules/vercel/__fixtures__/vercel-ai-gateway-fallback-vertex-to-google.json';

function setup(processor = new RouteSpanProcessor({ semconv: 'both' })) {
  const exporter = createInMemorySpanExporter();
  const provider = createTracerProvider({ spanProcessors: [processor, createSimpleSpanProcessor(exporter)] });
  const tracer = provider.getTracer('other-instrumentation');
  const endSpan = (name: string, attributes: Attributes) => {
    tracer.startSpan(name, { attributes }).end();
    const spans = exporter.getFinishedSpans();
    return spans[spans.length - 1]!.attributes;
  };
  return { exporter, tracer, endSpan };
}

// The AI SDK's own `providerMetadata` object for a gateway call is the wire `provider_metadata`.
const vercelProviderMetadata = (vercelFallback.response.body as { choices: Array<{ message: { provider_metadata: unknown } }> })
  .choices[0]!.message.provider_metadata;

describe('RouteSpanProcessor', () => {
  it('attributes an AI SDK v7 chat span from ai.response.providerMetadata (gateway fallback)', () => {
    const { endSpan } = setup();
    const attributes = endSpan('chat google/gemini-2.5-flash', {
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'gateway',
      'gen_ai.request.model': 'google/gemini-2.5-flash',
      'gen_ai.response.model': 'google/gemini-2.5-flash',
      'gen_ai.response.id': 'gen_01KKHTPN1QBWX0ERVPTF7D28P2',
      'server.address': 'ai-gateway.vercel.sh',
      'server.port': 443,
      'ai.response.providerMetadata': JSON.stringify(vercelProviderMetadata),
    });
    expect(attributes['gen_ai.route.gateway']).toBe('vercel');
    expect(attributes['gen_ai.route.upstream']).toBe('gcp.gemini');
    expect(attributes['gen_ai.route.fallback']).toBe(true);
    // What the span already had stays as it was.
    expect(attributes['gen_ai.provider.name']).toBe('gateway');
    expect(attributes['gen_ai.response.model']).toBe('google/gemini-2.5-flash');
    expect(attributes['gen_ai.system']).toBeUndefined();
  });

  it('attributes an AI SDK v5/v6 doGenerate span and skips its outer ai.generateText span', () => {
    const { exporter, tracer } = setup();
    const providerMetadata = JSON.stringify({ openrouter: { provider: 'Together', usage: { cost: 0.0001 } } });
    const outer = tracer.startSpan('ai.generateText', {
      attributes: {
        'ai.operationId': 'ai.generateText',
        'ai.model.provider': 'openrouter.chat',
        'ai.model.id': 'meta-llama/llama-3.3-70b-instruct',
        'ai.response.providerMetadata': providerMetadata,
      },
    });
    context.with(trace.setSpan(context.active(), outer), () => {
      tracer
        .startSpan(
          'ai.generateText.doGenerate',
          {
            attributes: {
              'ai.operationId': 'ai.generateText.doGenerate',
              'ai.model.provider': 'openrouter.chat',
              'ai.model.id': 'meta-llama/llama-3.3-70b-instruct',
              'gen_ai.system': 'openrouter.chat',
              'gen_ai.request.model': 'meta-llama/llama-3.3-70b-instruct',
              'ai.response.model': 'meta-llama/llama-3.3-70b-instruct',
              'gen_ai.response.model': 'meta-llama/llama-3.3-70b-instruct',
              'ai.response.providerMetadata': providerMetadata,
            },
          },
          trace.setSpan(context.active(), outer),
        )
        .end();
    });
    outer.end();
    const [inner, outerSpan] = exporter.getFinishedSpans();
    expect(inner!.attributes['gen_ai.route.gateway']).toBe('openrouter');
    expect(inner!.attributes['gen_ai.route.upstream']).toBe('together');
    expect(inner!.attributes['gen_ai.system']).toBe('openrouter.chat');
    expect(outerSpan!.attributes['gen_ai.route.upstream']).toBeUndefined();
    expect(outerSpan!.attributes['gen_ai.route.upstreams']).toEqual(['together']);
  });

  it('attributes an OpenInference LLM span from its output body', () => {
    const { endSpan } = setup();
    const attributes = endSpan('ChatCompletion', {
      'openinference.span.kind': 'LLM',
      'llm.model_name': 'anthropic/claude-4.5-haiku-20251001',
      'llm.system': 'openai',
      'llm.provider': 'openai',
      'llm.invocation_parameters': JSON.stringify({ model: 'anthropic/claude-haiku-4.5' }),
      'output.value': JSON.stringify(openRouterJson.response.body),
      'output.mime_type': 'application/json',
    });
    expect(attributes['gen_ai.route.gateway']).toBe('openrouter');
    expect(attributes['gen_ai.route.upstream']).toBe('aws.bedrock');
    expect(attributes['gen_ai.request.model']).toBe('anthropic/claude-haiku-4.5');
    expect(attributes['gen_ai.response.model']).toBe('anthropic/claude-4.5-haiku-20251001');
    expect(attributes['llm.model_name']).toBe('anthropic/claude-4.5-haiku-20251001');
  });

  it('attributes an OpenLLMetry span from its api_base and leaves its gen_ai.system alone', () => {
    const { endSpan } = setup();
    const attributes = endSpan('openai.chat', {
      'llm.request.type': 'chat',
      'gen_ai.system': 'OpenAI',
      'gen_ai.request.model': 'gpt-4o',
      'gen_ai.response.model': 'gpt-4o-2024-08-06',
      'gen_ai.openai.api_base': 'https://openrouter.ai/api/v1',
    });
    expect(attributes['gen_ai.route.gateway']).toBe('openrouter');
    expect(attributes['gen_ai.system']).toBe('OpenAI');
    expect(attributes['gen_ai.provider.name']).toBeUndefined();
    expect(attributes['gen_ai.response.model']).toBe('gpt-4o-2024-08-06');
  });

  it('attributes an aws-sdk instrumentation Bedrock span from its AWS request id and keeps its cloud.region', () => {
    const { endSpan } = setup();
    const attributes = endSpan('BedrockRuntime.Converse', {
      'rpc.system': 'aws-api',
      'rpc.method': 'Converse',
      'rpc.service': 'BedrockRuntime',
      'cloud.region': 'us-east-1',
      'gen_ai.system': 'aws.bedrock',
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': 'us.anthropic.claude-3-5-sonnet-20240620-v1:0',
      'aws.request.id': '8e22c972-4845-4f78-9054-c9dc70937cf2',
    });
    expect(attributes['gen_ai.route.gateway']).toBe('aws.bedrock');
    expect(attributes['gen_ai.route.upstream']).toBe('anthropic');
    expect(attributes['gen_ai.route.region_scope']).toBe('us');
    expect(attributes['aws.region']).toBe('us-east-1');
    expect(attributes['cloud.region']).toBe('us-east-1');
    expect(attributes['gen_ai.request.model']).toBe('us.anthropic.claude-3-5-sonnet-20240620-v1:0');
  });

  it('never turns a peer client label into a route: no URL, header or body signal means nothing is added', () => {
    const { endSpan } = setup();
    // What OpenLLMetry writes behind LiteLLM: a client label and LiteLLM's re-stamped alias.
    const openLLMetry = {
      'gen_ai.provider.name': 'openai',
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': 'chat-small',
      'gen_ai.response.model': 'chat-small',
      'gen_ai.response.id': 'chatcmpl-ZdmxlSxH126iOnoJ5fTmH0tVdvfkK',
    };
    expect(endSpan('chat chat-small', openLLMetry)).toEqual(openLLMetry);
    // OpenInference on a stream: the label and the text only.
    const openInference = {
      'openinference.span.kind': 'LLM',
      'llm.system': 'openai',
      'llm.provider': 'openai',
      'llm.model_name': 'anthropic/claude-haiku-4.5',
      'llm.invocation_parameters': '{"model":"anthropic/claude-haiku-4.5","stream":true}',
      'output.value': 'Hello from the gateway simulator.',
      'output.mime_type': 'text/plain',
    };
    expect(endSpan('OpenAI Chat Completions', openInference)).toEqual(openInference);
    // An aws-sdk span that got no response (no AWS request id): the client class is not a served-by signal.
    const bedrockNoResponse = {
      'rpc.system': 'aws-api',
      'rpc.method': 'Converse',
      'rpc.service': 'BedrockRuntime',
      'gen_ai.system': 'aws.bedrock',
      'gen_ai.request.model': 'anthropic.claude-3-5-sonnet-20240620-v1:0',
    };
    expect(endSpan('chat anthropic.claude-3-5-sonnet-20240620-v1:0', bedrockNoResponse)).toEqual(bedrockNoResponse);
  });

  it('takes response headers an HTTP client instrumentation captured on the model span', () => {
    const { endSpan } = setup();
    const attributes = endSpan('chat chat-small', {
      'gen_ai.provider.name': 'openai',
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': 'chat-small',
      'http.response.header.x-litellm-model-name': ['bedrock/anthropic.claude-3-5-sonnet-20240620-v1:0'],
      'http.response.header.x-litellm-call-id': ['0f3e1c52-5f38-4d0c-9d0e-1f2b6a7c8d9e'],
    });
    expect(attributes['gen_ai.route.gateway']).toBe('litellm');
    expect(attributes['gen_ai.route.upstream']).toBe('aws.bedrock');
    expect(attributes['gen_ai.provider.name']).toBe('openai');
  });

  it('leaves spans that are not model calls, and spans servedby already attributed, alone', () => {
    const { endSpan } = setup();
    const http = { 'http.request.method': 'GET', 'url.full': 'https://example.com/' };
    expect(endSpan('GET', http)).toEqual(http);
    const attributed = {
      'gen_ai.system': 'litellm',
      'gen_ai.request.model': 'gpt-4o',
      'gen_ai.route.gateway': 'litellm',
      'gen_ai.route.upstream': 'azure.ai.openai',
    };
    expect(endSpan('chat gpt-4o', attributed)).toEqual(attributed);
    const agent = { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': 'gpt-4o' };
    expect(endSpan('invoke_agent', agent)).toEqual(agent);
  });

  it('rolls distinct upstreams up to every ancestor as gen_ai.route.upstreams', () => {
    const { exporter, tracer } = setup(createRouteSpanProcessor());
    const agent = tracer.startSpan('invoke_agent planner', { attributes: { 'gen_ai.operation.name': 'invoke_agent' } });
    const agentContext = trace.setSpan(context.active(), agent);
    const step = tracer.startSpan('step 1', { attributes: { 'gen_ai.operation.name': 'agent_step' } }, agentContext);
    const stepContext = trace.setSpan(context.active(), step);
    const modelCall = (upstream: string) =>
      tracer
        .startSpan('chat m', { attributes: { 'gen_ai.system': 'openrouter', 'gen_ai.request.model': 'm', 'gen_ai.route.gateway': 'openrouter', 'gen_ai.route.upstream': upstream } }, stepContext)
        .end();
    modelCall('together');
    modelCall('aws.bedrock');
    modelCall('together');
    step.end();
    tracer
      .startSpan('chat x', { attributes: { 'gen_ai.system': 'openai', 'gen_ai.request.model': 'gpt-4o', 'gen_ai.route.upstream': 'openai' } }, agentContext)
      .end();
    agent.end();
    const byName = Object.fromEntries(exporter.getFinishedSpans().map((span) => [span.name, span.attributes]));
    expect(byName['step 1']!['gen_ai.route.upstreams']).toEqual(['together', 'aws.bedrock']);
    expect(byName['invoke_agent planner']!['gen_ai.route.upstreams']).toEqual(['together', 'aws.bedrock', 'openai']);
  });

  it('never throws on broken attribute values', () => {
    const { endSpan } = setup();
    expect(() =>
      endSpan('chat', {
        'ai.model.provider': 'openai.chat',
        'ai.response.providerMetadata': '{not json',
        'llm.invocation_parameters': '[1,2',
        'output.value': '{"provider": ',
        'gen_ai.request.model': 'x'.repeat(100_000),
      }),
    ).not.toThrow();
  });

  it('implements the rest of the SpanProcessor interface', async () => {
    const processor = new RouteSpanProcessor();
    await expect(processor.forceFlush()).resolves.toBeUndefined();
    await expect(processor.shutdown()).resolves.toBeUndefined();
  });
});
