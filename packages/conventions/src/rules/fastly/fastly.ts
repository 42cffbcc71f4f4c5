/**
 * Fastly AI Accelerator (`ai.fastly.app`): a semantic cache in front of an LLM API. The upstream
 * is named by host in the path, as Fastly documents the base URLs:
 * `https://ai.fastly.app/api.openai.com/v1`, `https://ai.fastly.app/{resource}.openai.azure.com`,
 * and `https://ai.fastly.app/compat/openai/{llm-endpoint}` for other OpenAI-compatible APIs.
 * That host is a routing directive of a recognised gateway (kind `deployment`), resolved through
 * the hosts every other rule owns, so an unknown host names no upstream. A cache hit (Fastly's
 * `X-Cache: HIT`) means no upstream served this call.
 * Evidence: documentation only; no recorded response was found (the "example" JSON in the
 * api-evangelist/fastly repository is generated, not recorded).
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

// Fastly writes X-Cache; any entry except MISS means the cache answered (Fastly header reference).
function cacheHit(context: RuleContext): boolean | undefined {
  const value = text(context.headers.get('x-cache'));
  if (value === undefined) return undefined;
  const entries = value.split(',').map((entry) => entry.trim().toUpperCase());
  return entries.some((entry) => entry.startsWith('HIT'));
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
    const hit = cacheHit(context);
    if (hit !== undefined) {
      result.cacheHit = hit;
      if (hit) result.evidence = [signal('header.x-cache', 'fingerprint')];
    }
    return result;
  },
};
