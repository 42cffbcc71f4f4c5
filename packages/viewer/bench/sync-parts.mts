import { mkdtempSync } from 'node:fs';
import { tmpdir, loadavg } from 'node:os';
import { join } from 'node:path';
import { createEmbeddedEngine } from '../src/store/engine';
import { createIngestDecoder } from '../src/server/ingest-pool';
import { encodeSpanRecords } from '../src/otlp/encode-records';
import { generateSyntheticSpans } from '../src/synthetic';
import { createStructureTracker } from '../src/store/marks';
import { createTracesTableSql } from '../src/store/schema';

const engine = createEmbeddedEngine(mkdtempSync(join(tmpdir(), 'sync-parts-')));
await engine.command('CREATE DATABASE IF NOT EXISTS s');
await engine.command(createTracesTableSql({ database: 's', table: 'otel_traces' }));
const body = Buffer.from(encodeSpanRecords(generateSyntheticSpans({ traces: 2500, evalRuns: 0 })));
const decoder = createIngestDecoder();
for (let round = 0; round < 3; round += 1) {
  let last = performance.now();
  let worst = 0;
  const timer = setInterval(() => { const now = performance.now(); worst = Math.max(worst, now - last - 2); last = now; }, 2);
  const t0 = performance.now();
  const encoded = await decoder.decode(new Uint8Array(body), 'json');
  const t1 = performance.now();
  const marks = encoded.marks;
  const t2 = performance.now();
  const buffer = Buffer.concat([encoded.lines]);
  const t3 = performance.now();
  const pending = engine.insertJsonLines('s.otel_traces', buffer);
  const t4 = performance.now();
  await pending;
  const t5 = performance.now();
  clearInterval(timer);
  console.log(`load ${loadavg()[0]!.toFixed(1)} spans ${encoded.accepted}: decode(wait) ${(t1 - t0).toFixed(0)} tracker ${(t2 - t1).toFixed(0)} concat ${(t3 - t2).toFixed(0)} insert-sync ${(t4 - t3).toFixed(0)} insert-total ${(t5 - t4).toFixed(0)} worst-gap ${worst.toFixed(0)} ms`);
}
await decoder.close();
await engine.close();
