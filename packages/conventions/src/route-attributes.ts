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

function setDefined(attributes: Attributes, key: string, value: Attributes[string] | undefined): void {
  if (value !== undefined) attributes[key] = value;
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
  const attributes: Attributes = {};
  try {
    if (typeof attribution !== 'object' || attribution === null) return attributes;
    const mode = resolveSemconvMode(options?.semconv);
    const upstreamName = options?.providerName === 'upstream' ? boundedString(attribution.upstream) : undefined;
    const system = upstreamName ?? boundedString(attribution.system);
    if (mode !== 'latest') setDefined(attributes, ATTR_GEN_AI_SYSTEM, system);
    if (mode !== 'legacy') setDefined(attributes, ATTR_GEN_AI_PROVIDER_NAME, system);
    setDefined(attributes, ATTR_GEN_AI_REQUEST_MODEL, boundedString(attribution.requestModel));
    setDefined(attributes, ATTR_GEN_AI_RESPONSE_MODEL, boundedString(attribution.responseModel));
    setDefined(attributes, ATTR_GEN_AI_ROUTE_GATEWAY, boundedString(attribution.gateway));
    setDefined(attributes, ATTR_GEN_AI_ROUTE_UPSTREAM, boundedString(attribution.upstream));
    setDefined(attributes, ATTR_GEN_AI_ROUTE_PATH, boundedArray(attribution.path));
    setDefined(attributes, ATTR_GEN_AI_ROUTE_DEPLOYMENT, boundedString(attribution.deployment));
    setDefined(attributes, ATTR_GEN_AI_ROUTE_REQUEST_ID, boundedString(attribution.requestId));
    if (Number.isInteger(attribution.attempts)) setDefined(attributes, ATTR_GEN_AI_ROUTE_ATTEMPTS, attribution.attempts);
    if (typeof attribution.fallback === 'boolean') setDefined(attributes, ATTR_GEN_AI_ROUTE_FALLBACK, attribution.fallback);
    setDefined(attributes, ATTR_GEN_AI_ROUTE_REGION_SCOPE, boundedString(attribution.regionScope));
    setDefined(attributes, ATTR_CLOUD_REGION, boundedString(attribution.region));
    setDefined(attributes, ATTR_AWS_REGION, boundedString(attribution.awsRegion));
    setDefined(attributes, ATTR_GEN_AI_USAGE_COST, finiteAmount(attribution.cost));
    if (typeof attribution.cacheHit === 'boolean') setDefined(attributes, ATTR_GEN_AI_ROUTE_CACHE_HIT, attribution.cacheHit);
    if (attribution.errorSource === 'gateway' || attribution.errorSource === 'upstream') {
      setDefined(attributes, ATTR_GEN_AI_ROUTE_ERROR_SOURCE, attribution.errorSource);
    }
    setDefined(attributes, ATTR_GEN_AI_ROUTE_POLICY, boundedString(attribution.policy, MAX_POLICY_LENGTH));
    const policyHash = boundedString(attribution.policyHash, 16);
    if (policyHash && /^[0-9a-f]{16}$/.test(policyHash)) setDefined(attributes, ATTR_GEN_AI_ROUTE_POLICY_HASH, policyHash);
    setDefined(attributes, ATTR_GEN_AI_ROUTE_EVIDENCE, boundedArray(attribution.evidence));
  } catch {
    // Attributes gathered so far are still valid.
  }
  return attributes;
}
