// The viewer as a user runs it: `servedby-viewer` in its own process over a store filled by
// `viewer.bench.ts` (BENCH_STORE), so its RSS is the viewer's and the engine's alone. Times the
// start on existing data (a restart), every view's first call, and reads the peak RSS (VmHWM).
//   BENCH_STORE=<dir> node --import tsx bench/viewer-process.bench.ts
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const directory = process.env.BENCH_STORE;
if (!directory) throw new Error('BENCH_STORE=<dir> of a store filled by viewer.bench.ts');
const cli = join(dirname(createRequire(import.meta.url).resolve('@servedby/viewer/package.json')), 'dist', 'cli.js');
const load = () => loadavg().map((value) => value.toFixed(1)).join(' ');
const started = performance.now();
const child = spawn(process.execPath, [cli, '--store', directory, '--database', 'bench', '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
const url = await new Promise<string>((resolve, reject) => {
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
    const match = /servedby viewer on (http:\/\/[^\s]+)/.exec(output);
    if (match) resolve(match[1]!);
  });
  child.on('exit', (code) => reject(new Error(`viewer exited with ${code}: ${output}`)));
});
console.log(`servedby-viewer started on ${url} in ${(performance.now() - started).toFixed(0)} ms over ${directory} (load ${load()})`);
const status = () => readFileSync(`/proc/${child.pid}/status`, 'utf8');
const kib = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status())?.[1] ?? 0);

const summary = await (await fetch(`${url}/api/summary`)).json();
console.log(`  ${summary.spans.toLocaleString('en')} spans, ${summary.modelCalls.toLocaleString('en')} model calls`);
const { traces } = await (await fetch(`${url}/api/traces?limit=1`)).json();
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
for (const endpoint of endpoints) {
  const before = performance.now();
  const response = await fetch(`${url}${endpoint}`);
  const body = await response.arrayBuffer();
  console.log(`  GET ${endpoint.replace(/traces\/[0-9a-f]{32}/, 'traces/{id}').padEnd(92)} ${response.status} ${(performance.now() - before).toFixed(0).padStart(6)} ms  ${(body.byteLength / 1024).toFixed(0)} KiB`);
}
console.log(`  viewer process: RSS now ${(kib('VmRSS') / 1024).toFixed(0)} MiB, peak ${(kib('VmHWM') / 1024).toFixed(0)} MiB (load ${load()})`);
child.kill('SIGTERM');
