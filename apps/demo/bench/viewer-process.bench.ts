// The viewer as a user runs it: `servedby-viewer` in its own process over a store filled by
// `viewer.bench.ts` (BENCH_STORE), so its RSS is the viewer's and the engine's alone. Times the
// start on existing data (a restart) and every view's call on a just-started viewer (nothing in its
// answer cache), CALLS + 1 times (default 5 + 1): the first start, then the median and range of the
// next CALLS starts (the target is the median per view). Reads the peak RSS (VmHWM).
// VIEWER_CLI=<another build's dist/cli.js> runs that build instead (a before/after on the same store).
//   BENCH_STORE=<dir> node --import tsx bench/viewer-process.bench.ts
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
// The viewer's bench helper: the CLI in its own process.
import { startViewerProcess } from '../../../packages/viewer/bench/viewer-process';

const directory = process.env.BENCH_STORE;
if (!directory) throw new Error('BENCH_STORE=<dir> of a store filled by viewer.bench.ts');
const calls = Number(process.env.CALLS ?? 5);
const cli = process.env.VIEWER_CLI ?? join(dirname(createRequire(import.meta.url).resolve('@servedby/viewer/package.json')), 'dist', 'cli.js');
const load = () => loadavg().map((value) => value.toFixed(1)).join(' ');

async function startViewer() {
  const started = performance.now();
  const { child, url, stop } = await startViewerProcess(cli, ['--store', directory!, '--database', 'bench', '--port', '0']);
  const status = () => readFileSync(`/proc/${child.pid}/status`, 'utf8');
  const kib = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status())?.[1] ?? 0);
  return { url, startMs: performance.now() - started, kib, stop };
}

let viewer = await startViewer();
console.log(`servedby-viewer started on ${viewer.url} in ${viewer.startMs.toFixed(0)} ms over ${directory} (load ${load()})`);
const summary = await (await fetch(`${viewer.url}/api/summary`)).json();
console.log(`  ${summary.spans.toLocaleString('en')} spans, ${summary.modelCalls.toLocaleString('en')} model calls`);
const { traces } = await (await fetch(`${viewer.url}/api/traces?limit=1`)).json();
const endpoints = [
  '/api/traces?limit=200',
  `/api/traces?limit=200&filter=${encodeURIComponent('gen_ai.route.upstream = together')}`,
  `/api/traces/${traces[0].traceId}`,
  '/api/attributes',
  '/api/drift',
  '/api/topology',
  '/api/drift?bucket=900000',
  '/api/eval',
  '/api/cost',
  '/api/policies',
  '/api/errors',
  '/api/gateway-spans',
];
const timings = new Map<string, number[]>(endpoints.map((endpoint) => [endpoint, []]));
const sizes = new Map<string, { status: number; bytes: number }>();
const starts: number[] = [];
let peakKib = 0;
for (let round = 0; round <= calls; round += 1) {
  if (round > 0) {
    viewer = await startViewer();
    starts.push(viewer.startMs);
  }
  for (const endpoint of endpoints) {
    const before = performance.now();
    const response = await fetch(`${viewer.url}${endpoint}`);
    const body = await response.arrayBuffer();
    timings.get(endpoint)!.push(performance.now() - before);
    sizes.set(endpoint, { status: response.status, bytes: body.byteLength });
  }
  peakKib = Math.max(peakKib, viewer.kib('VmHWM'));
  if (round === 0) console.log(`  viewer process after the first round: RSS ${(viewer.kib('VmRSS') / 1024).toFixed(0)} MiB, peak ${(viewer.kib('VmHWM') / 1024).toFixed(0)} MiB (load ${load()})`);
  await viewer.stop();
}
const sortedStarts = [...starts].sort((a, b) => a - b);
console.log(`  restarts: median ${sortedStarts[Math.floor(sortedStarts.length / 2)]?.toFixed(0)} ms over ${starts.length}`);
console.log(`  ${'view (each call on a just-started viewer)'.padEnd(96)} status  first  median of ${calls} (min–max)   size   (load ${load()})`);
for (const endpoint of endpoints) {
  const [first, ...rest] = timings.get(endpoint)!;
  const times = rest.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)] ?? first!;
  const { status, bytes } = sizes.get(endpoint)!;
  console.log(
    `  GET ${endpoint.replace(/traces\/[0-9a-f]{32}/, 'traces/{id}').padEnd(92)} ${status}  ${first!.toFixed(0).padStart(5)} ms  ${median.toFixed(0).padStart(5)} ms (${(times[0] ?? first!).toFixed(0)}–${(times.at(-1) ?? first!).toFixed(0)})  ${(bytes / 1024).toFixed(0).padStart(4)} KiB`,
  );
}
console.log(`  viewer process: peak RSS ${(peakKib / 1024).toFixed(0)} MiB over ${calls + 1} starts (load ${load()})`);
