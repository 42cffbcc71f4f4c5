import {
  anthropicMessage,
  anthropicStreamEvents,
  datedClaudeModel,
  readAnthropicRequest,
} from '../anthropic-messages';
import {
  applyFailure,
  isUnknownModel,
  parseJsonObject,
  sendAnswer,
  sendJson,
  sendStream,
  type ErrorKind,
  type TargetHandler,
} from '../common';
import type { Random } from '../random';

/** Anthropic's error type and status for each kind (overload is 529, as the real API sends). */
const ERRORS: Record<ErrorKind, [number, string, string]> = {
  malformed_json: [400, 'invalid_request_error', 'There was an error parsing the body of your request'],
  missing_messages: [400, 'invalid_request_error', 'messages: Field required'],
  missing_model: [400, 'invalid_request_error', 'model: Field required'],
  unknown_model: [404, 'not_found_error', 'model: '],
  not_found: [404, 'not_found_error', 'Not Found'],
  rate_limit: [429, 'rate_limit_error', 'Number of request tokens has exceeded your per-minute rate limit'],
  unavailable: [529, 'overloaded_error', 'Overloaded'],
  server_error: [500, 'api_error', 'Internal server error'],
};

function anthropicHeaders(random: Random, requestId: string, organizationId: string): Record<string, string> {
  const reset = new Date(Date.now() + 60_000).toISOString().replace(/\.\d+Z$/, 'Z');
  return {
    'request-id': requestId,
    'anthropic-organization-id': organizationId,
    'anthropic-ratelimit-requests-limit': '4000',
    'anthropic-ratelimit-requests-remaining': '3999',
    'anthropic-ratelimit-requests-reset': reset,
    'anthropic-ratelimit-input-tokens-limit': '2000000',
    'anthropic-ratelimit-input-tokens-remaining': '2000000',
    'anthropic-ratelimit-input-tokens-reset': reset,
    'anthropic-ratelimit-output-tokens-limit': '400000',
    'anthropic-ratelimit-output-tokens-remaining': '400000',
    'anthropic-ratelimit-output-tokens-reset': reset,
    'anthropic-ratelimit-tokens-limit': '2400000',
    'anthropic-ratelimit-tokens-remaining': '2400000',
    'anthropic-ratelimit-tokens-reset': reset,
    traceresponse: `00-${random.hex(32)}-${random.hex(16)}-01`,
    'x-robots-tag': 'none',
    'x-should-retry': 'false',
    'strict-transport-security': 'max-age=31536000; includeSubDomains; preload',
    'cf-cache-status': 'DYNAMIC',
    'x-envoy-upstream-service-time': String(300 + Math.floor(random.next() * 900)),
    server: 'cloudflare',
    'cf-ray': `${random.hex(16)}-IAD`,
  };
}

/** `/anthropic/v1/messages`: the Anthropic Messages API, JSON and SSE. */
export const handleAnthropic: TargetHandler = async (exchange, context, path) => {
  const requestId = `req_011C${context.random.string(20)}`;
  const organizationId = '2f0a5b7e-5e2c-4f39-9d4e-0c1a8e7b6d55';
  const respondError = (kind: ErrorKind, detail = ''): void => {
    const [status, type, message] = ERRORS[kind];
    const headers = anthropicHeaders(context.random, requestId, organizationId);
    if (kind === 'rate_limit') headers['retry-after'] = String(context.scenario.retryAfterSeconds ?? 1);
    headers['x-should-retry'] = status >= 429 ? 'true' : 'false';
    sendJson(exchange, status, headers, {
      type: 'error',
      error: { type, message: kind === 'unknown_model' ? `model: ${detail}` : detail && kind.startsWith('missing') ? `${detail}: Field required` : message },
      request_id: requestId,
    });
  };
  if (exchange.method !== 'POST' || path !== '/v1/messages') return respondError('not_found');
  const body = parseJsonObject(exchange.body);
  if (!body) return respondError('malformed_json');
  const request = readAnthropicRequest(body, { modelRequired: true, text: context.scenario.text });
  if (typeof request === 'string') return respondError(request === 'model' ? 'missing_model' : 'missing_messages', request);
  if (isUnknownModel(request.model)) return respondError('unknown_model', request.model);
  context.reportUpstream('anthropic');
  if (await applyFailure(exchange, context, respondError, request.stream)) return;
  const requestedGeo = typeof body.inference_geo === 'string' ? body.inference_geo : undefined;
  const shape = {
    id: `msg_01${context.random.string(22)}`,
    model: context.scenario.servedModel ?? datedClaudeModel(request.model),
    toolUseId: `toolu_01${context.random.string(22)}`,
    inferenceGeo: context.scenario.region ?? requestedGeo ?? 'not_available',
  };
  const headers = anthropicHeaders(context.random, requestId, organizationId);
  if (!request.stream) {
    await sendAnswer(exchange, context, { 'content-type': 'application/json', ...headers }, JSON.stringify(anthropicMessage(request, shape)));
    return;
  }
  await sendStream(exchange, context, {
    headers: { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', ...headers },
    events: anthropicStreamEvents(request, shape).map(([event, data]) => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`),
    errorEvents: [
      `event: error\ndata: ${JSON.stringify({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' }, request_id: requestId })}\n\n`,
    ],
  });
};
