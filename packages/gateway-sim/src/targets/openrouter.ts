import { chatDeltas, chatMessage, dataLine, readChatRequest, type ChatRequest } from '../chat-completions';
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
import type { Random } from '../random';
import { resolveUpstream, slugVendor } from '../upstreams';

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
      error.metadata = {
        raw: kind === 'rate_limit' ? `${detail ?? 'model'} is temporarily rate-limited upstream. Please retry shortly.` : 'upstream connect error',
        provider_name: providerName,
        is_byok: false,
      };
    }
    const headers: Record<string, string> = { ...SECURITY_HEADERS, 'Cf-Ray': `${context.random.hex(16)}-IAD` };
    if (kind === 'rate_limit') headers['Retry-After'] = String(context.scenario.retryAfterSeconds ?? 1);
    sendJson(exchange, status, headers, { error, user_id: userId });
  };
  if (exchange.method !== 'POST' || path !== '/api/v1/chat/completions') return respondError('not_found');
  const body = parseJsonObject(exchange.body);
  if (!body) return respondError('malformed_json');
  const request = readChatRequest(body, { modelRequired: true, text: context.scenario.text });
  if (request === 'missing_messages' || request === 'missing_model') return respondError(request);
  if (isUnknownModel(request.model)) return respondError('unknown_model', request.model);
  const vendor = slugVendor(request.model) ?? '';
  const upstream = resolveUpstream(context.chosenUpstream ?? DEFAULT_PROVIDER_BY_VENDOR[vendor] ?? 'Together', 'openrouter');
  providerName = upstream.openrouter;
  context.reportUpstream(upstream.openrouter);
  if (await applyFailure(exchange, context, (kind) => respondError(kind, request.model), request.stream)) return;
  const id = generationId(context.random, context.now);
  const model = context.scenario.servedModel ?? PERMASLUGS[request.model] ?? request.model;
  const usesClaudeFinish = providerName === 'Amazon Bedrock' || providerName === 'Anthropic' || providerName === 'Google';
  const finish = request.answer.type === 'text' ? 'stop' : 'tool_calls';
  const nativeFinish = usesClaudeFinish && vendor === 'anthropic' ? (finish === 'stop' ? 'end_turn' : 'tool_use') : finish;
  const metadata = exchange.headers['x-openrouter-metadata'] === 'enabled' || exchange.headers['x-openrouter-experimental-metadata'] === 'enabled'
    ? routerMetadata(request.model, model, providerName, context.scenario.fallbackFrom)
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
  const usage = openRouterUsage(request);
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
};

function openRouterUsage(request: ChatRequest) {
  const promptCost = round(request.promptTokens * 1e-6);
  const completionCost = round(request.completionTokens * 5e-6);
  return {
    prompt_tokens: request.promptTokens,
    completion_tokens: request.completionTokens,
    total_tokens: request.promptTokens + request.completionTokens,
    cost: round(promptCost + completionCost),
    is_byok: false,
    prompt_tokens_details: { cached_tokens: 0, cache_write_tokens: 0, audio_tokens: 0, video_tokens: 0 },
    cost_details: {
      upstream_inference_cost: round(promptCost + completionCost),
      upstream_inference_prompt_cost: promptCost,
      upstream_inference_completions_cost: completionCost,
    },
    completion_tokens_details: { reasoning_tokens: 0, image_tokens: 0, audio_tokens: 0 },
  };
}

function routerMetadata(requested: string, model: string, provider: string, fallbackFrom?: string[]) {
  const failed = (fallbackFrom ?? []).map((name) => resolveUpstream(name, 'openrouter').openrouter);
  const available = [...failed, provider].map((name) => ({ model, provider: name, selected: name === provider }));
  return {
    attempt: failed.length + 1,
    endpoints: { available, total: available.length },
    is_byok: false,
    region: 'iad',
    requested,
    strategy: failed.length ? 'fallback' : 'direct',
    summary: `available=${available.length}, selected=${provider}`,
    ...(failed.length
      ? { attempts: [...failed.map((name) => ({ provider: name, model, status: 429 })), { provider, model, status: 200 }] }
      : {}),
  };
}

function round(value: number): number {
  return Math.round(value * 1e9) / 1e9;
}
