/**
 * Guards and readers for untrusted JSON-like values. Every lookup is an own-key lookup:
 * `constructor`, `__proto__` or `toString` in input are ordinary unknown names.
 */

/** A plain JSON object (not an array, not `null`). */
export type JsonObject = Record<string, unknown>;

/** `true` for a non-null, non-array object. */
export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The own property `key` of `value`, or `undefined` (never an inherited one). */
export function own(value: unknown, key: string): unknown {
  return isObject(value) && Object.hasOwn(value, key) ? value[key] : undefined;
}

/** Follows own keys and array indexes; `undefined` as soon as a step is missing. */
export function pathOf(value: unknown, ...keys: (string | number)[]): unknown {
  let current = value;
  for (const key of keys) {
    if (typeof key === 'number') {
      if (!Array.isArray(current)) return undefined;
      current = current[key];
    } else {
      current = own(current, key);
    }
    if (current === undefined) return undefined;
  }
  return current;
}

/** Longest string any attribution field carries; longer values are cut. */
export const MAX_ROUTE_VALUE_LENGTH = 256;

/** A trimmed, non-empty string bounded to {@link MAX_ROUTE_VALUE_LENGTH}, else `undefined`. */
export function text(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const trimmed = (value.length > 4 * MAX_ROUTE_VALUE_LENGTH ? value.slice(0, 4 * MAX_ROUTE_VALUE_LENGTH) : value).trim();
  return trimmed.length > 0 ? trimmed.slice(0, MAX_ROUTE_VALUE_LENGTH) : undefined;
}

/** A non-negative integer below one million from a number or a numeric string, else `undefined`. */
export function integer(value: unknown): number | undefined {
  const number = typeof value === 'string' ? (value.length > 32 ? Number.NaN : Number(value.trim())) : value;
  return typeof number === 'number' && Number.isInteger(number) && number >= 0 && number < 1e6 ? number : undefined;
}

/** A finite non-negative number (a cost in USD) from a number or a numeric string, else `undefined`. */
export function amount(value: unknown): number | undefined {
  if (typeof value === 'string' && (value.length === 0 || value.length > 32)) return undefined;
  const number = typeof value === 'string' ? Number(value.trim()) : value;
  return typeof number === 'number' && Number.isFinite(number) && number >= 0 && number < 1e9 ? number : undefined;
}

/** Reads a key from a lookup table built as a `Map` (own keys only by construction). */
export function lookup<V>(table: ReadonlyMap<string, V>, key: string | undefined): V | undefined {
  return key === undefined ? undefined : table.get(key);
}
