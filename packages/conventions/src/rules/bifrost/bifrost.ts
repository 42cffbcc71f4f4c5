/**
 * Bifrost (Maxim's open-source gateway, self-hosted on any host): an independent gateway. It adds
 * `x-bifrost-*` headers to every inference response (docs.getbifrost.ai/providers/response-headers):
 * `x-bifrost-request-id` (its log id) on every response, errors and refusals included, and the
 * legacy routing headers `x-bifrost-provider` / `x-bifrost-resolved-model` (the provider and model
 * that handled the attempt whose result is returned; `x-bifrost-original-model` is the model the
 * caller asked for). A request Bifrost refused before routing names no provider.
 * Evidence: documentation only; no recorded response was found (the repository snapshot is over
 * the size this workplace can fetch).
 */
import { text } from '../../shared/json';
import { normalizeName, tableOf } from '../../vocabulary';
import { bodyModel, hop, refused, signal } from '../helpers';
import type { HopFacts, RouteRule } from '../rule';

/** Bifrost provider keys the common fold would get wrong (Bifrost `ModelProvider` constants). */
export const BIFROST_NAMES = tableOf({
  vertex: 'gcp.vertex_ai',
  gemini: 'gcp.gemini',
  azure: 'azure.ai.openai',
  bedrock: 'aws.bedrock',
  mistral: 'mistral_ai',
  xai: 'x_ai',
});

/** The Bifrost rule. */
export const bifrost: RouteRule = {
  id: 'bifrost',
  role: 'gateway',
  names: BIFROST_NAMES,
  hints: ['bifrost'],
  recognise(context) {
    if (context.headers.has('x-bifrost-request-id')) return { signal: signal('header.x-bifrost-request-id', 'fingerprint'), source: 'header' };
    if (context.headers.has('x-bifrost-provider')) return { signal: signal('header.x-bifrost-provider', 'served-by'), source: 'header' };
    return undefined;
  },
  expand(context, position) {
    const result: HopFacts = {};
    if (!position.outer) return result;
    const provider = text(context.headers.get('x-bifrost-provider'));
    if (provider) {
      const name = normalizeName(provider, BIFROST_NAMES);
      if (name.length > 0 && name !== 'bifrost') result.next = hop(name, 'header.x-bifrost-provider', 'served-by');
    }
    const resolved = text(context.headers.get('x-bifrost-resolved-model'));
    const model = resolved ? { value: resolved, signal: signal('header.x-bifrost-resolved-model', 'served-by') } : bodyModel(context);
    if (model) result.responseModel = model;
    result.vendorModel = model?.value ?? context.requestModel;
    const requestId = text(context.headers.get('x-bifrost-request-id'));
    if (requestId) result.requestId = requestId;
    // On an error the routing headers describe the attempt whose error came back; without them
    // Bifrost refused the call itself (governance, budget, auth).
    if (refused(context)) result.errorSource = result.next ? 'upstream' : 'gateway';
    return result;
  },
};
