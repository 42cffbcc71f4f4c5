/**
 * A bounded memo for pure functions over strings: answers repeat call after call (one endpoint,
 * one model per deployment), so each is computed once. Holds no per-call state; cleared
 * wholesale when full, so memory stays bounded under hostile input.
 */
export interface BoundedMemo<V> {
  /** The remembered answer for `key`, computing it on first use. Keys longer than the bound are never stored. */
  get(key: string, compute: (key: string) => V): V;
  /** Forgets every answer. */
  clear(): void;
}

/**
 * Creates a {@link BoundedMemo} holding at most `maxEntries` answers for keys of at most
 * `maxKeyLength` characters (longer keys are computed every time, never kept).
 */
export function createBoundedMemo<V>(maxEntries: number, maxKeyLength = 1024): BoundedMemo<V> {
  const entries = new Map<string, V>();
  return {
    get(key, compute) {
      if (key.length > maxKeyLength) return compute(key);
      // One lookup on a hit; `has` only to tell a remembered `undefined` from a miss.
      const known = entries.get(key);
      if (known !== undefined || entries.has(key)) return known as V;
      const value = compute(key);
      if (entries.size >= maxEntries) entries.clear();
      entries.set(key, value);
      return value;
    },
    clear() {
      entries.clear();
    },
  };
}
