import { createHash } from 'node:crypto';
import { chatDeltas, chatMessage, dataLine, datedOpenAiModel, finishReason, openAiUsage, readChatRequest, type ChatRequest } from '../chat-completions';
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
import type { Exchange } from '../exchange';
import { resolveUpstream } from '../upstreams';
import { answerChat, openAiError, openAiHeaders } from './openai';

/**
 * Kong AI Gateway (ai-proxy with ai-rate-limiting-advanced and ai-semantic-cache on the route), built from
 * the real `curl -i` outputs in Kong's own AI Gateway workshop (Kong/workshop-kong-api-ai-gateway, Kong
 * 3.10 / 3.11 Enterprise), which helper B copied to
 * `packages/conventions/src/rules/kong/__fixtures__/` (drift-tested in `src/drift.test.ts`):
 * - proxied call: the upstream's headers and body passed through, plus `X-Kong-LLM-Model: <provider>/<model>`,
 *   `X-Kong-Upstream-Latency`, `X-Kong-Proxy-Latency`, `Via: 1.1 kong/…`, `X-Kong-Request-Id`, the rate-limit
 *   plugin's `X-AI-RateLimit-{Limit,Remaining}-minute-<provider>` and the cache plugin's `X-Cache-Status: Miss`;
 * - semantic-cache hit: Kong answers itself (`X-Cache-Status: Hit`, `Age`, `X-Cache-Key: kong_semantic_cache:…`,
 *   `X-Cache-Ttl`, `X-Kong-Response-Latency`, `Server: kong/…`), no `X-Kong-LLM-Model`, no upstream header;
 * - ai-rate-limiting-advanced 429: `{"message":"AI token rate limit exceeded for provider(s): openai"}` with the
 *   `X-AI-RateLimit-*` headers and `X-Kong-Response-Latency`.
 * Routes: `/kong/openai-route` (provider openai, model gpt-4.1) and `/kong/bedrock-route` (provider bedrock, model
 * `us.amazon.nova-lite-v1:0`, Kong's OpenAI-format translation without `model`/`id`), the two the recordings show.
 */
const KONG_VERSION = '3.11.0.2-enterprise-edition';

interface KongRoute {
  /** Kong's provider name, the prefix of `X-Kong-LLM-Model`. */
  provider: 'openai' | 'bedrock';
  /** `model.name` of the route's ai-proxy config; a request body `model` overrides it. */
  model: string;
  /** Tokens per minute of the rate-limit plugin. */
  tokensPerMinute: number;
}

const ROUTES: Record<string, KongRoute> = {
  'openai-route': { provider: 'openai', model: 'gpt-4.1', tokensPerMinute: 500 },
  'bedrock-route': { provider: 'bedrock', model: 'us.amazon.nova-lite-v1:0', tokensPerMinute: 500 },
};

function kongRequestId(context: TargetContext): string {
  return context.random.hex(32);
}

/** Headers of a response Kong produced itself (cache hit, its own 4xx). */
function ownHeaders(context: TargetContext, contentType = 'application/json; charset=utf-8'): Record<string, string> {
  return {
    'Content-Type': contentType,
    'X-Kong-Response-Latency': String(1 + Math.floor(context.random.next() * 20)),
    Server: `kong/${KONG_VERSION}`,
    'X-Kong-Request-Id': kongRequestId(context),
  };
}

/** Headers Kong adds to a proxied upstream response. */
function proxiedHeaders(context: TargetContext, route: KongRoute, model: string): Record<string, string> {
  return {
    [`X-AI-RateLimit-Limit-minute-${route.provider}`]: String(route.tokensPerMinute),
    [`X-AI-RateLimit-Remaining-minute-${route.provider}`]: String(route.tokensPerMinute - Math.floor(context.random.next() * 50)),
    'X-Cache-Status': 'Miss',
    'X-Kong-LLM-Model': `${route.provider}/${model}`,
    'X-Kong-Upstream-Latency': String(300 + Math.floor(context.random.next() * 3000)),
    'X-Kong-Proxy-Latency': String(1 + Math.floor(context.random.next() * 100)),
    Via: `1.1 kong/${KONG_VERSION}`,
    'X-Kong-Request-Id': kongRequestId(context),
  };
}

/** `/kong/<route>[/chat/completions]`: a chat route behind Kong's AI Proxy. */
export const handleKong: TargetHandler = async (exchange, context, path) => {
  const segments = path.split('/').filter(Boolean);
  const route = segments[0] && Object.hasOwn(ROUTES, segments[0]) ? ROUTES[segments[0]] : undefined;
  const rest = '/' + segments.slice(1).join('/');
  if (!route || exchange.method !== 'POST' || (rest !== '/' && rest !== '/chat/completions' && rest !== '/v1/chat/completions')) {
    // Kong's router answer when no route matches.
    sendJson(exchange, 404, ownHeaders(context), { message: 'no Route matched with those values', request_id: context.random.hex(32) });
    return;
  }
  const body = parseJsonObject(exchange.body);
  if (!body) {
    sendJson(exchange, 400, ownHeaders(context), { error: { message: 'request body doesn\'t contain valid prompts' } });
    return;
  }
  const request = readChatRequest(body, { modelRequired: false, text: context.scenario.text });
  if (request === 'missing_messages' || request === 'missing_model') {
    sendJson(exchange, 400, ownHeaders(context), { error: { message: 'request body doesn\'t contain valid prompts' } });
    return;
  }
  const model = request.model || route.model;
  if (await applyGatewayRefusal(exchange, context, () => sendRateLimited(exchange, context, route))) return;
  if (context.scenario.cacheHit) {
    await sendCacheHit(exchange, context, route, model, request);
    return;
  }
  const upstream = resolveUpstream(route.provider === 'bedrock' ? 'aws.bedrock' : 'openai');
  context.reportUpstream(route.provider);
  const respondError = (kind: ErrorKind, detail?: string): void => relayUpstreamError(exchange, context, route, model, kind, detail);
  const down = context.down.some((name) => resolveUpstream(name).id === upstream.id);
  if (down) {
    await exchange.sleep(context.scenario.latency?.firstByteMs ?? 0);
    respondError((context.scenario.downStatus ?? 429) === 429 ? 'rate_limit' : 'unavailable');
    return;
  }
  if (isUnknownModel(model)) return respondError('unknown_model', model);
  if (await applyFailure(exchange, context, respondError, request.stream)) return;
  const kongHeaders = proxiedHeaders(context, route, model);
  if (route.provider === 'openai') {
    await answerChat(exchange, context, { ...request, model }, {
      model: context.scenario.servedModel ?? datedOpenAiModel(model),
      headers: { ...openAiHeaders(context.random, request.stream ? 'text/event-stream; charset=utf-8' : 'application/json'), ...kongHeaders },
    });
    return;
  }
  // Bedrock behind Kong: Kong translates to the OpenAI format; Bedrock's request id passes through.
  const headers = {
    'Content-Type': request.stream ? 'text/event-stream' : 'application/json',
    'x-amzn-RequestId': context.random.uuid(),
    ...kongHeaders,
    Server: `kong/${KONG_VERSION}`,
  };
  await sendTranslated(exchange, context, request, headers);
};

/** Kong's ai-rate-limiting-advanced refusal (recorded: kong-ai-rate-limit-429.json). */
function sendRateLimited(exchange: Exchange, context: TargetContext, route: KongRoute): void {
  const retryAfter = String(context.scenario.retryAfterSeconds ?? 9);
  const provider = route.provider;
  sendJson(
    exchange,
    429,
    {
      [`X-AI-RateLimit-Limit-minute-${provider}`]: String(route.tokensPerMinute),
      [`X-AI-RateLimit-Remaining-minute-${provider}`]: '0',
      [`X-AI-RateLimit-Retry-After-minute-${provider}`]: retryAfter,
      'X-AI-RateLimit-Reset': retryAfter,
      'X-AI-RateLimit-Retry-After': retryAfter,
      [`X-AI-RateLimit-Reset-minute-${provider}`]: retryAfter,
      ...ownHeaders(context),
    },
    { message: `AI token rate limit exceeded for provider(s): ${provider}` },
  );
}

/**
 * ai-semantic-cache HIT (recorded: kong-semantic-cache-hit.json, kong-semantic-cache-hit-bedrock.json): the cached
 * completion re-serialised by Kong, its `id` the cache key's hash, its `model` the one that served the original
 * call (OpenAI route; the Bedrock route's translation has none), and — a real quirk — `annotations: {}`.
 * A streamed request is answered as SSE chunks of the cached completion with the same headers: no recording of a
 * streamed hit was found, so that framing is the simulator's assumption.
 */
async function sendCacheHit(exchange: Exchange, context: TargetContext, route: KongRoute, model: string, request: ChatRequest): Promise<void> {
  const hash = createHash('sha256').update(JSON.stringify(request.body.messages ?? '')).digest('hex');
  const headers = {
    ...ownHeaders(context, request.stream ? 'text/event-stream' : 'application/json; charset=utf-8'),
    'X-Cache-Status': 'Hit',
    Age: String(1 + Math.floor(context.random.next() * 200)),
    'X-Cache-Key': `kong_semantic_cache:${context.random.uuid()}:${route.provider}-${model}:${hash}`,
    'X-Cache-Ttl': String(60 + Math.floor(context.random.next() * 240)),
  };
  const cachedModel = route.provider === 'openai' ? datedOpenAiModel(model) : undefined;
  const created = epochSeconds(context.now) - 600;
  const message = chatMessage(request.answer, `call_${context.random.string(24)}`, { refusal: null, annotations: {} });
  if (!request.stream) {
    const body = {
      object: 'chat.completion',
      created,
      id: hash,
      usage: openAiUsage(request.promptTokens, request.completionTokens),
      ...(cachedModel ? { model: cachedModel, service_tier: 'default', system_fingerprint: `fp_${context.random.hex(10)}` } : {}),
      choices: [{ finish_reason: finishReason(request.answer), index: 0, logprobs: null, message }],
    };
    await sendAnswer(exchange, context, headers, JSON.stringify(body));
    return;
  }
  const chunk = (choice: Record<string, unknown>) => ({ id: hash, object: 'chat.completion.chunk', created, ...(cachedModel ? { model: cachedModel } : {}), choices: [{ index: 0, ...choice }] });
  const events = chatDeltas(request.answer, `call_${context.random.string(24)}`).map((delta) => dataLine(chunk({ delta, finish_reason: null })));
  events.push(dataLine(chunk({ delta: {}, finish_reason: finishReason(request.answer) })));
  await sendStream(exchange, context, { headers, events, trailer: [dataLine('[DONE]')] });
}

/**
 * An upstream error relayed through the proxy: the upstream's own status and body (OpenAI's error object; for
 * Bedrock Kong's OpenAI-format `{"error":{"message":…}}`) with Kong's proxy headers. No recording of a relayed
 * error was found: the headers are those of the recorded proxied calls, the body the upstream's documented one.
 */
function relayUpstreamError(exchange: Exchange, context: TargetContext, route: KongRoute, model: string, kind: ErrorKind, detail?: string): void {
  const kongHeaders = proxiedHeaders(context, route, model);
  delete kongHeaders['X-Cache-Status'];
  if (route.provider === 'openai') {
    const { status, body } = openAiError(kind, detail);
    sendJson(exchange, status, { ...openAiHeaders(context.random, 'application/json'), ...kongHeaders }, body);
    return;
  }
  const status = kind === 'rate_limit' ? 429 : kind === 'unavailable' ? 503 : kind === 'unknown_model' ? 400 : 500;
  const message = kind === 'rate_limit' ? 'Too many requests, please wait before trying again.' : kind === 'unknown_model' ? 'The provided model identifier is invalid.' : 'The service is unavailable. Please try again.';
  sendJson(exchange, status, { 'x-amzn-RequestId': context.random.uuid(), ...kongHeaders, Server: `kong/${KONG_VERSION}` }, { error: { message } });
}

/** Kong's OpenAI-format translation of a Bedrock answer: no `id`, no `model` (recorded). */
async function sendTranslated(exchange: Exchange, context: TargetContext, request: ChatRequest, headers: Record<string, string>): Promise<void> {
  const message = chatMessage(request.answer, `tooluse_${context.random.string(22)}`);
  const usage = { completion_tokens: request.completionTokens, prompt_tokens: request.promptTokens, total_tokens: request.promptTokens + request.completionTokens };
  if (!request.stream) {
    const body = { usage, choices: [{ finish_reason: finishReason(request.answer), message, index: 0 }], object: 'chat.completion' };
    await sendAnswer(exchange, context, headers, JSON.stringify(body));
    return;
  }
  const created = epochSeconds(context.now);
  const chunk = (choice: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({ object: 'chat.completion.chunk', created, choices: [{ index: 0, ...choice }], ...extra });
  const events = chatDeltas(request.answer, `tooluse_${context.random.string(22)}`).map((delta) => dataLine(chunk({ delta, finish_reason: null })));
  events.push(dataLine(chunk({ delta: {}, finish_reason: finishReason(request.answer) }, { usage })));
  await sendStream(exchange, context, { headers, events, trailer: [dataLine('[DONE]')] });
}
