/**
 * Vercel AI Gateway (ai-gateway.vercel.sh): an independent gateway. The upstream is
 * `providerMetadata.gateway.routing.finalProvider` (never `resolvedProvider`, which is only the
 * plan), else the successful attempt's provider; on the OpenAI-compatible wire the metadata sits
 * in `choices[0].message.provider_metadata.gateway`. Response model = the served API model;
 * request id = `generationId`; fallback = a failed attempt before the one that served.
 */
import { amount, integer, isObject, type JsonObject, own, text } from '../../shared/json';
import { normalizeName, tableOf } from '../../vocabulary';
import { hop, signal } from '../helpers';
import type { HopFacts, RouteRule, RuleContext } from '../rule';

/** AI Gateway provider slugs (DESIGN.md §2.2). */
export const VERCEL_NAMES = tableOf({
  google: 'gcp.gemini',
  vertex: 'gcp.vertex_ai',
  vertexanthropic: 'gcp.vertex_ai',
  bedrock: 'aws.bedrock',
  azure: 'azure.ai.openai',
  togetherai: 'together',
});

// AI Gateway generation ids: `gen_` and a ULID (`gen_01KKHTPN1QBWX0ERVPTF7D28P2`).
const GENERATION_ID = /^gen_[0-9A-HJKMNP-TV-Z]{26}$/;

interface Routing {
  routing?: JsonObject;
  gateway?: JsonObject;
  signal: string;
}

function routingOf(context: RuleContext): Routing {
  if (context.body.gatewayMetadata) {
    const routing = own(context.body.gatewayMetadata, 'routing');
    return {
      ...(isObject(routing) ? { routing } : {}),
      gateway: context.body.gatewayMetadata,
      signal: 'body.provider_metadata.gateway.routing',
    };
  }
  const gateway = own(context.metadata, 'gateway');
  const routing = own(gateway, 'routing');
  return {
    ...(isObject(routing) ? { routing } : {}),
    ...(isObject(gateway) ? { gateway } : {}),
    signal: 'provider_metadata.gateway.routing',
  };
}

// `modelAttempts[].providerAttempts[]` (newer routing blocks): the provider of the last attempt made.
function lastProviderAttempt(routing: JsonObject | undefined): string | undefined {
  const modelAttempts = own(routing, 'modelAttempts');
  if (!Array.isArray(modelAttempts)) return undefined;
  for (let model = Math.min(modelAttempts.length, 16) - 1; model >= 0; model--) {
    const providerAttempts = own(modelAttempts[model], 'providerAttempts');
    if (!Array.isArray(providerAttempts)) continue;
    for (let index = Math.min(providerAttempts.length, 16) - 1; index >= 0; index--) {
      const provider = text(own(providerAttempts[index], 'provider'));
      if (provider) return provider;
    }
  }
  return undefined;
}

/** The Vercel AI Gateway rule. */
export const vercel: RouteRule = {
  id: 'vercel',
  role: 'gateway',
  hosts: ['ai-gateway.vercel.sh'],
  names: VERCEL_NAMES,
  hints: ['gateway', 'vercel'],
  recognise(context) {
    const { body } = context;
    if (body.gatewayMetadata) return { signal: signal('body.provider_metadata.gateway', 'fingerprint'), source: 'body' };
    if (body.generationId?.startsWith('gen_')) return { signal: signal('body.generationId', 'fingerprint'), source: 'body' };
    if (body.id && GENERATION_ID.test(body.id)) return { signal: signal('body.id', 'fingerprint'), source: 'body' };
    if (isObject(own(context.metadata, 'gateway'))) {
      return { signal: signal('provider_metadata.gateway', 'fingerprint'), source: 'metadata' };
    }
    return undefined;
  },
  expand(context) {
    const { routing, gateway, signal: source } = routingOf(context);
    const result: HopFacts = {};
    const attemptList = own(routing, 'attempts');
    const attempts = Array.isArray(attemptList) ? attemptList.slice(0, 64).filter(isObject) : [];
    const successIndex = attempts.findIndex((attempt) => own(attempt, 'success') === true);
    const success = successIndex >= 0 ? attempts[successIndex] : undefined;
    const finalProvider = text(own(routing, 'finalProvider'));
    const successProvider = text(own(success, 'provider'));
    if (finalProvider) {
      result.next = hop(normalizeName(finalProvider, VERCEL_NAMES), `${source}.finalProvider`, 'served-by');
    } else if (successProvider) {
      result.next = hop(normalizeName(successProvider, VERCEL_NAMES), `${source}.attempts`, 'served-by');
    }
    // A failed call (a whole error response, not a mid-stream error chunk): the last provider
    // attempt is the upstream that answered with the error; with no provider attempt at all, the
    // gateway refused it itself (`model_not_found`).
    if (context.body.error === true && context.body.format !== 'sse' && !result.next) {
      const failedAttempt = lastProviderAttempt(routing);
      if (failedAttempt) {
        result.next = hop(normalizeName(failedAttempt, VERCEL_NAMES), `${source}.modelAttempts.providerAttempts`, 'served-by');
        result.errorSource = 'upstream';
      } else if (routing === undefined || attempts.length === 0) {
        result.errorSource = 'gateway';
      }
    }
    const servedModel = text(own(success, 'providerApiModelId'));
    const fellBack = attempts.length > 0 ? successIndex > 0 || (successIndex < 0 && attempts.length > 1) : undefined;
    const plannedModel = fellBack ? undefined : text(own(routing, 'resolvedProviderApiModelId'));
    if (servedModel) {
      result.responseModel = { value: servedModel, signal: signal(`${source}.attempts.providerApiModelId`, 'served-by') };
    } else if (plannedModel) {
      result.responseModel = { value: plannedModel, signal: signal(`${source}.resolvedProviderApiModelId`, 'served-by') };
    }
    result.vendorModel = result.responseModel?.value ?? text(own(routing, 'canonicalSlug')) ?? context.requestModel;
    const requestId =
      text(context.body.generationId) ??
      text(own(gateway, 'generationId')) ??
      (context.body.id?.startsWith('gen_') ? text(context.body.id) : undefined);
    if (requestId) result.requestId = requestId;
    const attemptCount = integer(own(routing, 'totalProviderAttemptCount')) ?? (attempts.length > 0 ? attempts.length : undefined);
    if (attemptCount !== undefined && attemptCount > 0) result.attempts = attemptCount;
    if (fellBack !== undefined) result.fallback = fellBack;
    const cost = amount(own(gateway, 'cost'));
    if (cost !== undefined) result.cost = cost;
    return result;
  },
  policyKeys: ['providerOptions'],
  policy(request) {
    const gateway = own(own(request.body, 'providerOptions'), 'gateway');
    if (!isObject(gateway)) return undefined;
    const picked: JsonObject = {};
    for (const key of ['order', 'only', 'models']) {
      const value = own(gateway, key);
      if (value !== undefined) picked[key] = value;
    }
    return Object.keys(picked).length > 0 ? { providerOptions: { gateway: picked } } : undefined;
  },
};
