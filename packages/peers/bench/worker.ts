// One arm of one framework, in its own process (started by index.bench.ts with --expose-gc).
// It answers the parent's commands over IPC: run a batch of calls in one mode, report memory.
import * as diagnosticsChannel from 'node:diagnostics_channel';
import { PerformanceObserver } from 'node:perf_hooks';
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { type Framework, prepareArm, type SimTargets } from './arms';

/** A command from the parent. */
export type WorkerCommand =
  | { type: 'batch'; mode: string; calls: number }
  /** `release`: a last-resort GC first, so RSS counts no free pages V8 keeps for reuse. */
  | { type: 'memory'; release?: boolean }
  | { type: 'exit' };

/** A reply to the parent. */
export type WorkerReply =
  | { type: 'ready'; description: string }
  | { type: 'batch'; wallMs: number; cpuMicros: number; gcMicros: number; firstChunkMs: number[]; spans: number; stages?: Record<string, number> }
  | { type: 'memory'; heapUsed: number; rss: number }
  | { type: 'error'; message: string };

const framework = process.env.BENCH_FRAMEWORK as Framework;
const arm = process.env.BENCH_ARM ?? 'bare';
const targets = JSON.parse(process.env.BENCH_TARGETS ?? '{}') as SimTargets;

// The same telemetry for every arm: SDK 3, a simple processor over an in-memory exporter, the
// AsyncLocalStorage context manager, registered globally (servedby's plugins and Langfuse use the
// global provider; the peers get it passed explicitly as well).
const exporter = new InMemorySpanExporter();
const tracerProvider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
trace.setGlobalTracerProvider(tracerProvider);

function send(reply: WorkerReply): void {
  process.send?.(reply);
}

// Time in GC pauses (scavenges and the main-thread part of mark-compacts), summed per batch: what
// the instrumentation's allocations and the objects it keeps alive cost beyond its own code.
let gcMicros = 0;
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) gcMicros += entry.duration * 1000;
}).observe({ entryTypes: ['gc'] });

type CollectGarbage = (options?: { type: 'major'; execution: 'sync'; flavor: 'last-resort' }) => void;

function memory(release: boolean): { heapUsed: number; rss: number } {
  const collect = (globalThis as { gc?: CollectGarbage }).gc;
  collect?.();
  collect?.();
  // V8 keeps the pages a busy heap freed (the young generation grown to its maximum, emptied old
  // pages) for reuse and hands them back only when idle: they are RSS no arm holds, and how many a
  // process keeps varies by tens of MB. A last-resort GC (as under memory pressure) returns them.
  if (release) collect?.({ type: 'major', execution: 'sync', flavor: 'last-resort' });
  const usage = process.memoryUsage();
  return { heapUsed: usage.heapUsed, rss: usage.rss };
}

// BENCH_STAGES=1 (stages.bench.ts): time what the instrumentation does on each undici channel,
// in this process, by subscribing a marker before it subscribes and one after (diagnostics_channel
// calls subscribers in order). Off in the peer benchmark: a subscriber makes undici publish.
const STAGE_CHANNELS = ['create', 'bodyChunkSent', 'headers', 'bodyChunkReceived', 'trailers', 'error'];
const stageTotals: Record<string, number> = {};
const stagesOn = process.env.BENCH_STAGES === '1';
let stageStarted = 0;
if (stagesOn) {
  for (const name of STAGE_CHANNELS) {
    diagnosticsChannel.subscribe(`undici:request:${name}`, () => {
      stageStarted = performance.now();
    });
  }
}

try {
  const prepared = await prepareArm(framework, arm, tracerProvider, targets);
  if (stagesOn) {
    for (const name of STAGE_CHANNELS) {
      diagnosticsChannel.subscribe(`undici:request:${name}`, () => {
        stageTotals[name] = (stageTotals[name] ?? 0) + performance.now() - stageStarted;
      });
    }
  }
  process.on('message', async (command: WorkerCommand) => {
    try {
      if (command.type === 'exit') {
        process.exit(0);
      } else if (command.type === 'memory') {
        send({ type: 'memory', ...memory(command.release === true) });
      } else {
        const firstChunkMs: number[] = [];
        // GC entries arrive asynchronously: let the previous batch's last ones land first.
        await new Promise((resolve) => setImmediate(resolve));
        gcMicros = 0;
        const cpuBefore = process.cpuUsage();
        const started = performance.now();
        for (let index = 0; index < command.calls; index++) {
          const callStarted = performance.now();
          let first: number | undefined;
          const text = await prepared.call(command.mode, () => {
            first ??= performance.now() - callStarted;
          });
          if (text.length === 0) throw new Error(`${framework}/${arm} ${command.mode}: empty answer`);
          if (first !== undefined) firstChunkMs.push(first);
        }
        const wallMs = performance.now() - started;
        const cpu = process.cpuUsage(cpuBefore);
        await new Promise((resolve) => setImmediate(resolve));
        const batchGcMicros = gcMicros;
        // A real exporter ships and drops its spans: keep memory to what the instrumentation holds.
        const spans = exporter.getFinishedSpans().length;
        exporter.reset();
        const stages = stagesOn ? { ...stageTotals } : undefined;
        for (const name of Object.keys(stageTotals)) delete stageTotals[name];
        send({ type: 'batch', wallMs, cpuMicros: cpu.user + cpu.system, gcMicros: batchGcMicros, firstChunkMs, spans, ...(stages ? { stages } : {}) });
      }
    } catch (error) {
      send({ type: 'error', message: error instanceof Error ? error.message : String(error) });
    }
  });
  send({ type: 'ready', description: prepared.description });
} catch (error) {
  send({ type: 'error', message: error instanceof Error ? `${error.message}\n${error.stack}` : String(error) });
}
