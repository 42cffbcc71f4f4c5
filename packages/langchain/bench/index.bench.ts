// Overhead of the route handler on one loopback ChatOpenAI call to the simulated OpenRouter:
// the same call with and without the plugin, in one process, alternating rounds, median of the
// per-round medians. Run: npm run bench (from packages/langchain).
import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { ChatOpenAI } from '@langchain/openai';
import { captureRouteFetch } from '@servedby/conventions';
import { startGatewaySim } from '@servedby/gateway-sim';
import { Bench } from 'tinybench';
import { createRouteCallbackHandler } from '../src/index';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 12);
const TIME_MS = Number(process.env.BENCH_TIME_MS ?? 400);

context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
const exporter = new InMemorySpanExporter();
const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
const meterProvider = new MeterProvider();
const sim = await startGatewaySim({ port: 0, seed: 1 });

const model = (fetch: typeof globalThis.fetch | undefined) =>
  new ChatOpenAI({
    model: 'openai/gpt-4o',
    apiKey: 'sk-bench',
    maxRetries: 0,
    configuration: { baseURL: sim.baseUrls.openrouter, fetch, defaultHeaders: { 'x-sim-upstream': 'Together' } },
  });
const plain = model(undefined);
const instrumented = model(captureRouteFetch());
const handler = createRouteCallbackHandler({ tracerProvider, meterProvider });

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

const withoutPlugin: number[] = [];
const withPlugin: number[] = [];
for (let round = 0; round < ROUNDS; round += 1) {
  const bench = new Bench({ time: TIME_MS, warmupTime: 100, throws: true });
  const tasks: Array<[string, () => Promise<unknown>]> = [
    ['without plugin', () => plain.invoke('Hello')],
    ['with plugin', () => instrumented.invoke('Hello', { callbacks: [handler] })],
  ];
  // Alternate which runs first so drift (JIT, GC, thermal) hits both sides alike.
  for (const [name, fn] of round % 2 ? tasks.reverse() : tasks) bench.add(name, fn);
  await bench.run();
  for (const task of bench.tasks) {
    const result = task.result;
    if (result.state !== 'completed') throw new Error(`${task.name}: ${result.state}`);
    (task.name === 'with plugin' ? withPlugin : withoutPlugin).push(result.latency.p50);
  }
  exporter.reset();
}

const base = median(withoutPlugin);
const instrumentedMedian = median(withPlugin);
const overhead = ((instrumentedMedian - base) / base) * 100;
console.log(`ChatOpenAI.invoke → gateway-sim OpenRouter (loopback), ${ROUNDS} alternating rounds`);
console.log(`  without plugin: median ${base.toFixed(3)} ms`);
console.log(`  with plugin:    median ${instrumentedMedian.toFixed(3)} ms`);
console.log(`  overhead:       ${overhead.toFixed(2)} %`);
await sim.close();
