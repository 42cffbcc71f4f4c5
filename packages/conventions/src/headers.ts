import type { HeadersLike } from './types';

/** Case-insensitive, read-only view over response headers in any `HeadersLike` shape. */
export interface HeaderLookup {
  /** The value of a header (lower- or mixed-case name), or `undefined`. Arrays are joined with `, `. */
  get(name: string): string | undefined;
  /** `true` when the header is present. */
  has(name: string): boolean;
  /** Every header name present, lower-cased. */
  names(): string[];
}

// Bounds: a header map with thousands of entries or megabyte values must not cost more than this.
/** At most this many headers are read. @internal */
export const MAX_HEADERS = 512;
/** Header values are cut to this many characters. @internal */
export const MAX_HEADER_VALUE_LENGTH = 4096;
/** Longer header names are ignored. @internal */
export const MAX_HEADER_NAME_LENGTH = 256;

/**
 * Headers already in the lookups' own form: lower-case names, values joined and bounded as
 * {@link createHeaderLookup} would make them. The capture builds its headers this way, so the
 * derivation adopts the map instead of copying it once more per call. Read-only by convention.
 * @internal
 */
export class LowerCaseHeaderMap extends Map<string, string> {}

function toHeaderValue(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value.slice(0, MAX_HEADER_VALUE_LENGTH);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) {
    const parts: string[] = [];
    let length = 0;
    for (const part of value.slice(0, 32)) {
      const text = toHeaderValue(part);
      if (text === undefined) continue;
      parts.push(text);
      length += text.length;
      if (length > MAX_HEADER_VALUE_LENGTH) break;
    }
    return parts.length > 0 ? parts.join(', ').slice(0, MAX_HEADER_VALUE_LENGTH) : undefined;
  }
  return undefined;
}

// Header names repeat call after call (`Content-Type`, `X-Request-Id`): each is lower-cased once,
// and the same lower-case string comes back every time (its hash already computed for the map).
const LOWER_CASE_NAMES = new Map<string, string>();
const MAX_REMEMBERED_NAMES = 1024;

function lowerCaseName(name: string): string {
  let lower = LOWER_CASE_NAMES.get(name);
  if (lower === undefined) {
    lower = name.toLowerCase();
    if (LOWER_CASE_NAMES.size >= MAX_REMEMBERED_NAMES) LOWER_CASE_NAMES.clear();
    LOWER_CASE_NAMES.set(name, lower);
  }
  return lower;
}

// A name within the bounds, lower-cased; `undefined` for an empty or overlong one.
function boundedLowerCaseName(name: string): string | undefined {
  return name.length === 0 || name.length > MAX_HEADER_NAME_LENGTH ? undefined : lowerCaseName(name);
}

// One value under a lower-case name: cut to the bound, a repeat joined with `, ` (as fetch does).
function addHeaderValue(map: Map<string, string>, key: string, value: string, maxNames = Number.POSITIVE_INFINITY): void {
  const bounded = value.length > MAX_HEADER_VALUE_LENGTH ? value.slice(0, MAX_HEADER_VALUE_LENGTH) : value;
  const existing = map.get(key);
  if (existing === undefined) {
    if (map.size < maxNames) map.set(key, bounded);
  } else if (existing.length < MAX_HEADER_VALUE_LENGTH) {
    map.set(key, `${existing}, ${bounded}`.slice(0, MAX_HEADER_VALUE_LENGTH));
  }
}

// One header as any header source gives it (string, number, array of parts): the one conversion
// both the lookups and the capture's header map use. `leaveOut` skips a name before its value is read.
function addHeader(
  map: Map<string, string>,
  name: unknown,
  value: unknown,
  maxNames = Number.POSITIVE_INFINITY,
  leaveOut?: (lowerCaseName: string) => boolean,
): void {
  if (typeof name !== 'string') return;
  const key = boundedLowerCaseName(name);
  if (key === undefined || leaveOut?.(key)) return;
  const text = typeof value === 'string' ? value : toHeaderValue(value);
  if (text !== undefined) addHeaderValue(map, key, text, maxNames);
}

function collectHeaders(headers: unknown): Map<string, string> {
  if (headers instanceof LowerCaseHeaderMap) return headers;
  const map = new Map<string, string>();
  if (headers === null || typeof headers !== 'object') return map;
  try {
    const iterate = (headers as { [Symbol.iterator]?: unknown })[Symbol.iterator];
    if (typeof iterate === 'function') {
      // WHATWG Headers, Map and entry lists all iterate as [name, value] pairs.
      let count = 0;
      for (const entry of headers as Iterable<unknown>) {
        if (++count > MAX_HEADERS) break;
        if (Array.isArray(entry) && entry.length >= 2) addHeader(map, entry[0], entry[1]);
      }
      return map;
    }
    const names = Object.keys(headers);
    const limit = Math.min(names.length, MAX_HEADERS);
    const record = headers as Record<string, unknown>;
    for (let index = 0; index < limit; index++) {
      const name = names[index]!;
      const value = record[name];
      // The common case inline: a string value under a name of sane length, seen once.
      if (typeof value === 'string' && name.length > 0 && name.length <= MAX_HEADER_NAME_LENGTH) {
        const key = lowerCaseName(name);
        if (!map.has(key)) {
          map.set(key, value.length > MAX_HEADER_VALUE_LENGTH ? value.slice(0, MAX_HEADER_VALUE_LENGTH) : value);
          continue;
        }
      }
      addHeader(map, name, value);
    }
  } catch {
    // A hostile or half-built headers object yields whatever was read before it threw.
  }
  return map;
}

/**
 * Builds a case-insensitive lookup over `Headers`, plain objects (string, string[] or number
 * values, as Node's `IncomingHttpHeaders`) or `[name, value]` entry lists. Never throws; values
 * are bounded to 4 KiB and at most 512 headers are read.
 */
export function createHeaderLookup(headers: HeadersLike | undefined | null): HeaderLookup {
  const map = collectHeaders(headers);
  let names: string[] | undefined;
  return {
    get: (name) => map.get(name.toLowerCase()),
    has: (name) => map.has(name.toLowerCase()),
    names: () => (names ??= [...map.keys()]),
  };
}

/** A {@link HeaderLookup} that also says how many headers it holds. @internal */
export interface SizedHeaderLookup extends HeaderLookup {
  /** Number of distinct header names; rules skip their lookups when it is 0. */
  readonly size: number;
}

/**
 * Like {@link createHeaderLookup}, for callers that always ask with lower-case names (the
 * derivation rules do): lookups skip `toLowerCase`, which matters at forty lookups per call.
 * @internal
 */
export function createLowerCaseHeaderLookup(headers: HeadersLike | undefined | null): SizedHeaderLookup {
  return new LowerCaseHeaderLookup(collectHeaders(headers));
}

// Methods on the prototype: a lookup per call builds no closures.
class LowerCaseHeaderLookup implements SizedHeaderLookup {
  readonly size: number;
  private names_: string[] | undefined;

  constructor(private readonly map: Map<string, string>) {
    this.size = map.size;
  }

  get(name: string): string | undefined {
    return this.map.get(name);
  }

  has(name: string): boolean {
    return this.map.has(name);
  }

  names(): string[] {
    return (this.names_ ??= [...this.map.keys()]);
  }
}

/** Reads one header case-insensitively from any `HeadersLike`. */
export function readHeader(headers: HeadersLike | undefined | null, name: string): string | undefined {
  return createHeaderLookup(headers).get(name);
}

/**
 * Response headers with lower-case names (repeated headers joined with `, `), bounded as the
 * derivation's lookups bound them, from undici's raw `[name, value, …]` buffers, a `Headers`, or
 * Node's `IncomingHttpHeaders`: what the capture builds, and the derivation adopts as it is (see
 * {@link LowerCaseHeaderMap}). Copies into strings: no header buffer (a view into a socket read)
 * stays reachable. Headers whose lower-case name `leaveOut` accepts (credentials, for request
 * headers) are not copied at all.
 * @internal
 */
export function headerMapOf(headers: unknown, leaveOut?: (lowerCaseName: string) => boolean): LowerCaseHeaderMap {
  const record = new LowerCaseHeaderMap();
  try {
    if (Array.isArray(headers)) {
      const end = Math.min(headers.length, 2 * MAX_HEADERS);
      for (let index = 0; index + 1 < end; index += 2) {
        const name = headers[index] as unknown;
        const value = headers[index + 1] as unknown;
        if (name === undefined || value === undefined) continue;
        // undici's raw names are buffers of the same few names call after call: matched, not decoded.
        const key = typeof name === 'string' ? boundedLowerCaseName(name) : rawHeaderName(name);
        if (key === undefined) continue;
        // A left-out header's value is not even decoded.
        if (leaveOut?.(key)) continue;
        if (Array.isArray(value)) {
          for (const part of value) addHeaderValue(record, key, rawText(part), MAX_HEADERS);
        } else {
          addHeaderValue(record, key, typeof value === 'string' ? value : rawText(value), MAX_HEADERS);
        }
      }
    } else if (typeof Headers !== 'undefined' && headers instanceof Headers) {
      headers.forEach((value, name) => addHeader(record, name, value, MAX_HEADERS, leaveOut));
    } else if (headers !== null && typeof headers === 'object') {
      const names = Object.keys(headers);
      const end = Math.min(names.length, MAX_HEADERS);
      for (let index = 0; index < end; index += 1) {
        const name = names[index]!;
        addHeader(record, name, (headers as Record<string, unknown>)[name], MAX_HEADERS, leaveOut);
      }
    }
  } catch {
    // A hostile or half-built headers object yields whatever was read before it threw.
  }
  return record;
}

interface RawHeaderBytes {
  utf8Slice?(start: number, end: number): string;
  length: number;
}

// undici's raw header values are Buffers: decoded as UTF-8, as `String(buffer)` does, without
// `Buffer#toString`'s argument handling (two dozen of them per response).
function rawText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof Buffer === 'function' && value instanceof Buffer && typeof (value as RawHeaderBytes).utf8Slice === 'function') {
    return (value as RawHeaderBytes).utf8Slice!(0, (value as RawHeaderBytes).length);
  }
  return String(value);
}

// Raw names seen before, by length and first and last byte: the bytes are compared with the name
// as it was sent, so a known name costs no string of its own (bounded, cleared when full).
interface KnownRawName {
  readonly sent: string;
  readonly lower: string;
}
const KNOWN_RAW_NAMES = new Map<number, KnownRawName[]>();
let knownRawNameCount = 0;
const MAX_NAMES_PER_SLOT = 4;

function rawHeaderName(name: unknown): string | undefined {
  if (!(name instanceof Uint8Array)) return boundedLowerCaseName(String(name));
  const length = name.length;
  if (length === 0 || length > MAX_HEADER_NAME_LENGTH) return undefined;
  const slot = length * 65536 + name[0]! * 256 + name[length - 1]!;
  const candidates = KNOWN_RAW_NAMES.get(slot);
  if (candidates !== undefined) {
    for (const candidate of candidates) {
      const sent = candidate.sent;
      let same = true;
      for (let index = 1; index < length - 1; index += 1) {
        if (sent.charCodeAt(index) !== name[index]) {
          same = false;
          break;
        }
      }
      if (same) return candidate.lower;
    }
  }
  const sent = rawText(name);
  const lower = boundedLowerCaseName(sent);
  if (lower === undefined) return undefined;
  // Only names whose characters are their bytes (ASCII, as HTTP tokens are) can be matched byte for byte.
  if (sent.length === length && (candidates?.length ?? 0) < MAX_NAMES_PER_SLOT) {
    if (knownRawNameCount >= MAX_REMEMBERED_NAMES) {
      KNOWN_RAW_NAMES.clear();
      knownRawNameCount = 0;
    }
    const list = KNOWN_RAW_NAMES.get(slot);
    if (list) list.push({ sent, lower });
    else KNOWN_RAW_NAMES.set(slot, [{ sent, lower }]);
    knownRawNameCount += 1;
  }
  return lower;
}
