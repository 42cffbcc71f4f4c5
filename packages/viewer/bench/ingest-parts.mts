// Where ingest time goes, per 2048-span batch: protobuf decode + row encoding (the worker's part),
// the structure tracker (main thread), and the engine insert.
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeExportRequest } from '../src/server/ingest-encode';
import { createEmbeddedEngine } from '../src/store/engine';
import { createStructureTracker } from '../src/store/marks';
import { openTraceStore } from '../src/store/trace-store';
import { generateSyntheticSpans } from '../src/synthetic';
import { encodeSpanRecords } from '../src/otlp/encode-records';

const spans = generateSyntheticSpans({ traces: 25_000, evalRuns: 0, endMs: Date.UTC(2026, 11, 5) });
const batches: Buffer[] = [];
for (let offset = 0; offset < spans.length; offset += 2048) batches.push(Buffer.from(encodeSpanRecords(spans.slice(offset, offset + 2048))));
const directory = mkdtempSync(join(tmpdir(), 'servedby-parts-'));
const store = await openTraceStore({ engine: createEmbeddedEngine(directory), database: 'parts' });
const tracker = createStructureTracker();
let decodeMs = 0, trackMs = 0, insertMs = 0;
const encoded = [];
for (const body of batches) {
  let t = performance.now();
  const result = encodeExportRequest(body, 'json', tracker);
  decodeMs += performance.now() - t;
  t = performance.now();

  trackMs += performance.now() - t;
  encoded.push(result);
}
let t = performance.now();
for (const result of encoded) await store.insertEncoded(Buffer.from(result.lines), result.accepted, result.marks);
insertMs = performance.now() - t;
// Batched: all rows in one insert (what group commit does under load).
await store.clear();
t = performance.now();
for (let index = 0; index < encoded.length; index += 8) await store.insertEncoded(Buffer.concat(encoded.slice(index, index + 8).map((result) => Buffer.from(result.lines))), 1, []);
const batchedMs = performance.now() - t;
const rate = (ms: number) => `${((spans.length / ms) * 1000).toFixed(0)} spans/s`;
console.log(`${spans.length} spans, load ${loadavg()[0]!.toFixed(1)}: JSON decode+rows ${rate(decodeMs)}, tracker ${rate(trackMs)}, insert per 2048 ${rate(insertMs)}, insert per 16k ${rate(batchedMs)}`);
await store.close();
rmSync(directory, { recursive: true, force: true });
