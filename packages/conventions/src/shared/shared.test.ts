import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from './canonical-json';
import { own, pathOf } from './json';
import { createBoundedMemo } from './memo';
import { sha256Hex } from './sha256';
import { sanitizeUrl, splitUrl } from './url';

describe('sha256Hex', () => {
  it('matches node:crypto on the standard vectors', () => {
    expect(sha256Hex('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('matches node:crypto on arbitrary text, every padding length and multi-byte characters', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (input) => {
        expect(sha256Hex(input)).toBe(createHash('sha256').update(input, 'utf8').digest('hex'));
      }),
      { numRuns: 2_000 },
    );
  });
});

describe('canonicalJson', () => {
  it('sorts keys at every depth and drops secret-named keys', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 1, y: 2 }], c: 'x' }, api_key: 'K', Authorization: 'B' })).toBe(
      '{"a":{"c":"x","d":[1,{"y":2,"z":1}]},"b":1}',
    );
  });

  it('keeps prototype names as ordinary keys and never throws', () => {
    const parsed = JSON.parse('{"__proto__":{"x":1},"constructor":"c"}') as unknown;
    expect(canonicalJson(parsed)).toBe('{"__proto__":{"x":1},"constructor":"c"}');
    fc.assert(fc.property(fc.jsonValue(), (value) => void canonicalJson(value)), { numRuns: 2_000 });
  });
});

describe('own-key readers', () => {
  it('never return inherited members', () => {
    expect(own({}, 'constructor')).toBeUndefined();
    expect(own({}, 'toString')).toBeUndefined();
    expect(pathOf({ a: {} }, 'a', '__proto__')).toBeUndefined();
  });
});

describe('sanitizeUrl and splitUrl', () => {
  it.each([
    ['https://u:p@r.openai.azure.com/openai/deployments/d?api-key=K#f', 'https://r.openai.azure.com/openai/deployments/d'],
    ['http://127.0.0.1:4000/v1/chat/completions', 'http://127.0.0.1:4000/v1/chat/completions'],
    ['user:secret@host.example/v1?key=1', 'host.example/v1'],
  ])('%s → %s', (input, output) => {
    expect(sanitizeUrl(input)).toBe(output);
  });

  it('never keeps credentials or the query, whatever the input', () => {
    fc.assert(
      fc.property(fc.webUrl({ withQueryParameters: true, withFragments: true }), fc.string({ maxLength: 20 }), (url, secret) => {
        const withSecret = url.replace('://', () => `://user:S3CR3T${secret.replace(/[@/?#:\\]/g, '')}@`);
        const clean = sanitizeUrl(`${withSecret}?api-key=S3CR3T`) ?? '';
        expect(clean).not.toContain('S3CR3T');
        expect(splitUrl(clean).host).toBe(splitUrl(url).host);
      }),
      { numRuns: 2_000 },
    );
  });
});

describe('createBoundedMemo', () => {
  it('computes once per key and stays bounded', () => {
    const memo = createBoundedMemo<number>(4, 8);
    let calls = 0;
    const compute = (key: string) => {
      calls++;
      return key.length;
    };
    memo.get('a', compute);
    memo.get('a', compute);
    expect(calls).toBe(1);
    for (const key of ['b', 'c', 'd', 'e', 'f']) memo.get(key, compute);
    memo.get('a', compute);
    expect(calls).toBe(7);
    memo.get('a-very-long-key', compute);
    memo.get('a-very-long-key', compute);
    expect(calls).toBe(9);
  });
});
