/**
 * Kong AI Gateway (ai-proxy / ai-proxy-advanced): an independent gateway on the user's own host.
 * `X-Kong-LLM-Model: {provider}/{model}` names the provider and model Kong selected. Mistral's own
 * API also runs behind Kong and sends `x-kong-*` headers, so those alone do not mean Kong AI
 * Gateway: only its AI headers do (`X-Kong-LLM-Model`, the AI rate-limit headers, the semantic
 * cache status). Kong's own answers — a semantic-cache hit, an AI rate limit 429 — name no
 * upstream: `cacheHit` / `errorSource` say why.
 */
import { text } from '../../shared/json';
import { normalizeName } from '../../vocabulary';
import { firstHeaderWith, hop, refused, signal } from '../helpers';
import type { HopFacts, RouteRule, RuleContext } from '../rule';

function aiRateLimitHeader(context: RuleContext): string | undefined {
  return firstHeaderWith(context, 'x-ai-ratelimit-');
}

// The semantic cache's status header, only as Kong's when a Kong header stands beside it.
function cacheStatus(context: RuleContext): string | undefined {
  const status = context.headers.get('x-cache-status');
  return status !== undefined && firstHeaderWith(context, 'x-kong-') !== undefined ? status.trim().toLowerCase() : undefined;
}

/** The Kong AI Gateway rule. */
export const kong: RouteRule = {
  id: 'kong',
  role: 'gateway',
  hints: ['kong'],
  recognise(context) {
    if (context.headers.size === 0) return undefined;
    if (context.headers.has('x-kong-llm-model')) {
      return { signal: signal('header.x-kong-llm-model', 'served-by'), source: 'header' };
    }
    const rateLimit = aiRateLimitHeader(context);
    if (rateLimit) return { signal: signal(`header.${rateLimit}`, 'fingerprint'), source: 'header' };
    if (cacheStatus(context) !== undefined) return { signal: signal('header.x-cache-status', 'fingerprint'), source: 'header' };
    return undefined;
  },
  expand(context) {
    const result: HopFacts = {};
    const selected = text(context.headers.get('x-kong-llm-model'));
    const cache = cacheStatus(context);
    if (cache === 'hit') {
      result.cacheHit = true;
      result.evidence = [signal('header.x-cache-status', 'fingerprint')];
    } else if (cache === 'miss' || cache === 'refresh' || cache === 'bypass') {
      result.cacheHit = false;
    }
    if (selected) {
      const slash = selected.indexOf('/');
      if (slash > 0) {
        result.next = hop(normalizeName(selected.slice(0, slash)), 'header.x-kong-llm-model', 'served-by');
        const model = selected.slice(slash + 1);
        if (model) result.responseModel = { value: model, signal: signal('header.x-kong-llm-model', 'served-by') };
      }
    }
    result.vendorModel = result.responseModel?.value ?? context.requestModel;
    const requestId = text(context.headers.get('x-kong-request-id'));
    if (requestId) result.requestId = requestId;
    if (refused(context)) {
      // A 429 with Kong's AI rate-limit headers and no selected model is Kong's own limit.
      const ownLimit = context.status === 429 && aiRateLimitHeader(context) !== undefined && !selected;
      if (ownLimit) {
        result.errorSource = 'gateway';
        result.evidence = [...(result.evidence ?? []), signal(`header.${aiRateLimitHeader(context)}`, 'fingerprint')];
      } else if (result.next) {
        result.errorSource = 'upstream';
      }
    }
    return result;
  },
};
