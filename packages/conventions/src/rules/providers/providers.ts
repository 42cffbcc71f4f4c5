/**
 * Direct providers: OpenAI, Anthropic, Mistral, Groq, Perplexity, Gemini API and the rest.
 *
 * One family module rather than one per provider: a direct provider differs from another only in
 * data — its API hosts, the headers only it sends, its request-id header and its region header —
 * and expands the same way (it is its own upstream; the served model is body `model`). Adding a
 * provider is one row below. A provider with behaviour of its own (a cloud, a gateway) gets its
 * own module instead.
 */
import { pathOf, text } from '../../shared/json';
import { bodyModel, signal } from '../helpers';
import type { HeaderFingerprint, HopFacts, RouteRule, RuleContext } from '../rule';

/** One direct provider, as data. */
export interface DirectProvider {
  /** Vocabulary id. */
  id: string;
  /** Host suffixes of its own API. */
  hosts: readonly string[];
  /** Response headers only it sends. */
  fingerprints?: readonly HeaderFingerprint[];
  /** Its request-id headers, in order. Default: `x-request-id`, then `request-id`. */
  requestIdHeaders?: readonly string[];
  /** A header that carries the serving region (Perplexity `x-ppl-region`). */
  regionHeader?: string;
  /** A header that names the deployment that served (Fireworks `fireworks-deployment`). */
  deploymentHeader?: string;
  /** Framework hints it answers to. */
  hints?: readonly string[];
  /** Body fingerprint (`x_groq`). */
  bodyFingerprint?: RouteRule['bodyFingerprint'];
  /** Reads the geography it reports (`usage.inference_geo`). */
  regionScope?: (context: RuleContext) => string | undefined;
}

/** The direct providers servedby knows, in the order their fingerprints are tried. */
export const DIRECT_PROVIDERS: readonly DirectProvider[] = [
  {
    id: 'openai',
    hosts: ['api.openai.com'],
    fingerprints: [
      { header: 'openai-organization' },
      { header: 'openai-project' },
      // OpenAI request ids: `req_` and 32 hex digits.
      { header: 'x-request-id', value: /^req_[0-9a-f]{32}$/, kind: 'fingerprint-shape' },
    ],
    hints: ['openai', 'chatopenai'],
  },
  {
    id: 'anthropic',
    hosts: ['api.anthropic.com'],
    fingerprints: [
      { header: 'anthropic-organization-id' },
      { header: 'anthropic-ratelimit-', prefix: true, signal: 'anthropic-ratelimit' },
      { header: 'request-id', value: /^req_/, kind: 'fingerprint-shape' },
    ],
    requestIdHeaders: ['request-id', 'x-request-id'],
    hints: ['anthropic', 'chatanthropic'],
    regionScope(context) {
      const geo = text(context.body.inferenceGeo) ?? text(pathOf(context.metadata, 'anthropic', 'usage', 'inference_geo'));
      return geo && geo !== 'not_available' ? geo : undefined;
    },
  },
  {
    id: 'groq',
    hosts: ['api.groq.com'],
    fingerprints: [{ header: 'x-groq-region' }],
    bodyFingerprint: (body) => (body.groq ? signal('body.x_groq', 'fingerprint') : undefined),
    hints: ['groq'],
  },
  {
    id: 'mistral_ai',
    hosts: ['api.mistral.ai'],
    fingerprints: [{ header: 'mistral-correlation-id' }],
    requestIdHeaders: ['mistral-correlation-id', 'x-request-id', 'request-id'],
    hints: ['mistral'],
  },
  { id: 'perplexity', hosts: ['api.perplexity.ai'], fingerprints: [{ header: 'x-ppl-region' }], regionHeader: 'x-ppl-region', hints: ['perplexity'] },
  {
    id: 'fireworks',
    hosts: ['api.fireworks.ai'],
    fingerprints: [{ header: 'fireworks-deployment' }, { header: 'fireworks-server-processing-time' }],
    deploymentHeader: 'fireworks-deployment',
    hints: ['fireworks'],
  },
  { id: 'deepseek', hosts: ['api.deepseek.com'], fingerprints: [{ header: 'x-ds-trace-id' }], hints: ['deepseek'] },
  {
    id: 'gcp.gemini',
    hosts: ['generativelanguage.googleapis.com'],
    fingerprints: [{ header: 'x-gemini-service-tier' }],
    hints: ['google', 'googlegenerativeai', 'googlegenai', 'gemini'],
  },
  { id: 'x_ai', hosts: ['api.x.ai'], hints: ['xai', 'grok'] },
  { id: 'together', hosts: ['api.together.xyz', 'api.together.ai'], hints: ['together'] },
  { id: 'cohere', hosts: ['api.cohere.com', 'api.cohere.ai'], hints: ['cohere'] },
  { id: 'deepinfra', hosts: ['api.deepinfra.com'] },
  { id: 'cerebras', hosts: ['api.cerebras.ai'], hints: ['cerebras'] },
  { id: 'moonshot_ai', hosts: ['api.moonshot.ai', 'api.moonshot.cn'], hints: ['moonshot'] },
  { id: 'minimax', hosts: ['api.minimax.io', 'api.minimaxi.com'] },
  { id: 'zai', hosts: ['api.z.ai', 'open.bigmodel.cn'] },
  { id: 'alibaba', hosts: ['dashscope.aliyuncs.com', 'dashscope-intl.aliyuncs.com'] },
  { id: 'sambanova', hosts: ['api.sambanova.ai'] },
  { id: 'nvidia', hosts: ['integrate.api.nvidia.com'] },
  { id: 'nebius', hosts: ['api.studio.nebius.com', 'api.studio.nebius.ai', 'api.tokenfactory.nebius.com'] },
  { id: 'novita', hosts: ['api.novita.ai'] },
  { id: 'hyperbolic', hosts: ['api.hyperbolic.xyz'] },
  { id: 'baseten', hosts: ['inference.baseten.co'] },
  { id: 'ibm.watsonx.ai', hosts: ['ml.cloud.ibm.com'], hints: ['watsonx', 'ibm'] },
];

/** Framework hints that name a wire protocol, not a provider (`openai-compatible` against vLLM), squashed to alphanumerics. */
export const PROTOCOL_HINTS: readonly string[] = ['openaicompatible'];

const DEFAULT_REQUEST_ID_HEADERS = ['x-request-id', 'request-id'];

function directProviderRule(provider: DirectProvider): RouteRule {
  const requestIdHeaders = provider.requestIdHeaders ?? DEFAULT_REQUEST_ID_HEADERS;
  return {
    id: provider.id,
    role: 'provider',
    hosts: provider.hosts,
    ...(provider.fingerprints ? { fingerprints: provider.fingerprints } : {}),
    ...(provider.bodyFingerprint ? { bodyFingerprint: provider.bodyFingerprint } : {}),
    ...(provider.hints ? { hints: provider.hints } : {}),
    ...(provider.regionScope || provider.deploymentHeader
      ? {
          ambient(context: RuleContext) {
            const regionScope = provider.regionScope?.(context);
            const deployment = provider.deploymentHeader ? text(context.headers.get(provider.deploymentHeader)) : undefined;
            return regionScope || deployment ? { ...(regionScope ? { regionScope } : {}), ...(deployment ? { deployment } : {}) } : undefined;
          },
        }
      : {}),
    expand(context, position) {
      // Behind a gateway the headers and request are the gateway's: nothing more to read.
      if (!position.outer) return {};
      const result: HopFacts = {};
      const model = bodyModel(context);
      if (model) result.responseModel = model;
      for (const name of requestIdHeaders) {
        const requestId = text(context.headers.get(name));
        if (requestId) {
          result.requestId = requestId;
          break;
        }
      }
      const region = provider.regionHeader ? text(context.headers.get(provider.regionHeader)) : undefined;
      if (region) result.region = region;
      return result;
    },
  };
}

/** One rule per direct provider, built from {@link DIRECT_PROVIDERS}. */
export const directProviderRules: readonly RouteRule[] = DIRECT_PROVIDERS.map(directProviderRule);

const UNKNOWN_PROVIDER = directProviderRule({ id: '_OTHER', hosts: [] });

/** Expands a provider no rule knows (a hint such as `ollama`): body model and request id, outer hop only. */
export function expandUnknownProvider(context: RuleContext, position: { outer: boolean }): HopFacts {
  return UNKNOWN_PROVIDER.expand(context, position);
}
