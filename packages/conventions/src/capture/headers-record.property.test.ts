import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createHeaderLookup, createLowerCaseHeaderLookup, headerMapOf as headersRecord, LowerCaseHeaderMap, MAX_HEADER_VALUE_LENGTH, MAX_HEADERS } from '../headers';

// What the capture's header map must equal: undici's raw `[name, value, …]` buffers decoded as
// UTF-8, names lower-cased, repeats joined with `, `, bounded as the derivation's lookups are.
function expected(raw: Buffer[]): Map<string, string> {
  const map = new Map<string, string>();
  for (let index = 0; index + 1 < Math.min(raw.length, 2 * MAX_HEADERS); index += 2) {
    const name = raw[index]!.toString('utf8');
    if (name.length === 0 || name.length > 256) continue;
    const key = name.toLowerCase();
    const value = raw[index + 1]!.toString('utf8').slice(0, MAX_HEADER_VALUE_LENGTH);
    const existing = map.get(key);
    if (existing === undefined) {
      if (map.size < MAX_HEADERS) map.set(key, value);
    } else if (existing.length < MAX_HEADER_VALUE_LENGTH) {
      map.set(key, `${existing}, ${value}`.slice(0, MAX_HEADER_VALUE_LENGTH));
    }
  }
  return map;
}

// Names that collide in the raw-name cache (same length, same first and last byte), names with
// bytes that are not ASCII, and the names gateways really send.
const nameBytes = fc.oneof(
  fc.constantFrom('x-provider', 'x-pro1ider', 'x-prov-der', 'X-Provider', 'x-litellm-model-api-base', 'x-litellm-model-api-bas2', 'cf-aig-provider', 'cf-aig-pr0vider', 'content-type').map((name) => Buffer.from(name)),
  fc.uint8Array({ minLength: 1, maxLength: 12 }).map((bytes) => Buffer.from(bytes)),
  fc.string({ minLength: 1, maxLength: 12 }).map((text) => Buffer.from(text)),
  fc.constantFrom(Buffer.from([0x78, 0xff, 0x79]), Buffer.from([0x78, 0xc3, 0xa9, 0x79]), Buffer.from([0x78, 0xe9, 0x00, 0x79])),
);
const valueBytes = fc.oneof(fc.string({ maxLength: 20 }).map((text) => Buffer.from(text)), fc.uint8Array({ maxLength: 20 }).map((bytes) => Buffer.from(bytes)));
const rawHeaders = fc.array(fc.tuple(nameBytes, valueBytes), { maxLength: 24 }).map((pairs) => pairs.flat());

describe('headersRecord over undici raw header buffers (property)', () => {
  it('equals a plain decode of every response, however names collide in the name cache', () => {
    // Several responses in a row share the process-wide name cache, as calls do.
    fc.assert(
      fc.property(fc.array(rawHeaders, { minLength: 1, maxLength: 6 }), (responses) => {
        for (const raw of responses) {
          const record = headersRecord(raw);
          expect(record).toBeInstanceOf(LowerCaseHeaderMap);
          expect([...record]).toEqual([...expected(raw)]);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('is adopted by the derivation lookup as it is', () => {
    const record = headersRecord([Buffer.from('X-Generation-Id'), Buffer.from('gen-1'), Buffer.from('Content-Type'), Buffer.from('application/json')]);
    const lookup = createLowerCaseHeaderLookup(record);
    expect(lookup.get('x-generation-id')).toBe('gen-1');
    expect(lookup.size).toBe(2);
    expect(lookup.names()).toEqual(['x-generation-id', 'content-type']);
  });

  it('leaves credential headers out without decoding them, and bounds count and value length', () => {
    const many: Buffer[] = [];
    for (let index = 0; index < MAX_HEADERS + 50; index += 1) many.push(Buffer.from(`x-h${index}`), Buffer.from('v'));
    expect(headersRecord(many).size).toBe(MAX_HEADERS);
    const long = headersRecord([Buffer.from('x-long'), Buffer.from('a'.repeat(10_000)), Buffer.from('x-long'), Buffer.from('b')]);
    expect(long.get('x-long')!.length).toBe(MAX_HEADER_VALUE_LENGTH);
    const kept = headersRecord(['Authorization', 'Bearer sk-secret', 'x-portkey-config', '{}'], (name) => name === 'authorization');
    expect([...kept]).toEqual([['x-portkey-config', '{}']]);
  });

  it('reads Node header objects and Headers exactly as the derivation lookups do (one conversion)', () => {
    const value = fc.oneof(fc.string({ maxLength: 12 }), fc.integer(), fc.array(fc.oneof(fc.string({ maxLength: 8 }), fc.constant(null), fc.integer()), { maxLength: 40 }));
    const names = fc.oneof(fc.constantFrom('set-cookie', 'X-Provider', 'x-provider', 'content-type'), fc.string({ minLength: 1, maxLength: 10 }));
    fc.assert(
      fc.property(fc.dictionary(names, value, { maxKeys: 12 }), (object) => {
        const lookup = createHeaderLookup(object as Record<string, string>);
        const record = headersRecord(object);
        expect([...record.keys()]).toEqual(lookup.names());
        for (const name of record.keys()) expect(record.get(name)).toBe(lookup.get(name));
      }),
      { numRuns: 2000 },
    );
  });
});
