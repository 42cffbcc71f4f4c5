/**
 * Canonical JSON for routing policies (DESIGN.md §2.6): object keys sorted, secrets dropped,
 * depth, breadth and string lengths bounded.
 */
import { isObject } from './json';

/** Keys whose values are never recorded, whatever object they sit in (`api_key`, `apiKey`, `virtual_key`, `x-api-key`, tokens, passwords). */
export const SECRET_KEY = /(?:^|[^a-z])key|key$|apikey|secret|token|passw|authorization|credential|cookie|signature/i;

const MAX_DEPTH = 6;
const MAX_ENTRIES = 32;
const MAX_STRING = 128;

function canonicalValue(value: unknown, depth: number): unknown {
  if (value === null || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'string') return value.slice(0, MAX_STRING);
  if (depth >= MAX_DEPTH) return undefined;
  if (Array.isArray(value)) {
    const items: unknown[] = [];
    for (const item of value.slice(0, MAX_ENTRIES)) {
      const canonical = canonicalValue(item, depth + 1);
      if (canonical !== undefined) items.push(canonical);
    }
    return items;
  }
  if (!isObject(value)) return undefined;
  const keys = Object.keys(value).slice(0, MAX_ENTRIES * 4).filter((key) => !SECRET_KEY.test(key)).sort();
  const result: Record<string, unknown> = {};
  let count = 0;
  for (const key of keys) {
    if (count >= MAX_ENTRIES) break;
    const canonical = canonicalValue(value[key], depth + 1);
    if (canonical === undefined) continue;
    // Defined as data: a key named `__proto__` stays an ordinary key.
    Object.defineProperty(result, key, { value: canonical, enumerable: true, writable: true, configurable: true });
    count++;
  }
  return result;
}

/** Canonical JSON text of `value` (keys sorted, secrets dropped), or `undefined` when nothing is left. */
export function canonicalJson(value: unknown): string | undefined {
  const canonical = canonicalValue(value, 0);
  if (canonical === undefined || (isObject(canonical) && Object.keys(canonical).length === 0)) return undefined;
  return JSON.stringify(canonical);
}
