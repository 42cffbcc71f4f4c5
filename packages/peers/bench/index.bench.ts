// npm run bench:peers (root) = npm run bench -w packages/peers
//   [-- --calls 20000 --runs 3 --rounds 5 --frameworks openai,ai-sdk,langchain,bedrock --chunk-delay-ms 1]
//
// Per framework and mode: the bare SDK, each peer instrumentation set up as its own docs say, and
// servedby as documented, each arm in its own worker process (two peers patching one SDK never
// meet), all against one gateway-sim in this process (OpenRouter route; Bedrock Converse over
// HTTP/2). Each arm's batches are interleaved with the others', arms shuffled every round; three
// runs with fresh processes. Reported: wall ms and CPU µs (user + system of the worker) per call,
// the ratio to bare (median of runs, min–max spread), time to first chunk, and heap / RSS after
// all calls (after two forced GCs). Prints a markdown table.
import { fork, type ChildProcess } from 'node:child_process';
import { statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { SCENARIO_HEADER, startGatewaySim } from '@servedby/gateway-sim';
import { ARMS, type Framework, MODES, simTargets, type SimTargets } from './arms';
import type { WorkerCommand, WorkerReply } from './worker';

const { values } = parseArgs({
  options: {
    calls: { type: 'string', default: process.env.BENCH_CALLS ?? '200' },
    runs: { type: 'string', default: '3' },
    rounds: { type: 'string', default: '5' },
    frameworks: { type: 'string', default: Object.keys(ARMS).join(',') },
    // The simulator streams every event of a response at once by default, so a whole stream (its
    // end included) arrives in one read, before the caller sees its first chunk. A delay between
    // events paces it as a model does (OpenRouter route only; Bedrock is not paced).
    'chunk-delay-ms': { type: 'string', default: '0' },
  },
  allowPositionals: true,
});
const calls = Math.max(1, Number.parseInt(values.calls!, 10));
const runs = Math.max(1, Number.parseInt(values.runs!, 10));
const rounds = Math.max(1, Math.min(calls, Number.parseInt(values.rounds!, 10)));
const frameworks = values.frameworks!.split(',').filter((name): name is Framework => name in ARMS);
const chunkDelayMs = Math.max(0, Number(values['chunk-delay-ms']) || 0);
const warmUpCalls = Math.min(50, Math.max(5, Math.floor(calls / 10)));

interface Worker {
  arm: string;
  child: ChildProcess;
  description: string;
  request(command: WorkerCommand): Promise<WorkerReply>;
}

function startWorker(framework: Framework, arm: string, targets: SimTargets): Promise<Worker> {
  const child = fork(fileURLToPath(new URL('./worker.ts', import.meta.url)), [], {
    execArgv: ['--expose-gc', '--import', 'tsx'],
    env: { ...process.env, BENCH_FRAMEWORK: framework, BENCH_ARM: arm, BENCH_TARGETS: JSON.stringify(targets) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let pending: ((reply: WorkerReply) => void) | undefined;
  child.on('message', (reply: WorkerReply) => {
    const resolve = pending;
    pending = undefined;
    resolve?.(reply);
  });
  const request = (command: WorkerCommand) =>
    new Promise<WorkerReply>((resolve, reject) => {
      pending = (reply) => (reply.type === 'error' ? reject(new Error(`${framework}/${arm}: ${reply.message}`)) : resolve(reply));
      child.send(command);
    });
  return new Promise((resolve, reject) => {
    pending = (reply) => {
      if (reply.type === 'ready') resolve({ arm, child, description: reply.description, request });
      else reject(new Error(`${framework}/${arm} did not start: ${reply.type === 'error' ? reply.message : reply.type}`));
    };
    child.once('exit', (code) => reject(new Error(`${framework}/${arm} exited with ${code}`)));
  });
}

function shuffle<T>(items: readonly T[]): T[] {
  const copy = [...items];
  for (let index = copy.length - 1; index > 0; index--) {
    const other = Math.floor(Math.random() * (index + 1));
    [copy[index], copy[other]] = [copy[other]!, copy[index]!];
  }
  return copy;
}

function median(numbers: number[]): number {
  if (numbers.length === 0) return Number.NaN;
  const sorted = [...numbers].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function mean(numbers: number[]): number {
  return numbers.length === 0 ? Number.NaN : numbers.reduce((sum, value) => sum + value, 0) / numbers.length;
}

/** Least-squares slope of the heap over the calls, in KB per 1,000 calls. */
function heapSlope(points: Array<{ calls: number; heap: number }>): number {
  if (points.length < 2) return Number.NaN;
  const meanCalls = mean(points.map((point) => point.calls));
  const meanHeap = mean(points.map((point) => point.heap));
  let covariance = 0;
  let variance = 0;
  for (const point of points) {
    covariance += (point.calls - meanCalls) * (point.heap - meanHeap);
    variance += (point.calls - meanCalls) ** 2;
  }
  return variance === 0 ? Number.NaN : (covariance / variance) * 1000 / 1024;
}

interface RunResult {
  spansPerCall: number;
  msPerCall: number;
  cpuMicrosPerCall: number;
  gcMicrosPerCall: number;
  firstChunkMs: number;
}
interface MemoryResult {
  heapStart: number;
  rssStart: number;
  heapEnd: number;
  /** Heap after two forced GCs at the end of each round, with the calls made so far (both modes). */
  heapByRound: Array<{ calls: number; heap: number }>;
  rss: number;
}

// results[framework][mode][arm] = one entry per run; memory[framework][arm] = per run.
const results = new Map<string, RunResult[]>();
const memory = new Map<string, MemoryResult[]>();
const descriptions = new Map<string, string>();
const key = (...parts: string[]) => parts.join('|');
const push = <T>(map: Map<string, T[]>, name: string, value: T) => map.set(name, [...(map.get(name) ?? []), value]);

const sim = await startGatewaySim({ port: 0, seed: 11 });
const targets = simTargets(sim, chunkDelayMs > 0 ? { [SCENARIO_HEADER]: JSON.stringify({ latency: { chunkDelayMs } }) } : undefined);
const requireFromHere = createRequire(import.meta.url);
/** When each servedby package's dist was built; the bench reports a rebuild during the run. */
function buildTimes(): string[] {
  return ['@servedby/conventions', '@servedby/langchain', '@servedby/vercel-ai', '@servedby/bedrock'].map((name) => {
    try {
      return `${name} dist built ${statSync(requireFromHere.resolve(name)).mtime.toISOString().slice(0, 16)}Z`;
    } catch {
      return `${name} not built`;
    }
  });
}
const buildsAtStart = buildTimes();
const loadBefore = loadavg();
const started = Date.now();

try {
  for (let run = 1; run <= runs; run++) {
    for (const framework of frameworks) {
      const workers: Worker[] = [];
      try {
        for (const arm of ARMS[framework]) workers.push(await startWorker(framework, arm, targets));
        for (const worker of workers) {
          descriptions.set(key(framework, worker.arm), worker.description);
          for (const mode of MODES[framework]) await worker.request({ type: 'batch', mode, calls: warmUpCalls });
        }
        const heapStart = new Map<string, number>();
        const rssStart = new Map<string, number>();
        for (const worker of workers) {
          const reply = await worker.request({ type: 'memory', release: true });
          if (reply.type === 'memory') {
            heapStart.set(worker.arm, reply.heapUsed);
            rssStart.set(worker.arm, reply.rss);
          }
        }
        const perRound = new Map<string, { ms: number[]; cpu: number[]; gc: number[]; firstChunk: number[]; spans: number[] }>();
        const heapByRound = new Map<string, Array<{ calls: number; heap: number }>>();
        let callsSoFar = 0;
        for (let round = 0; round < rounds; round++) {
          const batch = Math.floor(calls / rounds) + (round < calls % rounds ? 1 : 0);
          for (const mode of MODES[framework]) {
            for (const worker of shuffle(workers)) {
              const reply = await worker.request({ type: 'batch', mode, calls: batch });
              if (reply.type !== 'batch') continue;
              const name = key(framework, mode, worker.arm);
              const entry = perRound.get(name) ?? { ms: [], cpu: [], gc: [], firstChunk: [], spans: [] };
              entry.spans.push(reply.spans / batch);
              entry.ms.push(reply.wallMs / batch);
              entry.cpu.push(reply.cpuMicros / batch);
              entry.gc.push(reply.gcMicros / batch);
              entry.firstChunk.push(...reply.firstChunkMs);
              perRound.set(name, entry);
            }
          }
          // Outside the timed batches: is what the arm keeps growing with the calls?
          callsSoFar += batch * MODES[framework].length;
          for (const worker of workers) {
            const reply = await worker.request({ type: 'memory' });
            if (reply.type === 'memory') heapByRound.set(worker.arm, [...(heapByRound.get(worker.arm) ?? []), { calls: callsSoFar, heap: reply.heapUsed }]);
          }
        }
        for (const [name, entry] of perRound) {
          push(results, name, { spansPerCall: median(entry.spans), msPerCall: median(entry.ms), cpuMicrosPerCall: median(entry.cpu), gcMicrosPerCall: mean(entry.gc), firstChunkMs: median(entry.firstChunk) });
        }
        for (const worker of workers) {
          const reply = await worker.request({ type: 'memory', release: true });
          if (reply.type === 'memory') {
            push(memory, key(framework, worker.arm), {
              heapStart: heapStart.get(worker.arm) ?? Number.NaN,
              rssStart: rssStart.get(worker.arm) ?? Number.NaN,
              heapEnd: reply.heapUsed,
              heapByRound: heapByRound.get(worker.arm) ?? [],
              rss: reply.rss,
            });
          }
        }
      } finally {
        for (const worker of workers) worker.child.kill();
      }
    }
  }
} finally {
  await sim.close();
}

const format = (value: number, digits = 2) => (Number.isFinite(value) ? value.toFixed(digits) : '–');
const megabytes = (bytes: number) => format(bytes / 1024 / 1024, 1);
const lines: string[] = [];
lines.push(`## Peer benchmark (${new Date(started).toISOString()})`);
lines.push('');
lines.push(
  `\`npm run bench:peers -- --calls ${calls} --runs ${runs} --rounds ${rounds}${chunkDelayMs > 0 ? ` --chunk-delay-ms ${chunkDelayMs}` : ''}${frameworks.length < Object.keys(ARMS).length ? ` --frameworks ${frameworks.join(',')}` : ''}\` · ${process.version} · load average before ${loadBefore.map((load) => load.toFixed(2)).join(' ')}, after ${loadavg().map((load) => load.toFixed(2)).join(' ')} · ${calls} calls per arm and mode per run, ${warmUpCalls} warm-up · ${((Date.now() - started) / 1000).toFixed(0)} s`,
);
lines.push('');
const buildsAtEnd = buildTimes();
lines.push(`servedby as run: ${buildsAtStart.join(', ')} (the arm uses what these builds export).`);
if (buildsAtEnd.join() !== buildsAtStart.join()) lines.push(`**A build changed during the run** (later runs used it): ${buildsAtEnd.join(', ')}.`);
lines.push('');
lines.push('Ratios are to `bare` in the same run (median of runs, min–max in brackets); ms and µs are medians of runs.');
for (const framework of frameworks) {
  lines.push('');
  lines.push(`### ${framework}`);
  lines.push('');
  lines.push('| mode | arm | spans / call | ms / call | ratio | CPU µs / call | CPU ratio | GC µs / call | first chunk ms | heap MB start → end | heap KB / 1k calls | RSS MB start → end | RSS growth MB |');
  lines.push('|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const mode of MODES[framework]) {
    const bare = results.get(key(framework, mode, 'bare')) ?? [];
    for (const arm of ARMS[framework]) {
      const own = results.get(key(framework, mode, arm)) ?? [];
      const ratios = own.map((result, index) => result.msPerCall / (bare[index]?.msPerCall ?? Number.NaN));
      const cpuRatios = own.map((result, index) => result.cpuMicrosPerCall / (bare[index]?.cpuMicrosPerCall ?? Number.NaN));
      const spread = (values: number[]) => `${format(median(values))} (${format(Math.min(...values))}–${format(Math.max(...values))})`;
      const mem = memory.get(key(framework, arm)) ?? [];
      const lastMemory = mem[mem.length - 1];
      const rssGrowth = mem.map((entry) => (entry.rss - entry.rssStart) / 1024 / 1024);
      const growthSpread = rssGrowth.length > 1 ? `${format(median(rssGrowth), 0)} (${format(Math.min(...rssGrowth), 0)}–${format(Math.max(...rssGrowth), 0)})` : format(rssGrowth[0] ?? Number.NaN, 0);
      const streaming = mode.includes('stream');
      lines.push(
        `| ${mode} | ${arm} | ${format(median(own.map((result) => result.spansPerCall)), 1)} | ${format(median(own.map((result) => result.msPerCall)), 3)} | ${spread(ratios)} | ${format(median(own.map((result) => result.cpuMicrosPerCall)), 0)} | ${spread(cpuRatios)} | ${format(median(own.map((result) => result.gcMicrosPerCall)), 0)} | ${streaming ? format(median(own.map((result) => result.firstChunkMs)), 3) : ''} | ${lastMemory ? `${megabytes(lastMemory.heapStart)} → ${megabytes(lastMemory.heapEnd)}` : ''} | ${lastMemory ? format(heapSlope(lastMemory.heapByRound.slice(1)), 0) : ''} | ${lastMemory ? `${megabytes(lastMemory.rssStart)} → ${megabytes(lastMemory.rss)}` : ''} | ${growthSpread} |`,
      );
    }
  }
  lines.push('');
  lines.push('Set-ups: ' + ARMS[framework].map((arm) => `\`${arm}\`: ${descriptions.get(key(framework, arm)) ?? '?'}`).join('; ') + '.');
}
lines.push('');
lines.push(
  `Heap and RSS: the worker process of the last run, after ${2 * calls + 2 * warmUpCalls} calls (both modes), two forced GCs, the start and end readings after a last-resort GC too (it returns the free pages V8 keeps for reuse, which are RSS no arm holds and vary by tens of MB between processes); start = after warm-up (RSS too). RSS growth: end − start in each run's worker, median of runs (min–max). Heap KB / 1k calls: the least-squares slope of the heap measured the same way after each round but the first (${rounds} rounds, both modes; the first still grows with code and caches); an arm that keeps something per call grows by that much. GC µs / call: the GC pauses during the timed batches (Node's \`gc\` performance entries), mean of rounds.`,
);
console.log(lines.join('\n'));
