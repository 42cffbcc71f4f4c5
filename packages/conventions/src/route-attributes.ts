import type { Attributes } from '@opentelemetry/api';
import {
  ATTR_AWS_REGION,
  ATTR_CLOUD_REGION,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_RESPONSE_MODEL,
  ATTR_GEN_AI_ROUTE_ATTEMPTS,
  ATTR_GEN_AI_ROUTE_CACHE_HIT,
  ATTR_GEN_AI_ROUTE_ERROR_SOURCE,
  ATTR_GEN_AI_ROUTE_POLICY,
  ATTR_GEN_AI_ROUTE_POLICY_HASH,
  ATTR_GEN_AI_USAGE_COST,
  ATTR_GEN_AI_ROUTE_DEPLOYMENT,
  ATTR_GEN_AI_ROUTE_EVIDENCE,
  ATTR_GEN_AI_ROUTE_FALLBACK,
  ATTR_GEN_AI_ROUTE_GATEWAY,
  ATTR_GEN_AI_ROUTE_PATH,
  ATTR_GEN_AI_ROUTE_REGION_SCOPE,
  ATTR_GEN_AI_ROUTE_REQUEST_ID,
  ATTR_GEN_AI_ROUTE_UPSTREAM,
  ATTR_GEN_AI_SYSTEM,
  GEN_AI_LATEST_EXPERIMENTAL,
  OTEL_SEMCONV_STABILITY_OPT_IN,
} from './semconv';
import type { ProviderNameMode, RouteAttribution, SemconvMode } from './types';

const MAX_VALUE_LENGTH = 256;
const MAX_POLICY_LENGTH = 512;


/** Options of {@link routeAttributes}. */
export interface RouteAttributeOptions {
  /** Which system attribute names to emit; default `both`, or `latest` under `OTEL_SEMCONV_STABILITY_OPT_IN=gen_ai_latest_experimental`. */
  semconv?: SemconvMode;
  /** What `gen_ai.provider.name` / `gen_ai.system` carry; default `system`. */
  providerName?: ProviderNameMode;
}
const MAX_ARRAY_LENGTH = 16;

function environmentVariable(name: string): string | undefined {
  try {
    const process = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process;
    return process?.env?.[name];
  } catch {
    return undefined;
  }
}

/**
 * The semconv mode in effect: the explicit option if given, else `latest` when
 * `OTEL_SEMCONV_STABILITY_OPT_IN` lists `gen_ai_latest_experimental`, else `both`.
 */
export function resolveSemconvMode(mode?: SemconvMode): SemconvMode {
  if (mode === 'legacy' || mode === 'latest' || mode === 'both') return mode;
  return modeOfOptIn(environmentVariable(OTEL_SEMCONV_STABILITY_OPT_IN));
}

// The variable is read on every call (it may change at run time); only its parse is remembered.
let lastOptIn: string | undefined;
let lastOptInMode: SemconvMode = 'both';

function modeOfOptIn(optIn: string | undefined): SemconvMode {
  if (optIn === undefined) return 'both';
  if (optIn !== lastOptIn) {
    lastOptInMode = optIn.split(',').some((token) => token.trim() === GEN_AI_LATEST_EXPERIMENTAL) ? 'latest' : 'both';
    lastOptIn = optIn;
  }
  return lastOptInMode;
}

function boundedString(value: unknown, limit = MAX_VALUE_LENGTH): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value.slice(0, limit) : undefined;
}

function finiteAmount(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
}

function boundedArray(values: unknown): string[] | undefined {
  if (!Array.isArray(values)) return undefined;
  const limit = Math.min(values.length, MAX_ARRAY_LENGTH);
  const strings: string[] = [];
  for (let index = 0; index < limit; index++) {
    const value = boundedString(values[index]);
    if (value !== undefined) strings.push(value);
  }
  return strings.length > 0 ? strings : undefined;
}

/**
 * The span attributes for a route: `gen_ai.system` and/or `gen_ai.provider.name` (by `semconv`
 * mode: `legacy`, `latest` or `both`, default `both`, or `latest` under
 * `OTEL_SEMCONV_STABILITY_OPT_IN=gen_ai_latest_experimental`), `gen_ai.request.model`,
 * `gen_ai.response.model`, `cloud.region`, `aws.region` and every `gen_ai.route.*` attribute.
 * Only defined values become attributes; `gen_ai.route.path` and `gen_ai.route.evidence` are
 * string arrays. Also `gen_ai.usage.cost`, `gen_ai.route.cache_hit`, `gen_ai.route.error_source`,
 * `gen_ai.route.policy` and `gen_ai.route.policy_hash` (DESIGN.md §2.6). With
 * `providerName: 'upstream'`, `gen_ai.provider.name` / `gen_ai.system` carry the upstream when it
 * is known (the gateway stays in `gen_ai.route.gateway`). Never throws.
 */
export function routeAttributes(attribution: RouteAttribution, options?: RouteAttributeOptions): Attributes {
  return writeRouteAttributes({}, attribution, options);
}

/**
 * {@link routeAttributes} written into `attributes` (the record step adds them to the model-call
 * attributes it already has, without a second object). Returns `attributes`.
 * @internal
 */
export function writeRouteAttributes(attributes: Attributes, attribution: RouteAttribution, options?: RouteAttributeOptions): Attributes {
  try {
    if (typeof attribution !== 'object' || attribution === null) return attributes;
    const mode = resolveSemconvMode(options?.semconv);
    const upstreamName = options?.providerName === 'upstream' ? boundedString(attribution.upstream) : undefined;
    const system = upstreamName ?? boundedString(attribution.system);
    // Each store written out at its own site (not through one helper taking the key): every site
    // then always sees the same key, which V8 stores without a dictionary lookup.
    if (system !== undefined) {
      if (mode !== 'latest') attributes[ATTR_GEN_AI_SYSTEM] = system;
      if (mode !== 'legacy') attributes[ATTR_GEN_AI_PROVIDER_NAME] = system;
    }
    let value: Attributes[string] | undefined = boundedString(attribution.requestModel);
    if (value !== undefined) attributes[ATTR_GEN_AI_REQUEST_MODEL] = value;
    value = boundedString(attribution.responseModel);
    if (value !== undefined) attributes[ATTR_GEN_AI_RESPONSE_MODEL] = value;
    value = boundedString(attribution.gateway);
    if (value !== undefined) attributes[ATTR_GEN_AI_ROUTE_GATEWAY] = value;
    value = boundedString(attribution.upstream);
    if (value !== undefined) attributes[ATTR_GEN_AI_ROUTE_UPSTREAM] = value;
    value = boundedArray(attribution.path);
    if (value !== undefined) attributes[ATTR_GEN_AI_ROUTE_PATH] = value;
    value = boundedString(attribution.deployment);
    if (value !== undefined) attributes[ATTR_GEN_AI_ROUTE_DEPLOYMENT] = value;
    value = boundedString(attribution.requestId);
    if (value !== undefined) attributes[ATTR_GEN_AI_ROUTE_REQUEST_ID] = value;
    if (Number.isInteger(attribution.attempts)) attributes[ATTR_GEN_AI_ROUTE_ATTEMPTS] = attribution.attempts;
    if (typeof attribution.fallback === 'boolean') attributes[ATTR_GEN_AI_ROUTE_FALLBACK] = attribution.fallback;
    value = boundedString(attribution.regionScope);
    if (value !== undefined) attributes[ATTR_GEN_AI_ROUTE_REGION_SCOPE] = value;
    value = boundedString(attribution.region);
    if (value !== undefined) attributes[ATTR_CLOUD_REGION] = value;
    value = boundedString(attribution.awsRegion);
    if (value !== undefined) attributes[ATTR_AWS_REGION] = value;
    value = finiteAmount(attribution.cost);
    if (value !== undefined) attributes[ATTR_GEN_AI_USAGE_COST] = value;
    if (typeof attribution.cacheHit === 'boolean') attributes[ATTR_GEN_AI_ROUTE_CACHE_HIT] = attribution.cacheHit;
    if (attribution.errorSource === 'gateway' || attribution.errorSource === 'upstream') {
      attributes[ATTR_GEN_AI_ROUTE_ERROR_SOURCE] = attribution.errorSource;
    }
    value = boundedString(attribution.policy, MAX_POLICY_LENGTH);
    if (value !== undefined) attributes[ATTR_GEN_AI_ROUTE_POLICY] = value;
    const policyHash = boundedString(attribution.policyHash, 16);
    if (policyHash && /^[0-9a-f]{16}$/.test(policyHash)) attributes[ATTR_GEN_AI_ROUTE_POLICY_HASH] = policyHash;
    value = boundedArray(attribution.evidence);
    if (value !== undefined) attributes[ATTR_GEN_AI_ROUTE_EVIDENCE] = value;
  } catch {
    // Attributes gathered so far are still valid.
  }
  return attributes;
}
