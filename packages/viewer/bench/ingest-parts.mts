// Where ingest time goes, per 2048-span OTLP export request, arms side by side in one process:
// - decode + rows + facts, protobuf: the record path (decode to SpanRecords, spanRowCompact,
//   spanFact) against the wire encoder (protobuf-rows.ts), alternating, 5 rounds;
// - the same for OTLP/JSON (record path only);
// - the structure tracker on the facts;
// - the engine insert (with the rollups) per 2,048, 16,384 and 65,536 rows (what group commit sends).
//   node --import tsx bench/ingest-parts.mts
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeOtlpProtobufRequest } from '../src/otlp/decode-protobuf';
import { encodeSpanRecords } from '../src/otlp/encode-records';
import { encodeProtobufRows } from '../src/otlp/protobuf-rows';
import { encodeExportRequest } from '../src/server/ingest-encode';
import { createEmbeddedEngine } from '../src/store/engine';
import { createStructureTracker } from '../src/store/marks';
import { spanFact, spanRowCompact, type SpanFact } from '../src/store/rows';
import { openTraceStore } from '../src/store/trace-store';
import { generateSyntheticSpans } from '../src/synthetic';
import { protobufBodies } from './protobuf-bodies';

const load = () => loadavg().map((value) => value.toFixed(1)).join(' ');
const spans = generateSyntheticSpans({ traces: 25_000, evalRuns: 0, endMs: Date.UTC(2026, 11, 5) });
const protobuf = protobufBodies(spans, 2048);
const json: Buffer[] = [];
for (let offset = 0; offset < spans.length; offset += 2048) json.push(Buffer.from(encodeSpanRecords(spans.slice(offset, offset + 2048))));
const rate = (ms: number) => (spans.length / ms) * 1000;
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const spread = (values: number[]) => `${median(values).toFixed(0)} spans/s (${Math.min(...values).toFixed(0)}–${Math.max(...values).toFixed(0)})`;

const arms = {
  'protobuf, record path': () => {
    for (const body of protobuf) {
      const decoded = decodeOtlpProtobufRequest(body);
      const rows = decoded.spans.map(spanRowCompact);
      decoded.spans.map(spanFact);
      Buffer.from(`${rows.join('\n')}\n`);
    }
  },
  'protobuf, wire encoder': () => {
    for (const body of protobuf) encodeProtobufRows(body);
  },
};
const results = new Map<string, number[]>(Object.keys(arms).map((name) => [name, []]));
for (let round = 0; round < 5; round += 1) {
  const order = round % 2 === 0 ? Object.entries(arms) : Object.entries(arms).reverse();
  for (const [name, run] of order) {
    const started = performance.now();
    run();
    results.get(name)!.push(rate(performance.now() - started));
  }
}
const record = results.get('protobuf, record path')!;
const wire = results.get('protobuf, wire encoder')!;
const ratios = wire.map((value, index) => value / record[index]!);
console.log(`${spans.length.toLocaleString('en')} spans in ${protobuf.length} requests (load ${load()})`);
for (const [name, values] of results) console.log(`  decode + rows + facts, ${name}: ${spread(values)}`);
console.log(`  wire encoder / record path: ${median(ratios).toFixed(2)}x (${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)})`);

let started = performance.now();
const tracker = createStructureTracker();
for (const body of json) encodeExportRequest(body, 'json', tracker);
console.log(`  decode + rows + facts + tracker, JSON, record path: ${rate(performance.now() - started).toFixed(0)} spans/s`);

const facts: SpanFact[][] = protobuf.map((body) => encodeProtobufRows(body).facts);
started = performance.now();
const trackerOnly = createStructureTracker();
for (const batch of facts) trackerOnly.add(batch);
console.log(`  structure tracker: ${rate(performance.now() - started).toFixed(0)} spans/s`);

const lines = protobuf.map((body) => encodeProtobufRows(body).lines);
const directory = mkdtempSync(join(tmpdir(), 'servedby-parts-'));
const store = await openTraceStore({ engine: createEmbeddedEngine(directory), database: 'parts' });
for (const batch of [1, 8, 32]) {
  await store.clear();
  started = performance.now();
  const cpu = process.cpuUsage();
  for (let index = 0; index < lines.length; index += batch) await store.insertEncoded(Buffer.concat(lines.slice(index, index + batch)), 1, []);
  const elapsed = performance.now() - started;
  const used = process.cpuUsage(cpu);
  console.log(`  engine insert per ${(batch * 2048).toLocaleString('en')} rows: ${rate(elapsed).toFixed(0)} spans/s, ${((used.user + used.system) / 1000 / elapsed).toFixed(2)} cores (load ${load()})`);
}
await store.close();
rmSync(directory, { recursive: true, force: true });
