// Overhead of @servedby/mastra on one loopback Mastra agent call (router string
// 'openrouter/…' → gateway-sim's OpenRouter, through @mastra/otel-bridge): the same call with
// and without the plugin, in one process, alternating rounds, median of the per-round medians.
// Run: npm run bench (from packages/mastra).
import { Agent } from '@mastra/core/agent';
import { startGatewaySim } from '@servedby/gateway-sim';
import { Bench } from 'tinybench';
import { Mastra } from '@mastra/core';
import type { AnySpan } from '@mastra/core/observability';
import { Observability } from '@mastra/observability';
import { OtelBridge } from '@mastra/otel-bridge';
import { routeSpanProcessor } from '../src/index';
import { installGlobalFetchCapture } from '../src/model-capture';
import { createMastra, createTelemetry } from '../test/harness';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 12);
const TIME_MS = Number(process.env.BENCH_TIME_MS ?? 500);

const sim = await startGatewaySim({ port: 0, seed: 1 });
process.env.OPENROUTER_BASE_URL = sim.baseUrls.openrouter;
process.env.OPENROUTER_API_KEY = 'sk-or-bench';

const telemetry = createTelemetry();
const agent = () =>
  new Agent({ id: 'bench', name: 'bench', instructions: 'Be brief.', model: 'openrouter/anthropic/claude-sonnet-4' });
const options = { modelSettings: { headers: { 'x-sim-upstream': 'Together' } } };
// Both sides export through the bridge; only the servedby processor (and its fetch capture) differs.
const plain = createMastra({ agents: { bench: agent() }, telemetry, servedby: false }).getAgent('bench');
// The plugin's processor, timed in CPU time (not wall time, which a busy machine inflates with
// preemption): the CPU spent inside process() is the processor's own synchronous cost.
const processor = routeSpanProcessor({ tracerProvider: telemetry.tracerProvider, meterProvider: telemetry.meterProvider, captureFetch: false });
let processorMs = 0;
let modelSteps = 0;
const timedProcessor = {
  name: processor.name,
  process(span?: AnySpan) {
    const start = process.cpuUsage();
    const result = processor.process(span);
    const used = process.cpuUsage(start);
    processorMs += (used.user + used.system) / 1000;
    if (span?.type === 'model_step' && span.endTime) modelSteps += 1;
    return result;
  },
  shutdown: () => processor.shutdown(),
};
const instrumented = new Mastra({
  agents: { bench: agent() },
  logger: false,
  observability: new Observability({
    configs: {
      default: {
        serviceName: 'bench',
        bridge: new OtelBridge({ tracerProvider: telemetry.tracerProvider }),
        spanOutputProcessors: [timedProcessor],
      },
    },
  }),
}).getAgent('bench');

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

const withoutPlugin: number[] = [];
const withPlugin: number[] = [];
for (let round = 0; round < ROUNDS; round += 1) {
  const bench = new Bench({ time: TIME_MS, warmupTime: 100, throws: true });
  let releaseCapture: (() => void) | undefined;
  const tasks: Array<[string, () => Promise<unknown>, object]> = [
    ['without plugin', () => plain.generate('Hello', options), {}],
    [
      'with plugin',
      () => instrumented.generate('Hello', options),
      // The fetch capture is process-wide: install it only while the plugin's side runs.
      { beforeAll: () => void (releaseCapture = installGlobalFetchCapture()), afterAll: () => releaseCapture?.() },
    ],
  ];
  // Alternate which runs first so drift (JIT, GC, thermal) hits both sides alike.
  for (const [name, fn, hooks] of round % 2 ? tasks.reverse() : tasks) bench.add(name, fn, hooks);
  await bench.run();
  for (const task of bench.tasks) {
    const result = task.result;
    if (result.state !== 'completed') throw new Error(`${task.name}: ${result.state}`);
    (task.name === 'with plugin' ? withPlugin : withoutPlugin).push(result.latency.p50);
  }
  telemetry.exporter.reset();
}

const base = median(withoutPlugin);
const instrumentedMedian = median(withPlugin);
const overhead = ((instrumentedMedian - base) / base) * 100;
console.log(`Mastra Agent.generate → gateway-sim OpenRouter (loopback, OTel bridge), ${ROUNDS} alternating rounds`);
console.log(`  without plugin: median ${base.toFixed(3)} ms`);
console.log(`  with plugin:    median ${instrumentedMedian.toFixed(3)} ms`);
console.log(`  overhead:       ${overhead.toFixed(2)} %`);
const perCallMs = processorMs / Math.max(1, modelSteps);
console.log(`  processor CPU:  ${(perCallMs * 1000).toFixed(0)} µs per model call (${((perCallMs / base) * 100).toFixed(2)} % of the plain call), over ${modelSteps} calls`);
await sim.close();
process.exit(0);
