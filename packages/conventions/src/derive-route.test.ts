import { describe, expect, it } from 'vitest';
import { deriveRoute } from './derive-route';
import type { RouteAttribution, RouteObservation } from './types';

// Signals beyond the recorded fixtures: AI SDK providerMetadata, nested gateways, pass-through
// headers, every gateway's own header rules, direct providers, and degenerate input.
const observations: Record<string, RouteObservation> = {
  aiSdkOpenRouter: { providerHint: 'openrouter.chat', requestModel: 'anthropic/claude-sonnet-4', providerMetadata: { openrouter: { provider: 'Google', usage: {} } } },
  aiSdkGateway: { providerHint: 'gateway', requestModel: 'anthropic/claude-sonnet-4', providerMetadata: { gateway: { routing: { resolvedProvider: 'anthropic', finalProvider: 'vertexAnthropic', resolvedProviderApiModelId: 'claude-sonnet-4-20250514', attempts: [{ provider: 'anthropic', success: false, providerApiModelId: 'claude-sonnet-4-20250514' }, { provider: 'vertexAnthropic', success: true, providerApiModelId: 'claude-sonnet-4@20250514' }] }, generationId: 'gen_01ABC' } } },
  aiSdkBedrockRouter: { providerHint: 'amazon-bedrock', region: 'us-east-1', requestModel: 'arn:aws:bedrock:us-east-1:123456789012:default-prompt-router/anthropic.claude:1', providerMetadata: { bedrock: { trace: { promptRouter: { invokedModelId: 'arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-3-5-sonnet-20240620-v1:0' } } } } },
  litellmAzure: { url: 'http://localhost:4000/v1/chat/completions', requestModel: 'chat-small', responseHeaders: { 'x-litellm-call-id': 'c1', 'x-litellm-model-id': 'dep1', 'x-litellm-model-name': 'azure/gpt-4o', 'x-litellm-attempted-fallbacks': '0', 'x-litellm-attempted-retries': '1', 'llm_provider-x-ms-region': 'East US 2', 'x-litellm-model-region': 'eu' }, responseBody: { model: 'chat-small', id: 'chatcmpl-1' } },
  litellmGroq: { url: 'http://localhost:4000/v1/chat/completions', requestModel: 'fast', responseHeaders: { 'x-litellm-call-id': 'c2', 'x-litellm-model-name': 'groq/openai/gpt-oss-120b' } },
  litellmOpenRouterBedrock: { url: 'http://localhost:4000/v1/chat/completions', requestModel: 'claude', responseHeaders: { 'x-litellm-call-id': 'c3', 'x-litellm-model-name': 'openrouter/anthropic/claude-haiku-4.5', 'llm_provider-x-generation-id': 'gen-123' }, responseBody: { id: 'gen-123', model: 'claude', provider: 'Amazon Bedrock' } },
  litellmOpenRouterTogether: { url: 'http://localhost:4000/v1/chat/completions', requestModel: 'llama', responseHeaders: { 'x-litellm-call-id': 'c3b' }, responseBody: { id: 'gen-124', model: 'llama', provider: 'Together 2' } },
  litellmBedrock: { url: 'http://localhost:4000/v1/chat/completions', requestModel: 'claude', responseHeaders: { 'x-litellm-call-id': 'c4', 'x-litellm-model-name': 'bedrock/us.anthropic.claude-3-5-sonnet-20240620-v1:0' } },
  litellmPassThroughBedrock: { url: 'http://localhost:4000/v1/chat/completions', requestModel: 'claude', responseHeaders: { 'llm_provider-x-amzn-requestid': 'abc' } },
  litellmOpenAiCompatibleUnknownBase: { url: 'http://localhost:4000/v1/chat/completions', responseHeaders: { 'x-litellm-call-id': 'c5', 'x-litellm-model-name': 'openai/alias-apertus', 'x-litellm-model-api-base': 'http://10.0.0.3:8000/v1' } },
  litellmOpenAiDirect: { url: 'http://localhost:4000/v1/chat/completions', responseHeaders: { 'x-litellm-call-id': 'c6', 'x-litellm-model-name': 'openai/gpt-4o-mini', 'x-litellm-model-api-base': 'https://api.openai.com/v1' } },
  portkeyHosted: { url: 'https://api.portkey.ai/v1/chat/completions', responseHeaders: { 'openai-organization': 'org', 'x-request-id': 'req_1' }, responseBody: { model: 'gpt-4o-mini-2024-07-18' } },
  portkeyHeader: { url: 'https://api.portkey.ai/v1/chat/completions', responseHeaders: { 'x-portkey-provider': 'azure-openai', 'x-portkey-trace-id': 't1', 'x-portkey-retry-attempt-count': '0' }, responseBody: { model: 'gpt-4o' } },
  kong: { url: 'https://kong.example.com/llm', responseHeaders: { 'X-Kong-LLM-Model': 'openai/gpt-4', 'x-kong-request-id': 'k1' } },
  mistralDirect: { url: 'https://api.mistral.ai/v1/chat/completions', responseHeaders: { 'x-kong-request-id': 'k2', 'mistral-correlation-id': 'm1' }, responseBody: { model: 'mistral-large-2411' } },
  anthropicDirect: { url: 'https://api.anthropic.com/v1/messages', responseHeaders: { 'request-id': 'req_011C', 'anthropic-organization-id': 'o' }, responseBody: { id: 'msg_01X', type: 'message', model: 'claude-haiku-4-5-20251001', usage: { inference_geo: 'us' } } },
  perplexity: { url: 'https://api.perplexity.ai/chat/completions', responseHeaders: { 'x-ppl-region': 'us-east-1', 'x-request-id': 'p1' }, responseBody: { model: 'sonar' } },
  vertexAnthropic: { url: 'https://us-east5-aiplatform.googleapis.com/v1/projects/p/locations/us-east5/publishers/anthropic/models/claude-3-7-sonnet@20250219:rawPredict', responseBody: { id: 'msg_vrtx_01', type: 'message', model: 'claude-3-7-sonnet-20250219' } },
  hintOnlyNoUrl: { providerHint: 'openai', requestModel: 'gpt-4o' },
  hintUnknownHost: { providerHint: 'openai', url: 'http://vllm.internal:8000/v1', requestModel: 'llama' },
  simOpenAI: { url: 'http://127.0.0.1:5000/openai/v1/chat/completions', responseHeaders: { 'openai-organization': 'user-sim', 'x-request-id': 'req_abc' }, responseBody: 'data: {"id":"chatcmpl-1","model":"gpt-4o-2024-08-06"}\n\ndata: [DONE]\n\n' },
  azureSseEmptyFirst: { url: 'https://r.openai.azure.com/openai/deployments/d/chat/completions?api-version=2024-10-21&api-key=SECRET', responseHeaders: new Headers({ 'apim-request-id': 'a1', 'x-ms-region': 'Sweden Central' }), responseBody: 'data: {"id":"","model":"","prompt_filter_results":[]}\n\ndata: {"id":"chatcmpl-9","model":"gpt-4o-2024-11-20"}\n\ndata: [DONE]\n' },
  bedrockAppProfile: { url: 'https://bedrock-runtime.eu-west-1.amazonaws.com/model/arn%3Aaws%3Abedrock%3Aeu-west-1%3A123456789012%3Aapplication-inference-profile%2Fabc/converse', region: 'eu-west-1', responseHeaders: [['x-amzn-RequestId', 'r1']] },
  bedrockError: { url: 'https://bedrock-runtime.us-east-1.amazonaws.com/model/anthropic.claude-3-haiku-20240307-v1:0/invoke', status: 403, responseBody: { message: 'denied' }, responseHeaders: { 'x-amzn-ErrorType': 'AccessDeniedException' } },
  hfSuffix: { url: 'https://router.huggingface.co/v1/chat/completions', requestModel: 'deepseek-ai/DeepSeek-R1:together', responseBody: { model: 'deepseek-ai/DeepSeek-R1' } },
  cloudflare: { url: 'https://gateway.ai.cloudflare.com/v1/acct/gw/openai/chat/completions', responseHeaders: { 'cf-aig-log-id': 'l1' }, responseBody: { model: 'gpt-4o-mini' } },
  cloudflareCompat: { url: 'https://gateway.ai.cloudflare.com/v1/acct/gw/compat/chat/completions', requestModel: 'google-ai-studio/gemini-2.0-flash', responseHeaders: { 'cf-aig-log-id': 'l2' } },
  nothing: {},
  junk: { url: 42, responseHeaders: 'x', responseBody: 12, providerMetadata: [], status: 'x' } as unknown as RouteObservation,
};

const expected: Record<string, RouteAttribution> = {
  aiSdkOpenRouter: { system: 'openrouter', gateway: 'openrouter', upstream: 'gcp.vertex_ai', path: ['openrouter', 'gcp.vertex_ai', 'anthropic'], requestModel: 'anthropic/claude-sonnet-4', evidence: ['provider_metadata.openrouter.provider', 'provider_metadata.openrouter'] },
  aiSdkGateway: { system: 'vercel', gateway: 'vercel', upstream: 'gcp.vertex_ai', path: ['vercel', 'gcp.vertex_ai', 'anthropic'], requestModel: 'anthropic/claude-sonnet-4', responseModel: 'claude-sonnet-4@20250514', requestId: 'gen_01ABC', attempts: 2, fallback: true, evidence: ['provider_metadata.gateway.routing.finalProvider', 'provider_metadata.gateway.routing.attempts.providerApiModelId', 'provider_metadata.gateway'] },
  aiSdkBedrockRouter: { system: 'aws.bedrock', gateway: 'aws.bedrock', upstream: 'anthropic', path: ['aws.bedrock', 'anthropic'], requestModel: 'arn:aws:bedrock:us-east-1:123456789012:default-prompt-router/anthropic.claude:1', responseModel: 'anthropic.claude-3-5-sonnet-20240620-v1:0', awsRegion: 'us-east-1', regionScope: 'us', evidence: ['provider_metadata.bedrock.trace.promptRouter.invokedModelId', 'provider_metadata.bedrock'] },
  litellmAzure: { system: 'litellm', gateway: 'litellm', upstream: 'azure.ai.openai', path: ['litellm', 'azure.ai.openai', 'openai'], requestModel: 'chat-small', responseModel: 'gpt-4o', deployment: 'dep1', region: 'eastus2', requestId: 'c1', attempts: 2, fallback: false, evidence: ['header.x-litellm-model-name', 'header.x-litellm-call-id'] },
  litellmGroq: { system: 'litellm', gateway: 'litellm', upstream: 'groq', path: ['litellm', 'groq'], requestModel: 'fast', responseModel: 'openai/gpt-oss-120b', requestId: 'c2', evidence: ['header.x-litellm-model-name', 'header.x-litellm-call-id'] },
  litellmOpenRouterBedrock: { system: 'litellm', gateway: 'litellm', upstream: 'aws.bedrock', path: ['litellm', 'openrouter', 'aws.bedrock', 'anthropic'], requestModel: 'claude', responseModel: 'anthropic/claude-haiku-4.5', requestId: 'c3', evidence: ['header.x-litellm-model-name', 'body.provider', 'header.x-litellm-call-id'] },
  litellmOpenRouterTogether: { system: 'litellm', gateway: 'litellm', upstream: 'together', path: ['litellm', 'openrouter', 'together'], requestModel: 'llama', requestId: 'c3b', evidence: ['body.provider', 'header.x-litellm-call-id', 'body.id'] },
  litellmBedrock: { system: 'litellm', gateway: 'litellm', upstream: 'aws.bedrock', path: ['litellm', 'aws.bedrock', 'anthropic'], requestModel: 'claude', responseModel: 'us.anthropic.claude-3-5-sonnet-20240620-v1:0', regionScope: 'us', requestId: 'c4', evidence: ['header.x-litellm-model-name', 'header.x-litellm-call-id'] },
  litellmPassThroughBedrock: { system: 'litellm', gateway: 'litellm', upstream: 'aws.bedrock', path: ['litellm', 'aws.bedrock'], requestModel: 'claude', evidence: ['header.llm_provider-x-amzn-requestid'] },
  litellmOpenAiCompatibleUnknownBase: { system: 'litellm', gateway: 'litellm', responseModel: 'alias-apertus', requestId: 'c5', evidence: ['header.x-litellm-model-name', 'header.x-litellm-call-id'] },
  litellmOpenAiDirect: { system: 'litellm', gateway: 'litellm', upstream: 'openai', path: ['litellm', 'openai'], responseModel: 'gpt-4o-mini', requestId: 'c6', evidence: ['header.x-litellm-model-name', 'header.x-litellm-call-id'] },
  portkeyHosted: { system: 'portkey', gateway: 'portkey', upstream: 'openai', path: ['portkey', 'openai'], responseModel: 'gpt-4o-mini-2024-07-18', evidence: ['body.model', 'header.openai-organization', 'url'] },
  portkeyHeader: { system: 'portkey', gateway: 'portkey', upstream: 'azure.ai.openai', path: ['portkey', 'azure.ai.openai', 'openai'], responseModel: 'gpt-4o', requestId: 't1', attempts: 1, evidence: ['header.x-portkey-provider', 'body.model', 'url'] },
  kong: { system: 'kong', gateway: 'kong', upstream: 'openai', path: ['kong', 'openai'], responseModel: 'gpt-4', requestId: 'k1', evidence: ['header.x-kong-llm-model', 'header.x-kong-request-id'] },
  mistralDirect: { system: 'mistral_ai', upstream: 'mistral_ai', responseModel: 'mistral-large-2411', requestId: 'm1', evidence: ['body.model', 'url'] },
  anthropicDirect: { system: 'anthropic', upstream: 'anthropic', responseModel: 'claude-haiku-4-5-20251001', regionScope: 'us', requestId: 'req_011C', evidence: ['body.model', 'url'] },
  perplexity: { system: 'perplexity', upstream: 'perplexity', responseModel: 'sonar', region: 'us-east-1', requestId: 'p1', evidence: ['body.model', 'url'] },
  vertexAnthropic: { system: 'gcp.vertex_ai', gateway: 'gcp.vertex_ai', upstream: 'anthropic', path: ['gcp.vertex_ai', 'anthropic'], requestModel: 'claude-3-7-sonnet@20250219', responseModel: 'claude-3-7-sonnet-20250219', region: 'us-east5', evidence: ['body.model', 'url'] },
  // DESIGN.md §2.7: a framework hint never decides the upstream, and nothing decides it for a request that got no response.
  hintOnlyNoUrl: { system: 'openai', requestModel: 'gpt-4o', evidence: ['config', 'no_response'] },
  hintUnknownHost: { system: 'openai', requestModel: 'llama', evidence: ['config', 'no_response'] },
  simOpenAI: { system: 'openai', upstream: 'openai', responseModel: 'gpt-4o-2024-08-06', requestId: 'req_abc', evidence: ['body.model', 'header.openai-organization'] },
  azureSseEmptyFirst: { system: 'azure.ai.openai', gateway: 'azure.ai.openai', upstream: 'openai', path: ['azure.ai.openai', 'openai'], requestModel: 'd', responseModel: 'gpt-4o-2024-11-20', deployment: 'd', region: 'swedencentral', requestId: 'a1', evidence: ['body.model', 'url'] },
  bedrockAppProfile: { system: 'aws.bedrock', gateway: 'aws.bedrock', requestModel: 'arn:aws:bedrock:eu-west-1:123456789012:application-inference-profile/abc', awsRegion: 'eu-west-1', requestId: 'r1', evidence: ['url'] },
  bedrockError: { system: 'aws.bedrock', gateway: 'aws.bedrock', upstream: 'anthropic', path: ['aws.bedrock', 'anthropic'], requestModel: 'anthropic.claude-3-haiku-20240307-v1:0', region: 'us-east-1', awsRegion: 'us-east-1', evidence: ['url', 'model_id'] },
  hfSuffix: { system: 'huggingface', gateway: 'huggingface', upstream: 'together', path: ['huggingface', 'together'], requestModel: 'deepseek-ai/DeepSeek-R1:together', responseModel: 'deepseek-ai/DeepSeek-R1', evidence: ['body.model', 'url', 'model_id'] },
  cloudflare: { system: 'cloudflare', gateway: 'cloudflare', upstream: 'openai', path: ['cloudflare', 'openai'], responseModel: 'gpt-4o-mini', requestId: 'l1', evidence: ['body.model', 'url'] },
  cloudflareCompat: { system: 'cloudflare', gateway: 'cloudflare', upstream: 'gcp.gemini', path: ['cloudflare', 'gcp.gemini'], requestModel: 'google-ai-studio/gemini-2.0-flash', requestId: 'l2', evidence: ['url', 'model_id'] },
  nothing: { system: '_OTHER', evidence: [] },
  junk: { system: '_OTHER', evidence: [] },
};

describe('deriveRoute', () => {
  it.each(Object.keys(observations))('%s', (name) => {
    expect(deriveRoute(observations[name]!)).toEqual(expected[name]);
  });
});

describe('deriveRoute header shapes', () => {
  const expectedOpenRouter = { gateway: 'openrouter', requestId: 'gen-1-abc' };
  it.each([
    ['WHATWG Headers', new Headers({ 'X-Generation-Id': 'gen-1-abc' })],
    ['plain object, mixed case', { 'X-GENERATION-ID': 'gen-1-abc' }],
    ['plain object, array value', { 'x-generation-id': ['gen-1-abc'] }],
    ['entry list', [['x-Generation-Id', 'gen-1-abc']] as Array<[string, string]>],
    ['Map', new Map([['X-Generation-Id', 'gen-1-abc']])],
  ])('reads %s case-insensitively', (_name, responseHeaders) => {
    expect(deriveRoute({ url: 'http://127.0.0.1:9/v1/chat/completions', responseHeaders })).toMatchObject(expectedOpenRouter);
  });
});

describe('deriveRoute body forms', () => {
  const chunk = { id: 'gen-2', model: 'openai/gpt-4o', provider: 'Azure' };
  const expectedRoute = { gateway: 'openrouter', upstream: 'azure.ai.openai', path: ['openrouter', 'azure.ai.openai', 'openai'] };
  it.each([
    ['parsed object', chunk],
    ['JSON text with keep-alive padding', `\n         \n\n${JSON.stringify(chunk)}`],
    ['SSE text with comments', `: OPENROUTER PROCESSING\n\n: OPENROUTER PROCESSING\n\ndata: ${JSON.stringify(chunk)}\n\ndata: [DONE]\n\n`],
    ['SSE with CRLF line ends', `: OPENROUTER PROCESSING\r\n\r\ndata: ${JSON.stringify(chunk)}\r\n\r\n`],
    ['SSE cut mid-stream', `data: ${JSON.stringify(chunk)}\n\ndata: {"id":"gen-2","prov`],
    ['bytes', new TextEncoder().encode(JSON.stringify(chunk))],
    ['array of stream chunks', [chunk, { ...chunk, usage: {} }]],
    ['truncated JSON text', `${JSON.stringify(chunk).slice(0, -1)}`],
  ])('reads the route from %s', (_name, responseBody) => {
    expect(deriveRoute({ url: 'https://openrouter.ai/api/v1/chat/completions', responseBody })).toMatchObject(expectedRoute);
  });

  it('takes the provider from an error chunk', () => {
    const responseBody = 'data: {"id":"gen-3","provider":"Minimax","error":{"code":400,"message":"Token limit reached"}}\n\n';
    expect(deriveRoute({ url: 'https://openrouter.ai/api/v1/chat/completions', responseBody })).toMatchObject({ upstream: 'minimax' });
  });

  it('takes the provider from error.metadata.provider_name', () => {
    const responseBody = { error: { message: 'Provider returned error', code: 502, metadata: { provider_name: 'Google AI Studio' } } };
    expect(deriveRoute({ url: 'https://openrouter.ai/api/v1/chat/completions', status: 502, responseBody })).toMatchObject({
      upstream: 'gcp.gemini',
      evidence: ['body.error.metadata.provider_name', 'url'],
    });
  });

  it('does not treat an OpenAI Responses msg_ id as Anthropic-on-Bedrock', () => {
    const responseBody = { id: 'resp_1', object: 'response', output: [{ id: 'msg_bdrk_0429', type: 'message' }], model: 'gpt-5' };
    expect(deriveRoute({ responseBody })).toEqual({ system: '_OTHER', responseModel: 'gpt-5', evidence: [] });
  });

  it('reads Vercel routing from the final stream chunk', () => {
    const routing = { finalProvider: 'bedrock', attempts: [{ provider: 'bedrock', success: true, providerApiModelId: 'us.anthropic.claude-sonnet-4-20250514-v1:0' }] };
    const responseBody = [
      'data: {"id":"gen_01","model":"anthropic/claude-sonnet-4","choices":[{"delta":{"content":"hi"}}]}',
      `data: ${JSON.stringify({ id: 'gen_01', generationId: 'gen_01', choices: [{ delta: { provider_metadata: { gateway: { routing } } } }] })}`,
      'data: [DONE]',
      '',
    ].join('\n\n');
    expect(deriveRoute({ url: 'https://ai-gateway.vercel.sh/v1/chat/completions', responseBody })).toMatchObject({
      gateway: 'vercel',
      upstream: 'aws.bedrock',
      path: ['vercel', 'aws.bedrock', 'anthropic'],
      responseModel: 'us.anthropic.claude-sonnet-4-20250514-v1:0',
      regionScope: 'us',
      requestId: 'gen_01',
      attempts: 1,
      fallback: false,
    });
  });
});

describe('deriveRoute Bedrock request side', () => {
  it('reads percent-encoded IDs in the runtime path and the client region', () => {
    expect(
      deriveRoute({ url: 'https://bedrock-runtime.eu-central-1.amazonaws.com/model/eu.amazon.nova-pro-v1%3A0/converse-stream', region: 'eu-central-1', responseReceived: true }),
    ).toEqual({
      system: 'aws.bedrock',
      gateway: 'aws.bedrock',
      upstream: 'amazon',
      path: ['aws.bedrock', 'amazon'],
      requestModel: 'eu.amazon.nova-pro-v1:0',
      responseModel: 'amazon.nova-pro-v1:0',
      awsRegion: 'eu-central-1',
      regionScope: 'eu',
      evidence: ['url', 'model_id'],
    });
  });

  it('resolves a foundation-model ARN and serves it in region', () => {
    expect(
      deriveRoute({ providerHint: 'amazon_bedrock', region: 'us-west-2', requestModel: 'arn:aws:bedrock:us-west-2::foundation-model/meta.llama3-8b-instruct-v1:0', responseHeaders: { 'x-amzn-requestid': 'r1' } }),
    ).toMatchObject({ upstream: 'meta', responseModel: 'meta.llama3-8b-instruct-v1:0', region: 'us-west-2', awsRegion: 'us-west-2' });
  });

  it('reads the AI21 OpenAI-shaped body model', () => {
    expect(
      deriveRoute({ url: 'https://bedrock-runtime.us-east-1.amazonaws.com', region: 'us-east-1', requestModel: 'ai21.jamba-1-5-mini-v1:0', responseBody: { id: 'chatcmpl-1', model: 'jamba-1.5-mini' } }),
    ).toMatchObject({ upstream: 'ai21', responseModel: 'jamba-1.5-mini', region: 'us-east-1' });
  });

  it('lets a Bedrock model ID decide nothing when only a hint says Bedrock (§2.7)', () => {
    const attribution = deriveRoute({ providerHint: 'bedrock', region: 'us-east-1', requestModel: 'ai21.jamba-1-5-mini-v1:0', responseBody: { id: 'chatcmpl-1', model: 'jamba-1.5-mini' } });
    expect(attribution).toMatchObject({ system: 'aws.bedrock', gateway: 'aws.bedrock', responseModel: 'jamba-1.5-mini' });
    expect(attribution.upstream).toBeUndefined();
  });

  it('sets no upstream for a Bedrock call that got no response', () => {
    const attribution = deriveRoute({ url: 'https://bedrock-runtime.eu-central-1.amazonaws.com/model/eu.amazon.nova-pro-v1%3A0/converse-stream', region: 'eu-central-1' });
    expect(attribution.upstream).toBeUndefined();
    expect(attribution.path).toBeUndefined();
    expect(attribution.evidence).toContain('no_response');
  });
});

describe('deriveRoute provider hints', () => {
  it.each([
    ['openai', 'openai'],
    ['openai.chat', 'openai'],
    ['openai.responses', 'openai'],
    ['anthropic.messages', 'anthropic'],
    ['amazon-bedrock', 'aws.bedrock'],
    ['amazon_bedrock', 'aws.bedrock'],
    ['aws.bedrock', 'aws.bedrock'],
    ['azure.chat', 'azure.ai.openai'],
    ['azure_openai', 'azure.ai.openai'],
    ['google.generative-ai', 'gcp.gemini'],
    ['google_genai', 'gcp.gemini'],
    ['google.vertex.chat', 'gcp.vertex_ai'],
    ['google_vertexai', 'gcp.vertex_ai'],
    ['gateway', 'vercel'],
    ['openrouter.chat', 'openrouter'],
    ['mistral.chat', 'mistral_ai'],
    ['xai.chat', 'x_ai'],
    ['ChatOpenAI', 'openai'],
    ['AzureChatOpenAI', 'azure.ai.openai'],
    ['ChatAnthropic', 'anthropic'],
    ['ChatBedrockConverse', 'aws.bedrock'],
    ['BedrockChat', 'aws.bedrock'],
    ['ChatGoogleGenerativeAI', 'gcp.gemini'],
    ['ChatVertexAI', 'gcp.vertex_ai'],
    ['ChatMistralAI', 'mistral_ai'],
    ['ChatGroq', 'groq'],
  ])('%s → %s', (providerHint, system) => {
    expect(deriveRoute({ providerHint }).system).toBe(system);
  });

  it('keeps a protocol-only hint from naming the upstream', () => {
    expect(deriveRoute({ providerHint: 'openai-compatible.chat', url: 'http://localhost:8000/v1' })).toEqual({ system: '_OTHER', evidence: [] });
  });
});

describe('deriveRoute Azure spill-over', () => {
  it('reports the serving deployment and a fallback when traffic spilled over', () => {
    const attribution = deriveRoute({
      url: 'https://res.openai.azure.com/openai/deployments/gpt-4o-ptu/chat/completions?api-version=2024-10-21',
      responseHeaders: {
        'x-ms-deployment-name': 'gpt-4o-standard',
        'x-ms-spillover-from-gpt-4o-ptu': 'true',
        'x-ms-region': 'East US',
        'apim-request-id': 'a-1',
      },
      responseBody: { id: 'chatcmpl-1', model: 'gpt-4o-2024-11-20' },
    });
    expect(attribution).toMatchObject({ deployment: 'gpt-4o-standard', requestModel: 'gpt-4o-ptu', fallback: true, region: 'eastus' });
  });
});

describe('deriveRoute request-id fingerprints', () => {
  it('names Anthropic behind hosted Portkey from its req_ request-id', () => {
    expect(
      deriveRoute({ url: 'https://api.portkey.ai/v1/messages', responseHeaders: { 'request-id': 'req_011CeCGmKvCzKZaVfRLs6sad' } }),
    ).toMatchObject({ gateway: 'portkey', upstream: 'anthropic', evidence: ['header.request-id', 'url'] });
  });

  it('names OpenAI behind LiteLLM from a passed-through x-request-id', () => {
    expect(
      deriveRoute({ url: 'http://localhost:4000/v1/chat/completions', responseHeaders: { 'llm_provider-x-request-id': 'req_0123456789abcdef0123456789abcdef' } }),
    ).toMatchObject({ gateway: 'litellm', upstream: 'openai' });
  });

  it('does not take a Groq ULID request id for OpenAI', () => {
    expect(deriveRoute({ url: 'http://localhost:9/v1', responseHeaders: { 'x-request-id': 'req_01kkhvr0gve36tx885a3mzgs49' } })).toEqual({
      system: '_OTHER',
      evidence: [],
    });
  });
});

describe('deriveRoute never emits empty names', () => {
  it('drops a gateway-reported provider that folds to nothing', () => {
    const attribution = deriveRoute({ url: 'https://api.portkey.ai/v1/chat/completions', responseHeaders: { 'x-portkey-provider': '!!!' } });
    expect(attribution).toEqual({ system: 'portkey', gateway: 'portkey', evidence: ['url'] });
  });
});

describe('deriveRoute Bedrock ARNs in the path', () => {
  it.each([
    ['percent-encoded', encodeURIComponent('arn:aws:bedrock:us-west-2:123456789012:inference-profile/us.meta.llama3-8b-instruct-v1:0')],
    ['unencoded', 'arn:aws:bedrock:us-west-2:123456789012:inference-profile/us.meta.llama3-8b-instruct-v1:0'],
  ])('reads a %s inference-profile ARN', (_name, id) => {
    expect(deriveRoute({ url: `https://bedrock-runtime.us-west-2.amazonaws.com/model/${id}/converse`, responseReceived: true })).toMatchObject({
      upstream: 'meta',
      responseModel: 'meta.llama3-8b-instruct-v1:0',
      regionScope: 'us',
      awsRegion: 'us-west-2',
    });
  });
});

describe('deriveRoute Vertex AI', () => {
  it('reads publisher and location from a regional Gemini URL', () => {
    expect(
      deriveRoute({
        url: 'https://europe-west4-aiplatform.googleapis.com/v1/projects/p/locations/europe-west4/publishers/google/models/gemini-2.5-flash:generateContent',
        responseBody: { modelVersion: 'gemini-2.5-flash', responseId: 'r1', usageMetadata: { trafficType: 'ON_DEMAND' } },
      }),
    ).toEqual({
      system: 'gcp.vertex_ai',
      gateway: 'gcp.vertex_ai',
      upstream: 'google',
      path: ['gcp.vertex_ai', 'google'],
      requestModel: 'gemini-2.5-flash',
      responseModel: 'gemini-2.5-flash',
      region: 'europe-west4',
      evidence: ['body.modelVersion', 'url'],
    });
  });

  it('reads the global endpoint as a scope, not a region', () => {
    expect(
      deriveRoute({ url: 'https://aiplatform.googleapis.com/v1/projects/p/locations/global/publishers/anthropic/models/claude-sonnet-4@20250514:rawPredict', status: 200 }),
    ).toMatchObject({ upstream: 'anthropic', regionScope: 'global' });
  });
});

describe('deriveRoute hosts', () => {
  it.each([
    ['https://us-south.ml.cloud.ibm.com/ml/v1/text/chat', 'ibm.watsonx.ai'],
    ['https://api.groq.com/openai/v1/chat/completions', 'groq'],
    ['https://oai.helicone.ai/v1/chat/completions', 'helicone'],
    ['https://x.openai.azure.com/openai/deployments/a/chat/completions', 'azure.ai.openai'],
    ['https://x.services.ai.azure.com/models/chat/completions', 'azure.ai.inference'],
    ['https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:generateContent', 'gcp.gemini'],
    ['https://us-east5-aiplatform.googleapis.com/v1/projects/p/locations/us-east5/publishers/google/models/gemini-2.5-pro:generateContent', 'gcp.vertex_ai'],
    ['https://api.together.xyz/v1/chat/completions', 'together'],
    ['https://bedrock-mantle.us-east-1.api.aws/v1/chat/completions', 'aws.bedrock'],
    ['https://bedrock-runtime-fips.us-gov-west-1.amazonaws.com/model/x.y/converse', 'aws.bedrock'],
    ['https://gateway.ai.cloudflare.com/v1/a/g/anthropic/v1/messages', 'cloudflare'],
    ['https://user:pass@openrouter.ai:443/api/v1', 'openrouter'],
    ['openrouter.ai', 'openrouter'],
    ['https://API.OPENAI.COM/v1', 'openai'],
    ['https://evil-openai.com/v1', '_OTHER'],
    ['https://api.openai.com.evil.example/v1', '_OTHER'],
  ])('%s → %s', (url, system) => {
    expect(deriveRoute({ url }).system).toBe(system);
  });
});

describe('deriveRoute long streams', () => {
  it('reads the first and the last chunks of a 5000-chunk stream', () => {
    const middle = 'data: {"id":"gen_01","choices":[{"delta":{"content":"x"}}]}\n\n'.repeat(5000);
    const routing = { finalProvider: 'vertex', attempts: [{ provider: 'anthropic', success: false }, { provider: 'vertex', success: true, providerApiModelId: 'gemini-2.5-pro' }] };
    const last = `data: ${JSON.stringify({ id: 'gen_01', generationId: 'gen_01', choices: [{ delta: { provider_metadata: { gateway: { routing } } } }] })}\n\ndata: [DONE]\n\n`;
    const responseBody = `: keep-alive\n\ndata: {"id":"gen_01","model":"google/gemini-2.5-pro","choices":[]}\n\n${middle}${last}`;
    expect(deriveRoute({ url: 'https://ai-gateway.vercel.sh/v1/chat/completions', responseBody })).toMatchObject({
      gateway: 'vercel',
      upstream: 'gcp.vertex_ai',
      path: ['vercel', 'gcp.vertex_ai', 'google'],
      responseModel: 'gemini-2.5-pro',
      requestId: 'gen_01',
      attempts: 2,
      fallback: true,
    });
  });

  it('takes the provider of an OpenRouter error chunk at the end of a long stream', () => {
    const middle = 'data: {"id":"gen-9","choices":[{"delta":{"content":"x"}}]}\n\n'.repeat(3000);
    const responseBody = `: OPENROUTER PROCESSING\n\n${middle}data: {"id":"gen-9","provider":"Minimax","error":{"code":400,"message":"Token limit reached"}}\n\n`;
    expect(deriveRoute({ url: 'https://openrouter.ai/api/v1/chat/completions', responseBody })).toMatchObject({ upstream: 'minimax' });
  });
});

describe('deriveRoute Azure behind a gateway that relays its headers', () => {
  it('keeps the relayed x-ms-region as the region that served', () => {
    const attribution = deriveRoute({
      url: 'https://gateway.ai.cloudflare.com/v1/acct/gw/azure-openai/res/gpt-4o/chat/completions',
      responseHeaders: { 'cf-aig-log-id': 'l', 'apim-request-id': 'a', 'x-ms-region': 'East US' },
      responseBody: { model: 'gpt-4o-2024-11-20' },
    });
    expect(attribution).toMatchObject({ gateway: 'cloudflare', upstream: 'azure.ai.openai', path: ['cloudflare', 'azure.ai.openai', 'openai'], region: 'eastus' });
  });
});

describe('deriveRoute Hugging Face router provider paths (DESIGN.md §2.5)', () => {
  it.each([
    ['https://router.huggingface.co/novita/v3/openai/chat/completions', 'novita'],
    ['https://router.huggingface.co/fireworks-ai/inference/v1/chat/completions', 'fireworks'],
    ['https://router.huggingface.co/together/v1/chat/completions', 'together'],
  ])('%s → %s', (url, upstream) => {
    expect(deriveRoute({ url, status: 200, responseBody: { model: 'm' } })).toMatchObject({ gateway: 'huggingface', upstream });
  });

  it('names no provider for the router’s own v1 route without a suffix or fingerprint', () => {
    expect(deriveRoute({ url: 'https://router.huggingface.co/v1/chat/completions', requestModel: 'm:fastest', status: 200 }).upstream).toBeUndefined();
  });
});
