/**
 * OpenRouter (openrouter.ai): an independent gateway. The upstream is body `provider` (every
 * stream chunk, error chunks included), else the AI SDK's `providerMetadata.openrouter.provider`,
 * the `X-Provider-Name` header (image routes), `error.metadata.provider_name` on error bodies or
 * the selected endpoint of `openrouter_metadata`. Request id: `X-Generation-Id`, else body `id`.
 * Its own refusals (402 out of credits, 401 key, 429 account limit) carry no provider: the
 * error source is then the gateway.
 */
import { integer, isObject, type JsonObject, own, pathOf, text } from '../../shared/json';
import { normalizeName, tableOf } from '../../vocabulary';
import { bodyModel, hop, refused, signal } from '../helpers';
import type { HopFacts, RouteRule, RuleContext } from '../rule';

/** OpenRouter display names the fold would get wrong (DESIGN.md §2.2, §2.5). */
export const OPENROUTER_NAMES = tableOf({
  // OpenRouter's "Google" is Vertex AI; "Google AI Studio" is the Gemini API.
  google: 'gcp.vertex_ai',
  google_vertex: 'gcp.vertex_ai',
  azure: 'azure.ai.openai',
  mistral: 'mistral_ai',
  xai: 'x_ai',
  z_ai: 'zai',
  // Workers AI serving the model, not Cloudflare's AI Gateway.
  cloudflare: 'cloudflare.workers_ai',
});

function upstreamName(context: RuleContext): [string, string] | undefined {
  const { body, headers, metadata } = context;
  // Strongest first; each is read only when the ones before it are absent.
  let value = text(body.provider);
  if (value) return [value, 'body.provider'];
  value = text(pathOf(metadata, 'openrouter', 'provider'));
  if (value) return [value, 'provider_metadata.openrouter.provider'];
  value = text(headers.get('x-provider-name'));
  if (value) return [value, 'header.x-provider-name'];
  value = text(headers.get('openrouter-served-by'));
  if (value) return [value, 'header.openrouter-served-by'];
  value = text(body.errorProviderName);
  if (value) return [value, 'body.error.metadata.provider_name'];
  const endpoints = pathOf(body.openrouterMetadata, 'endpoints', 'available');
  if (Array.isArray(endpoints)) {
    const selected = endpoints.slice(0, 64).find((endpoint) => isObject(endpoint) && own(endpoint, 'selected') === true);
    value = text(own(selected, 'provider'));
    if (value) return [value, 'body.openrouter_metadata.endpoints'];
  }
  return undefined;
}

// OpenRouter generation ids (`gen-1780944464-aVi4x8Mw2aEBGnCL6z99`), the same value as `X-Generation-Id`.
const GENERATION_ID = /^gen-(?:[a-z]{2,5}-)?\d+-[A-Za-z0-9]+$/;

const POLICY_PROVIDER_KEYS = ['order', 'only', 'ignore', 'allow_fallbacks', 'sort', 'require_parameters', 'data_collection', 'zdr', 'quantizations', 'max_price', 'enforce_distillable_text'];

/** The OpenRouter rule. */
export const openrouter: RouteRule = {
  id: 'openrouter',
  role: 'gateway',
  hosts: ['openrouter.ai'],
  names: OPENROUTER_NAMES,
  hints: ['openrouter'],
  fingerprints: [{ header: 'x-generation-id', value: /^gen-/ }],
  recognise(context) {
    if (context.headers.get('x-generation-id')?.startsWith('gen-')) {
      return { signal: signal('header.x-generation-id', 'fingerprint'), source: 'header' };
    }
    if (context.headers.has('openrouter-served-by')) {
      return { signal: signal('header.openrouter-served-by', 'fingerprint'), source: 'header' };
    }
    const id = context.body.id;
    if (id?.startsWith('gen-') && (context.body.provider || GENERATION_ID.test(id))) {
      return { signal: signal('body.id', 'fingerprint'), source: 'body' };
    }
    // OpenRouter's relayed-error shape ("Provider returned error" + `error.metadata.provider_name`)
    // names it on any host; its error answers carry no X-Generation-Id.
    if (context.body.error === true && context.body.errorProviderName) {
      return { signal: signal('body.error.metadata.provider_name', 'fingerprint'), source: 'body' };
    }
    // Its own refusals (credits, free-tier limits) carry the account's `user_id` beside `error`.
    if (context.body.openrouterOwnError === true) return { signal: signal('body.user_id', 'fingerprint'), source: 'body' };
    if (isObject(own(context.metadata, 'openrouter'))) {
      return { signal: signal('provider_metadata.openrouter', 'fingerprint'), source: 'metadata' };
    }
    return undefined;
  },
  expand(context, position) {
    const { body, headers } = context;
    const result: HopFacts = {};
    const found = upstreamName(context);
    if (found) result.next = hop(normalizeName(found[0], OPENROUTER_NAMES), found[1], 'served-by');
    const model = bodyModel(context);
    if (model) result.responseModel = model;
    result.vendorModel = model?.value ?? context.requestModel;
    if (body.cost !== undefined) result.cost = body.cost;
    if (position.outer) {
      const requestId = text(headers.get('x-generation-id')) ?? (body.id?.startsWith('gen') ? text(body.id) : undefined);
      if (requestId) result.requestId = requestId;
      const attempt = integer(own(body.openrouterMetadata, 'attempt'));
      if (attempt !== undefined && attempt > 0) {
        result.attempts = attempt;
        result.fallback = attempt > 1;
      }
      // A refusal no provider answered: OpenRouter's own (credits, key, account rate limit).
      if (refused(context)) result.errorSource = found ? 'upstream' : 'gateway';
    }
    return result;
  },
  policyKeys: ['provider', 'models', 'route'],
  policy(request) {
    const body = request.body;
    if (!body) return undefined;
    const policy: JsonObject = {};
    const provider = own(body, 'provider');
    if (isObject(provider)) {
      const picked: JsonObject = {};
      for (const key of POLICY_PROVIDER_KEYS) {
        const value = own(provider, key);
        if (value !== undefined) picked[key] = value;
      }
      if (Object.keys(picked).length > 0) policy.provider = picked;
    }
    const models = own(body, 'models');
    if (Array.isArray(models)) policy.models = models;
    const route = own(body, 'route');
    if (typeof route === 'string') policy.route = route;
    return Object.keys(policy).length > 0 ? policy : undefined;
  },
};
