import { parseAzureUrl } from './azure-url';
import { parseBedrockModelId } from './bedrock-model-id';
import { type BodyFacts, readBodyFacts } from './body';
import { createLowerCaseHeaderLookup, type SizedHeaderLookup } from './headers';
import {
  INDEPENDENT_GATEWAYS,
  MULTI_VENDOR_CLOUDS,
  modelVendor,
  normalizeProvider,
  type ProviderNameSource,
} from './providers';
import type { AzureTarget, BedrockModelId, RouteAttribution, RouteObservation } from './types';

/** Longest string any attribution field carries; longer values are cut. */
export const MAX_ROUTE_VALUE_LENGTH = 256;
const MAX_PATH_HOPS = 8;
const MAX_EVIDENCE = 16;

// Signal strength (DESIGN.md §2.4): 1 explicit served-by, 2 deployment/host, 3 fingerprint, 4 request side.
type Strength = 1 | 2 | 3 | 4;

interface Evidence {
  signal: string;
  strength: Strength;
}

interface Hop {
  provider: string;
  evidence?: Evidence;
}

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function path(value: unknown, ...keys: (string | number)[]): unknown {
  let current = value;
  for (const key of keys) {
    if (typeof key === 'number') {
      if (!Array.isArray(current)) return undefined;
      current = current[key];
    } else {
      if (!isObject(current)) return undefined;
      current = current[key];
    }
  }
  return current;
}

function text(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  return trimmed.length > 0 ? trimmed.slice(0, MAX_ROUTE_VALUE_LENGTH) : undefined;
}

function integer(value: unknown): number | undefined {
  const number = typeof value === 'string' ? Number(value.trim()) : value;
  return typeof number === 'number' && Number.isInteger(number) && number >= 0 && number < 1e6 ? number : undefined;
}

/** Azure display names (`West Europe`) become region codes (`westeurope`). */
function azureRegion(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const region = value.toLowerCase().replace(/[^a-z0-9]/g, '');
  return region.length > 0 && region.length <= 64 ? region : undefined;
}

// ------------------------------------------------------------------------------------------
// Hosts
// ------------------------------------------------------------------------------------------

const HOST_SUFFIXES: ReadonlyArray<readonly [string, string]> = [
  ['openrouter.ai', 'openrouter'],
  ['ai-gateway.vercel.sh', 'vercel'],
  ['api.portkey.ai', 'portkey'],
  ['gateway.ai.cloudflare.com', 'cloudflare'],
  ['helicone.ai', 'helicone'],
  ['router.huggingface.co', 'huggingface'],
  ['api.openai.com', 'openai'],
  ['api.anthropic.com', 'anthropic'],
  ['api.groq.com', 'groq'],
  ['api.mistral.ai', 'mistral_ai'],
  ['api.x.ai', 'x_ai'],
  ['api.deepseek.com', 'deepseek'],
  ['api.perplexity.ai', 'perplexity'],
  ['api.together.xyz', 'together'],
  ['api.together.ai', 'together'],
  ['api.fireworks.ai', 'fireworks'],
  ['api.cohere.com', 'cohere'],
  ['api.cohere.ai', 'cohere'],
  ['api.deepinfra.com', 'deepinfra'],
  ['api.cerebras.ai', 'cerebras'],
  ['api.moonshot.ai', 'moonshot_ai'],
  ['api.moonshot.cn', 'moonshot_ai'],
  ['api.minimax.io', 'minimax'],
  ['api.minimaxi.com', 'minimax'],
  ['api.z.ai', 'zai'],
  ['open.bigmodel.cn', 'zai'],
  ['dashscope.aliyuncs.com', 'alibaba'],
  ['dashscope-intl.aliyuncs.com', 'alibaba'],
  ['api.sambanova.ai', 'sambanova'],
  ['integrate.api.nvidia.com', 'nvidia'],
  ['api.studio.nebius.com', 'nebius'],
  ['api.studio.nebius.ai', 'nebius'],
  ['api.tokenfactory.nebius.com', 'nebius'],
  ['api.novita.ai', 'novita'],
  ['api.hyperbolic.xyz', 'hyperbolic'],
  ['inference.baseten.co', 'baseten'],
  ['generativelanguage.googleapis.com', 'gcp.gemini'],
  ['aiplatform.googleapis.com', 'gcp.vertex_ai'],
  ['openai.azure.com', 'azure.ai.openai'],
  ['cognitiveservices.azure.com', 'azure.ai.openai'],
  ['services.ai.azure.com', 'azure.ai.openai'],
  ['models.ai.azure.com', 'azure.ai.inference'],
  ['ml.cloud.ibm.com', 'ibm.watsonx.ai'],
];

// Helicone's provider-specific proxies name the upstream in the host.
const HELICONE_HOSTS: Record<string, string> = {
  'oai.helicone.ai': 'openai',
  'anthropic.helicone.ai': 'anthropic',
  'groq.helicone.ai': 'groq',
  'together.helicone.ai': 'together',
};

const HOST_SUFFIX_PROVIDERS: ReadonlyMap<string, string> = new Map(HOST_SUFFIXES);

// Checks the host, then each parent domain: a handful of map lookups instead of a table scan.
function providerOfHost(host: string): string | undefined {
  if (host.startsWith('bedrock') && /^bedrock(-runtime|-agent-runtime|-mantle)?[.-]/.test(host) && /(amazonaws\.com|api\.aws)$/.test(host)) {
    return 'aws.bedrock';
  }
  // Vertex AI regional endpoints: `{location}-aiplatform.googleapis.com`.
  if (host.endsWith('-aiplatform.googleapis.com')) return 'gcp.vertex_ai';
  let candidate = host;
  for (let labels = 0; labels < 8; labels++) {
    const provider = HOST_SUFFIX_PROVIDERS.get(candidate);
    if (provider) return provider;
    const dot = candidate.indexOf('.');
    if (dot < 0) return undefined;
    candidate = candidate.slice(dot + 1);
  }
  return undefined;
}

function regionOfAwsHost(host: string): string | undefined {
  const match = /^bedrock(?:-runtime|-agent-runtime|-mantle)?(?:-fips)?\.([a-z0-9-]+)\.(?:amazonaws\.com|api\.aws)$/.exec(host);
  return match?.[1];
}

// ------------------------------------------------------------------------------------------
// Observation context
// ------------------------------------------------------------------------------------------

interface Context {
  /** The URL as given (string or URL); only parseAzureUrl reads it, for `api-version`. */
  rawUrl?: string | URL;
  host?: string;
  azureTarget?: AzureTarget | null;
  pathname: string;
  headers: SizedHeaderLookup;
  body: BodyFacts;
  metadata?: JsonObject;
  requestModel?: string;
  region?: string;
  hint?: string;
  status?: number;
  evidence: Evidence[];
}

function addEvidence(context: Context, evidence: Evidence | undefined): void {
  if (evidence && context.evidence.length < MAX_EVIDENCE * 2) context.evidence.push(evidence);
}

// LangChain class names (`ChatOpenAI`, `AzureChatOpenAI`, `ChatBedrockConverse`), as a hint.
const LANGCHAIN_CLASSES: Record<string, string> = {
  openai: 'openai',
  anthropic: 'anthropic',
  bedrockconverse: 'aws.bedrock',
  bedrock: 'aws.bedrock',
  googlegenerativeai: 'gcp.gemini',
  vertexai: 'gcp.vertex_ai',
  mistralai: 'mistral_ai',
  groq: 'groq',
  openrouter: 'openrouter',
  xai: 'x_ai',
  deepseek: 'deepseek',
  togetherai: 'together',
  fireworks: 'fireworks',
  cohere: 'cohere',
  cerebras: 'cerebras',
  ollama: 'ollama',
  perplexity: 'perplexity',
};

function providerFromHint(hint: string | undefined): string | undefined {
  if (!hint) return undefined;
  const langChainClass = /^(Azure)?Chat([A-Za-z]+)$|^([A-Za-z]+)Chat$/.exec(hint);
  if (langChainClass) {
    if (langChainClass[1]) return 'azure.ai.openai';
    const provider = LANGCHAIN_CLASSES[(langChainClass[2] ?? langChainClass[3] ?? '').toLowerCase()];
    if (provider) return provider;
  }
  const lower = hint.toLowerCase();
  if (lower.startsWith('google.vertex') || lower.startsWith('vertex')) return 'gcp.vertex_ai';
  if (lower.startsWith('google.generative-ai') || lower === 'google') return 'gcp.gemini';
  if (/^(amazon[-_.]?bedrock|bedrock|aws)/.test(lower)) return 'aws.bedrock';
  if (/^azure[-_.]?(ai[-_.]?)?(inference|foundry)/.test(lower)) return 'azure.ai.inference';
  if (lower.startsWith('azure')) return 'azure.ai.openai';
  if (lower.startsWith('openai-compatible') || lower.startsWith('openai_compatible')) return undefined;
  const head = lower.split('.')[0] ?? lower;
  const provider = normalizeProvider(head);
  return provider.length > 0 ? provider : undefined;
}

// Header fingerprints (DESIGN.md §2.4 class 3), in the order they are tried: the first present wins.
// The Anthropic rate-limit prefix and the request-id shapes are tried between and after these.
const FINGERPRINTS_BEFORE_RATELIMIT: ReadonlyArray<readonly [string, string]> = [
  ['x-ms-served-model', 'azure.ai.openai'],
  ['x-ms-region', 'azure.ai.openai'],
  ['apim-request-id', 'azure.ai.openai'],
  ['x-ms-deployment-name', 'azure.ai.openai'],
  ['azureml-model-session', 'azure.ai.openai'],
  ['x-amzn-bedrock-invocation-latency', 'aws.bedrock'],
  ['x-amzn-requestid', 'aws.bedrock'],
  ['openai-organization', 'openai'],
  ['openai-project', 'openai'],
  ['anthropic-organization-id', 'anthropic'],
];
const FINGERPRINTS_AFTER_RATELIMIT: ReadonlyArray<readonly [string, string]> = [
  ['x-groq-region', 'groq'],
  ['mistral-correlation-id', 'mistral_ai'],
  ['x-ppl-region', 'perplexity'],
  ['fireworks-deployment', 'fireworks'],
  ['fireworks-server-processing-time', 'fireworks'],
  ['x-ds-trace-id', 'deepseek'],
  ['x-gemini-service-tier', 'gcp.gemini'],
];
const OPENAI_REQUEST_ID = /^req_[0-9a-f]{32}$/;

interface FingerprintRule {
  name: string;
  signal: string;
  provider: string;
}

interface FingerprintRules {
  before: FingerprintRule[];
  after: FingerprintRule[];
  generationId: FingerprintRule;
  ratelimit: FingerprintRule;
  requestId: FingerprintRule;
  openaiRequestId: FingerprintRule;
}

// Prefixed names and signals are built once per prefix (there are two), not on every call.
const FINGERPRINT_RULES = new Map<string, FingerprintRules>();

function fingerprintRules(prefix: string): FingerprintRules {
  let rules = FINGERPRINT_RULES.get(prefix);
  if (!rules) {
    const rule = (name: string, provider: string, signalName = name): FingerprintRule => ({
      name: prefix + name,
      signal: `header.${prefix}${signalName}`,
      provider,
    });
    rules = {
      before: FINGERPRINTS_BEFORE_RATELIMIT.map(([name, provider]) => rule(name, provider)),
      after: FINGERPRINTS_AFTER_RATELIMIT.map(([name, provider]) => rule(name, provider)),
      generationId: rule('x-generation-id', 'openrouter'),
      ratelimit: rule('anthropic-ratelimit-', 'anthropic', 'anthropic-ratelimit'),
      requestId: rule('request-id', 'anthropic'),
      openaiRequestId: rule('x-request-id', 'openai'),
    };
    FINGERPRINT_RULES.set(prefix, rules);
  }
  return rules;
}

function fingerprintHop(rule: FingerprintRule): Hop {
  return { provider: rule.provider, evidence: { signal: rule.signal, strength: 3 } };
}

/** Provider fingerprints in a header set, optionally behind LiteLLM's `llm_provider-` prefix. */
function fingerprintProvider(headers: SizedHeaderLookup, prefix = ''): Hop | undefined {
  if (headers.size === 0) return undefined;
  // Twenty lookups are wasted when no header carries the pass-through prefix at all.
  if (prefix && !headers.names().some((name) => name.startsWith(prefix))) return undefined;
  const rules = prefix === '' ? DEFAULT_FINGERPRINT_RULES : fingerprintRules(prefix);
  if (headers.get(rules.generationId.name)?.startsWith('gen-')) return fingerprintHop(rules.generationId);
  for (const rule of rules.before) if (headers.has(rule.name)) return fingerprintHop(rule);
  const ratelimitPrefix = rules.ratelimit.name;
  if (headers.names().some((name) => name.startsWith(ratelimitPrefix))) return fingerprintHop(rules.ratelimit);
  for (const rule of rules.after) if (headers.has(rule.name)) return fingerprintHop(rule);
  // Request-id shapes: Anthropic answers `request-id: req_…`; OpenAI `x-request-id: req_<32 hex>`.
  if (headers.get(rules.requestId.name)?.startsWith('req_')) return fingerprintHop(rules.requestId);
  if (OPENAI_REQUEST_ID.test(headers.get(rules.openaiRequestId.name) ?? '')) return fingerprintHop(rules.openaiRequestId);
  return undefined;
}

const DEFAULT_FINGERPRINT_RULES = fingerprintRules('');

/** Provider fingerprints in the body (DESIGN.md §2.4 class 3). */
function bodyFingerprint(body: BodyFacts): Hop | undefined {
  if (body.groq) return { provider: 'groq', evidence: { signal: 'body.x_groq', strength: 3 } };
  if (body.anthropicShaped && body.anthropicMessageId) {
    if (body.anthropicMessageId.startsWith('msg_bdrk_')) {
      return { provider: 'aws.bedrock', evidence: { signal: 'body.id', strength: 3 } };
    }
    if (body.anthropicMessageId.startsWith('msg_vrtx_')) {
      return { provider: 'gcp.vertex_ai', evidence: { signal: 'body.id', strength: 3 } };
    }
  }
  return undefined;
}

function firstNameWith(names: string[], prefix: string): string | undefined {
  for (const name of names) if (name.startsWith(prefix)) return name;
  return undefined;
}

function gatewayFromHeaders(headers: SizedHeaderLookup): Hop | undefined {
  if (headers.size === 0) return undefined;
  const names = headers.names();
  const firstWith = (prefix: string) => firstNameWith(names, prefix);
  const litellm =
    (headers.has('x-litellm-call-id') && 'x-litellm-call-id') ||
    (headers.has('x-litellm-model-id') && 'x-litellm-model-id') ||
    firstWith('x-litellm-') ||
    firstWith('llm_provider-');
  if (litellm) return { provider: 'litellm', evidence: { signal: `header.${litellm}`, strength: 3 } };
  const generationId = headers.get('x-generation-id');
  if (generationId?.startsWith('gen-')) {
    return { provider: 'openrouter', evidence: { signal: 'header.x-generation-id', strength: 3 } };
  }
  if (headers.has('openrouter-served-by')) {
    return { provider: 'openrouter', evidence: { signal: 'header.openrouter-served-by', strength: 3 } };
  }
  const portkey = firstWith('x-portkey-');
  if (portkey) return { provider: 'portkey', evidence: { signal: `header.${portkey}`, strength: 3 } };
  const cloudflare = firstWith('cf-aig-');
  if (cloudflare) return { provider: 'cloudflare', evidence: { signal: `header.${cloudflare}`, strength: 3 } };
  if (headers.has('helicone-id')) return { provider: 'helicone', evidence: { signal: 'header.helicone-id', strength: 3 } };
  // Mistral's own API runs behind Kong: only the AI-proxy model header means Kong AI Gateway.
  if (headers.has('x-kong-llm-model')) {
    return { provider: 'kong', evidence: { signal: 'header.x-kong-llm-model', strength: 1 } };
  }
  return undefined;
}

function gatewayFromBody(context: Context): Hop | undefined {
  const { body, metadata } = context;
  if (body.gatewayMetadata || body.generationId?.startsWith('gen_')) {
    return {
      provider: 'vercel',
      evidence: { signal: body.gatewayMetadata ? 'body.provider_metadata.gateway' : 'body.generationId', strength: 3 },
    };
  }
  if (isObject(metadata?.gateway)) {
    return { provider: 'vercel', evidence: { signal: 'provider_metadata.gateway', strength: 3 } };
  }
  if (body.provider && body.id?.startsWith('gen-')) {
    return { provider: 'openrouter', evidence: { signal: 'body.id', strength: 3 } };
  }
  if (isObject(metadata?.openrouter)) {
    return { provider: 'openrouter', evidence: { signal: 'provider_metadata.openrouter', strength: 3 } };
  }
  return undefined;
}

function bedrockPathModelId(pathname: string): string | undefined {
  // Most paths are not Bedrock runtime paths: one substring check spares the regex.
  if (!pathname.includes('/model/')) return undefined;
  // The SDK percent-encodes the ID; hand-built URLs may not, so an ARN's `/` is allowed too.
  const match = /\/model\/(.+)\/(converse-stream|converse|invoke-with-response-stream|invoke|count-tokens)\/?$/.exec(pathname);
  if (!match?.[1]) return undefined;
  try {
    return decodeURIComponent(match[1]).slice(0, 2048);
  } catch {
    return match[1].slice(0, 2048);
  }
}

function vertexPath(pathname: string): { location?: string; publisher?: string; model?: string } {
  const location = /\/locations\/([^/]+)/.exec(pathname)?.[1];
  const publisher = /\/publishers\/([^/]+)/.exec(pathname)?.[1];
  const model = /\/models\/([^/:]+)/.exec(pathname)?.[1];
  return {
    ...(location ? { location: location.slice(0, 64) } : {}),
    ...(publisher ? { publisher: publisher.slice(0, 64) } : {}),
    ...(model ? { model: model.slice(0, MAX_ROUTE_VALUE_LENGTH) } : {}),
  };
}

/** The system the code talked to: the gateway, the cloud or the direct provider. */
function outerSystem(context: Context): Hop | undefined {
  const hostProvider = context.host ? providerOfHost(context.host) : undefined;
  if (hostProvider) {
    if (hostProvider === 'azure.ai.openai') {
      const target = azureTargetOf(context);
      if (target) return { provider: target.system, evidence: { signal: 'url', strength: 4 } };
    }
    return { provider: hostProvider, evidence: { signal: 'url', strength: 4 } };
  }
  const gateway = gatewayFromHeaders(context.headers) ?? gatewayFromBody(context);
  if (gateway) return gateway;
  if (bedrockPathModelId(context.pathname)) return { provider: 'aws.bedrock', evidence: { signal: 'url', strength: 4 } };
  if (/\/openai\/deployments\//.test(context.pathname)) {
    return { provider: 'azure.ai.openai', evidence: { signal: 'url', strength: 4 } };
  }
  const fingerprint = fingerprintProvider(context.headers) ?? bodyFingerprint(context.body);
  if (fingerprint) {
    // Foundry `/models/…` routes answer with the same Azure headers as OpenAI deployments.
    if (fingerprint.provider === 'azure.ai.openai' && /\/models\//.test(context.pathname)) {
      return { ...fingerprint, provider: 'azure.ai.inference' };
    }
    return fingerprint;
  }
  const hinted = providerFromHint(context.hint);
  if (hinted) return { provider: hinted, evidence: { signal: 'config', strength: 4 } };
  return undefined;
}

// ------------------------------------------------------------------------------------------
// What each kind of hop reveals about the next one
// ------------------------------------------------------------------------------------------

interface HopResult {
  next?: Hop;
  responseModel?: { value: string; evidence: Evidence };
  /** Model ID that names the vendor when the next hop is a multi-vendor cloud. */
  vendorModel?: string;
  requestId?: string;
  deployment?: string;
  region?: string;
  awsRegion?: string;
  regionScope?: string;
  attempts?: number;
  fallback?: boolean;
  requestModel?: string;
}

function bodyModel(context: Context): HopResult['responseModel'] {
  const model = text(context.body.model) ?? text(context.body.modelVersion);
  return model ? { value: model, evidence: { signal: context.body.model ? 'body.model' : 'body.modelVersion', strength: 2 } } : undefined;
}

function openRouterUpstream(context: Context): [string, string] | undefined {
  const { body, headers, metadata } = context;
  // Strongest first; each is read only when the ones before it are absent.
  let value = text(body.provider);
  if (value) return [value, 'body.provider'];
  value = text(path(metadata, 'openrouter', 'provider'));
  if (value) return [value, 'provider_metadata.openrouter.provider'];
  value = text(headers.get('x-provider-name'));
  if (value) return [value, 'header.x-provider-name'];
  value = text(headers.get('openrouter-served-by'));
  if (value) return [value, 'header.openrouter-served-by'];
  value = text(body.errorProviderName);
  if (value) return [value, 'body.error.metadata.provider_name'];
  const endpoints = path(body.openrouterMetadata, 'endpoints', 'available');
  if (Array.isArray(endpoints)) {
    const selected = endpoints.find((endpoint) => isObject(endpoint) && endpoint.selected === true);
    value = text(path(selected, 'provider'));
    if (value) return [value, 'body.openrouter_metadata.endpoints'];
  }
  return undefined;
}

function openRouterHop(context: Context, outer: boolean): HopResult {
  const { body, headers } = context;
  const found = openRouterUpstream(context);
  const result: HopResult = {};
  if (found) {
    result.next = { provider: normalizeProvider(found[0], 'openrouter'), evidence: { signal: found[1], strength: 1 } };
  }
  const model = bodyModel(context);
  if (model) result.responseModel = model;
  result.vendorModel = model?.value ?? context.requestModel;
  if (outer) {
    const generationId = text(headers.get('x-generation-id'));
    const requestId = generationId ?? (body.id?.startsWith('gen') ? text(body.id) : undefined);
    if (requestId) result.requestId = requestId;
    const attempt = integer(path(body.openrouterMetadata, 'attempt'));
    if (attempt !== undefined && attempt > 0) {
      result.attempts = attempt;
      result.fallback = attempt > 1;
    }
  }
  return result;
}

function vercelRouting(context: Context): { routing?: JsonObject; signal: string; gateway?: JsonObject } {
  if (context.body.gatewayMetadata) {
    const routing = path(context.body.gatewayMetadata, 'routing');
    return {
      ...(isObject(routing) ? { routing } : {}),
      gateway: context.body.gatewayMetadata,
      signal: 'body.provider_metadata.gateway.routing',
    };
  }
  const gateway = path(context.metadata, 'gateway');
  const routing = path(gateway, 'routing');
  return {
    ...(isObject(routing) ? { routing } : {}),
    ...(isObject(gateway) ? { gateway } : {}),
    signal: 'provider_metadata.gateway.routing',
  };
}

function vercelHop(context: Context): HopResult {
  const { routing, gateway, signal } = vercelRouting(context);
  const result: HopResult = {};
  const attempts = Array.isArray(routing?.attempts) ? routing.attempts.filter(isObject) : [];
  const successIndex = attempts.findIndex((attempt) => attempt.success === true);
  const success = successIndex >= 0 ? attempts[successIndex] : undefined;
  // finalProvider is the one that served; resolvedProvider is only the plan.
  const finalProvider = text(routing?.finalProvider);
  const successProvider = text(success?.provider);
  if (finalProvider) {
    result.next = { provider: normalizeProvider(finalProvider, 'vercel'), evidence: { signal: `${signal}.finalProvider`, strength: 1 } };
  } else if (successProvider) {
    result.next = { provider: normalizeProvider(successProvider, 'vercel'), evidence: { signal: `${signal}.attempts`, strength: 1 } };
  }
  const servedModel = text(success?.providerApiModelId);
  const fellBack = attempts.length > 0 ? successIndex > 0 || (successIndex < 0 && attempts.length > 1) : undefined;
  const plannedModel = fellBack ? undefined : text(routing?.resolvedProviderApiModelId);
  if (servedModel) {
    result.responseModel = { value: servedModel, evidence: { signal: `${signal}.attempts.providerApiModelId`, strength: 1 } };
  } else if (plannedModel) {
    result.responseModel = { value: plannedModel, evidence: { signal: `${signal}.resolvedProviderApiModelId`, strength: 1 } };
  }
  result.vendorModel = result.responseModel?.value ?? text(routing?.canonicalSlug) ?? context.requestModel;
  const requestId =
    text(context.body.generationId) ?? text(gateway?.generationId) ?? (context.body.id?.startsWith('gen_') ? text(context.body.id) : undefined);
  if (requestId) result.requestId = requestId;
  const attemptCount = integer(routing?.totalProviderAttemptCount) ?? (attempts.length > 0 ? attempts.length : undefined);
  if (attemptCount !== undefined && attemptCount > 0) result.attempts = attemptCount;
  if (fellBack !== undefined) result.fallback = fellBack;
  return result;
}

function liteLlmHop(context: Context): HopResult {
  const { headers } = context;
  const result: HopResult = {};
  const modelName = text(headers.get('x-litellm-model-name'));
  const apiBase = text(headers.get('x-litellm-model-api-base'));
  const apiBaseHost = apiBase ? splitUrl(apiBase).host : undefined;
  const apiBaseProvider = apiBaseHost ? providerOfHost(apiBaseHost) : undefined;
  if (modelName) {
    const slash = modelName.indexOf('/');
    const prefix = slash > 0 ? modelName.slice(0, slash) : undefined;
    const served = slash > 0 ? modelName.slice(slash + 1) : modelName;
    if (served) result.responseModel = { value: served, evidence: { signal: 'header.x-litellm-model-name', strength: 1 } };
    result.vendorModel = served;
    if (prefix) {
      const provider = normalizeProvider(prefix, 'litellm');
      // `openai/…` means "OpenAI-compatible": the api-base host says who it really is.
      const generic = provider === 'openai' && apiBaseHost !== undefined && apiBaseProvider !== 'openai';
      if (!generic) {
        result.next = { provider, evidence: { signal: 'header.x-litellm-model-name', strength: 1 } };
      }
    }
  }
  if (!result.next && apiBaseProvider) {
    result.next = { provider: apiBaseProvider, evidence: { signal: 'header.x-litellm-model-api-base', strength: 2 } };
  }
  if (!result.next) {
    const passThrough = fingerprintProvider(headers, 'llm_provider-');
    if (passThrough) result.next = { ...passThrough, evidence: { ...passThrough.evidence!, strength: 2 } };
  }
  if (!result.next) {
    // Bodies pass through LiteLLM: an inner OpenRouter still names itself.
    const inner = gatewayFromBody(context) ?? bodyFingerprint(context.body);
    if (inner) result.next = inner;
  }
  const deployment = text(headers.get('x-litellm-model-id'));
  if (deployment) result.deployment = deployment;
  const callId = text(headers.get('x-litellm-call-id'));
  if (callId) result.requestId = callId;
  const fallbacks = integer(headers.get('x-litellm-attempted-fallbacks'));
  const retries = integer(headers.get('x-litellm-attempted-retries'));
  if (fallbacks !== undefined || retries !== undefined) {
    result.attempts = 1 + (fallbacks ?? 0) + (retries ?? 0);
  }
  if (fallbacks !== undefined) result.fallback = fallbacks > 0;
  // LiteLLM re-stamps body `model` with the requested alias, except after a fallback.
  if (!result.responseModel && fallbacks !== undefined && fallbacks > 0) {
    const model = bodyModel(context);
    if (model) result.responseModel = model;
  }
  if (result.next?.provider === 'azure.ai.openai') {
    const region = azureRegion(headers.get('llm_provider-x-ms-region'));
    if (region) result.region = region;
  }
  return result;
}

function portkeyHop(context: Context): HopResult {
  const { headers, body } = context;
  const result: HopResult = {};
  const provider = text(headers.get('x-portkey-provider'));
  if (provider && provider !== 'portkey') {
    result.next = { provider: normalizeProvider(provider, 'portkey'), evidence: { signal: 'header.x-portkey-provider', strength: 1 } };
  } else if (text(body.provider)) {
    result.next = { provider: normalizeProvider(body.provider!, 'portkey'), evidence: { signal: 'body.provider', strength: 1 } };
  } else {
    const passThrough = fingerprintProvider(headers) ?? bodyFingerprint(body);
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
}

function kongHop(context: Context): HopResult {
  const result: HopResult = {};
  const selected = text(context.headers.get('x-kong-llm-model'));
  if (selected) {
    const slash = selected.indexOf('/');
    if (slash > 0) {
      result.next = {
        provider: normalizeProvider(selected.slice(0, slash)),
        evidence: { signal: 'header.x-kong-llm-model', strength: 1 },
      };
      const model = selected.slice(slash + 1);
      if (model) result.responseModel = { value: model, evidence: { signal: 'header.x-kong-llm-model', strength: 1 } };
    }
  }
  result.vendorModel = result.responseModel?.value ?? context.requestModel;
  const requestId = text(context.headers.get('x-kong-request-id'));
  if (requestId) result.requestId = requestId;
  return result;
}

function cloudflareHop(context: Context): HopResult {
  const result: HopResult = {};
  // /v1/{account}/{gateway}/{provider}/… ; the compat endpoint carries "{provider}/{model}" in the model.
  const segments = context.pathname.split('/').filter((segment) => segment.length > 0);
  const providerSegment = segments[0] === 'v1' ? segments[3] : undefined;
  let provider: string | undefined;
  let evidence: Evidence | undefined;
  if (providerSegment && providerSegment !== 'compat') {
    provider = providerSegment;
    evidence = { signal: 'url', strength: 4 };
  } else if (context.requestModel?.includes('/')) {
    provider = context.requestModel.slice(0, context.requestModel.indexOf('/'));
    evidence = { signal: 'model_id', strength: 4 };
  }
  const fingerprint = fingerprintProvider(context.headers) ?? bodyFingerprint(context.body);
  if (fingerprint) result.next = fingerprint;
  else if (provider && evidence) {
    const normalized = provider === 'google-ai-studio' ? 'gcp.gemini' : provider === 'workers-ai' ? 'cloudflare' : normalizeProvider(provider);
    if (normalized !== 'cloudflare') result.next = { provider: normalized, evidence };
  }
  const model = bodyModel(context);
  if (model) result.responseModel = model;
  result.vendorModel = model?.value ?? context.requestModel;
  const requestId = text(context.headers.get('cf-aig-log-id')) ?? text(context.headers.get('cf-aig-request-id'));
  if (requestId) result.requestId = requestId;
  return result;
}

function heliconeHop(context: Context): HopResult {
  const result: HopResult = {};
  const fromHost = context.host ? HELICONE_HOSTS[context.host] : undefined;
  const fingerprint = fingerprintProvider(context.headers) ?? bodyFingerprint(context.body);
  if (fingerprint) result.next = fingerprint;
  else if (fromHost) result.next = { provider: fromHost, evidence: { signal: 'url', strength: 4 } };
  const model = bodyModel(context);
  if (model) result.responseModel = model;
  result.vendorModel = model?.value ?? context.requestModel;
  const requestId = text(context.headers.get('helicone-id'));
  if (requestId) result.requestId = requestId;
  const fallbackIndex = integer(context.headers.get('helicone-fallback-index'));
  if (fallbackIndex !== undefined) result.fallback = fallbackIndex > 0;
  return result;
}

function huggingFaceHop(context: Context): HopResult {
  const result: HopResult = {};
  const fingerprint = bodyFingerprint(context.body) ?? fingerprintProvider(context.headers);
  const suffix = /:([a-z0-9-]+)$/i.exec(context.requestModel ?? '')?.[1];
  const segments = context.pathname.split('/').filter((segment) => segment.length > 0);
  const pathProvider = segments.length > 1 && segments[1] === 'v1' && segments[0] !== 'v1' ? segments[0] : undefined;
  if (fingerprint) result.next = fingerprint;
  else if (suffix && !['fastest', 'cheapest', 'preferred'].includes(suffix.toLowerCase())) {
    result.next = { provider: normalizeProvider(suffix), evidence: { signal: 'model_id', strength: 4 } };
  } else if (pathProvider && pathProvider !== 'hf-inference') {
    result.next = { provider: normalizeProvider(pathProvider), evidence: { signal: 'url', strength: 4 } };
  }
  const model = bodyModel(context);
  if (model) result.responseModel = model;
  result.vendorModel = model?.value ?? context.requestModel;
  const requestId = text(context.headers.get('x-request-id')) ?? text(context.headers.get('inference-id'));
  if (requestId) result.requestId = requestId;
  return result;
}

// Only the outermost hop may read the request: behind a gateway the request model is the
// gateway's alias, not a Bedrock ID.
function bedrockModelIdOf(context: Context, outer: boolean): string | undefined {
  return outer ? (bedrockPathModelId(context.pathname) ?? context.requestModel) : undefined;
}

function promptRouterModelId(context: Context): { id: string; signal: string } | undefined {
  const fromBody = text(context.body.promptRouterInvokedModelId);
  if (fromBody) return { id: fromBody, signal: 'body.trace.promptRouter.invokedModelId' };
  const fromMetadata = text(path(context.metadata, 'bedrock', 'trace', 'promptRouter', 'invokedModelId'));
  if (fromMetadata) return { id: fromMetadata, signal: 'provider_metadata.bedrock.trace.promptRouter.invokedModelId' };
  return undefined;
}

const IN_REGION_KINDS: ReadonlySet<BedrockModelId['kind']> = new Set([
  'foundation-model',
  'provisioned-model',
  'custom-model',
  'imported-model',
]);

function bedrockHop(context: Context, outer: boolean): HopResult {
  const result: HopResult = {};
  const modelId = bedrockModelIdOf(context, outer);
  const parsed = modelId ? parseBedrockModelId(modelId) : undefined;
  const routed = promptRouterModelId(context);
  const invoked = routed ? parseBedrockModelId(routed.id) : undefined;
  const failed = (context.status !== undefined && context.status >= 400) || context.body.error === true;
  if (outer && modelId && !context.requestModel) result.requestModel = modelId;

  const served = invoked ?? parsed;
  const vendor = served?.vendor ?? modelVendor(context.body.model);
  if (vendor) {
    const evidence: Evidence = invoked
      ? { signal: routed!.signal, strength: 1 }
      : served?.vendor
        ? { signal: 'model_id', strength: 4 }
        : { signal: 'body.model', strength: 2 };
    result.next = { provider: vendor, evidence };
  }
  if (!failed) {
    if (invoked?.model) {
      result.responseModel = { value: invoked.model, evidence: { signal: routed!.signal, strength: 1 } };
    } else if (text(context.body.model)) {
      result.responseModel = { value: text(context.body.model)!, evidence: { signal: 'body.model', strength: 2 } };
    } else if (parsed?.model) {
      result.responseModel = { value: parsed.model, evidence: { signal: 'model_id', strength: 4 } };
    }
  }
  if (outer) {
    const awsRegion =
      text(context.region) ?? (context.host ? regionOfAwsHost(context.host) : undefined) ?? served?.arnRegion;
    if (awsRegion) result.awsRegion = awsRegion;
    // Bedrock serves unprefixed IDs in the client's region; profiles may run anywhere in their geography.
    if (awsRegion && served && IN_REGION_KINDS.has(served.kind)) result.region = awsRegion;
    if (served?.geography) result.regionScope = served.geography;
    const requestId = text(context.headers.get('x-amzn-requestid'));
    if (requestId) result.requestId = requestId;
  } else if (served?.geography) {
    result.regionScope = served.geography;
  }
  return result;
}

function azureHop(context: Context, system: string, outer: boolean): HopResult {
  const { headers } = context;
  const result: HopResult = {};
  const target = outer ? azureTargetOf(context) : undefined;
  const servedModel = text(headers.get('x-ms-served-model'));
  if (servedModel) {
    result.responseModel = { value: servedModel, evidence: { signal: 'header.x-ms-served-model', strength: 1 } };
  } else {
    const model = bodyModel(context);
    if (model) result.responseModel = model;
  }
  if (outer) {
    const spilledTo = text(headers.get('x-ms-deployment-name'));
    const deployment =
      spilledTo ??
      target?.deployment ??
      (system === 'azure.ai.openai' ? (context.requestModel ?? text(headers.get('x-ratelimit-key'))) : undefined);
    if (deployment) result.deployment = deployment;
    if (!context.requestModel && target?.deployment) result.requestModel = target.deployment;
    const region = azureRegion(headers.get('x-ms-region'));
    if (region) result.region = region;
    // Provisioned-throughput spill-over: another deployment served than the one addressed.
    const spilledOver = headers.get('x-ms-is-spilled-over')?.trim().toLowerCase();
    if (spilledOver === 'true' || headers.names().some((name) => name.startsWith('x-ms-spillover-from'))) {
      result.fallback = true;
    } else if (spilledOver === 'false') {
      result.fallback = false;
    }
    const requestId = text(headers.get('apim-request-id')) ?? text(headers.get('x-request-id'));
    if (requestId) result.requestId = requestId;
  }
  // Azure serves OpenAI, xAI, Meta, Mistral, Cohere… models: the vendor comes from the model.
  const vendorSource = result.responseModel?.value ?? (system === 'azure.ai.inference' && outer ? context.requestModel : undefined);
  const vendor = modelVendor(vendorSource) ?? (result.responseModel || !outer ? undefined : modelVendor(context.requestModel));
  if (vendor) {
    result.next = {
      provider: vendor,
      evidence: result.responseModel && vendorSource === result.responseModel.value ? result.responseModel.evidence : { signal: 'model_id', strength: 4 },
    };
  }
  return result;
}

function vertexHop(context: Context, outer: boolean): HopResult {
  const result: HopResult = {};
  const { location, publisher, model } = vertexPath(context.pathname);
  if (publisher) {
    result.next = { provider: normalizeProvider(publisher === 'mistralai' ? 'mistral' : publisher), evidence: { signal: 'url', strength: 4 } };
  } else {
    const vendor = modelVendor(context.body.model ?? context.body.modelVersion ?? (outer ? context.requestModel : undefined));
    if (vendor) result.next = { provider: vendor, evidence: { signal: 'model_id', strength: 4 } };
  }
  const served = bodyModel(context);
  if (served) result.responseModel = served;
  if (outer) {
    if (location === 'global') result.regionScope = 'global';
    else if (location) result.region = location;
    if (!context.requestModel && model) result.requestModel = model;
  }
  return result;
}

function directProviderHop(context: Context, provider: string): HopResult {
  const { headers } = context;
  const result: HopResult = {};
  const model = bodyModel(context);
  if (model) result.responseModel = model;
  const requestId =
    provider === 'anthropic'
      ? text(headers.get('request-id'))
      : provider === 'mistral_ai'
        ? (text(headers.get('mistral-correlation-id')) ?? text(headers.get('x-request-id')))
        : undefined;
  const anyRequestId = requestId ?? text(headers.get('x-request-id')) ?? text(headers.get('request-id'));
  if (anyRequestId) result.requestId = anyRequestId;
  const pplRegion = text(headers.get('x-ppl-region'));
  if (provider === 'perplexity' && pplRegion) result.region = pplRegion;
  return result;
}

function expandHop(context: Context, provider: string, outer: boolean): HopResult {
  switch (provider) {
    case 'openrouter':
      return openRouterHop(context, outer);
    case 'vercel':
      return vercelHop(context);
    case 'litellm':
      // LiteLLM's headers describe the outermost LiteLLM only; an inner one reveals nothing.
      return outer ? liteLlmHop(context) : {};
    case 'portkey':
      return portkeyHop(context);
    case 'kong':
      return kongHop(context);
    case 'cloudflare':
      return cloudflareHop(context);
    case 'helicone':
      return heliconeHop(context);
    case 'huggingface':
      return huggingFaceHop(context);
    case 'aws.bedrock':
      return bedrockHop(context, outer);
    case 'azure.ai.openai':
    case 'azure.ai.inference':
      return azureHop(context, provider, outer);
    case 'gcp.vertex_ai':
      return vertexHop(context, outer);
    default:
      return outer ? directProviderHop(context, provider) : {};
  }
}

function regionScopeOf(context: Context): string | undefined {
  const geo = text(context.body.inferenceGeo) ?? text(path(context.metadata, 'anthropic', 'usage', 'inference_geo'));
  return geo && geo !== 'not_available' ? geo : undefined;
}

// ------------------------------------------------------------------------------------------
// deriveRoute
// ------------------------------------------------------------------------------------------

function bound(value: string | undefined): string | undefined {
  return value === undefined ? undefined : value.slice(0, MAX_ROUTE_VALUE_LENGTH);
}

// URLs are split by hand rather than with `new URL`: it is several times faster, never throws
// (an invalid URL costs an exception), and still reads recorded or templated URLs such as
// `https://bedrock-runtime.<AWS_REGION>.amazonaws.com/…`. The query string is never kept.
const URL_PARTS = /^(?:[a-z][a-z0-9+.-]*:)?\/\/([^/?#]*)([^?#]*)/i;
const SCHEMELESS_PARTS = /^([^/?#]*)([^?#]*)/;

/** Host (lower-case, no user info or port) and path of a URL, without its query. */
export function splitUrl(url: unknown): { host?: string; pathname: string } {
  let href: string | undefined;
  if (typeof url === 'string') href = url;
  else if (url !== null && typeof url === 'object' && typeof (url as { href?: unknown }).href === 'string') {
    href = (url as { href: string }).href;
  }
  if (href === undefined) return { pathname: '' };
  const trimmed = href.length > 8192 ? href.slice(0, 8192).trim() : href.trim();
  const match = URL_PARTS.exec(trimmed) ?? (trimmed.startsWith('/') ? null : SCHEMELESS_PARTS.exec(trimmed));
  if (!match) return { pathname: (trimmed.split(/[?#]/, 1)[0] ?? '').slice(0, 4096) };
  let host = match[1] ?? '';
  const at = host.lastIndexOf('@');
  if (at >= 0) host = host.slice(at + 1);
  if (host.startsWith('[')) host = host.slice(0, host.indexOf(']') + 1);
  else {
    const colon = host.lastIndexOf(':');
    if (colon >= 0) host = host.slice(0, colon);
  }
  const pathname = (match[2] ?? '').slice(0, 4096);
  return host.length > 0 ? { host: host.toLowerCase(), pathname } : { pathname };
}

function azureTargetOf(context: Context): AzureTarget | undefined {
  if (context.azureTarget === undefined) {
    context.azureTarget = context.rawUrl === undefined ? null : (parseAzureUrl(context.rawUrl) ?? null);
  }
  return context.azureTarget ?? undefined;
}

function buildContext(observation: RouteObservation): Context {
  const rawUrl = observation.url;
  const { host, pathname } = splitUrl(rawUrl);
  const context: Context = {
    pathname,
    headers: createLowerCaseHeaderLookup(observation.responseHeaders),
    body: readBodyFacts(observation.responseBody),
    evidence: [],
  };
  if (host !== undefined) context.host = host;
  if (typeof rawUrl === 'string' || rawUrl instanceof URL) context.rawUrl = rawUrl;
  if (isObject(observation.providerMetadata)) context.metadata = observation.providerMetadata;
  const requestModel = text(observation.requestModel);
  if (requestModel) context.requestModel = requestModel;
  const region = text(observation.region);
  if (region) context.region = region;
  const hint = text(observation.providerHint);
  if (hint) context.hint = hint;
  const status = integer(observation.status);
  if (status !== undefined) context.status = status;
  return context;
}

function deriveFromContext(context: Context): RouteAttribution {
  const outer = outerSystem(context);
  if (!outer) {
    // Built field by field, in the order the spread version had (`evidence` last).
    const unattributed = { system: '_OTHER' } as RouteAttribution;
    if (context.requestModel) unattributed.requestModel = context.requestModel;
    const model = bodyModel(context);
    if (model) unattributed.responseModel = model.value;
    unattributed.evidence = [];
    return unattributed;
  }
  addEvidence(context, outer.evidence);
  const chain: string[] = [outer.provider];
  const first = expandHop(context, outer.provider, true);
  const attribution: RouteAttribution = { system: outer.provider, evidence: [] };
  let responseModel = first.responseModel;
  let regionScope = first.regionScope;
  let region = first.region;
  let vendorModel = first.vendorModel;
  let next = first.next;
  // Walk inward: gateways behind gateways, then the cloud, then the cloud's model vendor.
  while (next && next.provider.length > 0 && chain.length < MAX_PATH_HOPS) {
    if (chain.includes(next.provider)) break;
    chain.push(next.provider);
    addEvidence(context, next.evidence);
    if (MULTI_VENDOR_CLOUDS.has(next.provider)) {
      const inner = expandHop(context, next.provider, false);
      // The outer hop's served model (`bedrock/us.anthropic.…` from LiteLLM) is more telling
      // than what the cloud hop can read from a body the gateway may have rewritten.
      const bedrockId = next.provider === 'aws.bedrock' && vendorModel ? parseBedrockModelId(vendorModel) : undefined;
      regionScope ??= bedrockId?.geography ?? inner.regionScope;
      region ??= inner.region;
      responseModel ??= inner.responseModel;
      const vendor = bedrockId?.vendor ?? modelVendor(vendorModel) ?? inner.next?.provider;
      if (vendor && vendor.length > 0 && !chain.includes(vendor)) chain.push(vendor);
      break;
    }
    if (!INDEPENDENT_GATEWAYS.has(next.provider)) break;
    const inner = expandHop(context, next.provider, false);
    // LiteLLM re-stamps body `model` with the caller's alias (except after a fallback), so an
    // inner gateway's body model says nothing once LiteLLM is outermost.
    const bodyRewritten = outer.provider === 'litellm' && first.fallback !== true;
    if (!(bodyRewritten && inner.responseModel?.evidence.signal === 'body.model')) {
      responseModel ??= inner.responseModel;
      vendorModel = inner.vendorModel ?? vendorModel;
    }
    next = inner.next;
  }

  const outerIsGateway = INDEPENDENT_GATEWAYS.has(outer.provider);
  const outerIsCloud = MULTI_VENDOR_CLOUDS.has(outer.provider);
  if (outerIsGateway || outerIsCloud) attribution.gateway = outer.provider;
  let upstream: string | undefined;
  if (outerIsGateway) {
    upstream = chain.slice(1).find((hop) => !INDEPENDENT_GATEWAYS.has(hop));
  } else if (outerIsCloud) {
    upstream = chain[1];
  } else if (outer.evidence?.signal !== 'config' || context.host === undefined) {
    // A framework hint alone, on a base URL no rule knows, names a protocol rather than a
    // provider (ChatOpenAI against vLLM): the upstream stays unset then.
    upstream = outer.provider;
  }
  if (upstream) attribution.upstream = upstream;
  if (chain.length > 1) attribution.path = chain;

  const requestModel = context.requestModel ?? first.requestModel;
  if (requestModel) attribution.requestModel = requestModel;
  if (responseModel) {
    attribution.responseModel = responseModel.value;
    addEvidence(context, responseModel.evidence);
  }
  if (first.deployment) attribution.deployment = first.deployment;
  const fireworksDeployment = text(context.headers.get('fireworks-deployment'));
  if (!attribution.deployment && fireworksDeployment) attribution.deployment = fireworksDeployment;
  if (region) attribution.region = region;
  if (first.awsRegion) attribution.awsRegion = first.awsRegion;
  regionScope ??= regionScopeOf(context);
  if (regionScope) attribution.regionScope = regionScope;
  if (first.requestId) attribution.requestId = first.requestId;
  if (first.attempts !== undefined) attribution.attempts = first.attempts;
  if (first.fallback !== undefined) attribution.fallback = first.fallback;

  // Strongest first; the first mention of a signal keeps its place among equals.
  const evidence: string[] = [];
  for (let strength = 1; strength <= 4; strength++) {
    for (const item of context.evidence) {
      if (item.strength === strength && evidence.length < MAX_EVIDENCE && !evidence.includes(item.signal)) {
        evidence.push(item.signal);
      }
    }
  }
  attribution.evidence = evidence;
  return attribution;
}

// Most values are already bounded where they were read; this is the safety net for the rest
// (model IDs decoded from paths, ARNs) and costs nothing for short values.
const BOUNDED_FIELDS = ['system', 'gateway', 'upstream', 'requestModel', 'responseModel', 'deployment', 'region', 'awsRegion', 'regionScope', 'requestId'] as const;

function boundAttribution(attribution: RouteAttribution): RouteAttribution {
  for (const key of BOUNDED_FIELDS) {
    const value = attribution[key];
    if (value === undefined) continue;
    if (value.length === 0 && key !== 'system') delete attribution[key];
    else if (value.length > MAX_ROUTE_VALUE_LENGTH) attribution[key] = value.slice(0, MAX_ROUTE_VALUE_LENGTH);
  }
  if (attribution.path && (attribution.path.length > MAX_PATH_HOPS || attribution.path.some((hop) => hop.length > MAX_ROUTE_VALUE_LENGTH))) {
    attribution.path = attribution.path.slice(0, MAX_PATH_HOPS).map((hop) => hop.slice(0, MAX_ROUTE_VALUE_LENGTH));
  }
  return attribution;
}

/**
 * Turns raw facts about one LLM call into its route: which gateway the code talked to, which
 * upstream served it, the model really served, the deployment, region and request id, and the
 * evidence for each (DESIGN.md §2.3–2.5). Signals are combined by strength: explicit served-by
 * fields first, then deployment and host signals, fingerprints, and finally the request side.
 * When nothing reveals the upstream it stays unset. Pure and total: it never throws, bounds
 * every value to 256 characters and bounds its parsing work on huge inputs.
 *
 * @example
 * deriveRoute({ url: 'https://openrouter.ai/api/v1/chat/completions',
 *   responseBody: { id: 'gen-1', provider: 'Amazon Bedrock', model: 'anthropic/claude-4.5-haiku' } })
 * // { system: 'openrouter', gateway: 'openrouter', upstream: 'aws.bedrock',
 * //   path: ['openrouter', 'aws.bedrock', 'anthropic'], … }
 */
export function deriveRoute(observation: RouteObservation): RouteAttribution {
  let context: Context | undefined;
  try {
    context = buildContext(isObject(observation) ? observation : {});
    return boundAttribution(deriveFromContext(context));
  } catch {
    // Fall back to what is certain: the hint and the requested model.
    try {
      const hinted = providerFromHint(text((observation as RouteObservation | undefined)?.providerHint));
      const requestModel = text((observation as RouteObservation | undefined)?.requestModel);
      return boundAttribution({ system: hinted ?? '_OTHER', ...(requestModel ? { requestModel } : {}), evidence: [] });
    } catch {
      return { system: '_OTHER', evidence: [] };
    }
  }
}
