import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { UndecodableRequestError } from '../otlp/decode-json';
import { createStructureTracker } from '../store/marks';
import { encodeExportRequest, type EncodedRequest, type OtlpFormat } from './ingest-encode';

/** Decodes export requests in a worker thread (in-process when no worker can start). */
export interface IngestDecoder {
  decode(body: Uint8Array, format: OtlpFormat): Promise<EncodedRequest>;
  /** Requests waiting for or in the worker. */
  readonly pending: number;
  close(): Promise<void>;
}

function workerFile(): { file: URL; execArgv: string[] } | undefined {
  // Built: dist/ingest-worker.js beside this bundle. From source (tests): the .ts file through tsx.
  const built = new URL('./ingest-worker.js', import.meta.url);
  if (existsSync(fileURLToPath(built))) return { file: built, execArgv: [] };
  const source = new URL('./ingest-worker.ts', import.meta.url);
  if (existsSync(fileURLToPath(source))) return { file: source, execArgv: ['--import', 'tsx'] };
  return undefined;
}

/** Starts the decoder (one worker: the engine's own threads use the other core). */
export function createIngestDecoder(): IngestDecoder {
  const location = workerFile();
  let worker: Worker | undefined;
  let nextId = 0;
  let localTracker: ReturnType<typeof createStructureTracker> | undefined;
  const waiting = new Map<number, { resolve: (value: EncodedRequest) => void; reject: (error: Error) => void }>();

  function start(): Worker | undefined {
    if (!location) return undefined;
    const started = new Worker(location.file, { execArgv: location.execArgv });
    started.unref();
    started.on('message', (message: { id: number; ok: boolean; result?: EncodedRequest; undecodable?: boolean; message?: string }) => {
      const entry = waiting.get(message.id);
      if (!entry) return;
      waiting.delete(message.id);
      if (message.ok) entry.resolve(message.result!);
      else entry.reject(message.undecodable ? new UndecodableRequestError(message.message ?? 'undecodable') : new Error(message.message));
    });
    started.on('error', (error) => {
      for (const entry of waiting.values()) entry.reject(error);
      waiting.clear();
      worker = undefined;
    });
    started.on('exit', () => {
      for (const entry of waiting.values()) entry.reject(new Error('ingest worker stopped'));
      waiting.clear();
      if (worker === started) worker = undefined;
    });
    return started;
  }

  return {
    decode(body, format) {
      worker ??= start();
      if (!worker) return Promise.resolve().then(() => encodeExportRequest(body, format, (localTracker ??= createStructureTracker())));
      const id = nextId++;
      return new Promise<EncodedRequest>((resolve, reject) => {
        waiting.set(id, { resolve, reject });
        // The body is the worker's from here on (no copy).
        const owned = body.byteOffset === 0 && body.byteLength === body.buffer.byteLength ? body : new Uint8Array(body);
        worker!.postMessage({ id, body: owned, format }, [owned.buffer as ArrayBuffer]);
      });
    },
    get pending() {
      return waiting.size;
    },
    async close() {
      const running = worker;
      worker = undefined;
      if (running) await running.terminate();
    },
  };
}
