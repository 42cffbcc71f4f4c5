// The ingest worker: decodes OTLP bodies and encodes table rows off the server's event loop.
import { parentPort } from 'node:worker_threads';
import { UndecodableRequestError } from '../otlp/decode-json';
import { createStructureTracker } from '../store/marks';
import { encodeExportRequest, type OtlpFormat } from './ingest-encode';

const tracker = createStructureTracker();

parentPort?.on('message', (message: { id: number; body: Uint8Array; format: OtlpFormat }) => {
  try {
    const result = encodeExportRequest(message.body, message.format, tracker);
    const lines = result.lines;
    // Hand the rows back without a copy.
    const transferable = lines.byteOffset === 0 && lines.byteLength === lines.buffer.byteLength ? lines : new Uint8Array(lines);
    parentPort!.postMessage({ id: message.id, ok: true, result: { ...result, lines: transferable } }, [transferable.buffer as ArrayBuffer]);
  } catch (error) {
    parentPort!.postMessage({
      id: message.id,
      ok: false,
      undecodable: error instanceof UndecodableRequestError,
      message: (error as Error).message,
    });
  }
});
