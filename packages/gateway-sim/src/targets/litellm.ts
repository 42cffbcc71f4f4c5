import { createHash } from 'node:crypto';
import {
  chatCompletionId,
  chatDeltas,
  chatMessage,
  dataLine,
  finishReason,
  openAiUsage,
  readChatRequest,
  toolCallIdFor,
} from '../chat-completions';
import {
  applyFailure,
  applyGatewayRefusal,
  epochSeconds,
  isUnknownModel,
  parseJsonObject,
  sendAnswer,
  sendJson,
  sendStream,
  type ErrorKind,
  type TargetContext,
  type TargetHandler,
} from '../common';
import { callCost } from '../pricing';
import { liteLlmPolicy, planRoute } from '../routing';
import type { GatewayRefusal } from '../types';
import { estimateTokens } from '../answer';
import { embeddingList, readEmbeddingInputs } from '../embeddings';
import type { Random } from '../random';
import { resolveUpstream, type UpstreamNames } from '../upstreams';

/** The LiteLLM proxy version the simulator claims. */
export const LITELLM_VERSION = '1.79.3';

function defaultUpstream(alias: string): string {
  const lower = alias.toLowerCase();
  if (lower.includes('bedrock') || lower.startsWith('anthropic.') || lower.startsWith('us.')) return 'aws.bedrock';
  if (lower.includes('claude')) return 'anthropic';
  if (lower.includes('gemini')) return 'gcp.vertex_ai';
  if (lower.startsWith('gpt') || /^o\d/.test(lower)) return 'azure.ai.openai';
  return 'openai';
}

/** The inner provider's own headers, as LiteLLM re-emits them with the `llm_provider-` prefix. */
function innerProviderHeaders(upstream: UpstreamNames, random: Random, contentType: string, now: number): Record<string, string> {
  const inner: Record<string, string> = { 'content-type': contentType, date: new Date().toUTCString() };
  switch (upstream.id) {
    case 'azure.ai.openai':
      Object.assign(inner, {
        'apim-request-id': random.uuid(),
        'x-ms-region': 'East US',
        'azureml-model-session': 'v20250225-1-161802030',
        'x-ratelimit-remaining-requests': '249',
        'x-request-id': random.uuid(),
      });
      break;
    case 'openai':
      Object.assign(inner, {
        'openai-organization': 'user-sim0000000000000000000000',
        'openai-processing-ms': '256',
        'openai-version': '2020-10-01',
        'x-request-id': `req_${random.hex(32)}`,
      });
      break;
    case 'aws.bedrock':
      inner['x-amzn-requestid'] = random.uuid();
      break;
    case 'anthropic':
      Object.assign(inner, {
        'request-id': `req_011C${random.string(20)}`,
        'anthropic-organization-id': random.uuid(),
      });
      break;
    case 'openrouter':
      inner['x-generation-id'] = `gen-${Math.floor(now / 1000)}-${random.string(20)}`;
      break;
    default:
      inner['x-request-id'] = random.uuid();
  }
  const prefixed: Record<string, string> = {};
  for (const [name, value] of Object.entries(inner)) prefixed[`llm_provider-${name}`] = value;
  return prefixed;
}

/** LiteLLM's exception name for a provider, as it prefixes relayed errors (`OpenAIException - …`). */
const PROVIDER_EXCEPTIONS: Record<string, string> = {
  openai: 'OpenAIException',
  azure: 'AzureException',
  azure_ai: 'Azure_aiException',
  bedrock: 'BedrockException',
  anthropic: 'AnthropicException',
  vertex_ai: 'VertexAIException',
  openrouter: 'OpenrouterException',
};

function providerException(litellmProvider: string): string {
  if (Object.hasOwn(PROVIDER_EXCEPTIONS, litellmProvider)) return PROVIDER_EXCEPTIONS[litellmProvider]!;
  return `${litellmProvider.charAt(0).toUpperCase()}${litellmProvider.slice(1)}Exception`;
}

/** `2026-12-06 10:15:00 UTC`, the format of LiteLLM's `reset_at`. */
function resetAt(milliseconds: number): string {
  return new Date(milliseconds).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
}

/**
 * LiteLLM's own refusals (nothing reaches a provider):
 * - budget: `{"error":{"message":"Budget has been exceeded! Current cost: 10.51, Max budget: 10.00","type":"budget_exceeded",
 *   "code":"429"}}`, the current response quoted in BerriAI/litellm#36729 (2026-08-13), with `param: null` as the
 *   docs show it (docs.litellm.ai/docs/proxy/users). LiteLLM's docs of 2026-12-02 (proxy/budget_exceeded_errors) say
 *   newer releases answer 422 by default (`budget_exceeded_status_code` brings 429 back); the simulated 1.79.3 answers 429.
 * - key rate limit: HTTP 429, body message `Rate limit exceeded for api_key: <hash>. Limit type: requests. Current limit:
 *   N, Remaining: 0. Limit resets at: <time> UTC`, headers `retry-after`, `rate_limit_type`, `reset_at`
 *   (`litellm/proxy/hooks/parallel_request_limiter_v3.py`, BerriAI/litellm@00353f5f; rendered by
 *   `_handle_llm_api_exception` as `type`/`param` "None"). "The gateway sets [retry-after] on its own rate limits and
 *   cooldowns, and it does not forward the provider's retry-after onto an error response"
 *   (docs.litellm.ai/docs/proxy/error_reference, 2026-10-06).
 */
function liteLlmRefusal(refusal: GatewayRefusal, context: TargetContext): { status: number; headers: Record<string, string>; error: Record<string, unknown> } {
  if (refusal === 'budget_exceeded') {
    return {
      status: 429,
      headers: {},
      error: { message: 'Budget has been exceeded! Current cost: 10.51, Max budget: 10.0', type: 'budget_exceeded', param: null, code: '429' },
    };
  }
  const window = context.scenario.retryAfterSeconds ?? 60;
  const reset = resetAt(context.now + window * 1000);
  const keyHash = createHash('sha256').update(`sk-sim-${context.random.hex(8)}`).digest('hex');
  return {
    status: 429,
    headers: { 'retry-after': String(window), rate_limit_type: 'requests', reset_at: reset },
    error: {
      message: `Rate limit exceeded for api_key: ${keyHash}. Limit type: requests. Current limit: 10, Remaining: 0. Limit resets at: ${reset}`,
      type: 'None',
      param: 'None',
      code: '429',
    },
  };
}

/** `/litellm/v1/chat/completions`: the LiteLLM proxy, its `x-litellm-*` headers and re-stamped body `model`. */
export const handleLiteLlm: TargetHandler = async (exchange, context, path) => {
  const callId = context.random.uuid();
  const baseHeaders = { server: 'uvicorn', 'x-litellm-call-id': callId, 'x-litellm-version': LITELLM_VERSION };
  // `_handle_llm_api_exception` builds its headers with `response_cost=0`: a refused or failed call says it cost 0.
  const errorHeaders = { ...baseHeaders, 'x-litellm-response-cost': '0' };
  let routeHeaders: Record<string, string> = {};
  let upstreamProvider = 'openai';
  let fallbackGroups: string[] = [];
  const respondError = (kind: ErrorKind, detail?: string): void => {
    // Relayed provider errors name the provider's exception, which is how LiteLLM's docs tell them from its own
    // (docs.litellm.ai/docs/proxy/error_diagnosis); the router adds the model group and its fallbacks.
    const exception = providerException(upstreamProvider);
    const group = `Received Model Group=${detail}\nAvailable Model Group Fallbacks=${fallbackGroups.length ? JSON.stringify(fallbackGroups) : 'None'}`;
    const table: Record<ErrorKind, [number, string, string | null]> = {
      malformed_json: [400, 'Invalid JSON payload', 'invalid_request_error'],
      missing_messages: [400, 'litellm.BadRequestError: messages is a required field', 'invalid_request_error'],
      missing_model: [400, 'litellm.BadRequestError: model is a required field', 'invalid_request_error'],
      unknown_model: [
        400,
        `{'error': '/chat/completions: Invalid model name passed in model=${detail}. Call \`/v1/models\` to view available models for your key.'}`,
        'None',
      ],
      not_found: [404, 'Not Found', 'None'],
      rate_limit: [429, `litellm.RateLimitError: RateLimitError: ${exception} - Rate limit reached for requests. ${group}`, 'throttling_error'],
      unavailable: [503, `litellm.ServiceUnavailableError: ServiceUnavailableError: ${exception} - The server is overloaded or not ready yet. ${group}`, 'None'],
      server_error: [500, `litellm.InternalServerError: InternalServerError: ${exception} - The server had an error while processing your request. ${group}`, 'None'],
    };
    const [status, message, type] = table[kind];
    const relayed = kind === 'rate_limit' || kind === 'unavailable' || kind === 'server_error';
    sendJson(exchange, status, { ...errorHeaders, ...routeHeaders }, { error: { message, type, param: relayed ? null : 'None', code: String(status) } });
  };
  const refuse = (refusal: GatewayRefusal): void => {
    const { status, headers, error } = liteLlmRefusal(refusal, context);
    sendJson(exchange, status, { ...errorHeaders, ...headers }, { error });
  };
  const route = path.replace(/^\/v1/, '');
  if (exchange.method !== 'POST' || (route !== '/chat/completions' && route !== '/embeddings')) return respondError('not_found');
  const body = parseJsonObject(exchange.body);
  if (!body) return respondError('malformed_json');
  let embeddingInputs: string[] | undefined;
  if (route === '/embeddings') {
    embeddingInputs = readEmbeddingInputs(body);
    if (!embeddingInputs) return respondError('missing_messages');
    if (typeof body.model !== 'string' || !body.model) return respondError('missing_model');
  }
  // Embeddings share the routing and headers of a (non-streamed) chat call.
  const request = embeddingInputs
    ? { model: body.model as string, stream: false, promptTokens: estimateTokens(embeddingInputs), completionTokens: 0 }
    : readChatRequest(body, { modelRequired: true, text: context.scenario.text });
  if (request === 'missing_messages' || request === 'missing_model') return respondError(request);
  if (isUnknownModel(request.model)) return respondError('unknown_model', request.model);
  if (await applyGatewayRefusal(exchange, context, refuse)) return;
  const policy = liteLlmPolicy(body);
  fallbackGroups = (policy.models ?? []).filter((group) => group !== request.model && !isUnknownModel(group));
  const canonical = (name: string): string => resolveUpstream(name, 'litellm').id;
  const down = new Set(context.down.map(canonical));
  const plan = planRoute({
    models: [request.model, ...fallbackGroups],
    candidates: (group, index) => [index === 0 ? (context.chosenUpstream ?? defaultUpstream(group)) : defaultUpstream(group)],
    policy,
    canonical,
    isDown: (upstream) => down.has(upstream),
    downStatus: context.scenario.downStatus ?? 429,
  });
  const attempt = plan.served ?? plan.attempts.at(-1)!;
  const upstream = resolveUpstream(attempt.upstream, 'litellm');
  upstreamProvider = upstream.litellm;
  const servedGroup = attempt.model;
  const groupFallbacks = Math.max(0, plan.served ? plan.modelIndex : plan.attempts.length - 1);
  const deploymentModel = groupFallbacks === 0 ? (context.scenario.servedModel ?? servedGroup) : servedGroup;
  const modelName = `${upstream.litellm}/${deploymentModel}`;
  const fallbacks = groupFallbacks || (context.scenario.fallbackFrom?.length ?? 0);
  context.reportUpstream(modelName);
  routeHeaders = {
    'x-litellm-model-id': createHash('sha256').update(`${modelName}|${upstream.apiBase}`).digest('hex'),
    'x-litellm-model-name': modelName,
    'x-litellm-model-api-base': upstream.apiBase,
    'x-litellm-model-group': servedGroup,
    'x-litellm-attempted-retries': '0',
    'x-litellm-attempted-fallbacks': String(fallbacks),
    'x-litellm-max-retries': '0',
  };
  if (!plan.served) {
    await exchange.sleep(context.scenario.latency?.firstByteMs ?? 0);
    return respondError(attempt.status === 429 ? 'rate_limit' : attempt.status === 503 ? 'unavailable' : 'server_error', request.model);
  }
  if (await applyFailure(exchange, context, (kind) => respondError(kind, request.model), request.stream)) return;
  if (fallbacks > 0) {
    const failed = groupFallbacks > 0 ? plan.attempts.filter((item) => !item.success).map((item) => resolveUpstream(item.upstream, 'litellm').litellm) : context.scenario.fallbackFrom!.map((name) => resolveUpstream(name, 'litellm').litellm);
    const errors = failed.map((name) => ({
      message: `litellm.RateLimitError: ${name} rate limited`,
      type: 'RateLimitError',
      code: '429',
    }));
    routeHeaders['x-litellm-fallback-errors'] = JSON.stringify(errors);
  }
  const cost = String(callCost(deploymentModel, upstream.id, request.promptTokens, request.completionTokens).total);
  const headers: Record<string, string> = {
    'content-type': request.stream ? 'text/event-stream; charset=utf-8' : 'application/json',
    ...baseHeaders,
    ...routeHeaders,
    // The proxy reads the cost from the response's hidden params before it sends headers; a stream has none
    // yet, so the value is "" and dropped (`exclude_values`, litellm/proxy/common_request_processing.py).
    ...(request.stream
      ? {}
      : { 'x-litellm-response-cost': cost, 'x-litellm-response-cost-original': cost, 'x-litellm-response-cost-discount-amount': '0.0' }),
    'x-litellm-key-spend': '0.0',
    'x-litellm-response-duration-ms': (300 + context.random.next() * 900).toFixed(3),
    'x-litellm-overhead-duration-ms': (2 + context.random.next() * 5).toFixed(3),
    ...innerProviderHeaders(upstream, context.random, request.stream ? 'text/event-stream' : 'application/json', context.now),
  };
  // LiteLLM re-stamps body `model` to the requested alias, except after a fallback.
  const bodyModel = fallbacks > 0 ? deploymentModel : request.model;
  const created = epochSeconds(context.now);
  // Bodies pass through LiteLLM: behind OpenRouter they keep its `gen-` id and `provider`.
  const innerGenerationId = headers['llm_provider-x-generation-id'];
  const id = innerGenerationId ?? chatCompletionId(context.random);
  const passThrough =
    upstream.id === 'openrouter'
      ? { provider: resolveUpstream(context.scenario.innerUpstream ?? 'Together', 'openrouter').openrouter }
      : {};
  if (embeddingInputs) {
    await sendAnswer(exchange, context, headers, JSON.stringify(embeddingList(embeddingInputs, bodyModel, context.random)));
    return;
  }
  if (!('answer' in request)) return;
  const toolCallId = toolCallIdFor(context.random);
  if (!request.stream) {
    const response = {
      id,
      created,
      model: bodyModel,
      ...passThrough,
      object: 'chat.completion',
      system_fingerprint: `fp_${context.random.hex(10)}`,
      choices: [
        {
          finish_reason: finishReason(request.answer),
          index: 0,
          message: chatMessage(request.answer, toolCallId, { function_call: null }),
        },
      ],
      usage: openAiUsage(request.promptTokens, request.completionTokens),
      service_tier: null,
    };
    await sendAnswer(exchange, context, headers, JSON.stringify(response));
    return;
  }
  const chunk = (choices: unknown[], extra: Record<string, unknown> = {}) => ({
    id,
    created,
    model: bodyModel,
    ...passThrough,
    object: 'chat.completion.chunk',
    system_fingerprint: null,
    choices,
    ...extra,
  });
  const events = chatDeltas(request.answer, toolCallId).map((delta) => dataLine(chunk([{ index: 0, delta }])));
  events.push(dataLine(chunk([{ finish_reason: finishReason(request.answer), index: 0, delta: {} }])));
  if (request.includeUsage) {
    events.push(dataLine(chunk([{ index: 0, delta: {} }], { usage: openAiUsage(request.promptTokens, request.completionTokens) })));
  }
  await sendStream(exchange, context, {
    headers,
    events,
    trailer: [dataLine('[DONE]')],
    errorEvents: [
      dataLine({
        error: {
          message: `litellm.InternalServerError: InternalServerError: ${upstream.litellm}Exception - stream interrupted`,
          type: 'None',
          param: 'None',
          code: '500',
        },
      }),
    ],
  });
};
