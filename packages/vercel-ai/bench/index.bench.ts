// Overhead of servedby on one loopback AI SDK call against gateway-sim, in one process,
// alternating rounds, median of the per-round medians. Run: npm run bench (from packages/vercel-ai).
//   1. ai 7 telemetry: `@ai-sdk/otel`'s OpenTelemetry alone vs routeTelemetry (which wraps it).
//   2. model middleware: the plain model vs the model wrapped with routeMiddleware (own span).
//   3. the same without network (the AI SDK's own MockLanguageModelV4 answering a recorded
//      OpenRouter result), so the plugin's CPU cost per call is visible despite loopback jitter.
// Both telemetry arms record no prompt/completion text (routeTelemetry's default), so they do the same work.
import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { TracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace';
import { OpenTelemetry } from '@ai-sdk/otel';
import { createOpenAI } from '@ai-sdk/openai';
import { generateText, streamText, wrapLanguageModel } from 'ai';
import { MockLanguageModelV4 } from 'ai/test';
import { startGatewaySim } from '@servedby/gateway-sim';
import { Bench } from 'tinybench';
import { routeMiddleware, routeTelemetry } from '../src/index';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 10);
const TIME_MS = Number(process.env.BENCH_TIME_MS ?? 400);
const PAIRS = Number(process.env.BENCH_PAIRS ?? 600);

context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
const exporter = new InMemorySpanExporter();
const tracerProvider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
const meterProvider = new MeterProvider();
const sim = await startGatewaySim({ port: 0, seed: 1 });

const provider = createOpenAI({ baseURL: sim.baseUrls.openrouter, apiKey: 'sk-servedby-bench' });
const model = provider.chat('openai/gpt-4o');
const wrappedModel = wrapLanguageModel({ model, middleware: routeMiddleware({ tracerProvider, meterProvider }) });
const headers = { 'x-sim-upstream': 'Together' };
const plainTelemetry = new OpenTelemetry({ tracer: tracerProvider.getTracer('gen_ai') });
const noContent = { recordInputs: false, recordOutputs: false };
const recordedModel = new MockLanguageModelV4({
  provider: 'openai.chat',
  modelId: 'openai/gpt-4o',
  doGenerate: async () => ({
    content: [{ type: 'text', text: 'Hello from the gateway simulator.' }],
    finishReason: { unified: 'stop', raw: 'stop' },
    usage: {
      inputTokens: { total: 10, noCache: 10, cacheRead: 0, cacheWrite: 0 },
      outputTokens: { total: 9, text: 9, reasoning: 0 },
    },
    warnings: [],
    request: { url: 'https://openrouter.ai/api/v1/chat/completions' },
    response: {
      id: 'gen-1795796000-imgAXRCYjUeJBSZWW12w',
      modelId: 'openai/gpt-4o',
      headers: { 'content-type': 'application/json', 'x-generation-id': 'gen-1795796000-imgAXRCYjUeJBSZWW12w' },
      body: { id: 'gen-1795796000-imgAXRCYjUeJBSZWW12w', model: 'openai/gpt-4o', provider: 'Together', object: 'chat.completion' },
    },
  }),
});
const wrappedRecordedModel = wrapLanguageModel({ model: recordedModel, middleware: routeMiddleware({ tracerProvider, meterProvider }) });
const servedbyTelemetry = routeTelemetry({ tracerProvider, meterProvider });

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

/**
 * Loopback calls: per-call alternation (without, with, with, without, …) so load spikes on this
 * shared machine hit both arms alike; reports both medians and the median of paired differences.
 */
async function measurePaired(label: string, without: () => PromiseLike<unknown>, withPlugin: () => PromiseLike<unknown>) {
  for (let warmup = 0; warmup < 20; warmup += 1) {
    await without();
    await withPlugin();
  }
  const withoutSamples: number[] = [];
  const withSamples: number[] = [];
  const differences: number[] = [];
  const time = async (fn: () => PromiseLike<unknown>) => {
    const start = performance.now();
    await fn();
    return performance.now() - start;
  };
  for (let pair = 0; pair < PAIRS; pair += 1) {
    const first = pair % 2 ? withPlugin : without;
    const second = pair % 2 ? without : withPlugin;
    const firstMs = await time(first);
    const secondMs = await time(second);
    const withMs = pair % 2 ? firstMs : secondMs;
    const withoutMs = pair % 2 ? secondMs : firstMs;
    withSamples.push(withMs);
    withoutSamples.push(withoutMs);
    differences.push(withMs - withoutMs);
    if (pair % 200 === 0) exporter.reset();
  }
  report(label, `${PAIRS} alternating pairs, gateway-sim OpenRouter over loopback`, median(withoutSamples), median(withSamples), median(differences));
}

/** In-process calls (no network): tinybench rounds, alternating which task runs first. */
async function measureBench(label: string, without: () => PromiseLike<unknown>, withPlugin: () => PromiseLike<unknown>) {
  const withoutSamples: number[] = [];
  const withSamples: number[] = [];
  for (let round = 0; round < ROUNDS; round += 1) {
    const bench = new Bench({ time: TIME_MS, warmupTime: 100, throws: true });
    const tasks: Array<[string, () => PromiseLike<unknown>]> = [
      ['without plugin', without],
      ['with plugin', withPlugin],
    ];
    for (const [name, fn] of round % 2 ? tasks.reverse() : tasks) bench.add(name, fn);
    await bench.run();
    for (const task of bench.tasks) {
      const result = task.result;
      if (result.state !== 'completed') throw new Error(`${task.name}: ${result.state}`);
      (task.name === 'with plugin' ? withSamples : withoutSamples).push(result.latency.p50);
    }
    exporter.reset();
  }
  const base = median(withoutSamples);
  const instrumented = median(withSamples);
  report(label, `${ROUNDS} tinybench rounds`, base, instrumented, instrumented - base);
}

function report(label: string, method: string, base: number, instrumented: number, pairedDifference: number) {
  console.log(`${label} (${method})`);
  console.log(`  without plugin: median ${base.toFixed(3)} ms`);
  console.log(`  with plugin:    median ${instrumented.toFixed(3)} ms`);
  console.log(
    `  overhead:       ${((pairedDifference / base) * 100).toFixed(2)} % (median paired difference ${(pairedDifference * 1000).toFixed(0)} µs per call)`,
  );
}

await measurePaired(
  'ai 7 generateText, OpenTelemetry vs routeTelemetry',
  () => generateText({ model, prompt: 'Hi', headers, telemetry: { integrations: [plainTelemetry], ...noContent } }),
  () => generateText({ model, prompt: 'Hi', headers, telemetry: { integrations: [servedbyTelemetry] } }),
);
await measurePaired(
  'ai 7 streamText (drained), OpenTelemetry vs routeTelemetry',
  () => streamText({ model, prompt: 'Hi', headers, telemetry: { integrations: [plainTelemetry], ...noContent } }).consumeStream(),
  () => streamText({ model, prompt: 'Hi', headers, telemetry: { integrations: [servedbyTelemetry] } }).consumeStream(),
);
await measurePaired(
  'ai 7 generateText, plain model vs routeMiddleware',
  () => generateText({ model, prompt: 'Hi', headers }),
  () => generateText({ model: wrappedModel, prompt: 'Hi', headers }),
);
await measurePaired(
  'ai 7 streamText (drained), plain model vs routeMiddleware',
  () => streamText({ model, prompt: 'Hi', headers }).consumeStream(),
  () => streamText({ model: wrappedModel, prompt: 'Hi', headers }).consumeStream(),
);

await measureBench(
  'no network (MockLanguageModelV4, recorded OpenRouter result), OpenTelemetry vs routeTelemetry',
  () => generateText({ model: recordedModel, prompt: 'Hi', telemetry: { integrations: [plainTelemetry], ...noContent } }),
  () => generateText({ model: recordedModel, prompt: 'Hi', telemetry: { integrations: [servedbyTelemetry] } }),
);
await measureBench(
  'no network (MockLanguageModelV4, recorded OpenRouter result), plain model vs routeMiddleware',
  () => generateText({ model: recordedModel, prompt: 'Hi' }),
  () => generateText({ model: wrappedRecordedModel, prompt: 'Hi' }),
);

await sim.close();
await tracerProvider.shutdown();
await meterProvider.shutdown();
