import { describe, expect, it } from 'vitest';
import { readPeerSpan } from './readers';

describe('readPeerSpan', () => {
  it('OpenInference LangChain: id and served model out of the LLMResult, never the concatenated stream model', () => {
    const llmResult = {
      generations: [
        [
          {
            text: 'Hello',
            generationInfo: { finish_reason: 'stop', model_name: 'anthropic/claude-4.5-haiku-20251001' },
            message: {
              lc: 1,
              type: 'constructor',
              id: ['langchain_core', 'messages', 'AIMessageChunk'],
              kwargs: {
                id: 'gen-1796549311-UfNsICkdgivVEGmPurCC',
                response_metadata: { model_name: 'anthropic/claude-4.5-haiku-20251001anthropic/claude-4.5-haiku-20251001' },
              },
            },
          },
        ],
      ],
    };
    expect(
      readPeerSpan({
        'openinference.span.kind': 'LLM',
        'llm.invocation_parameters': '{"model":"anthropic/claude-haiku-4.5","stream":false}',
        'llm.model_name': 'anthropic/claude-haiku-4.5',
        'output.value': JSON.stringify(llmResult),
        'output.mime_type': 'application/json',
        metadata: '{"ls_provider":"openai","ls_model_name":"anthropic/claude-haiku-4.5"}',
      }),
    ).toEqual({
      peer: 'openinference',
      requestModel: 'anthropic/claude-haiku-4.5',
      clientLabel: 'openai',
      responseId: 'gen-1796549311-UfNsICkdgivVEGmPurCC',
      responseModel: 'anthropic/claude-4.5-haiku-20251001',
    });
  });

  it('OpenInference OpenAI: the raw response JSON is handed on whole; a text output is not', () => {
    const body = '{"id":"gen-1","provider":"Together","model":"m"}';
    expect(readPeerSpan({ 'openinference.span.kind': 'LLM', 'llm.system': 'openai', 'output.value': body, 'output.mime_type': 'application/json' })).toEqual({
      peer: 'openinference',
      clientLabel: 'openai',
      responseBody: JSON.parse(body),
    });
    expect(readPeerSpan({ 'openinference.span.kind': 'LLM', 'llm.system': 'openai', 'output.value': body, 'output.mime_type': 'text/plain' })).toEqual({
      peer: 'openinference',
      clientLabel: 'openai',
    });
    expect(readPeerSpan({ 'openinference.span.kind': 'CHAIN', 'output.value': body })).toBeUndefined();
  });

  it('aws-sdk: the request id is the x-amzn-requestid header value the SDK read', () => {
    expect(
      readPeerSpan({
        'rpc.system': 'aws-api',
        'rpc.service': 'BedrockRuntime',
        'rpc.method': 'ConverseStream',
        'gen_ai.system': 'aws.bedrock',
        'gen_ai.request.model': 'us.amazon.nova-lite-v1:0',
        'cloud.region': 'us-east-1',
        'aws.request.id': '6f411f6a-29c8-4bfe-89b7-d04c9ebe5ede',
      }),
    ).toEqual({
      peer: 'aws-sdk',
      requestModel: 'us.amazon.nova-lite-v1:0',
      region: 'us-east-1',
      responseHeaders: [['x-amzn-requestid', '6f411f6a-29c8-4bfe-89b7-d04c9ebe5ede']],
      clientLabel: 'aws.bedrock',
    });
    expect(readPeerSpan({ 'rpc.system': 'aws-api', 'rpc.service': 'S3', 'rpc.method': 'GetObject' })).toBeUndefined();
  });

  it('Langfuse generations: only the requested model and the client label', () => {
    expect(
      readPeerSpan({
        'langfuse.observation.type': 'generation',
        'langfuse.observation.model.name': 'gpt-4o-2024-08-06',
        'langfuse.observation.metadata.ls_provider': 'openai',
        'langfuse.observation.metadata.ls_model_name': 'gpt-4o',
      }),
    ).toEqual({ peer: 'langfuse', requestModel: 'gpt-4o', clientLabel: 'openai' });
  });

  it('semconv (OpenLLMetry, @ai-sdk/otel): id, models, server and provider metadata; agent spans are not model calls', () => {
    expect(
      readPeerSpan({
        'gen_ai.operation.name': 'chat',
        'gen_ai.provider.name': 'openai',
        'gen_ai.request.model': 'anthropic/claude-haiku-4.5',
        'gen_ai.response.model': 'anthropic/claude-4.5-haiku-20251001',
        'gen_ai.response.id': 'gen-1796549325-XwFdk8KyKJWj5M8o2iDO',
        'server.address': 'openrouter.ai',
        'server.port': 443,
        'ai.response.providerMetadata': '{"openai":{}}',
      }),
    ).toEqual({
      peer: 'semconv',
      requestModel: 'anthropic/claude-haiku-4.5',
      responseModel: 'anthropic/claude-4.5-haiku-20251001',
      responseId: 'gen-1796549325-XwFdk8KyKJWj5M8o2iDO',
      providerMetadata: { openai: {} },
      url: 'https://openrouter.ai/',
      clientLabel: 'openai',
    });
    expect(readPeerSpan({ 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': 'gpt-4o' })).toBeUndefined();
    expect(readPeerSpan({ 'gen_ai.operation.name': 'chat', 'server.address': '::1', 'server.port': 8080 })).toMatchObject({ url: 'https://[::1]:8080/' });
  });

  it('AI SDK 5/6: the doGenerate span is a model call, the outer ai.generateText span is not', () => {
    expect(readPeerSpan({ 'ai.operationId': 'ai.generateText', 'ai.model.provider': 'openai.chat', 'gen_ai.request.model': 'gpt-4o' })).toBeUndefined();
    expect(
      readPeerSpan({ 'ai.operationId': 'ai.streamText.doStream', 'ai.model.provider': 'openrouter.chat', 'ai.model.id': 'm', 'ai.response.id': 'gen-1-a' }),
    ).toEqual({ peer: 'ai-sdk', requestModel: 'm', responseId: 'gen-1-a', clientLabel: 'openrouter.chat' });
  });
});
