#!/usr/bin/env node
// `npm run demo`: plays a day of customer support through every servedby plugin, exports the
// attributed spans, and serves the viewer. `--once` prints the summary and exits.
import { readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  analyzeStore,
  EmbeddedEngineUnavailableError,
  formatReport,
  generateSyntheticSpans,
  openStore,
  startViewerServer,
  type SpanRecord,
  type TraceStore,
  type ViewerServer,
} from '@servedby/viewer';
import { decodeOtlpJsonLines } from './otlp/decode-json';
import { ALL_AGENTS } from './scenario/all-agents';
import { runDemoScenario, type ScenarioEvent } from './scenario/run-scenario';

const { values } = parseArgs({
  args: process.argv.slice(2).filter((argument) => argument !== '--'),
  options: {
    once: { type: 'boolean', default: false },
    out: { type: 'string' },
    port: { type: 'string', default: '4318' },
    host: { type: 'string', default: '127.0.0.1' },
    ticks: { type: 'string', default: '48' },
    agents: { type: 'string' },
    load: { type: 'string' },
    synthetic: { type: 'string' },
    store: { type: 'string' },
    serve: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

if (values.help) {
  console.log(`servedby demo

  npm run demo                   run the scenario, then keep the viewer running (Ctrl-C to stop)
  npm run demo -- --once         run the scenario, write the file, print the summary, exit
  options:
    --out <file>                 OTLP JSON lines file (default apps/demo/out/servedby-demo.jsonl)
    --port <port>                viewer / OTLP receiver port (default 4318; a free one if taken)
    --ticks <n>                  slices of the compressed day (default 48)
    --agents a,b                 only these agents (${ALL_AGENTS.map((agent) => agent.id).join(', ')})
    --load <file>                serve an OTLP JSON lines file instead of running the scenario
    --synthetic <traces>         serve a generated dataset of that many agent runs (load testing)
    --serve                      serve the stored day as it is (no new run; the store survives restarts)
    --store <dir>                data directory of the embedded ClickHouse (default apps/demo/.data)
  OTEL_EXPORTER_OTLP_ENDPOINT    also export over OTLP/HTTP (standard OTel variables)
  OPENROUTER_API_KEY, LITELLM_BASE_URL, AI_GATEWAY_API_KEY, AZURE_OPENAI_ENDPOINT+AZURE_OPENAI_API_KEY,
  AWS credentials + AWS_REGION   call that real service instead of gateway-sim (one switch per provider)`);
  process.exit(0);
}

const packageDirectory = resolve(import.meta.dirname, '..');
const outFile = resolve(values.out ?? join(packageDirectory, 'out', 'servedby-demo.jsonl'));
const tty = process.stdout.isTTY;

async function openViewer(store: TraceStore): Promise<ViewerServer> {
  const port = Number(values.port);
  try {
    return await startViewerServer({ store, port, host: values.host });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    console.log(`port ${port} is taken; using a free one`);
    return startViewerServer({ store, port: 0, host: values.host });
  }
}

function time(ms: number): string {
  return new Date(ms).toISOString().slice(5, 16).replace('T', ' ');
}

function progress(event: ScenarioEvent): void {
  if (event.type === 'start') {
    console.log(`servedby demo: one support agent, ${event.agents.length} implementations, a compressed day of ${event.timeline.ticks} slices`);
    for (const agent of event.agents) {
      const real = event.realRoutes.includes(agent.route) ? 'REAL SERVICE' : 'gateway-sim';
      console.log(`  ${agent.id.padEnd(13)} ${agent.framework.padEnd(40)} ${agent.routeLabel} (${real})`);
    }
    console.log(`  spans → ${event.destinations.join(', ')}`);
    return;
  }
  if (event.type === 'tick') {
    const width = 30;
    const done = Math.round(((event.tick + 1) / Number(values.ticks)) * width);
    const bar = `${'#'.repeat(Math.min(width, done))}${'.'.repeat(Math.max(0, width - done))}`;
    const line = `  [${bar}] ${time(event.virtualMs)} ${event.phase.padEnd(8)} runs ${event.runs}  errors ${event.errors}`;
    if (tty) process.stdout.write(`\r${line}`);
    else if (event.tick % 8 === 0) console.log(line);
    return;
  }
  const line = `  eval ${event.runId}: mean score ${event.meanScore.toFixed(2)}${event.upstreamNote ? ` (served by ${event.upstreamNote})` : ''}`;
  console.log(tty ? `\r${line.padEnd(90)}` : line);
}

// The day is kept in the embedded ClickHouse (the viewer's store), which survives restarts:
// `--serve` shows it again without a new run.
const dataDirectory = resolve(values.store ?? join(packageDirectory, '.data'));
let store: TraceStore;
try {
  store = await openStore({ directory: dataDirectory, database: 'demo' });
} catch (error) {
  console.error(error instanceof EmbeddedEngineUnavailableError ? error.message : `cannot open the store in ${dataDirectory}: ${(error as Error).message}`);
  process.exit(1);
}
// A run (or a loaded file) replaces the previous day.
if (!values.serve) await store.clear();
let viewer: ViewerServer | undefined;
if (!values.once) viewer = await openViewer(store);

let inserting: Promise<unknown> = Promise.resolve();
function insert(spans: readonly SpanRecord[]): void {
  inserting = inserting.then(() => store.insert(spans)).catch((error: unknown) => console.error(`storing spans failed: ${(error as Error).message}`));
}

if (values.serve) {
  console.log(`serving the stored day from ${relative(process.cwd(), dataDirectory) || dataDirectory}`);
} else if (values.load || values.synthetic) {
  if (values.load) {
    const spans = decodeOtlpJsonLines(readFileSync(values.load, 'utf8'));
    for (let offset = 0; offset < spans.length; offset += 20_000) insert(spans.slice(offset, offset + 20_000));
  }
  if (values.synthetic) {
    const traces = Number(values.synthetic);
    for (let from = 0; from < traces; from += 20_000) insert(generateSyntheticSpans({ traces, from, to: from + 20_000 }));
  }
} else {
  const selected = values.agents ? values.agents.split(',').map((id) => id.trim()) : undefined;
  const agents = ALL_AGENTS.filter((agent) => !selected || selected.includes(agent.id));
  const started = Date.now();
  const result = await runDemoScenario({
    agents: agents.map((agent) => agent.create),
    ticks: Number(values.ticks),
    outFile,
    onSpans: insert,
    onEvent: progress,
  });
  if (tty) process.stdout.write('\n');
  console.log(
    `done in ${((Date.now() - started) / 1000).toFixed(1)} s: ${result.runs} support tickets, ${result.evalItems} eval items, ${result.errors} failed runs; failover window ${time(result.failoverWindow.fromMs)} → ${time(result.failoverWindow.toMs)} UTC\n`,
  );
}
await inserting;

console.log(formatReport(await analyzeStore(store)));
console.log('');
if (!values.load && !values.synthetic && !values.serve) console.log(`spans written to ${relative(process.cwd(), outFile) || outFile}  (npm run report -- ${outFile})`);
if (viewer) {
  const filter = encodeURIComponent('gen_ai.route.upstream = together');
  console.log(`
Where to look (the viewer is also an OTLP/HTTP receiver: ${viewer.url}/v1/traces)
  ${viewer.url}/eval                     the eval regression, by upstream and run
  ${viewer.url}/drift                    the upstream mix over time, the change points, the traces that moved
  ${viewer.url}/topology?window=change   who served what during the failover window
  ${viewer.url}/cost                     cost by upstream, the routing-policy timeline, who refused
  ${viewer.url}/traces?filter=${filter}
Ctrl-C to stop.`);
  const stop = async () => {
    // Open browser connections may hold the server; do not make Ctrl-C wait for them.
    setTimeout(() => process.exit(0), 500).unref();
    await viewer?.close();
    await store.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
if (!viewer) await store.close();
