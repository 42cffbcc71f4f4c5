/**
 * What the capture reads from the request side: the URL without secrets, the operation its path
 * names, and the model the body asks for. String work only: it runs on every captured call.
 */

import { sanitizeUrl } from '../shared/url';

// Longest model name read from a request body.
const MAX_MODEL_LENGTH = 256;

/** The URL without query string, fragment or credentials (the shared `sanitizeUrl`); `''` for nothing. */
export function urlWithoutSecrets(rawUrl: string): string {
  return sanitizeUrl(rawUrl) ?? '';
}

/** The GenAI operation a request path names: `embeddings`, `text_completion`, else `chat`. */
export function operationFromPath(pathname: string): string {
  if (/\/embeddings?\/?$/.test(pathname) || pathname.includes('/embed')) return 'embeddings';
  if (/\/completions\/?$/.test(pathname) && !pathname.includes('/chat/')) return 'text_completion';
  return 'chat';
}

/**
 * The top-level `"model"` string of a JSON object text, also when the text is cut short (a
 * bounded prefix of a large request body). Nested `model` keys (tool schemas, metadata) and
 * anything inside strings are skipped. `undefined` when there is none. Never throws.
 */
export function topLevelModel(json: string): string | undefined {
  let depth = 0;
  let index = 0;
  const length = json.length;
  while (index < length) {
    const code = json.charCodeAt(index);
    if (code === 0x22 /* " */) {
      const close = endOfString(json, index);
      if (close === -1) return undefined;
      if (depth === 1 && close - index - 1 === 5 && json.startsWith('model', index + 1)) {
        // A key if a colon follows; then its value if that is a string.
        let next = close + 1;
        while (next < length && isSpace(json.charCodeAt(next))) next += 1;
        if (json.charCodeAt(next) === 0x3a /* : */) {
          next += 1;
          while (next < length && isSpace(json.charCodeAt(next))) next += 1;
          if (json.charCodeAt(next) === 0x22) {
            const valueEnd = endOfString(json, next);
            if (valueEnd === -1) return undefined;
            const raw = json.slice(next + 1, valueEnd);
            const value = raw.includes('\\') ? unescapeJsonString(raw) : raw;
            return value && value.length > 0 && value.length <= MAX_MODEL_LENGTH ? value : undefined;
          }
        }
      }
      index = close + 1;
      continue;
    }
    if (code === 0x7b /* { */ || code === 0x5b /* [ */) depth += 1;
    else if (code === 0x7d /* } */ || code === 0x5d /* ] */) depth -= 1;
    index += 1;
  }
  return undefined;
}

function endOfString(json: string, open: number): number {
  let index = open + 1;
  while (index < json.length) {
    const code = json.charCodeAt(index);
    if (code === 0x5c /* \ */) index += 2;
    else if (code === 0x22) return index;
    else index += 1;
  }
  return -1;
}

function isSpace(code: number): boolean {
  return code === 0x20 || code === 0x0a || code === 0x0d || code === 0x09;
}

function unescapeJsonString(raw: string): string | undefined {
  try {
    const value: unknown = JSON.parse(`"${raw}"`);
    return typeof value === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}
