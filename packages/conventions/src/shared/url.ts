/**
 * URL helpers shared by the derivation rules and the plugins. String work only: they run on
 * every call, never throw, and never keep a query string (Azure puts keys there).
 */

import { createBoundedMemo } from './memo';

const MAX_URL_LENGTH = 8192;
const MAX_PATH_LENGTH = 4096;

// Split by hand rather than with `new URL`: several times faster, never throws, and still reads
// recorded or templated URLs such as `https://bedrock-runtime.<AWS_REGION>.amazonaws.com/…`.
const URL_PARTS = /^(?:[a-z][a-z0-9+.-]*:)?\/\/([^/?#]*)([^?#]*)/i;
const SCHEMELESS_PARTS = /^([^/?#]*)([^?#]*)/;

/** Host and path of a URL; see {@link splitUrl}. */
export interface UrlParts {
  /** Lower-case host without user info or port. */
  host?: string;
  /** Path without query or fragment, at most 4096 characters. */
  pathname: string;
}

function hrefOf(url: unknown): string | undefined {
  if (typeof url === 'string') return url;
  if (url !== null && typeof url === 'object') {
    try {
      const href = (url as { href?: unknown }).href;
      return typeof href === 'string' ? href : undefined;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

// Endpoints repeat call after call. The split never reads the query or fragment, so the memo is
// keyed without them, and URLs with user info are never remembered: no key or credential is kept.
const SPLIT = createBoundedMemo<UrlParts>(256, 1024);

/** Host (lower-case, no user info or port) and path of a URL, without its query. Never throws. */
export function splitUrl(url: unknown): UrlParts {
  const href = hrefOf(url);
  if (href === undefined) return { pathname: '' };
  const query = href.indexOf('?');
  const fragment = href.indexOf('#');
  const end = query === -1 ? fragment : fragment === -1 ? query : Math.min(query, fragment);
  const key = end === -1 ? href : href.slice(0, end);
  if (key.length <= 1024 && !key.includes('@')) {
    const parts = SPLIT.get(key, splitHref);
    // A copy: callers own what they get.
    return parts.host === undefined ? { pathname: parts.pathname } : { host: parts.host, pathname: parts.pathname };
  }
  return splitHref(href);
}

function splitHref(href: string): UrlParts {
  const trimmed = href.length > MAX_URL_LENGTH ? href.slice(0, MAX_URL_LENGTH).trim() : href.trim();
  const match = URL_PARTS.exec(trimmed) ?? (trimmed.startsWith('/') ? null : SCHEMELESS_PARTS.exec(trimmed));
  if (!match) return { pathname: (trimmed.split(/[?#]/, 1)[0] ?? '').slice(0, MAX_PATH_LENGTH) };
  let host = match[1] ?? '';
  const at = host.lastIndexOf('@');
  if (at >= 0) host = host.slice(at + 1);
  if (host.startsWith('[')) host = host.slice(0, host.indexOf(']') + 1);
  else {
    const colon = host.lastIndexOf(':');
    if (colon >= 0) host = host.slice(0, colon);
  }
  const pathname = (match[2] ?? '').slice(0, MAX_PATH_LENGTH);
  return host.length > 0 ? { host: host.toLowerCase(), pathname } : { pathname };
}

/**
 * The URL without query string, fragment or credentials (`user:pass@`), for recording. String
 * work only; `undefined` for anything that is not a string or URL. Never throws.
 *
 * @example sanitizeUrl('https://u:p@r.openai.azure.com/openai/deployments/d?api-key=K') // 'https://r.openai.azure.com/openai/deployments/d'
 */
export function sanitizeUrl(url: unknown): string | undefined {
  const raw = hrefOf(url);
  if (raw === undefined) return undefined;
  const bounded = raw.length > MAX_URL_LENGTH ? raw.slice(0, MAX_URL_LENGTH) : raw;
  let end = bounded.length;
  const query = bounded.indexOf('?');
  if (query !== -1) end = query;
  const fragment = bounded.indexOf('#');
  if (fragment !== -1 && fragment < end) end = fragment;
  let clean = end === bounded.length ? bounded : bounded.slice(0, end);
  const at = clean.indexOf('@');
  if (at !== -1) {
    const authorityStart = clean.indexOf('//');
    const pathStart = authorityStart === -1 ? -1 : clean.indexOf('/', authorityStart + 2);
    if (authorityStart !== -1 && at > authorityStart && (pathStart === -1 || at < pathStart)) {
      clean = clean.slice(0, authorityStart + 2) + clean.slice(at + 1);
    } else if (authorityStart === -1 && (pathStart === -1 || at < clean.indexOf('/'))) {
      // A scheme-less `user:pass@host/…`.
      const slash = clean.indexOf('/');
      if (slash === -1 || at < slash) clean = clean.slice(at + 1);
    }
  }
  return clean;
}
