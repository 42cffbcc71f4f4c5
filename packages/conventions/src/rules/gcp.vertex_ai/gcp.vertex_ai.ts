/**
 * Google Vertex AI: a multi-vendor cloud (model garden). Upstream = the publisher in the URL
 * (`publishers/google/…` → `google`, `publishers/anthropic/…` → `anthropic`), else the vendor of
 * the served model. Region = the location in the URL, except `global`, which is a geography:
 * region unset, region scope `global`. Claude on Vertex answers with `msg_vrtx_` ids.
 */
import { normalizeName, modelVendor, tableOf } from '../../vocabulary';
import { bodyModel, hop, signal } from '../helpers';
import type { HopFacts, RouteRule, RuleContext } from '../rule';
import { MAX_ROUTE_VALUE_LENGTH } from '../../shared/json';

/** Vertex publisher names the fold would get wrong. */
export const VERTEX_PUBLISHERS = tableOf({ mistralai: 'mistral_ai', meta: 'meta', xai: 'x_ai' });

function vertexPath(context: RuleContext): { location?: string; publisher?: string; model?: string } {
  return context.once('vertex-path', () => {
    const { pathname } = context;
    if (!pathname.includes('/locations/') && !pathname.includes('/publishers/')) return {};
    const location = /\/locations\/([^/]+)/.exec(pathname)?.[1];
    const publisher = /\/publishers\/([^/]+)/.exec(pathname)?.[1];
    const model = /\/models\/([^/:]+)/.exec(pathname)?.[1];
    return {
      ...(location ? { location: location.slice(0, 64) } : {}),
      ...(publisher ? { publisher: publisher.slice(0, 64) } : {}),
      ...(model ? { model: model.slice(0, MAX_ROUTE_VALUE_LENGTH) } : {}),
    };
  });
}

/** The Vertex AI rule. */
export const vertex: RouteRule = {
  id: 'gcp.vertex_ai',
  role: 'cloud',
  hosts: ['aiplatform.googleapis.com'],
  matchesHost: (host) => host.endsWith('-aiplatform.googleapis.com'),
  bodyFingerprint(body) {
    return body.anthropicShaped && body.anthropicMessageId?.startsWith('msg_vrtx_') ? signal('body.id', 'fingerprint') : undefined;
  },
  hints: ['vertex', 'googlevertex', 'chatvertexai'],
  expand(context, position) {
    const result: HopFacts = {};
    if (!position.outer) {
      const vendor = modelVendor(position.vendorModel) ?? modelVendor(context.body.model ?? context.body.modelVersion);
      if (vendor) result.next = hop(vendor, 'model_id', 'cloud-model-id');
      return result;
    }
    const { location, publisher, model } = vertexPath(context);
    if (publisher) result.next = hop(normalizeName(publisher, VERTEX_PUBLISHERS), 'url', 'cloud-model-id');
    else {
      const vendor = modelVendor(context.body.model ?? context.body.modelVersion ?? context.requestModel);
      if (vendor) result.next = hop(vendor, 'model_id', 'cloud-model-id');
    }
    const served = bodyModel(context);
    if (served) result.responseModel = served;
    if (location === 'global') result.regionScope = 'global';
    else if (location) result.region = location;
    if (!context.requestModel && model) result.requestModel = model;
    return result;
  },
};
