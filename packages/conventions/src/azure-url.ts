import { createBoundedMemo } from './shared/memo';
import type { AzureTarget } from './types';

const AZURE_OPENAI_HOST = /^([a-z0-9-]+)\.(openai\.azure\.com|cognitiveservices\.azure\.com|openai\.azure\.us)$/;
const AZURE_SERVICES_HOST = /^([a-z0-9-]+)\.services\.ai\.azure\.com$/;
const AZURE_MODELS_HOST = /^([a-z0-9-]+)\.(?:[a-z0-9-]+\.)?models\.ai\.azure\.com$/;
const MAX_URL_LENGTH = 8192;
const MAX_SEGMENT_LENGTH = 256;

/** Parses a URL without ever throwing; strings without a scheme are read as https. */
export function safeParseUrl(url: string | URL | undefined | null): URL | undefined {
  try {
    if (url instanceof URL) return url;
    if (typeof url !== 'string') {
      // Other realms' URL objects and URL-likes stringify to their href.
      if (url !== null && typeof url === 'object' && typeof (url as { href?: unknown }).href === 'string') {
        return safeParseUrl((url as { href: string }).href);
      }
      return undefined;
    }
    const trimmed = url.trim().slice(0, MAX_URL_LENGTH);
    if (trimmed.length === 0) return undefined;
    return new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? trimmed : `https://${trimmed}`);
  } catch {
    return undefined;
  }
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment).slice(0, MAX_SEGMENT_LENGTH);
  } catch {
    return segment.slice(0, MAX_SEGMENT_LENGTH);
  }
}

function apiVersionOf(url: URL): string | undefined {
  const value = url.searchParams.get('api-version');
  // Only a version-shaped value is kept: a query string is never copied wholesale.
  return value && /^[0-9a-z.-]{1,64}$/i.test(value) ? value : undefined;
}

function operationOf(segments: string[]): string | undefined {
  const operation = segments.map(decodeSegment).join('/');
  return operation.length > 0 ? operation.slice(0, MAX_SEGMENT_LENGTH) : undefined;
}

/**
 * Reads an Azure OpenAI / AI Foundry request URL: classic `/openai/deployments/{d}/…` on
 * `*.openai.azure.com` and `*.cognitiveservices.azure.com`, the v1 routes `/openai/v1/…`,
 * and Foundry `/models/…` on `*.services.ai.azure.com`. The classic deployments path is also
 * recognised behind proxies (API Management, local simulators) on any host. Only `api-version`
 * is read from the query string; keys in it are never returned. Never throws.
 *
 * @example parseAzureUrl('https://res.openai.azure.com/openai/deployments/gpt-4o/chat/completions?api-version=2024-12-01-preview')
 * // { system: 'azure.ai.openai', route: 'deployments', resource: 'res', deployment: 'gpt-4o',
 * //   operation: 'chat/completions', apiVersion: '2024-12-01-preview', host: 'res.openai.azure.com' }
 */
export function parseAzureUrl(url: string | URL): AzureTarget | undefined {
  // Only URLs without user info whose query is at most a version-shaped `api-version` are
  // remembered: no credentials and no other query text (a key in the URL) stay in the cache.
  if (typeof url !== 'string' || url.length > MAX_CACHED_URL_LENGTH || !CACHEABLE_URL.test(url)) return parseUncached(url);
  const target = TARGETS.get(url, (key) => parseUncached(key) ?? null);
  // A copy: callers own what they get (every field is a string).
  return target === null ? undefined : { ...target };
}

// Azure URLs repeat per deployment: remember the answers (a pure-function cache, bounded, shared
// by all calls; it holds no per-call state), sparing a WHATWG URL parse per call.
const TARGETS = createBoundedMemo<AzureTarget | null>(256, 1024);
const MAX_CACHED_URL_LENGTH = 1024;
const CACHEABLE_URL = /^[^?#@]*(?:\?api-version=[0-9A-Za-z.-]{1,64})?$/;

function parseUncached(url: string | URL): AzureTarget | undefined {
  try {
    const parsed = safeParseUrl(url);
    if (!parsed) return undefined;
    const host = parsed.hostname.toLowerCase();
    const openaiHost = AZURE_OPENAI_HOST.exec(host);
    const servicesHost = AZURE_SERVICES_HOST.exec(host);
    const modelsHost = AZURE_MODELS_HOST.exec(host);
    const isAzureHost = Boolean(openaiHost || servicesHost || modelsHost);
    const resource = (openaiHost ?? servicesHost ?? modelsHost)?.[1];
    const segments = parsed.pathname.split('/').filter((segment) => segment.length > 0);
    const apiVersion = apiVersionOf(parsed);
    const common = {
      ...(resource ? { resource } : {}),
      ...(apiVersion ? { apiVersion } : {}),
      host,
    };

    for (let index = 0; index + 2 < segments.length; index++) {
      if (segments[index] === 'openai' && segments[index + 1] === 'deployments') {
        const deployment = decodeSegment(segments[index + 2] ?? '');
        const operation = operationOf(segments.slice(index + 3));
        return {
          system: 'azure.ai.openai',
          route: 'deployments',
          ...(deployment ? { deployment } : {}),
          ...(operation ? { operation } : {}),
          ...common,
        };
      }
    }
    if (!isAzureHost) return undefined;

    for (let index = 0; index + 1 < segments.length; index++) {
      if (segments[index] === 'openai' && segments[index + 1] === 'v1') {
        const operation = operationOf(segments.slice(index + 2));
        return { system: 'azure.ai.openai', route: 'v1', ...(operation ? { operation } : {}), ...common };
      }
    }
    const modelsIndex = segments.indexOf('models');
    if (modelsIndex >= 0 || modelsHost) {
      const operation = operationOf(modelsIndex >= 0 ? segments.slice(modelsIndex + 1) : segments);
      return { system: 'azure.ai.inference', route: 'models', ...(operation ? { operation } : {}), ...common };
    }
    if (openaiHost || servicesHost) {
      // A bare resource URL (a client's base URL): the family is known, the route is not yet;
      // OpenAI SDKs append `/deployments/{d}` per call, so classic is the likelier reading.
      const foundry = Boolean(servicesHost) && !segments.includes('openai');
      return {
        system: foundry ? 'azure.ai.inference' : 'azure.ai.openai',
        route: foundry ? 'models' : 'deployments',
        ...common,
      };
    }
    return undefined;
  } catch {
    return undefined;
  }
}
