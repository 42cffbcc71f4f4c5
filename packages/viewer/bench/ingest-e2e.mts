// OTLP/protobuf ingest through the receiver, end to end: bodies written beforehand by the standard
// serializer (an exporter encodes on its own CPU), posted by 2 concurrent clients, timed until
// every span is in the engine (server.flush()). Prints spans/s with the load average.
//   node --import tsx bench/ingest-e2e.mts [spans=200000]
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../src/open-store';
import { startViewerServer } from '../src/server/server';
import { generateSyntheticSpans } from '../src/synthetic';
import { protobufBodies } from './protobuf-bodies';

const targetSpans = Number(process.argv[2] ?? 200_000);
const load = () => loadavg().map((value) => value.toFixed(1)).join(' ');
const spans = generateSyntheticSpans({ traces: Math.round(targetSpans / 4.04), evalRuns: 0, endMs: Date.UTC(2026, 11, 5) });
const bodies = protobufBodies(spans, 2048);
const directory = mkdtempSync(join(tmpdir(), 'servedby-ingest-'));
const store = await openStore({ directory, database: 'ingest' });
const server = await startViewerServer({ store, port: 0 });
const rates: number[] = [];
for (let round = 0; round < 3; round += 1) {
  await store.clear();
  const queue = [...bodies];
  const started = performance.now();
  const poster = async () => {
    for (let body = queue.shift(); body; body = queue.shift()) {
      const response = await fetch(`${server.url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body: body as unknown as BodyInit });
      await response.arrayBuffer();
      if (!response.ok) throw new Error(`ingest failed: ${response.status}`);
    }
  };
  await Promise.all([poster(), poster()]);
  const postedMs = performance.now() - started;
  await server.flush();
  const wallMs = performance.now() - started;
  rates.push((spans.length / wallMs) * 1000);
  console.log(`round ${round}: ${spans.length.toLocaleString('en')} spans in ${wallMs.toFixed(0)} ms (posted in ${postedMs.toFixed(0)} ms): ${rates.at(-1)!.toFixed(0)} spans/s, load ${load()}`);
}
const summary = await store.summary();
console.log(`stored ${summary.spans.toLocaleString('en')} spans; median ${[...rates].sort((a, b) => a - b)[1]!.toFixed(0)} spans/s (load ${load()})`);
await server.close();
await store.close();
rmSync(directory, { recursive: true, force: true });
