import * as zlib from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createByteTail, createLookAhead, lookAheadCoding } from './look-ahead';

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: false });

type Coding = 'identity' | 'gzip' | 'deflate' | 'deflate-raw' | 'br';

function encode(bytes: Uint8Array, coding: Coding): Uint8Array {
  switch (coding) {
    case 'gzip':
      return zlib.gzipSync(bytes);
    case 'deflate':
      return zlib.deflateSync(bytes);
    case 'deflate-raw':
      return zlib.deflateRawSync(bytes);
    case 'br':
      return zlib.brotliCompressSync(bytes);
    default:
      return bytes;
  }
}

function headerOf(coding: Coding): string | undefined {
  if (coding === 'identity') return undefined;
  return coding === 'deflate-raw' ? 'deflate' : coding;
}

/** Splits bytes at the given cut points (any order, any duplicates). */
function split(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((cut) => cut % (bytes.byteLength + 1)))].sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let start = 0;
  for (const point of [...points, bytes.byteLength]) {
    if (point > start) chunks.push(bytes.subarray(start, point));
    start = Math.max(start, point);
  }
  return chunks;
}

/** Feeds chunks, ends, and resolves with the prefix once it is final. */
function run(chunks: Uint8Array[], limit: number, contentEncoding: string | undefined, end: 'end' | 'abandon' = 'end'): Promise<string> {
  return new Promise((resolve) => {
    const lookAhead = createLookAhead({ limit, contentEncoding, onSettled: () => resolve(lookAhead.text()) });
    for (const chunk of chunks) lookAhead.push(chunk);
    if (end === 'end') lookAhead.end();
    else lookAhead.abandon();
  });
}

describe('createLookAhead', () => {
  it.each<Coding>(['identity', 'gzip', 'deflate', 'deflate-raw', 'br'])('keeps the decoded prefix of a %s body, one byte at a time', async (coding) => {
    const text = `data: {"provider":"Together","model":"m","€":"ü"}\n\n`.repeat(40);
    const wire = encode(encoder.encode(text), coding);
    const oneByteChunks = Array.from(wire, (byte) => Uint8Array.of(byte));
    expect(await run(oneByteChunks, 1 << 20, headerOf(coding))).toBe(text);
    expect(await run(oneByteChunks, 100, headerOf(coding))).toBe(decoder.decode(encoder.encode(text).subarray(0, 100)));
  });

  it('decodes a multi-byte character split across 1-byte chunks exactly once', async () => {
    const text = '€🙂ü'.repeat(10);
    const bytes = encoder.encode(text);
    expect(await run(Array.from(bytes, (byte) => Uint8Array.of(byte)), 1024, undefined)).toBe(text);
  });

  it('copies what it keeps: changing or dropping the caller chunk afterwards changes nothing', async () => {
    const chunk = encoder.encode('{"provider":"Together"}');
    const lookAhead = createLookAhead({ limit: 64 });
    lookAhead.push(chunk);
    chunk.fill(0x20);
    lookAhead.end();
    expect(lookAhead.text()).toBe('{"provider":"Together"}');
  });

  it('keeps only the bound of one huge chunk', async () => {
    const huge = new Uint8Array(8 * 1024 * 1024).fill(0x61);
    const lookAhead = createLookAhead({ limit: 1024 });
    lookAhead.push(huge);
    expect(lookAhead.size).toBe(1024);
    expect(lookAhead.open).toBe(false);
  });

  it('gives up cleanly on corrupt compressed data, keeping what decoded before the damage', async () => {
    const text = 'data: {"provider":"Together"}\n\n'.repeat(2000);
    const wire = zlib.gzipSync(encoder.encode(text));
    const corrupt = wire.slice();
    // Damage the middle of the deflate stream.
    for (let index = wire.byteLength >> 1; index < (wire.byteLength >> 1) + 16; index += 1) corrupt[index] = 0xff ^ corrupt[index]!;
    const prefix = await run(split(corrupt, [10, 50, 400]), 1 << 20, 'gzip');
    // Damage may decode to garbage before zlib notices; what came before it is intact, and the prefix stays bounded.
    expect(prefix.slice(0, 200)).toBe(text.slice(0, 200));
    expect(encoder.encode(prefix).byteLength).toBeLessThanOrEqual(1 << 20);
    expect(await run([encoder.encode('not gzip at all')], 1024, 'gzip')).toBe('');
  });

  it('stops a decompression bomb at the bound', async () => {
    const bomb = zlib.gzipSync(new Uint8Array(64 * 1024 * 1024));
    const prefix = await run(split(bomb, [100, 1000, 5000]), 4096, 'gzip');
    expect(prefix.length).toBe(4096);
  });

  it('keeps nothing for codings it cannot decode, and settles at once', async () => {
    expect(lookAheadCoding('gzip, br')).toBeUndefined();
    expect(lookAheadCoding('compress')).toBeUndefined();
    expect(await run([encoder.encode('abc')], 1024, 'gzip, br')).toBe('');
  });

  it('settles once when abandoned mid-decompression', async () => {
    let settled = 0;
    const lookAhead = createLookAhead({ limit: 1 << 20, contentEncoding: 'br', onSettled: () => (settled += 1) });
    lookAhead.push(zlib.brotliCompressSync(encoder.encode('x'.repeat(100_000))).subarray(0, 20));
    lookAhead.abandon();
    lookAhead.end();
    lookAhead.abandon();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(settled).toBe(1);
  });
});

describe('createLookAhead properties', () => {
  const coding = fc.constantFrom<Coding>('identity', 'gzip', 'deflate', 'deflate-raw', 'br');

  it('yields exactly the decoded prefix up to the bound, whatever the chunking', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.string({ unit: 'grapheme', maxLength: 3000 }), fc.uint8Array({ maxLength: 3000 }).map((bytes) => decoder.decode(bytes))),
        coding,
        fc.array(fc.nat(), { maxLength: 40 }),
        fc.integer({ min: 1, max: 5000 }),
        async (text, chosen, cuts, limit) => {
          const bytes = encoder.encode(text);
          const wire = encode(bytes, chosen);
          // Like fetch, a deflate body whose first byte looks like a zlib header is read as zlib-wrapped.
          fc.pre(chosen !== 'deflate-raw' || wire.byteLength === 0 || (wire[0]! & 0x0f) !== 0x08);
          const prefix = await run(split(wire, cuts), limit, headerOf(chosen));
          expect(prefix).toBe(decoder.decode(bytes.subarray(0, limit)));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('never throws and always settles on hostile bytes under any coding header', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.uint8Array({ maxLength: 512 }), { maxLength: 20 }),
        fc.constantFrom('gzip', 'deflate', 'br', 'x-gzip', 'identity', 'zstd', 'bogus', undefined),
        fc.integer({ min: 0, max: 2048 }),
        fc.constantFrom<'end' | 'abandon'>('end', 'abandon'),
        async (chunks, encoding, limit, how) => {
          const prefix = await run(chunks, limit, encoding, how);
          expect(encoder.encode(prefix).byteLength).toBeLessThanOrEqual(Math.max(0, limit) * 3);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('createByteTail', () => {
  it('keeps the last bytes across chunk boundaries, copying them', () => {
    const tail = createByteTail(8);
    const chunk = encoder.encode('abcdefghij');
    tail.push(chunk.subarray(0, 3));
    tail.push(chunk.subarray(3));
    chunk.fill(0x20);
    expect(tail.text()).toBe('cdefghij');
    tail.push(encoder.encode('XY'));
    expect(tail.text()).toBe('efghijXY');
  });

  it('matches the end of the concatenated input for any chunking', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 50 }), { maxLength: 30 }), fc.integer({ min: 1, max: 64 }), (chunks, limit) => {
        const tail = createByteTail(limit);
        for (const chunk of chunks) tail.push(chunk);
        const all = Buffer.concat(chunks);
        expect(tail.text()).toBe(decoder.decode(all.subarray(Math.max(0, all.byteLength - limit))));
      }),
      { numRuns: 500 },
    );
  });
});
