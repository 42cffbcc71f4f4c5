/**
 * Cloudflare AI Gateway (gateway.ai.cloudflare.com): an independent gateway. Its provider-specific
 * endpoints name the provider in the path (`/v1/{account}/{gateway}/{provider}/…`); the unified
 * `compat` endpoint takes `{provider}/{model}` as the model. Both are routing directives the
 * gateway documents, so they decide (kind `gateway-route`) once the host says Cloudflare; a
 * fingerprint of the provider in the response is preferred. Request id = `cf-aig-log-id`; a
 * cache hit is `cf-aig-cache-status: HIT`.
 */
import { integer, text } from '../../shared/json';
import { bedrockPathModelId } from '../aws.bedrock/aws.bedrock';
import { normalizeName, tableOf } from '../../vocabulary';
import { bodyModel, firstHeaderWith, hop, pathSegments, signal } from '../helpers';
import type { HopFacts, RouteRule } from '../rule';

/** Cloudflare provider slugs that the fold would get wrong. */
export const CLOUDFLARE_NAMES = tableOf({
  google_ai_studio: 'gcp.gemini',
  google_vertex_ai: 'gcp.vertex_ai',
  workers_ai: 'cloudflare.workers_ai',
  azure_openai: 'azure.ai.openai',
  aws_bedrock: 'aws.bedrock',
});

/** The Cloudflare AI Gateway rule. */
export const cloudflare: RouteRule = {
  id: 'cloudflare',
  role: 'gateway',
  hosts: ['gateway.ai.cloudflare.com'],
  names: CLOUDFLARE_NAMES,
  recognise(context) {
    const name = firstHeaderWith(context, 'cf-aig-');
    return name ? { signal: signal(`header.${name}`, 'fingerprint'), source: 'header' } : undefined;
  },
  expand(context) {
    const result: HopFacts = {};
    const segments = pathSegments(context);
    const providerSegment = segments[0] === 'v1' ? segments[3] : undefined;
    let directive: { provider: string; name: string } | undefined;
    if (providerSegment && providerSegment !== 'compat') directive = { provider: providerSegment, name: 'url' };
    else if (context.requestModel?.includes('/')) {
      directive = { provider: context.requestModel.slice(0, context.requestModel.indexOf('/')), name: 'model_id' };
    }
    const cacheStatus = context.headers.get('cf-aig-cache-status')?.trim().toUpperCase();
    if (cacheStatus === 'HIT') {
      result.cacheHit = true;
      result.evidence = [signal('header.cf-aig-cache-status', 'fingerprint')];
    } else if (cacheStatus === 'MISS') {
      result.cacheHit = false;
    }
    // Dynamic routes name the provider and model used (`cf-aig-provider`, `cf-aig-model`); a
    // `custom-…` slug is the user's own provider, folded as it is, never read as a known one.
    const servedBy = text(context.headers.get('cf-aig-provider'));
    const fingerprint = context.headerFingerprint() ?? context.bodyFingerprint();
    if (servedBy && result.cacheHit !== true) {
      const provider = servedBy.startsWith('custom-') ? normalizeName(servedBy) : normalizeName(servedBy, CLOUDFLARE_NAMES);
      if (provider !== 'cloudflare') result.next = hop(provider, 'header.cf-aig-provider', 'served-by');
    } else if (fingerprint) result.next = fingerprint;
    else if (directive) {
      const provider = normalizeName(directive.provider, CLOUDFLARE_NAMES);
      if (provider !== 'cloudflare') result.next = hop(provider, directive.name, 'gateway-route');
    }
    const servedModel = text(context.headers.get('cf-aig-model'));
    const model = servedModel ? { value: servedModel, signal: signal('header.cf-aig-model', 'served-by') } : bodyModel(context);
    if (model) result.responseModel = model;
    // The AWS Bedrock route carries the model ID in its path (`/aws-bedrock/bedrock-runtime/{region}/model/{id}/converse`).
    result.vendorModel = model?.value ?? bedrockPathModelId(context.pathname) ?? context.requestModel;
    // `cf-aig-step`: which entry of the universal endpoint's fallback list served (0 = the first).
    const step = integer(context.headers.get('cf-aig-step'));
    if (step !== undefined) result.fallback = step > 0;
    const requestId = text(context.headers.get('cf-aig-log-id')) ?? text(context.headers.get('cf-aig-request-id'));
    if (requestId) result.requestId = requestId;
    return result;
  },
};
