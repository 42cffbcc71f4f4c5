import { isRecord } from '../answer';
import { incomingTraceContext, spanIdFrom, traceIdFrom, type GatewaySpan } from '../broadcast';
import { chatDeltas, chatMessage, dataLine, readChatRequest, type ChatRequest } from '../chat-completions';
import {
  applyFailure,
  applyGatewayRefusal,
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
import { callCost, type CallCost } from '../pricing';
import { createRandom, hashSeed, type Random } from '../random';
import { openRouterPolicy, planRoute, type RouteAttempt, type RoutePlan } from '../routing';
import type { GatewayRefusal } from '../types';
import { knownUpstreams, resolveUpstream, slugVendor } from '../upstreams';

/** OpenRouter's keep-alive padding before a non-streamed JSON body (recorded byte for byte). */
export const OPENROUTER_PADDING = '\n         \n\n         \n';
/** The SSE comment OpenRouter sends while the upstream thinks. */
export const OPENROUTER_PROCESSING = ': OPENROUTER PROCESSING\n\n';

/** Dated permaslugs OpenRouter returns for some requested slugs (note the reordering). */
const PERMASLUGS: Record<string, string> = {
  'anthropic/claude-haiku-4.5': 'anthropic/claude-4.5-haiku-20251001',
  'anthropic/claude-sonnet-4.5': 'anthropic/claude-4.5-sonnet-20250929',
  'anthropic/claude-sonnet-4.6': 'anthropic/claude-4.6-sonnet-20260217',
  'anthropic/claude-sonnet-4': 'anthropic/claude-4-sonnet-20250522',
  'anthropic/claude-opus-4.1': 'anthropic/claude-4.1-opus-20250805',
};

/** Who serves a slug when no scenario says otherwise. */
const DEFAULT_PROVIDER_BY_VENDOR: Record<string, string> = {
  anthropic: 'Amazon Bedrock',
  openai: 'OpenAI',
  google: 'Google AI Studio',
  'meta-llama': 'Together',
  mistralai: 'Mistral',
  'x-ai': 'xAI',
  deepseek: 'DeepInfra',
  minimax: 'Minimax',
  'z-ai': 'Z.AI',
  qwen: 'Together',
  moonshotai: 'Groq',
};

/** The other providers OpenRouter lists for a vendor's models: where its load balancer falls back to. */
const OTHER_PROVIDERS_BY_VENDOR: Record<string, string[]> = {
  anthropic: ['Anthropic', 'Amazon Bedrock', 'Google'],
  openai: ['OpenAI', 'Azure'],
  google: ['Google AI Studio', 'Google'],
  'meta-llama': ['Together', 'DeepInfra', 'Fireworks', 'Groq'],
  qwen: ['Together', 'DeepInfra', 'Fireworks'],
  deepseek: ['DeepInfra', 'Together', 'Fireworks'],
};

/** OpenRouter's provider slugs where they are not the display name folded (`provider.only` answers use them). */
const PROVIDER_SLUGS: Record<string, string> = {
  Google: 'google-vertex',
  'Google AI Studio': 'google-ai-studio',
  'Amazon Bedrock': 'amazon-bedrock',
  'Z.AI': 'z-ai',
};

/** OpenRouter's slug of a provider display name (`Amazon Bedrock` → `amazon-bedrock`). */
export function openRouterSlug(displayName: string): string {
  return Object.hasOwn(PROVIDER_SLUGS, displayName)
    ? PROVIDER_SLUGS[displayName]!
    : displayName.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
}

let slugToName: Map<string, string> | undefined;

/**
 * A provider named in a request or scenario, in OpenRouter's display spelling: display names, servedby ids and
 * OpenRouter's slugs (`amazon-bedrock`, `google-vertex`) all resolve; unknown names pass through.
 */
export function openRouterProviderName(name: string): string {
  slugToName ??= new Map(knownUpstreams().map((entry) => [openRouterSlug(entry.openrouter), entry.openrouter]));
  const bySlug = slugToName.get(name.trim().toLowerCase());
  return bySlug ?? resolveUpstream(name, 'openrouter').openrouter;
}

const SECURITY_HEADERS = {
  'Access-Control-Allow-Origin': '*',
  'Permissions-Policy':
    'payment=(self "https://checkout.stripe.com" "https://connect-js.stripe.com" "https://js.stripe.com" "https://*.js.stripe.com" "https://hooks.stripe.com")',
  'Referrer-Policy': 'no-referrer, strict-origin-when-cross-origin',
  'X-Content-Type-Options': 'nosniff',
  Server: 'cloudflare',
};

function generationId(random: Random, now: number): string {
  return `gen-${epochSeconds(now)}-${random.string(20)}`;
}

/**
 * OpenRouter's own refusals, sent before any provider is tried (no `provider_name`: no upstream was
 * involved). Bodies as real clients logged them:
 * - 402: `{"error":{"message":"Insufficient credits. Add more using https://openrouter.ai/settings/credits","code":402,
 *   "metadata":{"limit_source":"openrouter_credits","remedy_hint":…}}}` — pasted in
 *   open-assistant-org/open-assistant#80 (2026-07-30); the status is documented as "Your account or API key has
 *   insufficient credits" (openrouter.ai/docs/api/reference/errors-and-debugging).
 * - 429 account limit: `{"error":{"message":"Rate limit exceeded: free-models-per-day. Add 10 credits to unlock 1000
 *   free model requests per day","code":429,"metadata":{"headers":{"X-RateLimit-Limit":"50","X-RateLimit-Remaining":"0",
 *   "X-RateLimit-Reset":"…"},"limit_source":"openrouter_free_tier_daily"}},"user_id":"user_…"}` — Gitlawb/openclaude#936
 *   (2026-04-28) and later pastes with `limit_source`. The `X-RateLimit-*` values travel inside the body's
 *   `metadata.headers`; no recording shows them as response headers, so none are sent.
 */
function refusalBody(refusal: GatewayRefusal, now: number): { status: number; error: Record<string, unknown> } {
  if (refusal === 'insufficient_credits') {
    return {
      status: 402,
      error: {
        message: 'Insufficient credits. Add more using https://openrouter.ai/settings/credits',
        code: 402,
        metadata: {
          limit_source: 'openrouter_credits',
          remedy_hint: 'Add credits at https://openrouter.ai/settings/credits, or lower max_tokens / prompt size to fit your remaining balance.',
        },
      },
    };
  }
  // The free tier's daily counter resets at 00:00 UTC; the recording gives the reset in epoch ms.
  const nextMidnight = Math.floor(now / 86_400_000) * 86_400_000 + 86_400_000;
  return {
    status: 429,
    error: {
      message: 'Rate limit exceeded: free-models-per-day. Add 10 credits to unlock 1000 free model requests per day',
      code: 429,
      metadata: {
        headers: { 'X-RateLimit-Limit': '50', 'X-RateLimit-Remaining': '0', 'X-RateLimit-Reset': String(nextMidnight) },
        limit_source: 'openrouter_free_tier_daily',
      },
    },
  };
}

/**
 * The raw upstream error OpenRouter relays in `error.metadata.raw` (with `provider_name`), as clients logged it:
 * `{"error":{"message":"Provider returned error","code":429,"metadata":{"raw":"meta-llama/llama-3.3-70b-instruct:free is
 * temporarily rate-limited upstream. Please retry shortly, or add your own key to accumulate your rate limits:
 * https://openrouter.ai/settings/integrations","provider_name":"Venice","is_byok":false}},"user_id":"user_…"}`
 * (pasted bodies in public code found through the code index; the shape `metadata.{provider_name, raw}` is
 * OpenRouter's documented `ProviderErrorMetadata`, openrouter.ai/docs/api/reference/errors-and-debugging).
 */
function upstreamRaw(kind: ErrorKind, model: string): string {
  if (kind === 'rate_limit') {
    return `${model} is temporarily rate-limited upstream. Please retry shortly, or add your own key to accumulate your rate limits: https://openrouter.ai/settings/integrations`;
  }
  return 'upstream connect error or disconnect/reset before headers. reset reason: connection termination';
}

/** `/openrouter/api/v1/chat/completions`: OpenRouter JSON and SSE, `provider` on every body and chunk. */
export const handleOpenRouter: TargetHandler = async (exchange, context, path) => {
  const userId = `user_${context.random.string(27)}`;
  let providerName: string | undefined;
  const respondError = (kind: ErrorKind, detail?: string): void => {
    const status = { malformed_json: 400, missing_messages: 400, missing_model: 400, unknown_model: 400, not_found: 404, rate_limit: 429, unavailable: 503, server_error: 502 }[kind];
    const message = {
      malformed_json: 'Invalid JSON body',
      missing_messages: 'Input required: specify "prompt" or "messages"',
      missing_model: 'No models provided',
      unknown_model: `${detail} is not a valid model ID`,
      not_found: 'Not Found',
      rate_limit: 'Provider returned error',
      unavailable: 'Provider returned error',
      server_error: 'Provider returned error',
    }[kind];
    const upstreamFault = kind === 'rate_limit' || kind === 'unavailable' || kind === 'server_error';
    const error: Record<string, unknown> = { message, code: status };
    if (upstreamFault && providerName) {
      error.metadata = { raw: upstreamRaw(kind, detail ?? 'model'), provider_name: providerName, is_byok: false };
    }
    const headers: Record<string, string> = { ...SECURITY_HEADERS, 'Cf-Ray': `${context.random.hex(16)}-IAD` };
    if (kind === 'rate_limit') headers['Retry-After'] = String(context.scenario.retryAfterSeconds ?? 1);
    sendJson(exchange, status, headers, { error, user_id: userId });
  };
  const refuse = (refusal: GatewayRefusal): void => {
    const { status, error } = refusalBody(refusal, context.now);
    sendJson(exchange, status, { ...SECURITY_HEADERS, 'Cf-Ray': `${context.random.hex(16)}-IAD` }, { error, user_id: userId });
  };
  if (exchange.method !== 'POST' || path !== '/api/v1/chat/completions') return respondError('not_found');
  const body = parseJsonObject(exchange.body);
  if (!body) return respondError('malformed_json');
  const request = readChatRequest(body, { modelRequired: true, text: context.scenario.text });
  if (request === 'missing_messages' || request === 'missing_model') return respondError(request);
  if (isUnknownModel(request.model)) return respondError('unknown_model', request.model);
  if (await applyGatewayRefusal(exchange, context, refuse)) return;
  const started = Date.now();

  const plan = routeOpenRouter(request.model, body, context);
  if (!plan.served) {
    const last = plan.attempts.at(-1);
    if (!last) {
      // Every provider excluded by the request's own preferences: a recorded 404 (2026-09-17,
      // quoted in public test code): "No allowed providers are available for the selected model. Providers
      // serving anthropic/claude-3-haiku: amazon-bedrock, but your request's provider.only preference permits only: anthropic."
      const available = [...new Set(candidatesFor(request.model, context).map(openRouterSlug))];
      const requested = (openRouterPolicy(body).only ?? []).map((name) => openRouterSlug(openRouterProviderName(name)));
      sendJson(exchange, 404, { ...SECURITY_HEADERS, 'Cf-Ray': `${context.random.hex(16)}-IAD` }, {
        error: {
          message: `No allowed providers are available for the selected model. Providers serving ${request.model}: ${available.join(', ')}, but your request's provider.only preference permits only: ${requested.join(', ')}.`,
          code: 404,
          metadata: { available_providers: available, requested_providers: requested },
        },
        user_id: userId,
      });
      return;
    }
    providerName = last.upstream;
    context.reportUpstream(last.upstream);
    const kind: ErrorKind = last.status === 429 ? 'rate_limit' : last.status === 503 ? 'unavailable' : 'server_error';
    await exchange.sleep(context.scenario.latency?.firstByteMs ?? 0);
    respondError(kind, last.model);
    exportBroadcast(context, body, exchange.headers, { request, plan, started, generationId: undefined, cost: undefined, error: kind });
    return;
  }
  providerName = plan.served.upstream;
  context.reportUpstream(providerName);
  const servedSlug = plan.served.model;
  if (await applyFailure(exchange, context, (kind) => respondError(kind, servedSlug), request.stream)) return;
  const id = generationId(context.random, context.now);
  const model = context.scenario.servedModel ?? ownValue(PERMASLUGS, servedSlug) ?? servedSlug;
  const vendor = slugVendor(servedSlug) ?? '';
  const usesClaudeFinish = providerName === 'Amazon Bedrock' || providerName === 'Anthropic' || providerName === 'Google';
  const finish = request.answer.type === 'text' ? 'stop' : 'tool_calls';
  const nativeFinish = usesClaudeFinish && vendor === 'anthropic' ? (finish === 'stop' ? 'end_turn' : 'tool_use') : finish;
  const metadata = exchange.headers['x-openrouter-metadata'] === 'enabled' || exchange.headers['x-openrouter-experimental-metadata'] === 'enabled'
    ? routerMetadata(request.model, model, plan)
    : undefined;
  const headers = {
    'Content-Type': request.stream ? 'text/event-stream' : 'application/json',
    ...(request.stream ? { 'Cache-Control': 'no-cache' } : {}),
    'X-Generation-Id': id,
    'Access-Control-Expose-Headers': 'X-Generation-Id,cf-ray',
    ...SECURITY_HEADERS,
    'Cf-Ray': `${context.random.hex(16)}-IAD`,
  };
  const toolCallId = `toolu_bdrk_${context.random.string(24)}`;
  const created = epochSeconds(context.now);
  const cost = callCost(servedSlug, resolveUpstream(providerName, 'openrouter').id, request.promptTokens, request.completionTokens);
  const usage = openRouterUsage(request, cost);
  // A stream cut by an upstream error mid-way is a failed generation on the gateway's side too.
  const brokenStream = request.stream && context.scenario.failure === 'midstream_error';
  const broadcast = () =>
    exportBroadcast(context, body, exchange.headers, {
      request,
      plan,
      started,
      generationId: id,
      cost,
      responseModel: model,
      ...(brokenStream ? { error: 'server_error' as const } : { finish }),
    });
  if (!request.stream) {
    const response = {
      id,
      object: 'chat.completion',
      created,
      model,
      provider: providerName,
      system_fingerprint: null,
      service_tier: null,
      choices: [
        {
          index: 0,
          logprobs: null,
          finish_reason: finish,
          native_finish_reason: nativeFinish,
          message: chatMessage(request.answer, toolCallId, { refusal: null, reasoning: null }),
        },
      ],
      usage,
      ...(metadata ? { openrouter_metadata: metadata } : {}),
    };
    await sendAnswer(exchange, context, headers, JSON.stringify(response), OPENROUTER_PADDING);
    broadcast();
    return;
  }
  const chunk = (choice: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
    id,
    object: 'chat.completion.chunk',
    created,
    model,
    provider: providerName,
    ...extra,
    choices: [{ index: 0, ...choice }],
  });
  const events = chatDeltas(request.answer, toolCallId).map((delta) =>
    dataLine(chunk({ delta: { content: '', role: 'assistant', ...delta }, finish_reason: null, native_finish_reason: null })),
  );
  const finishChoice = { delta: { content: '', role: 'assistant' }, finish_reason: finish, native_finish_reason: nativeFinish };
  events.push(dataLine(chunk(finishChoice)));
  // Usage, with `cost`, rides on the last chunk before [DONE] (recorded stream).
  events.push(dataLine(chunk(finishChoice, { service_tier: null, usage, ...(metadata ? { openrouter_metadata: metadata } : {}) })));
  await sendStream(exchange, context, {
    headers,
    prelude: [OPENROUTER_PROCESSING, OPENROUTER_PROCESSING, OPENROUTER_PROCESSING],
    events,
    trailer: [dataLine('[DONE]')],
    errorEvents: [
      dataLine({
        id,
        provider: providerName,
        error: { code: 502, message: 'Upstream error: stream terminated unexpectedly' },
        model,
        object: 'chat.completion.chunk',
        created,
        choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null, native_finish_reason: null, logprobs: null }],
        usage,
      }),
      dataLine('[DONE]'),
    ],
  });
  broadcast();
};

/** Providers OpenRouter can use for a slug: the scenario's pick (or the usual one) first, then the vendor's others. */
function candidatesFor(model: string, context: TargetContext, modelIndex = 0): string[] {
  const vendor = slugVendor(model) ?? '';
  const usual = ownValue(DEFAULT_PROVIDER_BY_VENDOR, vendor) ?? 'Together';
  const first = modelIndex === 0 && context.chosenUpstream ? context.chosenUpstream : usual;
  const others = Object.hasOwn(OTHER_PROVIDERS_BY_VENDOR, vendor) ? OTHER_PROVIDERS_BY_VENDOR[vendor]! : [];
  return [...(modelIndex === 0 ? (context.scenario.fallbackFrom ?? []) : []), first, usual, ...others].map(openRouterProviderName);
}

/** Routes by the request's `provider` / `models` preferences, the scenario's pick and the upstreams that are down. */
function routeOpenRouter(model: string, body: Record<string, unknown>, context: TargetContext): RoutePlan {
  const policy = openRouterPolicy(body);
  const canonical = openRouterProviderName;
  const down = new Set([...context.down, ...(context.scenario.fallbackFrom ?? [])].map(canonical));
  const models = [model, ...(policy.models ?? []).filter((name) => name !== model && !isUnknownModel(name))];
  return planRoute({
    models,
    candidates: (slug, modelIndex) => candidatesFor(slug, context, modelIndex),
    policy,
    canonical,
    isDown: (upstream) => down.has(upstream),
    downStatus: context.scenario.downStatus ?? 429,
  });
}

function openRouterUsage(request: ChatRequest, cost: CallCost) {
  return {
    prompt_tokens: request.promptTokens,
    completion_tokens: request.completionTokens,
    total_tokens: request.promptTokens + request.completionTokens,
    cost: cost.total,
    is_byok: false,
    prompt_tokens_details: { cached_tokens: 0, cache_write_tokens: 0, audio_tokens: 0, video_tokens: 0 },
    cost_details: {
      upstream_inference_cost: cost.total,
      upstream_inference_prompt_cost: cost.prompt,
      upstream_inference_completions_cost: cost.completion,
    },
    completion_tokens_details: { reasoning_tokens: 0, image_tokens: 0, audio_tokens: 0 },
  };
}

function routerMetadata(requested: string, model: string, plan: RoutePlan) {
  const failed = plan.attempts.filter((attempt) => !attempt.success);
  const provider = plan.served!.upstream;
  const available = plan.attempts.map((attempt) => ({ model, provider: attempt.upstream, selected: attempt.success }));
  return {
    attempt: plan.attempts.length,
    endpoints: { available, total: available.length },
    is_byok: false,
    region: 'iad',
    requested,
    strategy: failed.length ? 'fallback' : 'direct',
    summary: `available=${available.length}, selected=${provider}`,
    ...(failed.length
      ? { attempts: plan.attempts.map((attempt) => ({ provider: attempt.upstream, model, status: attempt.status })) }
      : {}),
  };
}

interface BroadcastFacts {
  request: ChatRequest;
  plan: RoutePlan;
  /** Wall-clock ms when the request arrived. */
  started: number;
  generationId: string | undefined;
  cost: CallCost | undefined;
  responseModel?: string;
  finish?: string;
  error?: ErrorKind;
}

/** Known keys of the body `trace` object; any other key is custom metadata (`trace.metadata.<key>`). */
const TRACE_KNOWN_KEYS = new Set(['trace_id', 'trace_name', 'span_name', 'generation_name', 'parent_span_id']);

/**
 * OpenRouter Broadcast, as documented: "Each request produces a parent span for the LLM generation plus one child
 * span per upstream provider attempt. The spans follow the OpenTelemetry GenAI semantic conventions"
 * (openrouter.ai/docs/guides/features/broadcast/overview); sent as OTLP/HTTP JSON; `trace.trace_id` /
 * `trace.parent_span_id` from the request body place the spans in the caller's trace, `span_name` creates a parent
 * span, `generation_name` names the generation; custom `trace` keys become `trace.metadata.<key>`, `user` → `user.id`,
 * `session_id` (or `x-session-id`) → `session.id`; gen_ai.* carry model, tokens and cost
 * (openrouter.ai/docs/guides/features/broadcast/otel-collector). Attribute names seen by a receiver of real
 * Broadcast traffic: gen_ai.request.model / response.model, gen_ai.usage.input_tokens / output_tokens / total_tokens,
 * gen_ai.usage.input_cost / output_cost / total_cost, gen_ai.provider.name (the display name that served),
 * gen_ai.response.finish_reason, trace.metadata.openrouter.provider_slug (blog.iodev.org, "Receiving OpenRouter Traces
 * in Grafana Tempo", third party). Span names "LLM Generation" and "provider attempt N: <provider>" and
 * service.name `openrouter` come from third-party descriptions only (skills.sh/mapletechlabs/maple). The
 * simulator exports no prompts or completions (Broadcast's Privacy Mode), and marks a failed attempt with an
 * error status and `error.type` (its HTTP status) — OpenRouter's own attribute for that is not documented. No
 * `gen_ai.operation.name` is set: no source shows it on Broadcast spans (and a viewer that counts `chat` spans as
 * model calls would count the gateway's spans as the client's).
 * A W3C `traceparent` header is honoured when the body carries no `trace.trace_id` (not documented by OpenRouter).
 */
function exportBroadcast(
  context: TargetContext,
  body: Record<string, unknown>,
  headers: Record<string, string>,
  facts: BroadcastFacts,
): void {
  const exporter = context.broadcast;
  if (!exporter) return;
  try {
    const random = createRandom(hashSeed(facts.generationId ?? `${context.now}`, 'broadcast', Math.floor(context.random.next() * 1e9)));
    const incoming = incomingTraceContext(body, headers);
    const trace = isRecord(body.trace) ? body.trace : {};
    const traceId = incoming?.traceId ?? traceIdFrom(random);
    // Wall-clock times, as a real gateway stamps its spans (the virtual clock only shapes answers and ids).
    const startMs = facts.started;
    const elapsed = Math.max(1, Date.now() - facts.started);
    const endMs = startMs + elapsed;
    const spans: GatewaySpan[] = [];
    let parentSpanId = incoming?.parentSpanId;
    if (typeof trace.span_name === 'string' && trace.span_name) {
      const spanId = spanIdFrom(random);
      spans.push({ traceId, spanId, parentSpanId, name: trace.span_name.slice(0, 128), kind: 1, startMs, endMs, attributes: {} });
      parentSpanId = spanId;
    }
    const served = facts.plan.served;
    const generationSpanId = spanIdFrom(random);
    const metadata: Record<string, string> = {};
    for (const [key, value] of Object.entries(trace)) {
      if (TRACE_KNOWN_KEYS.has(key) || Object.keys(metadata).length >= 32) continue;
      if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') metadata[`trace.metadata.${key.slice(0, 64)}`] = String(value).slice(0, 256);
    }
    const sessionId = typeof body.session_id === 'string' ? body.session_id : headers['x-session-id'];
    spans.push({
      traceId,
      spanId: generationSpanId,
      parentSpanId,
      name: typeof trace.generation_name === 'string' && trace.generation_name ? trace.generation_name.slice(0, 128) : 'LLM Generation',
      kind: 2,
      startMs,
      endMs,
      error: facts.error ? `Provider returned error` : undefined,
      attributes: {
        'gen_ai.request.model': facts.request.model,
        'gen_ai.response.model': facts.responseModel,
        'gen_ai.provider.name': served?.upstream,
        'gen_ai.usage.input_tokens': facts.cost ? facts.request.promptTokens : undefined,
        'gen_ai.usage.output_tokens': facts.cost ? facts.request.completionTokens : undefined,
        'gen_ai.usage.total_tokens': facts.cost ? facts.request.promptTokens + facts.request.completionTokens : undefined,
        'gen_ai.usage.input_cost': facts.cost?.prompt,
        'gen_ai.usage.output_cost': facts.cost?.completion,
        'gen_ai.usage.total_cost': facts.cost?.total,
        'gen_ai.response.finish_reason': facts.finish,
        'trace.metadata.openrouter.provider_slug': served ? openRouterSlug(served.upstream) : undefined,
        'user.id': typeof body.user === 'string' ? body.user.slice(0, 128) : undefined,
        'session.id': sessionId ? sessionId.slice(0, 128) : undefined,
        'error.type': facts.error ? String(facts.plan.served ? 502 : (facts.plan.attempts.at(-1)?.status ?? 502)) : undefined,
        ...metadata,
      },
    });
    // Attempts share the generation's time: failed ones are short, the serving one takes the rest.
    const attempts = facts.plan.attempts;
    let cursor = startMs;
    attempts.forEach((attempt: RouteAttempt, index) => {
      const share = attempt.success ? Math.max(1, endMs - cursor) : Math.max(1, Math.floor(elapsed / (attempts.length * 4)));
      spans.push({
        traceId,
        spanId: spanIdFrom(random),
        parentSpanId: generationSpanId,
        name: `provider attempt ${index + 1}: ${attempt.upstream}`,
        kind: 3,
        startMs: cursor,
        endMs: Math.min(endMs, cursor + share),
        error: attempt.success ? undefined : `${attempt.upstream} returned ${attempt.status}`,
        attributes: {
          'gen_ai.request.model': attempt.model,
          'gen_ai.provider.name': attempt.upstream,
          'trace.metadata.openrouter.provider_slug': openRouterSlug(attempt.upstream),
          'error.type': attempt.success ? undefined : String(attempt.status),
        },
      });
      cursor = Math.min(endMs, cursor + share);
    });
    exporter.export(spans, { 'service.name': 'openrouter' }, 'openrouter');
  } catch {
    // Exporting is best effort: never disturb the answer.
  }
}
