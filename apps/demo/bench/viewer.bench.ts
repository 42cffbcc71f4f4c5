// The viewer with 100,000 spans: OTLP ingest, every API endpoint (first call computes, second is
// cached until new spans arrive) and each page's render time in Chromium.
//   npm run bench -w apps/demo            (SPANS=200000 to change the size)
import { existsSync } from 'node:fs';
import { encodeSpanRecords } from '../src/otlp/encode-records';
import { generateSyntheticSpans } from '../src/synthetic/synthetic-spans';
import { startViewer } from '../src/viewer/server';

const targetSpans = Number(process.env.SPANS ?? 100_000);
const spans = generateSyntheticSpans({ traces: Math.round((targetSpans - 240) / 4), evalRuns: 8, evalItems: 6 });
const viewer = await startViewer({ port: 0 });
const rows: Array<[string, string]> = [];
const ms = (start: number) => `${(performance.now() - start).toFixed(1)} ms`;

let start = performance.now();
const batchSize = 2048;
for (let offset = 0; offset < spans.length; offset += batchSize) {
  const response = await fetch(`${viewer.url}/v1/traces`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: encodeSpanRecords(spans.slice(offset, offset + batchSize)),
  });
  if (!response.ok) throw new Error(`ingest failed: ${response.status}`);
}
rows.push([`ingest ${viewer.store.size.toLocaleString('en')} spans over OTLP/JSON (batches of ${batchSize})`, ms(start)]);

const { traces } = (await (await fetch(`${viewer.url}/api/traces?limit=1`)).json()) as { traces: Array<{ traceId: string }> };
const endpoints = [
  '/api/summary',
  '/api/traces?limit=200',
  `/api/traces?limit=200&filter=${encodeURIComponent('gen_ai.route.upstream = together')}`,
  `/api/traces/${traces[0]!.traceId}`,
  '/api/attributes',
  '/api/topology',
  '/api/drift',
  '/api/eval',
];
viewer.store.add([]); // no-op: keeps the caches warm from the call above only where computed
for (const endpoint of endpoints) {
  for (const label of ['first', 'cached']) {
    start = performance.now();
    const response = await fetch(`${viewer.url}${endpoint}`);
    const body = await response.arrayBuffer();
    rows.push([`GET ${endpoint.replace(/traceId=.*|traces\/[0-9a-f]+/, 'traces/{id}')} (${label}, ${(body.byteLength / 1024).toFixed(0)} KiB)`, ms(start)]);
  }
}

const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
if (existsSync(chromiumPath)) {
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({
    executablePath: chromiumPath,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
  for (const path of ['/traces', '/topology', '/drift', '/eval']) {
    start = performance.now();
    await page.goto(`${viewer.url}${path}`);
    await page.waitForSelector('body[data-ready="true"]');
    const inPage = await page.evaluate(() => (window as unknown as { servedbyRenderMs: number }).servedbyRenderMs);
    rows.push([`page ${path}: navigation → rendered (in-page ${inPage.toFixed(0)} ms after navigation start)`, ms(start)]);
  }
  await browser.close();
} else rows.push(['pages', `skipped: no Chromium at ${chromiumPath}`]);

await viewer.close();
const width = Math.max(...rows.map(([label]) => label.length));
console.log(`viewer benchmark, ${spans.length.toLocaleString('en')} spans (node ${process.version})`);
for (const [label, value] of rows) console.log(`  ${label.padEnd(width)}  ${value.padStart(10)}`);
