// The viewer (@servedby/viewer on embedded ClickHouse) under load: OTLP/protobuf ingest of a
// generated demo-shaped day, a restart, every API view (cold: a fresh server per round, so
// nothing is cached; and warm), the pages in Chromium, and the process RSS with the engine.
//   npm run bench -w apps/demo                    (100,000 spans)
//   SPANS=10000000 npm run bench -w apps/demo     (10 M; BENCH_STORE=<dir> keeps the data)
// Needs `npm run build -w packages/viewer` first (the demo imports the built package).
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateSyntheticSpans, openStore, startViewerServer } from '@servedby/viewer';
// The viewer's bench helper: span records as the standard serializer's OTLP/protobuf bodies.
import { protobufBodies } from '../../../packages/viewer/bench/protobuf-bodies';
import { createOtlpPoster } from '../../../packages/viewer/bench/viewer-process';

const targetSpans = Number(process.env.SPANS ?? 100_000);
const rounds = Number(process.env.ROUNDS ?? 5);
const directory = process.env.BENCH_STORE ?? mkdtempSync(join(tmpdir(), 'servedby-bench-'));
const keep = Boolean(process.env.BENCH_STORE);
const skipIngest = process.env.SKIP_INGEST === '1';
// LOAD=direct fills the store through the store's own insert (JSON rows, no HTTP or protobuf), for
// the 10 M-span runs whose point is the views at size; the OTLP ingest rate comes from the default path.
const direct = process.env.LOAD === 'direct';
// About 4.1 spans per agent run (gateway spans under every 20th OpenRouter run).
const traces = Math.round(targetSpans / 4.04);
const rows: Array<[string, string]> = [];
const load = () => loadavg().map((value) => value.toFixed(1)).join(' ');
let maxRss = 0;
const rssTimer = setInterval(() => (maxRss = Math.max(maxRss, process.memoryUsage().rss)), 200);
rssTimer.unref();

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const ms = (value: number) => `${value.toFixed(1)} ms`;

let store = await openStore({ directory, database: 'bench' });
let server = await startViewerServer({ store, port: 0 });
console.log(`viewer benchmark: ${targetSpans.toLocaleString('en')} spans target, store ${directory} (node ${process.version}, load ${load()})`);

if (!skipIngest && direct) {
  await store.clear();
  const started = performance.now();
  let sent = 0;
  for (let from = 0; from < traces; from += 25_000) {
    const spans = generateSyntheticSpans({ traces, from, to: from + 25_000, endMs: Date.UTC(2026, 11, 5) });
    await store.insert(spans);
    sent += spans.length;
    if ((from / 25_000) % 20 === 0) console.log(`  ${sent.toLocaleString('en')} spans, ${((sent / (performance.now() - started)) * 1000).toFixed(0)} spans/s, RSS ${(process.memoryUsage().rss / 1048576).toFixed(0)} MiB, load ${load()}`);
  }
  rows.push([`load ${sent.toLocaleString('en')} spans through the store (JSON rows, batches of ~100k)`, `${((sent / (performance.now() - started)) * 1000).toFixed(0)} spans/s`]);
  rows.push(['  load average after loading', load()]);
} else if (!skipIngest) {
  await store.clear();
  const batchSpans = 2048;
  const chunkTraces = 20_000;
  let sent = 0;
  let receiverMs = 0;
  const started = performance.now();
  // Posted over node:http with keep-alive, as the OTLP/HTTP exporter does; two at once, as two app
  // processes would. Each chunk is encoded first (the client's work, in the wall time only), then
  // posted and flushed (the receiver's time: decode, queue, engine insert).
  const otlp = createOtlpPoster(server.url);
  const post = otlp.post;
  const queue: Uint8Array[] = [];
  async function poster(): Promise<void> {
    for (let body = queue.shift(); body; body = queue.shift()) {
      const status = await post(body);
      if (status !== 200) throw new Error(`ingest failed: ${status}`);
    }
  }
  for (let from = 0; from < traces; from += chunkTraces) {
    const spans = generateSyntheticSpans({ traces, from, to: from + chunkTraces, endMs: Date.UTC(2026, 11, 5) });
    queue.push(...protobufBodies(spans, batchSpans));
    sent += spans.length;
    const posting = performance.now();
    await Promise.all([poster(), poster()]);
    await server.flush();
    receiverMs += performance.now() - posting;
    if (from % (chunkTraces * 25) === 0 && from > 0) console.log(`  ${sent.toLocaleString('en')} spans, ${((sent / (performance.now() - started)) * 1000).toFixed(0)} spans/s, load ${load()}`);
  }
  otlp.close();
  const wallMs = performance.now() - started;
  rows.push([
    `ingest ${sent.toLocaleString('en')} spans, OTLP/protobuf, batches of ${batchSpans}, 2 concurrent posts`,
    `${((sent / receiverMs) * 1000).toFixed(0)} spans/s into the store (post → flush); ${((sent / wallMs) * 1000).toFixed(0)} spans/s wall with the client's generating and encoding`,
  ]);
  rows.push(['  load average after ingest', load()]);
}

// Restart: close everything, reopen the same directory.
const before = await store.summary();
await server.close();
await store.close();
let started = performance.now();
store = await openStore({ directory, database: 'bench' });
server = await startViewerServer({ store, port: 0 });
const after = await store.summary();
rows.push([`restart (reopen the store, ${after.spans.toLocaleString('en')} spans)`, `${ms(performance.now() - started)}; same data: ${JSON.stringify(before) === JSON.stringify(after)}`]);

const { traces: list } = (await (await fetch(`${server.url}/api/traces?limit=1`)).json()) as { traces: Array<{ traceId: string }> };
const endpoints = [
  '/api/summary',
  '/api/traces?limit=200',
  `/api/traces?limit=200&filter=${encodeURIComponent('gen_ai.route.upstream = together')}`,
  `/api/traces/${list[0]!.traceId}`,
  '/api/attributes',
  '/api/topology',
  '/api/drift',
  '/api/drift?bucket=900000',
  '/api/eval',
  '/api/cost',
  '/api/policies',
  '/api/errors',
  '/api/gateway-spans',
];
const cold = new Map<string, number[]>();
const warm = new Map<string, number>();
const sizes = new Map<string, number>();
for (let round = 0; round < rounds; round += 1) {
  // A fresh server has an empty answer cache: every call below runs its SQL.
  await server.close();
  server = await startViewerServer({ store, port: 0 });
  for (const endpoint of endpoints) {
    started = performance.now();
    const response = await fetch(`${server.url}${endpoint}`);
    const body = await response.arrayBuffer();
    if (!response.ok) throw new Error(`${endpoint}: ${response.status}`);
    const elapsed = performance.now() - started;
    cold.set(endpoint, [...(cold.get(endpoint) ?? []), elapsed]);
    sizes.set(endpoint, body.byteLength);
  }
}
for (const endpoint of endpoints) {
  started = performance.now();
  await (await fetch(`${server.url}${endpoint}`)).arrayBuffer();
  warm.set(endpoint, performance.now() - started);
}
rows.push([`API (median of ${rounds} cold calls; then one warm call), load ${load()}`, '']);
for (const endpoint of endpoints) {
  const label = endpoint.replace(/traces\/[0-9a-f]{32}/, 'traces/{id}');
  rows.push([`  GET ${label} (${(sizes.get(endpoint)! / 1024).toFixed(0)} KiB)`, `${ms(median(cold.get(endpoint)!))} cold, ${ms(warm.get(endpoint)!)} warm`]);
}

const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
if (existsSync(chromiumPath)) {
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: chromiumPath, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
  for (const path of ['/traces', '/topology', '/drift', '/eval', '/cost']) {
    started = performance.now();
    await page.goto(`${server.url}${path}`);
    await page.waitForSelector('body[data-ready]');
    rows.push([`page ${path} in Chromium (navigation → rendered)`, ms(performance.now() - started)]);
  }
  await browser.close();
} else rows.push(['pages', `skipped: no Chromium at ${chromiumPath}`]);

maxRss = Math.max(maxRss, process.memoryUsage().rss);
rows.push(['peak RSS of the process (viewer + embedded ClickHouse + this client)', `${(maxRss / 1024 / 1024).toFixed(0)} MiB`]);
await server.close();
await store.close();
if (!keep) rmSync(directory, { recursive: true, force: true });
const width = Math.max(...rows.map(([label]) => label.length));
for (const [label, value] of rows) console.log(`  ${label.padEnd(width)}  ${value}`);
console.log(`load average at the end: ${load()}`);
