/**
 * Hugging Face Inference Providers router (router.huggingface.co): an independent gateway. The
 * upstream comes from a body or header fingerprint of the provider, else the `:provider` model
 * suffix, else the provider path segment — the first path segment when it is not the router's
 * own `v1`, whatever follows it (`/novita/v3/openai/…`, `/fireworks-ai/inference/v1/…`). Suffix
 * and segment are routing directives the router documents (kind `gateway-route`); the policy
 * suffixes `:fastest`, `:cheapest`, `:preferred` name no provider.
 */
import { text } from '../../shared/json';
import { normalizeName, tableOf } from '../../vocabulary';
import { bodyModel, hop, pathSegments } from '../helpers';
import type { HopFacts, RouteRule } from '../rule';

/** Router provider slugs the fold would get wrong. */
export const HUGGINGFACE_NAMES = tableOf({
  fireworks_ai: 'fireworks',
  together_ai: 'together',
  hf_inference: 'huggingface',
  nebius_ai_studio: 'nebius',
  sambanova_ai: 'sambanova',
  novita_ai: 'novita',
  featherless_ai: 'featherless',
  zai_org: 'zai',
  publicai: 'publicai',
});

const POLICY_SUFFIXES: ReadonlySet<string> = new Set(['fastest', 'cheapest', 'preferred']);
// Router-level path segments that are not a provider.
const ROUTER_SEGMENTS: ReadonlySet<string> = new Set(['v1', 'models', 'api', 'hf-inference']);

/** The Hugging Face router rule. */
export const huggingface: RouteRule = {
  id: 'huggingface',
  role: 'gateway',
  hosts: ['router.huggingface.co'],
  names: HUGGINGFACE_NAMES,
  hints: ['huggingface'],
  expand(context) {
    const result: HopFacts = {};
    const fingerprint = context.bodyFingerprint() ?? context.headerFingerprint();
    const suffix = /:([a-z0-9-]+)$/i.exec(context.requestModel ?? '')?.[1];
    const segments = pathSegments(context);
    const pathProvider = segments.length > 1 && !ROUTER_SEGMENTS.has(segments[0]!) ? segments[0] : undefined;
    if (fingerprint) result.next = fingerprint;
    else if (suffix && !POLICY_SUFFIXES.has(suffix.toLowerCase())) {
      result.next = hop(normalizeName(suffix, HUGGINGFACE_NAMES), 'model_id', 'gateway-route');
    } else if (pathProvider) {
      result.next = hop(normalizeName(pathProvider, HUGGINGFACE_NAMES), 'url', 'gateway-route');
    }
    const model = bodyModel(context);
    if (model) result.responseModel = model;
    result.vendorModel = model?.value ?? context.requestModel;
    const requestId = text(context.headers.get('x-request-id')) ?? text(context.headers.get('inference-id'));
    if (requestId) result.requestId = requestId;
    return result;
  },
};
