/**
 * Bifrost (Maxim's open-source gateway, self-hosted on any host): an independent gateway. It adds
 * `x-bifrost-*` headers to every inference response (docs.getbifrost.ai/providers/response-headers;
 * maximhq/bifrost `transports/bifrost-http/lib/responseheaders.go`): `x-bifrost-request-id` (its
 * log id) on every response, errors and refusals included; the routing-info set
 * `x-bifrost-routing-info-provider` / `-model` / `-alias-model-id` (the provider, model and the
 * provider's own model id that handled the attempt whose result is returned),
 * `x-bifrost-routing-info-is-fallback: true` and `x-bifrost-fallback-index: N` (sent only when a
 * fallback served), `x-bifrost-cost-usd`; and the deprecated `x-bifrost-provider` /
 * `x-bifrost-resolved-model` still sent for older clients. A request Bifrost refused before
 * routing carries no routing header.
 * Evidence: Bifrost's own source and unit tests (header names and how they are filled; the values
 * in its tests are synthetic) and documentation; no recorded response with a citable source was
 * found (one public spike write-up shows real routing-info headers, see the second-pass notes).
 * Bodies: Bifrost's own `extra_fields` block (`core/schemas/bifrost.go`: `provider`,
 * `resolved_model_used`, `cache_debug.cache_hit`; `is_bifrost_error` on error bodies) recognises
 * it when a browser's CORS policy hid the `x-bifrost-*` headers. Source only, no recording.
 */
import { amount, integer, text } from '../../shared/json';
import { normalizeName, tableOf } from '../../vocabulary';
import { bodyModel, hop, pathSegments, refused, signal } from '../helpers';
import type { HopFacts, RouteRule } from '../rule';

/** Bifrost provider keys the common fold would get wrong (Bifrost `ModelProvider` constants). */
export const BIFROST_NAMES = tableOf({
  vertex: 'gcp.vertex_ai',
  gemini: 'gcp.gemini',
  azure: 'azure.ai.openai',
  bedrock: 'aws.bedrock',
  bedrock_mantle: 'aws.bedrock',
  mistral: 'mistral_ai',
  xai: 'x_ai',
});

const MAX_MODEL_ID = 256;

/** The model id of Bifrost's Bedrock drop-in route (`/bedrock/model/{id}/converse`), percent-decoded. */
export function bedrockRouteModel(segments: readonly string[]): string | undefined {
  const at = segments.indexOf('bedrock');
  if (at < 0 || segments[at + 1] !== 'model') return undefined;
  const raw = segments[at + 2];
  if (!raw || raw.length > MAX_MODEL_ID * 3) return undefined;
  try {
    const id = decodeURIComponent(raw);
    return id.length > 0 && id.length <= MAX_MODEL_ID ? id : undefined;
  } catch {
    return undefined;
  }
}

/** The Bifrost rule. */
export const bifrost: RouteRule = {
  id: 'bifrost',
  role: 'gateway',
  names: BIFROST_NAMES,
  hints: ['bifrost'],
  recognise(context) {
    if (context.headers.has('x-bifrost-request-id')) return { signal: signal('header.x-bifrost-request-id', 'fingerprint'), source: 'header' };
    for (const header of ['x-bifrost-routing-info-provider', 'x-bifrost-provider']) {
      if (context.headers.has(header)) return { signal: signal(`header.${header}`, 'served-by'), source: 'header' };
    }
    // `extra_fields.request_type` / `.latency` are Bifrost's only (body.ts reads the block only then).
    if (context.body.bifrost) return { signal: signal('body.extra_fields', 'fingerprint'), source: 'body' };
    return undefined;
  },
  expand(context, position) {
    const result: HopFacts = {};
    if (!position.outer) return result;
    // The routing-info set is current; the plain provider/resolved-model pair is its deprecated mirror.
    const providerHeader = ['x-bifrost-routing-info-provider', 'x-bifrost-provider'].find((header) => text(context.headers.get(header)));
    if (providerHeader) {
      const name = normalizeName(text(context.headers.get(providerHeader))!, BIFROST_NAMES);
      if (name.length > 0 && name !== 'bifrost') result.next = hop(name, `header.${providerHeader}`, 'served-by');
    }
    const extra = context.body.bifrost;
    if (!providerHeader && extra?.provider) {
      const name = normalizeName(extra.provider, BIFROST_NAMES);
      if (name.length > 0 && name !== 'bifrost') result.next = hop(name, 'body.extra_fields.provider', 'served-by');
    }
    // The provider's own model id (an alias resolved to a Bedrock inference profile, say) before the model name.
    const modelHeader = ['x-bifrost-routing-info-alias-model-id', 'x-bifrost-resolved-model', 'x-bifrost-routing-info-model'].find((header) => text(context.headers.get(header)));
    const model = modelHeader
      ? { value: text(context.headers.get(modelHeader))!, signal: signal(`header.${modelHeader}`, 'served-by') }
      : extra?.resolvedModel
        ? { value: extra.resolvedModel, signal: signal('body.extra_fields.resolved_model_used', 'served-by') }
        : bodyModel(context);
    if (model) result.responseModel = model;
    result.vendorModel = model?.value ?? context.requestModel ?? bedrockRouteModel(pathSegments(context));
    const requestId = text(context.headers.get('x-bifrost-request-id'));
    if (requestId) result.requestId = requestId;
    // Both fallback headers are sent only when a fallback served; with routing headers and neither, the primary did.
    const fallbackIndex = integer(context.headers.get('x-bifrost-fallback-index'));
    const isFallback = text(context.headers.get('x-bifrost-routing-info-is-fallback'))?.toLowerCase() === 'true';
    if (isFallback || (fallbackIndex !== undefined && fallbackIndex > 0)) result.fallback = true;
    else if (context.headers.has('x-bifrost-routing-info-provider')) result.fallback = false;
    const cost = amount(context.headers.get('x-bifrost-cost-usd'));
    if (cost !== undefined) result.cost = cost;
    // On an error the routing headers describe the attempt whose error came back; without them
    // Bifrost refused the call itself (governance, budget, auth).
    // A semantic-cache hit: Bifrost answered from its own cache (`cache_debug.cache_hit`).
    if (extra?.cacheHit === true) result.cacheHit = true;
    // `is_bifrost_error` says outright who refused; it wins over the routing headers' inference.
    if (refused(context)) {
      if (extra?.ownError === true) {
        // Bifrost's own refusal: the provider it names is where it would have routed, not who answered.
        result.errorSource = 'gateway';
        delete result.next;
      }
      else if (extra?.ownError === false && result.next) result.errorSource = 'upstream';
      else result.errorSource = result.next ? 'upstream' : 'gateway';
    }
    return result;
  },
};
