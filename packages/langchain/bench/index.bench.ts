// Overhead of @servedby/langchain on one loopback ChatOpenAI call to the simulated OpenRouter:
// the same call without the plugin, with a no-op awaited LangChain handler (what LangChain's own
// callback machinery costs any handler), and with the plugin (handler + captureRouteFetch).
// One process, alternating tinybench rounds, median of the per-round ratios.
// Run: npm run bench   (env: BENCH_ROUNDS, BENCH_TIME_MS, BENCH_LATENCY_MS = simulated first-byte latency)
import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { TracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { BaseCallbackHandler } from '@langchain/core/callbacks/base';
import { ChatOpenAI } from '@langchain/openai';
import { captureRouteFetch } from '@servedby/conventions';
import { startGatewaySim } from '@servedby/gateway-sim';
import { Bench } from 'tinybench';
import { createRouteCallbackHandler } from '../src/index';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 10);
const TIME_MS = Number(process.env.BENCH_TIME_MS ?? 500);
const LATENCY_MS = Number(process.env.BENCH_LATENCY_MS ?? 0);

context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
const exporter = new InMemorySpanExporter();
const tracerProvider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
const meterProvider = new MeterProvider();
const sim = await startGatewaySim({ port: 0, seed: 1 });

const headers: Record<string, string> = { 'x-sim-upstream': 'Together' };
if (LATENCY_MS > 0) headers['x-sim-scenario'] = JSON.stringify({ latency: { firstByteMs: LATENCY_MS } });
const model = (fetch: typeof globalThis.fetch | undefined) =>
  new ChatOpenAI({
    model: 'openai/gpt-4o',
    apiKey: 'sk-bench',
    maxRetries: 0,
    configuration: { baseURL: sim.baseUrls.openrouter, fetch, defaultHeaders: headers },
  });
const plain = model(undefined);
const instrumented = model(captureRouteFetch());
const handler = createRouteCallbackHandler({ tracerProvider, meterProvider });

class NoopHandler extends BaseCallbackHandler {
  name = 'noop';
  constructor() {
    super({ _awaitHandler: true });
  }
  override handleChatModelStart(): void {}
  override handleLLMEnd(): void {}
}
const noop = new NoopHandler();

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

const arms = {
  'without plugin': () => plain.invoke('Hello'),
  'no-op LangChain handler': () => plain.invoke('Hello', { callbacks: [noop] }),
  'with plugin': () => instrumented.invoke('Hello', { callbacks: [handler] }),
};
type Arm = keyof typeof arms;
const medians: Record<Arm, number[]> = { 'without plugin': [], 'no-op LangChain handler': [], 'with plugin': [] };
for (let round = 0; round < ROUNDS; round += 1) {
  const bench = new Bench({ time: TIME_MS, warmupTime: 100, throws: true });
  const order = Object.keys(arms) as Arm[];
  // Rotate which arm runs first so drift (JIT, GC, thermal) hits every arm alike.
  for (let index = 0; index < order.length; index += 1) {
    const arm = order[(index + round) % order.length]!;
    bench.add(arm, arms[arm]);
  }
  await bench.run();
  for (const task of bench.tasks) {
    const result = task.result;
    if (result.state !== 'completed') throw new Error(`${task.name}: ${result.state}`);
    medians[task.name as Arm].push(result.latency.p50);
  }
  exporter.reset();
}

const ratio = (arm: Arm, baseline: Arm) =>
  (median(medians[arm].map((value, round) => value / medians[baseline][round]!)) - 1) * 100;
console.log(`ChatOpenAI.invoke → gateway-sim OpenRouter (loopback, first byte +${LATENCY_MS} ms), ${ROUNDS} rotating rounds`);
for (const arm of Object.keys(arms) as Arm[]) console.log(`  ${arm.padEnd(24)} median ${median(medians[arm]).toFixed(3)} ms`);
console.log(`  overhead vs without plugin:          ${ratio('with plugin', 'without plugin').toFixed(2)} %`);
console.log(`  overhead vs no-op LangChain handler: ${ratio('with plugin', 'no-op LangChain handler').toFixed(2)} %`);
await sim.close();
