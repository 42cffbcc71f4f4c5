// npm run bench:gc -w packages/peers [-- --framework ai-sdk --mode generate --calls 3000 --arms bare,ai-sdk-otel,servedby]
//
// What each arm makes the garbage collector do: the bench worker of one arm runs under V8's
// `--trace-gc-nvp`, makes `--calls` calls (after a warm-up batch) in batches of 500, and the
// scavenges' pauses and promoted bytes are summed per 1,000 calls. Promoted bytes are objects that
// outlived two scavenges and moved to the old generation: what an instrumentation keeps reachable
// past its call (directly, or through something that outlives the call, such as the async context
// undici keeps until a major GC) shows up here long before it shows up in a heap snapshot.
import { fork } from 'node:child_process';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startGatewaySim } from '@servedby/gateway-sim';
import { ARMS, type Framework, MODES, simTargets, type SimTargets } from './arms';
import type { WorkerCommand, WorkerReply } from './worker';

const { values } = parseArgs({
  options: {
    framework: { type: 'string', default: 'ai-sdk' },
    mode: { type: 'string' },
    calls: { type: 'string', default: '3000' },
    arms: { type: 'string' },
  },
});
const framework = values.framework as Framework;
if (!(framework in ARMS)) throw new Error(`--framework must be one of ${Object.keys(ARMS).join(', ')}`);
const mode = values.mode ?? MODES[framework][0];
const calls = Math.max(500, Number.parseInt(values.calls!, 10));
const arms = values.arms ? values.arms.split(',') : [...ARMS[framework]];

interface GcTotals {
  scavenges: number;
  scavengeMs: number;
  promotedBytes: number;
  markCompacts: number;
  markCompactMs: number;
}

// One `--trace-gc-nvp` line per GC: `gc=s` scavenges, `gc=mc` mark-compacts, `pause=` in ms.
function addTraceLine(line: string, totals: GcTotals): void {
  const kind = /\bgc=(\w+)/.exec(line)?.[1];
  const pause = Number(/\bpause=([\d.]+)/.exec(line)?.[1] ?? 0);
  if (kind === 's') {
    totals.scavenges += 1;
    totals.scavengeMs += pause;
    totals.promotedBytes += Number(/\bpromoted=(\d+)/.exec(line)?.[1] ?? 0);
  } else if (kind === 'mc') {
    totals.markCompacts += 1;
    totals.markCompactMs += pause;
  }
}

async function measure(arm: string, targets: SimTargets): Promise<GcTotals & { cpuMicros: number }> {
  const child = fork(fileURLToPath(new URL('./worker.ts', import.meta.url)), [], {
    execArgv: ['--expose-gc', '--trace-gc-nvp', '--import', 'tsx'],
    env: { ...process.env, BENCH_FRAMEWORK: framework, BENCH_ARM: arm, BENCH_TARGETS: JSON.stringify(targets) },
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  const totals: GcTotals = { scavenges: 0, scavengeMs: 0, promotedBytes: 0, markCompacts: 0, markCompactMs: 0 };
  let counting = false;
  let pending = '';
  child.stdout!.setEncoding('utf8');
  child.stdout!.on('data', (text: string) => {
    pending += text;
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    if (counting) for (const line of lines) addTraceLine(line, totals);
  });
  const request = (command: WorkerCommand) =>
    new Promise<WorkerReply>((resolve) => {
      child.once('message', (reply: WorkerReply) => resolve(reply));
      child.send(command);
    });
  const ready = await new Promise<WorkerReply>((resolve) => child.once('message', (reply: WorkerReply) => resolve(reply)));
  if (ready.type !== 'ready') throw new Error(`${framework}/${arm} did not start: ${JSON.stringify(ready)}`);
  await request({ type: 'batch', mode, calls: 300 });
  // The warm-up's collections are not counted: flush them through before the measured batches.
  await request({ type: 'memory' });
  await new Promise((resolve) => setTimeout(resolve, 100));
  counting = true;
  let cpuMicros = 0;
  for (let done = 0; done < calls; done += 500) {
    const reply = await request({ type: 'batch', mode, calls: Math.min(500, calls - done) });
    if (reply.type !== 'batch') throw new Error(`${framework}/${arm}: ${JSON.stringify(reply)}`);
    cpuMicros += reply.cpuMicros;
  }
  counting = false;
  child.send({ type: 'exit' } satisfies WorkerCommand);
  await new Promise((resolve) => child.once('exit', resolve));
  return { ...totals, cpuMicros };
}

const sim = await startGatewaySim({ port: 0, seed: 11 });
const targets = simTargets(sim);
const loadBefore = loadavg();
const rows: string[] = [];
try {
  for (const arm of arms) {
    const result = await measure(arm, targets);
    const perThousand = (value: number) => (value * 1000) / calls;
    rows.push(
      `| ${arm} | ${(result.cpuMicros / calls).toFixed(0)} | ${perThousand(result.scavenges).toFixed(1)} | ${perThousand(result.scavengeMs).toFixed(1)} | ${(perThousand(result.promotedBytes) / 1024 / 1024).toFixed(1)} | ${perThousand(result.markCompacts).toFixed(2)} | ${perThousand(result.markCompactMs).toFixed(1)} |`,
    );
  }
} finally {
  await sim.close();
}
console.log(
  `\`npm run bench:gc -w packages/peers -- --framework ${framework} --mode ${mode} --calls ${calls} --arms ${arms.join(',')}\` · ${process.version} · load average before ${loadBefore.map((load) => load.toFixed(2)).join(' ')}, after ${loadavg().map((load) => load.toFixed(2)).join(' ')}`,
);
console.log('');
console.log('| arm | CPU µs / call | scavenges / 1k calls | scavenge ms / 1k calls | promoted MB / 1k calls | mark-compacts / 1k calls | mark-compact ms / 1k calls |');
console.log('|---|---|---|---|---|---|---|');
for (const row of rows) console.log(row);
