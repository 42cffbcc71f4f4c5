import {
  chatCompletionId,
  chatDeltas,
  chatMessage,
  dataLine,
  datedOpenAiModel,
  finishReason,
  openAiUsage,
  readChatRequest,
  toolCallIdFor,
  type ChatRequest,
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
  type ErrorResponder,
  type TargetContext,
  type TargetHandler,
} from '../common';
import type { Exchange } from '../exchange';
import { embeddingList, readEmbeddingInputs } from '../embeddings';
import type { Random } from '../random';
import {
  readResponsesRequest,
  responseErrorEvent,
  responseObject,
  responseStreamEvents,
  responsesIds,
} from '../responses';

/** OpenAI's error body for each kind: status, message, type, param, code. */
export function openAiError(kind: ErrorKind, detail = ''): { status: number; body: unknown } {
  const error = (status: number, message: string, type: string, param: string | null, code: string | null) => ({
    status,
    body: { error: { message, type, param, code } },
  });
  switch (kind) {
    case 'malformed_json':
      return error(
        400,
        "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)",
        'invalid_request_error',
        null,
        null,
      );
    case 'missing_messages':
      return error(400, `Missing required parameter: '${detail || 'messages'}'.`, 'invalid_request_error', detail || 'messages', 'missing_required_parameter');
    case 'missing_model':
      return error(400, 'you must provide a model parameter', 'invalid_request_error', null, null);
    case 'unknown_model':
      return error(404, `The model \`${detail}\` does not exist or you do not have access to it.`, 'invalid_request_error', null, 'model_not_found');
    case 'not_found':
      return error(404, `Invalid URL (${detail})`, 'invalid_request_error', null, null);
    case 'rate_limit':
      return error(429, 'Rate limit reached for requests. Please try again in 1s.', 'requests', null, 'rate_limit_exceeded');
    case 'unavailable':
      return error(503, 'The server is overloaded or not ready yet.', 'server_error', null, null);
    default:
      return error(500, 'The server had an error while processing your request. Sorry about that!', 'server_error', null, null);
  }
}

/** OpenAI's own response headers (also what a gateway passes through from OpenAI). */
export function openAiHeaders(random: Random, contentType: string): Record<string, string> {
  return {
    'Content-Type': contentType,
    'access-control-expose-headers': 'X-Request-ID',
    'openai-organization': 'user-sim0000000000000000000000',
    'openai-processing-ms': String(200 + Math.floor(random.next() * 800)),
    'openai-project': `proj_${random.string(24)}`,
    'openai-version': '2020-10-01',
    'x-envoy-upstream-service-time': String(200 + Math.floor(random.next() * 800)),
    'x-ratelimit-limit-requests': '5000',
    'x-ratelimit-limit-tokens': '2000000',
    'x-ratelimit-remaining-requests': '4999',
    'x-ratelimit-remaining-tokens': '1999990',
    'x-ratelimit-reset-requests': '12ms',
    'x-ratelimit-reset-tokens': '0s',
    'x-request-id': `req_${random.hex(32)}`,
    'x-openai-proxy-wasm': 'v0.1',
    'cf-cache-status': 'DYNAMIC',
    'cf-ray': `${random.hex(16)}-IAD`,
    server: 'cloudflare',
    'strict-transport-security': 'max-age=31536000; includeSubDomains; preload',
    'x-content-type-options': 'nosniff',
    'alt-svc': 'h3=":443"; ma=86400',
  };
}

function errorResponder(exchange: Exchange, context: TargetContext): ErrorResponder {
  return (kind, detail) => {
    const { status, body } = openAiError(kind, detail);
    const headers = openAiHeaders(context.random, 'application/json');
    if (kind === 'rate_limit') headers['retry-after'] = String(context.scenario.retryAfterSeconds ?? 1);
    sendJson(exchange, status, headers, body);
  };
}

/** `/openai/v1/...`: OpenAI direct chat completions and responses. */
export const handleOpenAi: TargetHandler = async (exchange, context, path) => {
  const respondError = errorResponder(exchange, context);
  if (exchange.method !== 'POST' || !['/v1/chat/completions', '/v1/responses', '/v1/embeddings'].includes(path)) {
    respondError('not_found', `${exchange.method} ${path}`);
    return;
  }
  const body = parseJsonObject(exchange.body);
  if (!body) return respondError('malformed_json');
  context.reportUpstream('openai');
  if (path === '/v1/embeddings') {
    const inputs = readEmbeddingInputs(body);
    if (!inputs) return respondError('missing_messages', 'input');
    if (typeof body.model !== 'string' || !body.model) return respondError('missing_model');
    if (isUnknownModel(body.model)) return respondError('unknown_model', body.model);
    if (await applyFailure(exchange, context, respondError, false)) return;
    const headers = { ...openAiHeaders(context.random, 'application/json'), 'openai-model': body.model };
    const dimensions = typeof body.dimensions === 'number' ? body.dimensions : undefined;
    await sendAnswer(exchange, context, headers, JSON.stringify(embeddingList(inputs, body.model, context.random, dimensions)));
    return;
  }
  if (path === '/v1/responses') {
    const request = readResponsesRequest(body, context.scenario.text);
    if (request === 'missing_input') return respondError('missing_messages', 'input');
    if (request === 'missing_model') return respondError('missing_model');
    if (isUnknownModel(request.model)) return respondError('unknown_model', request.model);
    if (await applyFailure(exchange, context, respondError, request.stream)) return;
    const ids = responsesIds(context.random, request.answer);
    const options = { model: context.scenario.servedModel ?? datedOpenAiModel(request.model), createdAt: epochSeconds(context.now) };
    if (!request.stream) {
      const response = responseObject(request, ids, { ...options, status: 'completed' });
      await sendAnswer(exchange, context, openAiHeaders(context.random, 'application/json'), JSON.stringify(response, null, 2));
      return;
    }
    await sendStream(exchange, context, {
      headers: openAiHeaders(context.random, 'text/event-stream; charset=utf-8'),
      events: responseStreamEvents(request, ids, options),
      errorEvents: [responseErrorEvent('The server had an error while processing your request.')],
    });
    return;
  }
  const request = readChatRequest(body, { modelRequired: true, text: context.scenario.text });
  if (request === 'missing_messages') return respondError('missing_messages');
  if (request === 'missing_model') return respondError('missing_model');
  if (isUnknownModel(request.model)) return respondError('unknown_model', request.model);
  if (await applyFailure(exchange, context, respondError, request.stream)) return;
  await answerChat(exchange, context, request, {
    model: context.scenario.servedModel ?? datedOpenAiModel(request.model),
    headers: openAiHeaders(context.random, request.stream ? 'text/event-stream; charset=utf-8' : 'application/json'),
  });
};

/** Answers an OpenAI-shaped chat completion (JSON or SSE) with OpenAI's own body fields. */
export async function answerChat(
  exchange: Exchange,
  context: TargetContext,
  request: ChatRequest,
  options: { model: string; headers: Record<string, string> },
): Promise<void> {
  const id = chatCompletionId(context.random);
  const toolCallId = toolCallIdFor(context.random);
  const created = epochSeconds(context.now);
  const systemFingerprint = `fp_${context.random.hex(10)}`;
  if (!request.stream) {
    const body = {
      id,
      object: 'chat.completion',
      created,
      model: options.model,
      choices: [
        {
          index: 0,
          message: chatMessage(request.answer, toolCallId, { refusal: null, annotations: [] }),
          logprobs: null,
          finish_reason: finishReason(request.answer),
        },
      ],
      usage: openAiUsage(request.promptTokens, request.completionTokens),
      service_tier: 'default',
      system_fingerprint: systemFingerprint,
    };
    await sendAnswer(exchange, context, options.headers, JSON.stringify(body, null, 2));
    return;
  }
  const chunk = (choices: unknown[], extra: Record<string, unknown> = {}) => ({
    id,
    object: 'chat.completion.chunk',
    created,
    model: options.model,
    service_tier: 'default',
    system_fingerprint: systemFingerprint,
    choices,
    ...extra,
  });
  const events = chatDeltas(request.answer, toolCallId).map((delta, index) =>
    dataLine(
      chunk([
        { index: 0, delta: index === 0 ? { ...delta, refusal: null } : delta, logprobs: null, finish_reason: null },
      ], request.includeUsage ? { usage: null } : {}),
    ),
  );
  events.push(
    dataLine(
      chunk(
        [{ index: 0, delta: {}, logprobs: null, finish_reason: finishReason(request.answer) }],
        request.includeUsage ? { usage: null } : {},
      ),
    ),
  );
  if (request.includeUsage) {
    events.push(dataLine(chunk([], { usage: openAiUsage(request.promptTokens, request.completionTokens) })));
  }
  await sendStream(exchange, context, {
    headers: options.headers,
    events,
    trailer: [dataLine('[DONE]')],
    errorEvents: [
      dataLine({ error: { message: 'The server had an error while processing your request. Sorry about that!', type: 'server_error', param: null, code: null } }),
    ],
  });
}
