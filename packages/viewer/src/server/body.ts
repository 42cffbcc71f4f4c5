import type { IncomingMessage } from 'node:http';
import { createGunzip, createInflate, type Gunzip, type Inflate } from 'node:zlib';

/** Why a body was refused, with the HTTP status the receiver answers. */
export class BodyError extends Error {
  override readonly name = 'BodyError';
  constructor(
    readonly status: 400 | 413 | 415,
    message: string,
  ) {
    super(message);
  }
}

/** Limits of one request body. */
export interface BodyLimits {
  /** Bytes on the wire (compressed or not). */
  maxWireBytes: number;
  /** Bytes after decompression. */
  maxBodyBytes: number;
}

/**
 * Reads a request body within its limits, decompressing gzip/deflate as a stream:
 * - a `Content-Length` above the limit is refused before a byte is read;
 * - the wire bytes and the decompressed bytes are counted as they arrive, and reading stops at
 *   the first byte past either limit (a 1 GiB gzip bomb costs at most `maxBodyBytes` of memory,
 *   and zlib inflates it on its thread pool, chunk by chunk, so other requests keep being served);
 * - unknown encodings are 415, corrupt compressed data 400.
 */
export function readBody(request: IncomingMessage, limits: BodyLimits): Promise<Buffer> {
  const declared = request.headers['content-length'];
  if (declared !== undefined && Number(declared) > limits.maxWireBytes) {
    return Promise.reject(new BodyError(413, `body larger than ${limits.maxWireBytes} bytes`));
  }
  const encoding = String(request.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  let decoder: Gunzip | Inflate | undefined;
  if (encoding === 'gzip' || encoding === 'x-gzip') decoder = createGunzip();
  else if (encoding === 'deflate') decoder = createInflate();
  else if (encoding !== 'identity' && encoding !== '') return Promise.reject(new BodyError(415, `unsupported content-encoding ${encoding.slice(0, 40)}`));

  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let wireBytes = 0;
    let bodyBytes = 0;
    let settled = false;
    const fail = (error: BodyError) => {
      if (settled) return;
      settled = true;
      request.unpipe();
      request.pause();
      decoder?.destroy();
      chunks.length = 0;
      reject(error);
    };
    const collect = (chunk: Buffer) => {
      if (settled) return;
      bodyBytes += chunk.length;
      if (bodyBytes > limits.maxBodyBytes) return fail(new BodyError(413, `body larger than ${limits.maxBodyBytes} bytes after decompression`));
      chunks.push(chunk);
    };
    const finish = () => {
      if (settled) return;
      settled = true;
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, bodyBytes));
    };
    request.on('data', (chunk: Buffer) => {
      wireBytes += chunk.length;
      if (wireBytes > limits.maxWireBytes) fail(new BodyError(413, `body larger than ${limits.maxWireBytes} bytes`));
    });
    request.on('error', () => fail(new BodyError(400, 'the request body was cut off')));
    request.on('aborted', () => fail(new BodyError(400, 'the request body was cut off')));
    if (decoder) {
      decoder.on('data', collect);
      decoder.on('end', finish);
      decoder.on('error', () => fail(new BodyError(400, `the body is not valid ${encoding} data`)));
      request.pipe(decoder);
    } else {
      request.on('data', collect);
      request.on('end', finish);
    }
  });
}
