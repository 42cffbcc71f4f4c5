/**
 * LiteLLM proxy: an independent gateway, known by its `x-litellm-*` headers or the
 * `llm_provider-*` headers it re-emits from the next hop. Upstream = the `x-litellm-model-name`
 * provider prefix (LiteLLM's own route, not a model vendor), else the `x-litellm-model-api-base`
 * host, else the next hop's fingerprints behind `llm_provider-`, else what the passed-through
 * body names. Response model = `x-litellm-model-name` without its prefix; request id =
 * `x-litellm-call-id`; deployment = `x-litellm-model-id`. LiteLLM re-stamps body `model` with the
 * caller's alias (except after a fallback). Its own refusals (budget, key, rate limit) are the
 * gateway's.
 */
import { amount, integer, type JsonObject, own, text } from '../../shared/json';
import { splitUrl } from '../../shared/url';
import { bedrockPathModelId } from '../aws.bedrock/aws.bedrock';
import { normalizeName, tableOf } from '../../vocabulary';
import { bodyModel, firstHeaderWith, hop, pathSegments, refused, regionCode, signal } from '../helpers';
import type { HopFacts, HopSignal, RouteRule, RuleContext } from '../rule';

/** LiteLLM provider prefixes (DESIGN.md §2.2). */
export const LITELLM_NAMES = tableOf({
  azure: 'azure.ai.openai',
  azure_text: 'azure.ai.openai',
  azure_ai: 'azure.ai.inference',
  bedrock: 'aws.bedrock',
  bedrock_converse: 'aws.bedrock',
  sagemaker: 'aws.sagemaker',
  vertex_ai: 'gcp.vertex_ai',
  vertex_ai_beta: 'gcp.vertex_ai',
  gemini: 'gcp.gemini',
  together_ai: 'together',
  fireworks_ai: 'fireworks',
  mistral: 'mistral_ai',
  codestral: 'mistral_ai',
  xai: 'x_ai',
  text_completion_openai: 'openai',
  chatgpt: 'openai',
  ollama_chat: 'ollama',
  hosted_vllm: 'vllm',
  friendliai: 'friendli',
  nvidia_nim: 'nvidia',
  watsonx_text: 'ibm.watsonx.ai',
});

// Error types only LiteLLM's proxy answers with (OpenAI's quota error is `insufficient_quota`).
const BODY_ERROR_TYPES: ReadonlySet<string> = new Set(['budget_exceeded']);

// LiteLLM's own refusals: budget, key and access errors its proxy raises before any upstream.
// Not `throttling_error`: that is the OpenAI-style type of a provider's 429 the proxy relays
// (docs.litellm.ai/docs/proxy/error_reference: "provider-originated errors carry an OpenAI-style
// value such as `throttling_error`").
const OWN_ERROR_TYPES: ReadonlySet<string> = new Set([
  'budget_exceeded',
  'auth_error',
  'key_model_access_denied',
  'team_model_access_denied',
  'user_model_access_denied',
  'token_not_found_in_db',
]);

function nextHop(context: RuleContext): { next?: HopSignal; served?: string } {
  const { headers } = context;
  const modelName = text(headers.get('x-litellm-model-name'));
  const apiBase = text(headers.get('x-litellm-model-api-base'));
  const apiBaseHost = apiBase ? splitUrl(apiBase).host : undefined;
  const apiBaseProvider = apiBaseHost ? context.systemOfHost(apiBaseHost) : undefined;
  let served: string | undefined;
  if (modelName) {
    const slash = modelName.indexOf('/');
    served = slash > 0 ? modelName.slice(slash + 1) : modelName;
    if (slash > 0) {
      const provider = normalizeName(modelName.slice(0, slash), LITELLM_NAMES);
      // `openai/…` means "OpenAI-compatible" (vLLM, Apertus, any custom api_base): it names OpenAI
      // only when the api-base host is OpenAI's or OpenAI's own headers came back through LiteLLM.
      const generic = provider === 'openai' && apiBaseProvider !== 'openai' && context.headerFingerprint('llm_provider-')?.provider !== 'openai';
      if (!generic) return { next: hop(provider, 'header.x-litellm-model-name', 'served-by'), served };
    }
  }
  if (apiBaseProvider) return { next: hop(apiBaseProvider, 'header.x-litellm-model-api-base', 'deployment'), ...(served ? { served } : {}) };
  const passThrough = context.headerFingerprint('llm_provider-');
  if (passThrough) return { next: { ...passThrough, signal: { ...passThrough.signal, kind: 'deployment' } }, ...(served ? { served } : {}) };
  // Bodies pass through LiteLLM: an inner OpenRouter still names itself.
  const inner = context.bodyGateway() ?? context.bodyFingerprint();
  if (inner) return { next: inner, ...(served ? { served } : {}) };
  // LiteLLM's provider pass-through endpoints (`/bedrock/model/{id}/converse`, `/vertex_ai/…`)
  // forward to that provider's own API: a routing directive the proxy documents.
  const passThroughRoute = pathSegments(context)[0];
  const routed = passThroughRoute && PASS_THROUGH_ROUTES.get(passThroughRoute);
  return { ...(routed ? { next: hop(routed, 'url', 'gateway-route') } : {}), ...(served ? { served } : {}) };
}

// LiteLLM pass-through route prefixes (docs.litellm.ai "Pass-through endpoints").
const PASS_THROUGH_ROUTES = tableOf({
  bedrock: 'aws.bedrock',
  vertex_ai: 'gcp.vertex_ai',
  gemini: 'gcp.gemini',
  anthropic: 'anthropic',
  openai: 'openai',
  azure: 'azure.ai.openai',
  mistral: 'mistral_ai',
  cohere: 'cohere',
});

/** The LiteLLM proxy rule. */
export const litellm: RouteRule = {
  id: 'litellm',
  role: 'gateway',
  names: LITELLM_NAMES,
  hints: ['litellm'],
  recognise(context) {
    // LiteLLM's own refusal body (BudgetExceededError) names it even without its headers.
    if (context.body.errorType !== undefined && BODY_ERROR_TYPES.has(context.body.errorType)) {
      return { signal: signal('body.error.type', 'fingerprint'), source: 'body' };
    }
    if (context.headers.size === 0) return undefined;
    const name =
      (context.headers.has('x-litellm-call-id') && 'x-litellm-call-id') ||
      (context.headers.has('x-litellm-model-id') && 'x-litellm-model-id') ||
      firstHeaderWith(context, 'x-litellm-') ||
      firstHeaderWith(context, 'llm_provider-');
    return name ? { signal: signal(`header.${name}`, 'fingerprint'), source: 'header' } : undefined;
  },
  expand(context, position) {
    // LiteLLM's headers describe the outermost LiteLLM only; an inner one reveals nothing.
    if (!position.outer) return {};
    const { headers } = context;
    const result: HopFacts = {};
    const { next, served } = nextHop(context);
    if (next) result.next = next;
    if (served) {
      result.responseModel = { value: served, signal: signal('header.x-litellm-model-name', 'served-by') };
      result.vendorModel = served;
    } else if (next?.signal.kind === 'gateway-route') {
      // On a pass-through route the model ID is in the path (`/bedrock/model/{id}/converse`).
      const pathModel = bedrockPathModelId(context.pathname);
      if (pathModel) result.vendorModel = pathModel;
    }
    // `x-litellm-cache-key` comes back only when LiteLLM answered from its own cache.
    if (headers.has('x-litellm-cache-key')) {
      result.cacheHit = true;
      result.evidence = [signal('header.x-litellm-cache-key', 'fingerprint')];
    }
    const deployment = text(headers.get('x-litellm-model-id'));
    if (deployment) result.deployment = deployment;
    const callId = text(headers.get('x-litellm-call-id'));
    if (callId) result.requestId = callId;
    const fallbacks = integer(headers.get('x-litellm-attempted-fallbacks'));
    const retries = integer(headers.get('x-litellm-attempted-retries'));
    if (fallbacks !== undefined || retries !== undefined) result.attempts = 1 + (fallbacks ?? 0) + (retries ?? 0);
    if (fallbacks !== undefined) result.fallback = fallbacks > 0;
    // LiteLLM re-stamps body `model` with the requested alias, except after a fallback on a JSON
    // answer: its stream chunks carry the requested group even then (BerriAI/litellm#31722).
    const bodyServed = fallbacks !== undefined && fallbacks > 0 && context.body.format !== 'sse';
    result.rewritesBodyModel = !bodyServed;
    if (!result.responseModel && bodyServed) {
      const model = bodyModel(context);
      if (model) result.responseModel = model;
    }
    if (result.next?.provider === 'azure.ai.openai') {
      const region = regionCode(headers.get('llm_provider-x-ms-region'));
      if (region) result.region = region;
    }
    const cost = amount(headers.get('x-litellm-response-cost'));
    if (cost !== undefined) result.cost = cost;
    if (refused(context)) {
      // The proxy never forwards a provider's retry-after onto an error (same docs page): a 429
      // with `retry-after` or `rate_limit_type` is its own rate limit or cooldown.
      const ownRateLimit = context.status === 429 && (context.headers.has('retry-after') || context.headers.has('rate_limit_type'));
      const own = ownRateLimit || (context.body.errorType !== undefined && OWN_ERROR_TYPES.has(context.body.errorType));
      if (own) result.errorSource = 'gateway';
      // A provider's OpenAI-style type relayed (the docs' example: `throttling_error` with
      // `OpenAIException` in the message) is the upstream's, even when no routing header came back.
      else if (next || context.body.errorType === 'throttling_error') result.errorSource = 'upstream';
    }
    return result;
  },
  policyKeys: ['fallbacks', 'metadata'],
  policy(request) {
    const policy: JsonObject = {};
    const fallbacks = own(request.body, 'fallbacks');
    if (Array.isArray(fallbacks)) policy.fallbacks = fallbacks;
    const modelGroup = own(own(request.body, 'metadata'), 'model_group');
    if (typeof modelGroup === 'string') policy.metadata = { model_group: modelGroup };
    return Object.keys(policy).length > 0 ? policy : undefined;
  },
};
