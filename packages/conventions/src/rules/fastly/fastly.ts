/**
 * Fastly AI Accelerator (`ai.fastly.app`): a semantic cache in front of an LLM API. The upstream
 * is named by host in the path, as Fastly documents the base URLs:
 * `https://ai.fastly.app/api.openai.com/v1`, `https://ai.fastly.app/{resource}.openai.azure.com`,
 * and `https://ai.fastly.app/compat/openai/{llm-endpoint}` for other OpenAI-compatible APIs.
 * That host is a routing directive of a recognised gateway (kind `deployment`), resolved through
 * the hosts every other rule owns, so an unknown host names no upstream. The accelerator's own
 * `x-semantic-cache: HIT|MISS` says whether its semantic cache answered (else Fastly's CDN
 * `X-Cache`); a hit means no upstream served this call.
 * Evidence: one real `curl -i` recording (a semantic-cache MISS to OpenAI, `__fixtures__/`: Fastly
 * adds `x-semantic-cache`, `x-cache`, `x-cache-hits`, `x-served-by` and relays OpenAI's headers
 * and body). A HIT was not found recorded; the hit test follows the docs. (The "example" JSON in
 * the api-evangelist/fastly repository is generated, not recorded.)
 */
import { providerOfHost } from '../catalog';
import { text } from '../../shared/json';
import { bodyModel, hop, pathSegments, signal } from '../helpers';
import type { HopFacts, RouteRule, RuleContext } from '../rule';

const ACCELERATOR_HOST = 'ai.fastly.app';
const HOST_SEGMENT = /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?)+$/;

/** The upstream API host a Fastly AI Accelerator path names, lower-case; `undefined` when it names none. */
export function upstreamHostOfPath(segments: readonly string[]): string | undefined {
  const candidate = segments[0] === 'compat' ? segments[2] : segments[0];
  if (!candidate || candidate.length > 253) return undefined;
  const host = candidate.toLowerCase();
  return HOST_SEGMENT.test(host) ? host : undefined;
}

interface CacheVerdict {
  hit: boolean;
  header: string;
}

// The accelerator's own `x-semantic-cache` decides; without it, Fastly's CDN `X-Cache`, where
// any HIT entry means the cache answered (Fastly header reference).
function cacheVerdict(context: RuleContext): CacheVerdict | undefined {
  for (const header of ['x-semantic-cache', 'x-cache']) {
    const value = text(context.headers.get(header));
    if (value === undefined) continue;
    const entries = value.split(',').map((entry) => entry.trim().toUpperCase());
    return { hit: entries.some((entry) => entry.startsWith('HIT')), header };
  }
  return undefined;
}

/** The Fastly AI Accelerator rule. */
export const fastly: RouteRule = {
  id: 'fastly',
  role: 'gateway',
  hosts: [ACCELERATOR_HOST],
  hints: ['fastly'],
  expand(context, position) {
    const result: HopFacts = {};
    if (!position.outer) return result;
    const upstreamHost = upstreamHostOfPath(pathSegments(context));
    const provider = upstreamHost ? providerOfHost(upstreamHost) : undefined;
    if (provider && provider !== 'fastly') result.next = hop(provider, 'url', 'gateway-route');
    const model = bodyModel(context);
    if (model) result.responseModel = model;
    result.vendorModel = model?.value ?? context.requestModel;
    const verdict = cacheVerdict(context);
    if (verdict) {
      result.cacheHit = verdict.hit;
      if (verdict.hit) result.evidence = [signal(`header.${verdict.header}`, 'fingerprint')];
    }
    return result;
  },
};
