import { isRecord } from '../answer';
import { chatDeltas, chatMessage, contentText, dataLine, finishReason, readChatRequest, type ChatRequest } from '../chat-completions';
import {
  applyFailure,
  epochSeconds,
  isUnknownModel,
  ownValue,
  parseJsonObject,
  sendAnswer,
  sendJson,
  sendStream,
  type ErrorKind,
  type TargetContext,
  type TargetHandler,
} from '../common';
import { callCost } from '../pricing';
import type { Random } from '../random';
import { planRoute, vercelPolicy, type RouteAttempt, type RoutePlan } from '../routing';
import { resolveUpstream, slugVendor } from '../upstreams';
import { handleVercelDecisionModel, VERCEL_DECISION_MODEL_PATHS } from './vercel-decision-model';
import { handleVercelExtractionModel, VERCEL_EXTRACTION_MODEL_PATHS } from './vercel-extraction-model';

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** A ULID for `gen_` ids: 10 time characters, 16 random ones. */
function ulid(random: Random, now: number): string {
  let time = '';
  let value = now;
  for (let index = 0; index < 10; index += 1) {
    time = CROCKFORD[value % 32] + time;
    value = Math.floor(value / 32);
  }
  return time + random.string(16, CROCKFORD);
}

/** Provider API model ids the gateway resolves slugs to. */
const API_MODEL_IDS: Record<string, string> = {
  'anthropic/claude-sonnet-4': 'claude-sonnet-4-20250514',
  'anthropic/claude-sonnet-4.5': 'claude-sonnet-4-5-20250929',
  'anthropic/claude-haiku-4.5': 'claude-haiku-4-5-20251001',
  'anthropic/claude-opus-4.1': 'claude-opus-4-1-20250805',
};

/** Who the gateway plans first for a slug, when no scenario says otherwise. */
const DEFAULT_PROVIDER: Record<string, string> = {
  anthropic: 'anthropic',
  openai: 'openai',
  google: 'vertex',
  meta: 'deepinfra',
  mistral: 'mistral',
  xai: 'xai',
  deepseek: 'deepinfra',
};

interface Attempt {
  provider: string;
  internalModelId: string;
  providerApiModelId: string;
  credentialType: 'system';
  success: boolean;
  error?: string;
  startTime: number;
  endTime: number;
  statusCode: number;
  providerResponseId?: string;
}

/** Other providers the gateway plans for a vendor's models (the recording's `fallbacksAvailable` for Claude). */
const OTHER_PROVIDERS: Record<string, string[]> = {
  anthropic: ['anthropic', 'vertexAnthropic', 'bedrock'],
  google: ['vertex', 'google'],
  openai: ['openai', 'azure'],
};

/** The gateway's provider slug for a name (`vertexAnthropic` is its own slug for Claude on Vertex). */
function vercelSlug(name: string): string {
  return name.trim().toLowerCase() === 'vertexanthropic' ? 'vertexAnthropic' : resolveUpstream(name, 'vercel').vercel;
}

/** Routes by `providerOptions.gateway` (`order`, `only`, `models`), the scenario's pick and the providers that are down. */
function routeVercel(model: string, body: Record<string, unknown>, context: TargetContext): RoutePlan {
  const policy = vercelPolicy(body);
  const down = new Set([...context.down, ...(context.scenario.fallbackFrom ?? [])].map(vercelSlug));
  return planRoute({
    models: [model, ...(policy.models ?? []).filter((name) => name !== model && !isUnknownModel(name))],
    candidates: (slug, modelIndex) => {
      const vendor = slugVendor(slug) ?? 'openai';
      const usual = ownValue(DEFAULT_PROVIDER, vendor) ?? vendor;
      const first = modelIndex === 0 && context.chosenUpstream ? context.chosenUpstream : usual;
      const others = Object.hasOwn(OTHER_PROVIDERS, vendor) ? OTHER_PROVIDERS[vendor]! : [];
      return [...(modelIndex === 0 ? (context.scenario.fallbackFrom ?? []) : []), first, usual, ...others];
    },
    policy,
    canonical: vercelSlug,
    isDown: (provider) => down.has(provider),
    downStatus: context.scenario.downStatus ?? 500,
  });
}

function apiModelIdOf(slug: string, context: TargetContext, modelIndex: number): string {
  if (modelIndex === 0 && context.scenario.servedModel) return context.scenario.servedModel;
  return ownValue(API_MODEL_IDS, slug) ?? slug.slice(slug.indexOf('/') + 1);
}

/** `choices[0].message.provider_metadata.gateway` as the AI Gateway sends it (recorded shape). */
function gatewayMetadata(request: ChatRequest, context: TargetContext, generationId: string, plan: RoutePlan, cost: string) {
  const served = plan.served!;
  const models = [...new Set(plan.attempts.map((attempt) => attempt.model))];
  let clock = 300000 + Math.floor(context.random.next() * 200000) + context.random.next();
  const toAttempt = (item: RouteAttempt): Attempt => {
    const apiModelId = apiModelIdOf(item.model, context, models.indexOf(item.model));
    const startTime = clock;
    clock += 100 + context.random.next() * 1500;
    const attempt: Attempt = {
      provider: item.upstream,
      internalModelId: `${item.upstream}:${apiModelId}`,
      providerApiModelId: apiModelId,
      credentialType: 'system',
      success: item.success,
      startTime,
      endTime: clock,
      statusCode: item.status,
    };
    if (item.success) attempt.providerResponseId = item.upstream === 'anthropic' ? `msg_01${context.random.string(22)}` : context.random.string(22);
    else attempt.error = item.status === 429 ? `${item.upstream} rate limited the request` : `${item.upstream} returned an internal server error`;
    clock += 10;
    return attempt;
  };
  const modelAttempts = models.map((slug) => {
    const providerAttempts = plan.attempts.filter((attempt) => attempt.model === slug).map(toAttempt);
    const apiModelId = apiModelIdOf(slug, context, models.indexOf(slug));
    return {
      modelId: `${providerAttempts[0]?.provider ?? served.upstream}:${apiModelId}`,
      canonicalSlug: slug,
      success: slug === served.model,
      providerAttemptCount: providerAttempts.length,
      providerAttempts,
    };
  });
  const attempts = modelAttempts.at(-1)!.providerAttempts;
  const apiModelId = apiModelIdOf(served.model, context, models.indexOf(served.model));
  const planned = plan.planned;
  const first = planned[0] ?? served.upstream;
  context.reportUpstream(served.upstream);
  return {
    routing: {
      originalModelId: request.model,
      resolvedProvider: first,
      resolvedProviderApiModelId: apiModelId,
      internalResolvedModelId: `${first}:${apiModelId}`,
      fallbacksAvailable: planned.slice(1),
      internalReasoning: `Selected ${first} as preferred provider for ${apiModelId}. ${planned.length - 1} fallback(s) available: ${planned.slice(1).join(', ')}`,
      planningReasoning: `System credentials planned for: ${planned.join(', ')}. Total execution order: ${planned.map((name) => `${name}(system)`).join(' → ')}`,
      canonicalSlug: served.model,
      finalProvider: served.upstream,
      attempts,
      modelAttemptCount: modelAttempts.length,
      modelAttempts,
      totalProviderAttemptCount: plan.attempts.length,
    },
    cost,
    marketCost: cost,
    generationId,
    billableWebSearchCalls: 0,
  };
}

/** The served provider's own metadata, which the gateway puts beside `gateway` (recorded for anthropic and google). */
function upstreamMetadata(served: string, request: ChatRequest): Record<string, unknown> {
  if (served === 'anthropic' || served === 'vertexAnthropic') {
    return {
      anthropic: {
        usage: {
          input_tokens: request.promptTokens,
          output_tokens: request.completionTokens,
          cache_creation_input_tokens: 0,
          cache_read_input_tokens: 0,
          cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0 },
          service_tier: 'standard',
          inference_geo: 'not_available',
        },
        cacheCreationInputTokens: 0,
        stopSequence: null,
        iterations: null,
        container: null,
        contextManagement: null,
      },
    };
  }
  if (served === 'google' || served === 'vertex') {
    return {
      google: {
        promptFeedback: null,
        groundingMetadata: null,
        urlContextMetadata: null,
        safetyRatings: null,
        usageMetadata: {
          promptTokenCount: request.promptTokens,
          candidatesTokenCount: request.completionTokens,
          totalTokenCount: request.promptTokens + request.completionTokens,
        },
      },
    };
  }
  return {};
}

function vercelUsage(request: ChatRequest, cost: number) {
  return {
    prompt_tokens: request.promptTokens,
    completion_tokens: request.completionTokens,
    total_tokens: request.promptTokens + request.completionTokens,
    cost,
    is_byok: false,
    prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0, video_tokens: 0 },
    cost_details: { upstream_inference_cost: null, upstream_inference_prompt_cost: 0, upstream_inference_completions_cost: 0 },
    completion_tokens_details: { reasoning_tokens: 0, image_tokens: 0 },
    cache_creation_input_tokens: 0,
    market_cost: cost,
  };
}

// No trace export here: the AI Gateway's trace drains are documented (vercel.com/docs/ai-gateway/observability-and-spend/
// trace-drains) without span attribute names or any way a request's trace context is honoured, so there is nothing
// to simulate faithfully; `traceparent` on a request is ignored.

/** Path of the AI SDK's native protocol (`@ai-sdk/gateway`, `baseURL` = `…/vercel/v4/ai`). */
const NATIVE_LANGUAGE_MODEL_PATHS = new Set(['/v4/ai/language-model', '/v3/ai/language-model']);

/**
 * `/vercel/v1/chat/completions`: the AI Gateway's OpenAI-compatible API with routing metadata;
 * `/vercel/v4/ai/language-model` (and `/v3/ai/…`): the native AI SDK protocol `@ai-sdk/gateway` speaks.
 */
export const handleVercel: TargetHandler = async (exchange, context, path) => {
  if (VERCEL_DECISION_MODEL_PATHS.has(path)) return handleVercelDecisionModel(exchange, context);
  if (VERCEL_EXTRACTION_MODEL_PATHS.has(path)) return handleVercelExtractionModel(exchange, context);
  const respondError = (kind: ErrorKind, detail?: string): void => {
    const table: Record<ErrorKind, [number, string, string]> = {
      malformed_json: [400, 'Invalid JSON in request body', 'invalid_request_error'],
      missing_messages: [400, 'Invalid request: messages is required', 'invalid_request_error'],
      missing_model: [400, 'Invalid request: model is required', 'invalid_request_error'],
      unknown_model: [404, `Model '${detail}' not found`, 'model_not_found'],
      not_found: [404, 'Not Found', 'not_found'],
      rate_limit: [429, 'Rate limit exceeded', 'rate_limit_exceeded'],
      unavailable: [503, 'All providers failed', 'service_unavailable'],
      server_error: [500, 'Internal server error', 'internal_server_error'],
    };
    const [status, message, type] = table[kind];
    const headers: Record<string, string> = {};
    if (kind === 'rate_limit') headers['retry-after'] = String(context.scenario.retryAfterSeconds ?? 1);
    sendJson(exchange, status, headers, { error: { message, type, param: null, code: type } });
  };
  const native = NATIVE_LANGUAGE_MODEL_PATHS.has(path);
  if (exchange.method !== 'POST' || (path !== '/v1/chat/completions' && !native)) return respondError('not_found');
  const body = parseJsonObject(exchange.body);
  if (!body) return respondError('malformed_json');
  const request = readChatRequest(native ? nativeAsChatBody(body, exchange.headers) : body, {
    modelRequired: true,
    text: context.scenario.text,
  });
  if (request === 'missing_messages' || request === 'missing_model') return respondError(request);
  if (isUnknownModel(request.model)) return respondError('unknown_model', request.model);
  const plan = routeVercel(request.model, body, context);
  if (!plan.served) {
    const last = plan.attempts.at(-1);
    if (last) context.reportUpstream(last.upstream);
    await exchange.sleep(context.scenario.latency?.firstByteMs ?? 0);
    return respondError(last ? 'unavailable' : 'unknown_model', request.model);
  }
  if (await applyFailure(exchange, context, respondError, request.stream)) return;
  const id = `gen_${ulid(context.random, context.now)}`;
  const costValue = callCost(plan.served.model, resolveUpstream(plan.served.upstream, 'vercel').id, request.promptTokens, request.completionTokens).total;
  const gateway = gatewayMetadata(request, context, id, plan, String(costValue));
  const providerMetadata = { ...upstreamMetadata(gateway.routing.finalProvider, request), gateway };
  const toolCallId = `toolu_01${context.random.string(22)}`;
  const vercelId = `iad1::${context.random.string(5, 'abcdefghijklmnopqrstuvwxyz0123456789')}-${context.now}-${context.random.hex(12)}`;
  if (native) {
    await sendNative(exchange, context, request, { id, toolCallId, vercelId, providerMetadata });
    return;
  }
  const created = epochSeconds(context.now);
  const systemFingerprint = `fp_${context.random.string(10, 'abcdefghijklmnopqrstuvwxyz0123456789')}`;
  const headers = {
    'content-type': request.stream ? 'text/event-stream' : 'application/json',
    'x-vercel-id': vercelId,
  };
  if (!request.stream) {
    const response = {
      id,
      object: 'chat.completion',
      created,
      model: request.model,
      choices: [
        {
          index: 0,
          message: chatMessage(request.answer, toolCallId, { provider_metadata: providerMetadata }),
          logprobs: null,
          finish_reason: finishReason(request.answer),
        },
      ],
      usage: vercelUsage(request, costValue),
      system_fingerprint: systemFingerprint,
      generationId: id,
    };
    await sendAnswer(exchange, context, headers, JSON.stringify(response));
    return;
  }
  const chunk = (choice: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
    id,
    object: 'chat.completion.chunk',
    created,
    model: request.model,
    choices: [{ index: 0, ...choice }],
    system_fingerprint: systemFingerprint,
    generationId: id,
    ...extra,
  });
  const events = chatDeltas(request.answer, toolCallId).map((delta) => dataLine(chunk({ delta, finish_reason: null })));
  // The routing metadata rides on the final chunk's delta, with usage.
  events.push(
    dataLine(
      chunk(
        { delta: { provider_metadata: providerMetadata }, finish_reason: finishReason(request.answer) },
        { usage: vercelUsage(request, costValue) },
      ),
    ),
  );
  await sendStream(exchange, context, {
    headers,
    events,
    trailer: [dataLine('[DONE]')],
    errorEvents: [dataLine({ error: { message: 'Provider stream failed', type: 'internal_server_error', param: null, code: 'internal_server_error' } })],
  });
};

/**
 * The native request (a `LanguageModelV4CallOptions` / V3 body, model in `ai-language-model-id`,
 * streaming in `ai-language-model-streaming`) as the chat completions body the answer logic reads.
 */
function nativeAsChatBody(body: Record<string, unknown>, headers: Record<string, string | undefined>): Record<string, unknown> {
  const prompt = Array.isArray(body.prompt) ? body.prompt : [];
  const messages = prompt.filter(isRecord).map((message) => ({
    role: message.role,
    content: message.role === 'tool' ? toolResultText(message.content) : contentText(message.content),
  }));
  const tools = (Array.isArray(body.tools) ? body.tools : [])
    .filter((tool): tool is Record<string, unknown> => isRecord(tool) && tool.type === 'function')
    .map((tool) => ({ type: 'function', function: { name: tool.name, parameters: tool.inputSchema } }));
  return {
    model: headers['ai-language-model-id'] ?? '',
    messages,
    tools,
    stream: headers['ai-language-model-streaming'] === 'true',
  };
}

/** Text of native `tool-result` parts (`output: { type: 'text' | 'json' | …, value }`). */
function toolResultText(content: unknown): string {
  if (!Array.isArray(content)) return contentText(content);
  return content
    .map((part) => {
      if (!isRecord(part) || !isRecord(part.output)) return '';
      const value = part.output.value;
      return typeof value === 'string' ? value : JSON.stringify(value ?? '');
    })
    .join('');
}

/** The AI SDK usage object (V3 / V4 share it). */
function nativeUsage(request: ChatRequest) {
  return {
    inputTokens: { total: request.promptTokens, noCache: request.promptTokens, cacheRead: 0, cacheWrite: 0 },
    outputTokens: { total: request.completionTokens, text: request.completionTokens, reasoning: 0 },
  };
}

/**
 * Answers in the native protocol: the JSON body *is* the generate result, and the stream is SSE of
 * stream parts (no `[DONE]`: the client parses every event as a part). `providerMetadata` comes
 * whole, from the same builder as the OpenAI-compatible route.
 */
async function sendNative(
  exchange: Parameters<TargetHandler>[0],
  context: TargetContext,
  request: ChatRequest,
  parts: { id: string; toolCallId: string; vercelId: string; providerMetadata: Record<string, unknown> },
): Promise<void> {
  const { answer } = request;
  const finish = { unified: answer.type === 'text' ? 'stop' : 'tool-calls', raw: finishReason(answer) };
  const response = { id: parts.id, modelId: request.model, timestamp: new Date(context.now).toISOString() };
  const headers = {
    'content-type': request.stream ? 'text/event-stream' : 'application/json',
    'x-vercel-id': parts.vercelId,
  };
  const input = answer.type === 'text' ? '' : JSON.stringify(answer.arguments);
  if (!request.stream) {
    const content =
      answer.type === 'text'
        ? [{ type: 'text', text: answer.text }]
        : [{ type: 'tool-call', toolCallId: parts.toolCallId, toolName: answer.toolName, input }];
    const result = {
      content,
      finishReason: finish,
      usage: nativeUsage(request),
      providerMetadata: parts.providerMetadata,
      response,
      warnings: [],
    };
    await sendAnswer(exchange, context, headers, JSON.stringify(result));
    return;
  }
  const events: unknown[] = [{ type: 'stream-start', warnings: [] }, { type: 'response-metadata', ...response }];
  if (answer.type === 'text') {
    events.push({ type: 'text-start', id: '0' });
    for (const delta of chatDeltas(answer, parts.toolCallId)) events.push({ type: 'text-delta', id: '0', delta: delta.content });
    events.push({ type: 'text-end', id: '0' });
  } else {
    const half = Math.ceil(input.length / 2);
    events.push(
      { type: 'tool-input-start', id: parts.toolCallId, toolName: answer.toolName },
      { type: 'tool-input-delta', id: parts.toolCallId, delta: input.slice(0, half) },
      { type: 'tool-input-delta', id: parts.toolCallId, delta: input.slice(half) },
      { type: 'tool-input-end', id: parts.toolCallId },
      { type: 'tool-call', toolCallId: parts.toolCallId, toolName: answer.toolName, input },
    );
  }
  events.push({ type: 'finish', finishReason: finish, usage: nativeUsage(request), providerMetadata: parts.providerMetadata });
  await sendStream(exchange, context, {
    headers,
    events: events.map(dataLine),
    errorEvents: [dataLine({ type: 'error', error: { message: 'Provider stream failed', type: 'internal_server_error' } })],
  });
}
