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
  epochSeconds,
  isUnknownModel,
  parseJsonObject,
  sendAnswer,
  sendJson,
  sendStream,
  type ErrorKind,
  type TargetHandler,
} from '../common';
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

/** `/litellm/v1/chat/completions`: the LiteLLM proxy, its `x-litellm-*` headers and re-stamped body `model`. */
export const handleLiteLlm: TargetHandler = async (exchange, context, path) => {
  const callId = context.random.uuid();
  const baseHeaders = { server: 'uvicorn', 'x-litellm-call-id': callId, 'x-litellm-version': LITELLM_VERSION };
  let routeHeaders: Record<string, string> = {};
  const respondError = (kind: ErrorKind, detail?: string): void => {
    const table: Record<ErrorKind, [number, string, string]> = {
      malformed_json: [400, 'Invalid JSON payload', 'invalid_request_error'],
      missing_messages: [400, 'litellm.BadRequestError: messages is a required field', 'invalid_request_error'],
      missing_model: [400, 'litellm.BadRequestError: model is a required field', 'invalid_request_error'],
      unknown_model: [
        400,
        `{'error': '/chat/completions: Invalid model name passed in model=${detail}. Call \`/v1/models\` to view available models for your key.'}`,
        'None',
      ],
      not_found: [404, 'Not Found', 'None'],
      rate_limit: [429, `litellm.RateLimitError: RateLimitError: ${detail ?? 'upstream'} rate limit exceeded. Received Model Group=${detail}`, 'throttling_error'],
      unavailable: [503, `litellm.ServiceUnavailableError: ServiceUnavailableError: upstream unavailable. Received Model Group=${detail}`, 'None'],
      server_error: [500, `litellm.InternalServerError: InternalServerError: upstream error. Received Model Group=${detail}`, 'None'],
    };
    const [status, message, type] = table[kind];
    const headers: Record<string, string> = { ...baseHeaders, ...routeHeaders };
    if (kind === 'rate_limit') headers['retry-after'] = String(context.scenario.retryAfterSeconds ?? 1);
    sendJson(exchange, status, headers, { error: { message, type, param: 'None', code: String(status) } });
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
  const upstream = resolveUpstream(context.chosenUpstream ?? defaultUpstream(request.model), 'litellm');
  const deploymentModel = context.scenario.servedModel ?? request.model;
  const modelName = `${upstream.litellm}/${deploymentModel}`;
  const fallbacks = context.scenario.fallbackFrom?.length ?? 0;
  context.reportUpstream(modelName);
  routeHeaders = {
    'x-litellm-model-id': createHash('sha256').update(`${modelName}|${upstream.apiBase}`).digest('hex'),
    'x-litellm-model-name': modelName,
    'x-litellm-model-api-base': upstream.apiBase,
    'x-litellm-model-group': request.model,
    'x-litellm-attempted-retries': '0',
    'x-litellm-attempted-fallbacks': String(fallbacks),
    'x-litellm-max-retries': '0',
  };
  if (await applyFailure(exchange, context, (kind) => respondError(kind, request.model), request.stream)) return;
  if (fallbacks > 0) {
    const errors = context.scenario.fallbackFrom!.map((name) => ({
      message: `litellm.RateLimitError: ${resolveUpstream(name, 'litellm').litellm} rate limited`,
      type: 'RateLimitError',
      code: '429',
    }));
    routeHeaders['x-litellm-fallback-errors'] = JSON.stringify(errors);
  }
  const cost = (request.promptTokens * 2.5e-6 + request.completionTokens * 1e-5).toPrecision(3);
  const headers: Record<string, string> = {
    'content-type': request.stream ? 'text/event-stream; charset=utf-8' : 'application/json',
    ...baseHeaders,
    ...routeHeaders,
    'x-litellm-response-cost': cost,
    'x-litellm-response-cost-original': cost,
    'x-litellm-response-cost-discount-amount': '0.0',
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
