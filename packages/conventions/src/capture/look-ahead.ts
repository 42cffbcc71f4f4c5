import * as zlib from 'node:zlib';

/**
 * The bounded look-ahead of one response body: the first `limit` bytes, decoded. It only ever
 * holds its own copies of the bytes it keeps (never a view into a caller's or a socket's buffer),
 * so nothing past the bound stays reachable through it.
 */
export interface LookAhead {
  /** Feeds body bytes as they came off the wire (still compressed when the body is). Never throws. */
  push(chunk: Uint8Array): void;
  /** The body ended: the prefix becomes final once pending decompression has run. */
  end(): void;
  /** Stops at once: drops any pending decompression; the prefix is what was decoded so far. */
  abandon(): void;
  /** `true` while more bytes would still be kept. */
  readonly open: boolean;
  /** Decoded bytes kept so far. */
  readonly size: number;
  /** The prefix decoded as UTF-8 (invalid or cut characters become U+FFFD). */
  text(): string;
}

/** Options of {@link createLookAhead}. */
export interface LookAheadOptions {
  /** How many decoded bytes to keep at most. */
  limit: number;
  /** The response's `content-encoding`: `gzip`, `deflate`, `br`, `zstd` are decoded; `identity` or none pass. */
  contentEncoding?: string | undefined;
  /** Called once when the prefix is final: limit reached, body ended, abandoned, or undecodable. */
  onSettled?: () => void;
}

// Compressed input fed to a decoder at most, per body: a stream that decodes to little (or a
// decoder that keeps asking for input) is given up rather than fed forever.
const MAX_COMPRESSED_INPUT_FACTOR = 16;
const MIN_COMPRESSED_INPUT = 64 * 1024;
// Output buffer of the decoders: small, as the look-ahead is.
const DECODER_CHUNK_BYTES = 16 * 1024;
const INITIAL_CAPACITY_FLOOR = 512;

const utf8Decoder = new TextDecoder('utf-8', { fatal: false });

/**
 * Room for `size` bytes the caller fills before reading: `Buffer.allocUnsafe` where Node has it
 * (no zero-fill; below 4 KiB a slice of Node's shared pool, no backing store per call).
 * @internal
 */
export function allocateBytes(size: number): Uint8Array {
  return typeof Buffer === 'function' ? Buffer.allocUnsafe(size) : new Uint8Array(size);
}

// A fresh copy. `Buffer#slice` is a view, so it is never used for this.
function copyOf(bytes: Uint8Array): Uint8Array {
  const copy = allocateBytes(bytes.byteLength);
  copy.set(bytes);
  return copy;
}

type Decoder = zlib.Gunzip | zlib.Inflate | zlib.InflateRaw | zlib.BrotliDecompress | import('node:stream').Transform;

/** The decoding a `content-encoding` asks for: `identity`, a zlib codec, or `undefined` when it cannot be decoded here. */
export function lookAheadCoding(contentEncoding: string | undefined): 'identity' | 'gzip' | 'deflate' | 'br' | 'zstd' | undefined {
  if (contentEncoding === undefined) return 'identity';
  const coding = contentEncoding.trim().toLowerCase();
  if (coding === '' || coding === 'identity') return 'identity';
  if (coding === 'gzip' || coding === 'x-gzip') return 'gzip';
  if (coding === 'deflate') return 'deflate';
  if (coding === 'br') return 'br';
  if (coding === 'zstd' && typeof (zlib as { createZstdDecompress?: unknown }).createZstdDecompress === 'function') return 'zstd';
  // Several codings ("gzip, br") or an unknown one: not decoded, so nothing is kept.
  return undefined;
}

/**
 * Creates the {@link LookAhead} of one body. Identity bodies are copied synchronously; compressed
 * ones are decoded incrementally by a zlib stream whose output is cut at the bound (the decoder is
 * destroyed as soon as the bound is reached), so a decompression bomb costs at most `limit` bytes
 * of output plus one decoder buffer.
 */
export function createLookAhead(options: LookAheadOptions): LookAhead {
  return new BoundedLookAhead(options);
}

// A class, not closures: one object per exchange on the hot path of every model call.
class BoundedLookAhead implements LookAhead {
  private readonly limit: number;
  private readonly coding: ReturnType<typeof lookAheadCoding>;
  private readonly onSettled: (() => void) | undefined;
  private buffer: Uint8Array | undefined;
  private kept = 0;
  private isOpen: boolean;
  private cachedText: string | undefined;
  private decoder: Decoder | undefined;
  private compressedInput = 0;
  private ended = false;
  private settled = false;

  constructor(options: LookAheadOptions) {
    this.limit = Math.max(0, Math.floor(options.limit));
    this.coding = lookAheadCoding(options.contentEncoding);
    this.onSettled = options.onSettled;
    this.isOpen = this.limit > 0 && this.coding !== undefined;
    if (!this.isOpen) {
      // Nothing will be kept (no room, or an encoding this cannot decode): final at once.
      this.settled = true;
      const onSettled = this.onSettled;
      queueMicrotask(() => {
        try {
          onSettled?.();
        } catch {
          // The owner's callback is its own business.
        }
      });
    }
  }

  get open(): boolean {
    return this.isOpen;
  }

  get size(): number {
    return this.kept;
  }

  push(chunk: Uint8Array): void {
    if (!this.isOpen || chunk.byteLength === 0) return;
    try {
      if (this.coding === 'identity') {
        if (!this.keep(chunk)) this.settle();
        return;
      }
      this.decoder ??= this.startDecoder(chunk);
      if (!this.decoder) {
        this.settle();
        return;
      }
      // Compressed input is bounded too: only the part of a chunk within the budget is copied.
      const budget = Math.max(this.limit * MAX_COMPRESSED_INPUT_FACTOR, MIN_COMPRESSED_INPUT) - this.compressedInput;
      if (budget <= 0) {
        this.settle();
        return;
      }
      const part = chunk.byteLength <= budget ? chunk : chunk.subarray(0, budget);
      this.compressedInput += part.byteLength;
      // A copy: the decoder queues its input, and a socket's buffer must not stay reachable.
      this.decoder.write(copyOf(part));
    } catch {
      this.settle();
    }
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    if (this.settled) return;
    if (this.decoder) {
      try {
        this.decoder.end();
      } catch {
        this.settle();
      }
      return;
    }
    this.settle();
  }

  abandon(): void {
    this.ended = true;
    this.settle();
  }

  text(): string {
    if (this.cachedText === undefined) this.cachedText = this.buffer && this.kept > 0 ? utf8Decoder.decode(this.buffer.subarray(0, this.kept)) : '';
    return this.cachedText;
  }

  private settle(): void {
    if (this.settled) return;
    this.settled = true;
    this.isOpen = false;
    if (this.decoder) {
      const finished = this.decoder;
      this.decoder = undefined;
      finished.removeAllListeners('data');
      // A late error from a destroyed decoder must not become an uncaught exception.
      finished.on('error', () => {});
      finished.destroy();
    }
    try {
      this.onSettled?.();
    } catch {
      // The owner's callback is its own business.
    }
  }

  // Copies at most the room left; returns false once full.
  private keep(bytes: Uint8Array): boolean {
    const room = this.limit - this.kept;
    if (room <= 0) return false;
    const count = Math.min(room, bytes.byteLength);
    let buffer = this.buffer;
    if (!buffer || buffer.byteLength - this.kept < count) {
      const needed = this.kept + count;
      // The first chunk is often the whole body: sized to it. Growth doubles. Unzeroed, and small
      // ones come from Node's shared pool, so a short body costs no backing store of its own.
      const capacity = Math.min(this.limit, buffer ? Math.max(needed, buffer.byteLength * 2) : Math.max(needed, INITIAL_CAPACITY_FLOOR));
      const grown = allocateBytes(capacity);
      if (buffer) grown.set(buffer.subarray(0, this.kept));
      this.buffer = buffer = grown;
    }
    buffer.set(count === bytes.byteLength ? bytes : bytes.subarray(0, count), this.kept);
    this.kept += count;
    this.cachedText = undefined;
    return this.kept < this.limit;
  }

  private startDecoder(first: Uint8Array): Decoder | undefined {
    const decoderOptions = { chunkSize: DECODER_CHUNK_BYTES };
    let created: Decoder;
    switch (this.coding) {
      case 'gzip':
        // Like fetch: a truncated final member still yields what was decoded.
        created = zlib.createGunzip({ ...decoderOptions, flush: zlib.constants.Z_SYNC_FLUSH, finishFlush: zlib.constants.Z_SYNC_FLUSH });
        break;
      case 'deflate':
        // Like fetch: a zlib header (low nibble 8) means zlib-wrapped deflate, else raw deflate.
        created =
          (first[0]! & 0x0f) === 0x08
            ? zlib.createInflate({ ...decoderOptions, flush: zlib.constants.Z_SYNC_FLUSH, finishFlush: zlib.constants.Z_SYNC_FLUSH })
            : zlib.createInflateRaw({ ...decoderOptions, flush: zlib.constants.Z_SYNC_FLUSH, finishFlush: zlib.constants.Z_SYNC_FLUSH });
        break;
      case 'br':
        created = zlib.createBrotliDecompress({
          ...decoderOptions,
          flush: zlib.constants.BROTLI_OPERATION_FLUSH,
          finishFlush: zlib.constants.BROTLI_OPERATION_FLUSH,
        });
        break;
      case 'zstd':
        created = (zlib as unknown as { createZstdDecompress(options: object): Decoder }).createZstdDecompress(decoderOptions);
        break;
      default:
        return undefined;
    }
    const settle = () => this.settle();
    created.on('data', (output: Uint8Array) => {
      if (this.settled) return;
      if (!this.keep(output)) this.settle();
    });
    // Corrupt data: keep what decoded cleanly, give up on the rest.
    created.on('error', settle);
    created.on('end', settle);
    created.on('close', settle);
    return created;
  }
}

/**
 * The last bytes of a body, for usage and finish reasons at a stream's end: a ring of `limit`
 * bytes that copies what it keeps, so no received chunk stays reachable through it.
 */
export interface ByteTail {
  /** Appends bytes, keeping only the last `limit`. */
  push(chunk: Uint8Array): void;
  /** Bytes kept. */
  readonly size: number;
  /** The kept bytes decoded as UTF-8 (a character cut at the start becomes U+FFFD). */
  text(): string;
}

/** Creates a {@link ByteTail} of `limit` bytes. */
export function createByteTail(limit: number): ByteTail {
  const capacity = Math.max(1, Math.floor(limit));
  let ring: Uint8Array | undefined;
  let end = 0; // next write position
  let size = 0;
  return {
    push(chunk) {
      if (chunk.byteLength === 0) return;
      ring ??= new Uint8Array(capacity);
      const bytes = chunk.byteLength > capacity ? chunk.subarray(chunk.byteLength - capacity) : chunk;
      const first = Math.min(bytes.byteLength, capacity - end);
      ring.set(bytes.subarray(0, first), end);
      if (first < bytes.byteLength) ring.set(bytes.subarray(first), 0);
      end = (end + bytes.byteLength) % capacity;
      size = Math.min(capacity, size + bytes.byteLength);
    },
    get size() {
      return size;
    },
    text() {
      if (!ring || size === 0) return '';
      if (size < capacity) return utf8Decoder.decode(ring.subarray(0, size));
      const ordered = new Uint8Array(capacity);
      ordered.set(ring.subarray(end), 0);
      ordered.set(ring.subarray(0, end), capacity - end);
      return utf8Decoder.decode(ordered);
    },
  };
}
