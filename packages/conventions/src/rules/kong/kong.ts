/**
 * Kong AI Gateway (ai-proxy / ai-proxy-advanced): an independent gateway on the user's own host.
 * `X-Kong-LLM-Model: {provider}/{model}` names the provider and model Kong selected; it is only
 * on calls Kong proxied. Kong's own answers — a semantic-cache hit (`X-Cache-Status: Hit` with a
 * `kong_semantic_cache:` key), an AI rate limit 429, a key-auth 401 (`X-Kong-Response-Latency`
 * without `X-Kong-Upstream-Latency`) — carry no selected model and name no upstream:
 * `cacheHit` / `errorSource` say why. Mistral's own API runs behind Kong too, so its generic
 * `x-kong-*` headers mean Kong AI Gateway only when no provider fingerprint stands beside them
 * (and never on `api.mistral.ai`, whose host decides first).
 */
import { parseBedrockModelId } from '../../bedrock-model-id';
import { text } from '../../shared/json';
import { normalizeName, tableOf } from '../../vocabulary';
import { firstHeaderWith, hop, refused, signal } from '../helpers';
import type { HopFacts, Recognition, RouteRule, RuleContext } from '../rule';

/** Kong ai-proxy provider names (`conf.model.provider`). */
export const KONG_NAMES = tableOf({
  bedrock: 'aws.bedrock',
  azure: 'azure.ai.openai',
  gemini: 'gcp.gemini',
  mistral: 'mistral_ai',
});

// Kong's name for "a Llama-format upstream": a wire format, not a provider.
const FORMAT_ONLY_PROVIDERS: ReadonlySet<string> = new Set(['llama2']);

function semanticCacheKey(context: RuleContext): boolean {
  return context.headers.get('x-cache-key')?.startsWith('kong_semantic_cache:') === true;
}

function kongProduct(context: RuleContext): string | undefined {
  for (const name of ['server', 'via']) {
    if (/(^|\s)kong\/\d/i.test(context.headers.get(name) ?? '')) return name;
  }
  return undefined;
}

function recogniseKong(context: RuleContext): Recognition | undefined {
  if (context.headers.size === 0) return undefined;
  if (context.headers.has('x-kong-llm-model')) return { signal: signal('header.x-kong-llm-model', 'served-by'), source: 'header' };
  if (semanticCacheKey(context)) return { signal: signal('header.x-cache-key', 'fingerprint'), source: 'header' };
  const rateLimit = firstHeaderWith(context, 'x-ai-ratelimit-');
  if (rateLimit) return { signal: signal(`header.${rateLimit}`, 'fingerprint'), source: 'header' };
  // Generic Kong headers: Kong answered, but Mistral's API answers with them too.
  if (context.headerFingerprint() !== undefined) return undefined;
  if (context.headers.has('x-kong-request-id')) return { signal: signal('header.x-kong-request-id', 'fingerprint-shape'), source: 'header' };
  const product = kongProduct(context);
  return product ? { signal: signal(`header.${product}`, 'fingerprint-shape'), source: 'header' } : undefined;
}

/** The Kong AI Gateway rule. */
export const kong: RouteRule = {
  id: 'kong',
  role: 'gateway',
  names: KONG_NAMES,
  hints: ['kong'],
  recognise: recogniseKong,
  expand(context) {
    const { headers } = context;
    const result: HopFacts = {};
    const evidence = [];
    const selected = text(headers.get('x-kong-llm-model'));
    const cache = headers.get('x-cache-status')?.trim().toLowerCase();
    const answeredItself = headers.has('x-kong-response-latency') && !headers.has('x-kong-upstream-latency');
    if (cache === 'hit' || (semanticCacheKey(context) && answeredItself && !refused(context))) {
      result.cacheHit = true;
      evidence.push(signal(cache === 'hit' ? 'header.x-cache-status' : 'header.x-cache-key', 'fingerprint'));
    } else if (cache === 'miss' || cache === 'refresh' || cache === 'bypass') {
      result.cacheHit = false;
      evidence.push(signal('header.x-cache-status', 'fingerprint'));
    }
    if (selected && result.cacheHit !== true) {
      const slash = selected.indexOf('/');
      const providerName = slash > 0 ? selected.slice(0, slash) : undefined;
      const model = slash > 0 ? selected.slice(slash + 1) : undefined;
      const provider = providerName && !FORMAT_ONLY_PROVIDERS.has(providerName.toLowerCase()) ? normalizeName(providerName, KONG_NAMES) : undefined;
      if (provider) result.next = hop(provider, 'header.x-kong-llm-model', 'served-by');
      if (model) result.vendorModel = model;
      // The body the upstream sent (dated model) beats the configured name; Kong 3.9 could leave a `$(…)` template there.
      const bodyModel = text(context.body.model);
      if (bodyModel && !bodyModel.startsWith('$(')) {
        result.responseModel = { value: bodyModel, signal: signal('body.model', 'response-field') };
      } else if (model) {
        const foundation = provider === 'aws.bedrock' ? parseBedrockModelId(model)?.model : undefined;
        result.responseModel = { value: foundation ?? model, signal: signal('header.x-kong-llm-model', 'served-by') };
      }
    }
    result.vendorModel ??= context.requestModel;
    const requestId = text(headers.get('x-kong-request-id'));
    if (requestId) {
      result.requestId = requestId;
      evidence.push(signal('header.x-kong-request-id', 'fingerprint-shape'));
    }
    // Kong refused the call itself: its own response (rate limit, auth) with no selected upstream.
    if (refused(context)) {
      if (!selected && (answeredItself || firstHeaderWith(context, 'x-ai-ratelimit-') !== undefined)) result.errorSource = 'gateway';
      else if (result.next) result.errorSource = 'upstream';
    }
    if (evidence.length > 0) result.evidence = evidence;
    return result;
  },
};
