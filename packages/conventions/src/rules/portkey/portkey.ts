/**
 * Portkey (api.portkey.ai, or self-hosted): an independent gateway. Hosted Portkey may send no
 * `x-portkey-*` header at all: the host says Portkey, the upstream comes from
 * `x-portkey-provider`, else the inner provider's passed-through fingerprints. Request id =
 * `x-portkey-trace-id`; attempts = `x-portkey-retry-attempt-count` + 1; a cache hit is
 * `x-portkey-cache-status: HIT`.
 */
import { SECRET_KEY } from '../../shared/canonical-json';
import { integer, isObject, type JsonObject, text } from '../../shared/json';
import { normalizeName, tableOf } from '../../vocabulary';
import { bodyModel, firstHeaderWith, hop, signal } from '../helpers';
import type { HopFacts, RouteRule } from '../rule';

/** Portkey provider slugs (DESIGN.md §2.2). */
export const PORTKEY_NAMES = tableOf({
  azure_openai: 'azure.ai.openai',
  azure_ai: 'azure.ai.inference',
  vertex_ai: 'gcp.vertex_ai',
  google: 'gcp.gemini',
  together_ai: 'together',
  fireworks_ai: 'fireworks',
  perplexity_ai: 'perplexity',
  mistral_ai: 'mistral_ai',
  x_ai: 'x_ai',
  novita_ai: 'novita',
  workers_ai: 'cloudflare.workers_ai',
  zhipu: 'zai',
});


function withoutSecrets(value: unknown, depth = 0): unknown {
  if (depth > 8) return undefined;
  if (Array.isArray(value)) return value.slice(0, 32).map((item) => withoutSecrets(item, depth + 1));
  if (!isObject(value)) return value;
  const clean: JsonObject = {};
  for (const key of Object.keys(value).slice(0, 64)) {
    if (SECRET_KEY.test(key)) continue;
    clean[key] = withoutSecrets(value[key], depth + 1);
  }
  return clean;
}

/** The Portkey rule. */
export const portkey: RouteRule = {
  id: 'portkey',
  role: 'gateway',
  // `aigw.portkey.ai` is the managed host's newer name (Prisma AIRS AI Gateway docs).
  hosts: ['api.portkey.ai', 'aigw.portkey.ai'],
  names: PORTKEY_NAMES,
  hints: ['portkey'],
  recognise(context) {
    const name = firstHeaderWith(context, 'x-portkey-');
    return name ? { signal: signal(`header.${name}`, 'fingerprint'), source: 'header' } : undefined;
  },
  expand(context) {
    const { headers, body } = context;
    const result: HopFacts = {};
    const provider = text(headers.get('x-portkey-provider'));
    const cacheStatus = headers.get('x-portkey-cache-status')?.trim().toUpperCase();
    if (cacheStatus === 'HIT' || cacheStatus === 'SEMANTIC HIT') {
      result.cacheHit = true;
      result.evidence = [signal('header.x-portkey-cache-status', 'fingerprint')];
    } else if (cacheStatus === 'MISS' || cacheStatus === 'SEMANTIC MISS') {
      result.cacheHit = false;
    }
    if (provider && provider !== 'portkey') {
      result.next = hop(normalizeName(provider, PORTKEY_NAMES), 'header.x-portkey-provider', 'served-by');
    } else if (text(body.provider)) {
      result.next = hop(normalizeName(body.provider!, PORTKEY_NAMES), 'body.provider', 'served-by');
    } else {
      const passThrough = context.headerFingerprint() ?? context.bodyFingerprint();
      if (passThrough) result.next = passThrough;
    }
    const model = bodyModel(context);
    if (model) result.responseModel = model;
    result.vendorModel = model?.value ?? context.requestModel;
    const traceId = text(headers.get('x-portkey-trace-id'));
    if (traceId) result.requestId = traceId;
    const retries = integer(headers.get('x-portkey-retry-attempt-count'));
    if (retries !== undefined) result.attempts = retries + 1;
    return result;
  },
  policy(request) {
    const config = request.headers.get('x-portkey-config')?.trim();
    if (!config) return undefined;
    // A saved config is referenced by id (`pc-…`); an inline config is JSON whose keys are removed.
    if (!config.startsWith('{')) return /^[\w-]{1,128}$/.test(config) ? { 'x-portkey-config': config } : undefined;
    if (config.length > 16 * 1024) return undefined;
    try {
      const parsed: unknown = JSON.parse(config);
      return isObject(parsed) ? { 'x-portkey-config': withoutSecrets(parsed) } : undefined;
    } catch {
      return undefined;
    }
  },
};
