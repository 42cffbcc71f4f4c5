import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as zlib from 'node:zlib';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enableRouteCapture } from './observer';
import { runWithRouteCapture, type RouteCapture } from './storage';

// Real HTTP on loopback, hostile chunking and codings on the wire, plain fetch on the caller's side:
// the capture must never change what the caller gets, and its look-ahead must be the decoded prefix.
enableRouteCapture({ idleTimeoutMs: 500 });
const LOOK_AHEAD = 64 * 1024;
const NODE_MAJOR = Number(process.versions.node.split('.')[0]);
const decoder = new TextDecoder('utf-8', { fatal: false });

let respond: (request: IncomingMessage, response: ServerResponse) => void = (_request, response) => response.end();
let baseUrl = '';
const server = createServer((request, response) => respond(request, response));

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

type Coding = 'identity' | 'gzip' | 'deflate' | 'br';

function encode(bytes: Uint8Array, coding: Coding): Buffer {
  if (coding === 'gzip') return zlib.gzipSync(bytes);
  if (coding === 'deflate') return zlib.deflateSync(bytes);
  if (coding === 'br') return zlib.brotliCompressSync(bytes);
  return Buffer.from(bytes);
}

function split(bytes: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((cut) => cut % (bytes.byteLength + 1)))].sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let start = 0;
  for (const point of [...points, bytes.byteLength]) {
    if (point > start) chunks.push(bytes.subarray(start, point));
    start = Math.max(start, point);
  }
  return chunks;
}

interface Outcome {
  status?: number;
  bytes?: string;
  error?: string;
}

async function call(): Promise<Outcome> {
  try {
    const response = await fetch(`${baseUrl}/v1/chat/completions`, { method: 'POST', body: '{"model":"m"}' });
    return { status: response.status, bytes: Buffer.from(await response.arrayBuffer()).toString('base64') };
  } catch (error) {
    const value = error as { name?: string; message?: string; cause?: { code?: string } };
    return { error: `${value.name}: ${value.message} (${value.cause?.code ?? ''})` };
  }
}

const body = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 4000 }).map((text) => new TextEncoder().encode(text)),
  fc.uint8Array({ maxLength: 4000 }),
  fc.array(fc.json(), { maxLength: 20 }).map((events) => new TextEncoder().encode(events.map((event) => `data: ${event}\n\n`).join(''))),
  fc.integer({ min: 60_000, max: 200_000 }).map((size) => new TextEncoder().encode('data: {"provider":"Together"}\n\n'.repeat(Math.ceil(size / 31)))),
);

describe('channel capture properties (real HTTP, Node ' + process.versions.node + ')', () => {
  it('never changes what the caller gets, and the look-ahead is the decoded prefix, whatever the chunking and coding', async () => {
    await fc.assert(
      fc.asyncProperty(
        body,
        fc.constantFrom<Coding>('identity', 'gzip', 'deflate', 'br'),
        fc.array(fc.nat(), { maxLength: 24 }),
        fc.boolean(),
        fc.constantFrom('application/json', 'text/event-stream', undefined),
        async (bytes, coding, cuts, corrupt, contentType) => {
          // Node 22's fetch (undici 6) itself never settles on some corrupt compressed bodies sent in
          // small writes, with or without servedby (reproduced standalone): nothing to compare there.
          fc.pre(!(corrupt && coding !== 'identity' && NODE_MAJOR < 24));
          const wire = encode(bytes, coding);
          if (corrupt && wire.byteLength > 12) for (let index = 10; index < Math.min(wire.byteLength, 40); index += 1) wire[index] = 0xff;
          const chunks = split(wire, cuts);
          respond = (request, response) => {
            request.resume();
            request.on('end', () => {
              request.socket.setNoDelay(true);
              const headers: Record<string, string> = {};
              if (contentType) headers['content-type'] = contentType;
              if (coding !== 'identity') headers['content-encoding'] = coding;
              response.writeHead(200, headers);
              let index = 0;
              const next = () => {
                if (index >= chunks.length) {
                  response.end();
                  return;
                }
                response.write(chunks[index]);
                index += 1;
                setImmediate(next);
              };
              next();
            });
          };
          const bare = await call();
          const captures: RouteCapture[] = [];
          const captured = await runWithRouteCapture((capture) => captures.push(capture), call);
          expect(captured).toEqual(bare);
          expect(captures).toHaveLength(1);
          await captures[0]!.done;
          const prefix = captures[0]!.bodyText();
          expect(new TextEncoder().encode(prefix).byteLength).toBeLessThanOrEqual(LOOK_AHEAD * 3);
          // Damaged compressed data may decode to anything up to the damage; otherwise the prefix is exact.
          if (coding === 'identity') expect(prefix).toBe(decoder.decode(wire.subarray(0, LOOK_AHEAD)));
          else if (!corrupt) expect(prefix).toBe(decoder.decode(bytes.subarray(0, LOOK_AHEAD)));
        },
      ),
      { numRuns: 60 },
    );
  }, 120_000);
});
