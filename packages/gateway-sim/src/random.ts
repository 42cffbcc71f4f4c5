/** A deterministic random source (mulberry32), so a seed reproduces ids and weighted choices. */
export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
  /** `length` characters drawn from `alphabet`. */
  string(length: number, alphabet?: string): string;
  hex(length: number): string;
  uuid(): string;
}

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** Creates a random source from a 32-bit seed. */
export function createRandom(seed: number): Random {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
  const string = (length: number, alphabet = ALPHANUMERIC): string => {
    let result = '';
    for (let index = 0; index < length; index += 1) result += alphabet[Math.floor(next() * alphabet.length)];
    return result;
  };
  const hex = (length: number): string => string(length, '0123456789abcdef');
  const uuid = (): string => `${hex(8)}-${hex(4)}-4${hex(3)}-${'89ab'[Math.floor(next() * 4)]}${hex(3)}-${hex(12)}`;
  return { next, string, hex, uuid };
}

/** Mixes strings and numbers into a 32-bit seed (FNV-1a), so each request gets its own stream. */
export function hashSeed(...parts: Array<string | number>): number {
  let hash = 0x811c9dc5;
  for (const part of parts) {
    const text = `${part}|`;
    for (let index = 0; index < text.length; index += 1) {
      hash ^= text.charCodeAt(index);
      hash = Math.imul(hash, 0x01000193) >>> 0;
    }
  }
  return hash >>> 0;
}
