// OTLP/protobuf ingest into `servedby-viewer` running in its own process (as beside an app), from
// this process posting bodies the standard serializer wrote beforehand, 2 at once over node:http
// keep-alive. Timed from the first post until /api/summary counts every span. Prints the rate, the
// viewer's CPU per thread group (from /proc) and the load average. Needs `npm run build` first;
// VIEWER_CLI=<path to another build's dist/cli.js> runs that build instead (a before/after).
//   node --import tsx bench/ingest-process.mts [spans=400000]
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateSyntheticSpans } from '../src/synthetic';
import { protobufBodies } from './protobuf-bodies';
import { createOtlpPoster, startViewerProcess } from './viewer-process';

const targetSpans = Number(process.argv[2] ?? 400_000);
const load = () => loadavg().map((value) => value.toFixed(1)).join(' ');
const spans = generateSyntheticSpans({ traces: Math.round(targetSpans / 4.04), evalRuns: 0, endMs: Date.UTC(2026, 11, 5) });
const bodies = protobufBodies(spans, 2048);
const directory = mkdtempSync(join(tmpdir(), 'servedby-ingest-process-'));
const cli = process.env.VIEWER_CLI ?? new URL('../dist/cli.js', import.meta.url).pathname;
const viewer = await startViewerProcess(cli, ['--store', directory, '--port', '0']);
const { child, url } = viewer;

/** CPU seconds per thread name (digits dropped) of a process. */
function threadCpu(pid: number | string): Map<string, number> {
  const result = new Map<string, number>();
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${task}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')).replace(/[0-9]+$/, '');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      result.set(name, (result.get(name) ?? 0) + (Number(fields[11]) + Number(fields[12])) / 100);
    } catch {
      // the thread ended
    }
  }
  return result;
}

const poster = createOtlpPoster(url);
const post = poster.post;
const storedSpans = async () => ((await (await fetch(`${url}/api/summary`)).json()) as { spans: number }).spans;

const before = threadCpu(child.pid!);
const clientBefore = process.cpuUsage();
const started = performance.now();
const queue = [...bodies];
const postAll = async () => {
  for (let body = queue.shift(); body; body = queue.shift()) {
    const status = await post(body);
    if (status !== 200) throw new Error(`ingest failed: ${status}`);
  }
};
await Promise.all([postAll(), postAll()]);
const postedMs = performance.now() - started;
while ((await storedSpans()) < spans.length) await new Promise((resolve) => setTimeout(resolve, 20));
const wallMs = performance.now() - started;
const after = threadCpu(child.pid!);
const client = process.cpuUsage(clientBefore);
const cpu = [...after].map(([name, seconds]) => [name, seconds - (before.get(name) ?? 0)] as const).filter(([, seconds]) => seconds >= 0.05).sort((a, b) => b[1] - a[1]);
const viewerCpu = cpu.reduce((sum, [, seconds]) => sum + seconds, 0);
console.log(`${spans.length.toLocaleString('en')} spans in ${bodies.length} requests: stored in ${wallMs.toFixed(0)} ms (posted in ${postedMs.toFixed(0)} ms): ${((spans.length / wallMs) * 1000).toFixed(0)} spans/s (load ${load()})`);
console.log(`  viewer CPU ${viewerCpu.toFixed(2)} s (${((viewerCpu * 1e6) / spans.length).toFixed(1)} µs/span, ${((viewerCpu * 1000) / wallMs).toFixed(2)} cores): ${cpu.map(([name, seconds]) => `${name} ${seconds.toFixed(2)}`).join(', ')}`);
console.log(`  client CPU ${((client.user + client.system) / 1e6).toFixed(2)} s`);
poster.close();
await viewer.stop();
rmSync(directory, { recursive: true, force: true });
