/**
 * Helicone (helicone.ai): an independent gateway. Its provider-specific proxies name the
 * upstream in the host (`oai.helicone.ai` → `openai`); the AI gateway answers with the
 * provider's passed-through fingerprints. Request id = `helicone-id`; fallback =
 * `helicone-fallback-index` > 0; a cache hit is `helicone-cache: HIT`.
 */
import { integer, text } from '../../shared/json';
import { tableOf } from '../../vocabulary';
import { bodyModel, hop, signal } from '../helpers';
import type { HopFacts, RouteRule } from '../rule';

// Helicone's provider-specific proxy hosts.
const HELICONE_HOSTS = tableOf({
  'oai.helicone.ai': 'openai',
  'anthropic.helicone.ai': 'anthropic',
  'groq.helicone.ai': 'groq',
  'together.helicone.ai': 'together',
});

/** The Helicone rule. */
export const helicone: RouteRule = {
  id: 'helicone',
  role: 'gateway',
  hosts: ['helicone.ai'],
  recognise(context) {
    return context.headers.has('helicone-id') ? { signal: signal('header.helicone-id', 'fingerprint'), source: 'header' } : undefined;
  },
  expand(context) {
    const result: HopFacts = {};
    const fromHost = context.host ? HELICONE_HOSTS.get(context.host) : undefined;
    const cache = context.headers.get('helicone-cache')?.trim().toUpperCase();
    if (cache === 'HIT') {
      result.cacheHit = true;
      result.evidence = [signal('header.helicone-cache', 'fingerprint')];
    } else if (cache === 'MISS') {
      result.cacheHit = false;
    }
    const fingerprint = context.headerFingerprint() ?? context.bodyFingerprint();
    if (fingerprint) result.next = fingerprint;
    else if (fromHost) result.next = hop(fromHost, 'url', 'gateway-route');
    const model = bodyModel(context);
    if (model) result.responseModel = model;
    result.vendorModel = model?.value ?? context.requestModel;
    const requestId = text(context.headers.get('helicone-id'));
    if (requestId) result.requestId = requestId;
    const fallbackIndex = integer(context.headers.get('helicone-fallback-index'));
    if (fallbackIndex !== undefined) result.fallback = fallbackIndex > 0;
    return result;
  },
};
