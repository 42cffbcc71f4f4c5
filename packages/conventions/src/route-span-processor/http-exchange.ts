import type { Attributes } from '@opentelemetry/api';
import { stringAttribute } from './peer-spans';

/** What an HTTP client instrumentation recorded about one exchange. */
export interface HttpExchangeFacts {
  /** `url.full` (query strings are dropped before derivation, never recorded). */
  url?: string;
  /** `http.response.header.<name>` values, lower-case names, first value of each. */
  responseHeaders: Array<[string, string]>;
  /** `http.response.status_code`. */
  status?: number;
}

const HEADER_PREFIX = 'http.response.header.';
const MAX_HEADERS = 64;
const MAX_HEADER_VALUE = 4096;
const MAX_KEYS_SCANNED = 512;

/** `true` for an HTTP client span at its start (`@opentelemetry/instrumentation-undici`, `-http`). */
export function isHttpClientSpan(attributes: Attributes): boolean {
  return attributes['http.request.method'] !== undefined && (attributes['url.full'] !== undefined || attributes['server.address'] !== undefined);
}

/**
 * The captured response headers (semconv `http.response.header.<name>`: a string array, or a
 * string from older instrumentations), URL and status on a span; `undefined` when it has none.
 * Bounded: at most 64 headers, 4 KiB each, from the first 512 attribute keys.
 */
export function httpExchangeOf(attributes: Attributes): HttpExchangeFacts | undefined {
  const responseHeaders: Array<[string, string]> = [];
  let scanned = 0;
  for (const key in attributes) {
    if (++scanned > MAX_KEYS_SCANNED || responseHeaders.length >= MAX_HEADERS) break;
    if (!key.startsWith(HEADER_PREFIX) || !Object.prototype.hasOwnProperty.call(attributes, key)) continue;
    const name = key.slice(HEADER_PREFIX.length).toLowerCase();
    if (name.length === 0) continue;
    const raw = attributes[key];
    const value = Array.isArray(raw) ? raw.find((item) => typeof item === 'string') : raw;
    if (typeof value !== 'string' || value.length === 0) continue;
    responseHeaders.push([name, value.length > MAX_HEADER_VALUE ? value.slice(0, MAX_HEADER_VALUE) : value]);
  }
  const url = stringAttribute(attributes, 'url.full');
  const statusValue = attributes['http.response.status_code'];
  const status = typeof statusValue === 'number' && Number.isInteger(statusValue) ? statusValue : undefined;
  if (responseHeaders.length === 0 && url === undefined) return undefined;
  return { responseHeaders, ...(url ? { url } : {}), ...(status !== undefined ? { status } : {}) };
}
