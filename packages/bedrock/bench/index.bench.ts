// Overhead of servedby's middleware on one loopback Bedrock Runtime call: the same Converse
// (and ConverseStream, drained) call with and without the plugin, in one process, alternating
// rounds, median of the per-round medians. Run: npm run bench (from packages/bedrock).
import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { TracerProvider, BatchSpanProcessor, InMemorySpanExporter } from '@opentelemetry/sdk-trace';
import { Bench } from 'tinybench';
import { bedrockRoutePlugin, instrumentBedrock } from '../src/index';
import { startGatewaySim } from '@servedby/gateway-sim';
import { converse, converseStream, createTestClient } from '../src/test-support/clients';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 12);
const TIME_MS = Number(process.env.BENCH_TIME_MS ?? 400);

context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
const exporter = new InMemorySpanExporter();
// Batched export, as production set-ups use (a synchronous SimpleSpanProcessor costs ~0.3 ms per span here).
const tracerProvider = new TracerProvider({ spanProcessors: [new BatchSpanProcessor({ exporter })] });
const meterProvider = new MeterProvider();
const sim = await startGatewaySim({ port: 0, seed: 1 });

const plain = createTestClient(sim.baseUrls.bedrock);
const instrumented = instrumentBedrock(createTestClient(sim.baseUrls.bedrock), { tracerProvider, meterProvider });
const MODEL_ID = 'us.anthropic.claude-3-5-haiku-20241022-v1:0';

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

async function drain(client: typeof plain): Promise<void> {
  const output = await client.send(converseStream(MODEL_ID));
  for await (const _event of output.stream!) void _event;
}

async function measure(label: string, without: () => Promise<unknown>, withPlugin: () => Promise<unknown>) {
  const withoutSamples: number[] = [];
  const withSamples: number[] = [];
  for (let round = 0; round < ROUNDS; round += 1) {
    const bench = new Bench({ time: TIME_MS, warmupTime: 100, throws: true });
    const tasks: Array<[string, () => Promise<unknown>]> = [
      ['without plugin', without],
      ['with plugin', withPlugin],
    ];
    // Alternate which runs first so drift (JIT, GC, thermal) hits both sides alike.
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
  const instrumentedMedian = median(withSamples);
  const overhead = ((instrumentedMedian - base) / base) * 100;
  console.log(`${label} → gateway-sim Bedrock Runtime (HTTP/2, loopback), ${ROUNDS} alternating rounds`);
  console.log(`  without plugin: median ${base.toFixed(3)} ms`);
  console.log(`  with plugin:    median ${instrumentedMedian.toFixed(3)} ms`);
  console.log(`  overhead:       ${overhead.toFixed(2)} %`);
}

await measure('Converse', () => plain.send(converse(MODEL_ID)), () => instrumented.send(converse(MODEL_ID)));

// The middleware's own cost, without network noise: the stack around a canned transport answer.
const middlewares: Array<(next: any, handlerContext: any) => any> = [];
bedrockRoutePlugin({ tracerProvider, meterProvider }).applyToStack({ add: (middleware: any) => middlewares.push(middleware) } as any);
const [initialize, deserialize] = middlewares as [any, any];
const handlerContext = {
  commandName: 'ConverseCommand',
  __smithy_context: { selectedHttpAuthScheme: { httpAuthOption: { signingProperties: { region: 'us-east-1' } } } },
};
const cannedResponse = { statusCode: 200, headers: { 'content-type': 'application/json', 'x-amzn-requestid': '4a1c2e7e-0000' } };
const cannedOutput = {
  $metadata: { attempts: 1, requestId: '4a1c2e7e-0000' },
  output: { message: { role: 'assistant', content: [{ text: 'Hello.' }] } },
  stopReason: 'end_turn',
  usage: { inputTokens: 10, outputTokens: 5, totalTokens: 15 },
};
const request = { protocol: 'http:', hostname: '127.0.0.1', port: 4000, path: `/model/${encodeURIComponent(MODEL_ID)}/converse` };
const transport = async () => ({ response: cannedResponse });
const bare = async () => ({ output: cannedOutput, response: (await transport()).response });
const wrapped = initialize(async () => {
  await deserialize(transport, handlerContext)({ request });
  return { output: cannedOutput, response: cannedResponse };
}, handlerContext);
const input = { modelId: MODEL_ID, messages: [{ role: 'user', content: [{ text: 'Say hello.' }] }] };
{
  const bench = new Bench({ time: 1000, warmupTime: 200, throws: true });
  bench.add('without middleware', () => bare());
  bench.add('with middleware', () => wrapped({ input }));
  await bench.run();
  const [without, withMiddleware] = bench.tasks.map((task) => {
    const result = task.result;
    if (result.state !== 'completed') throw new Error(`${task.name}: ${result.state}`);
    return result.latency.p50;
  });
  console.log('servedby middleware alone (canned transport, no network)');
  console.log(`  CPU per call: ${((withMiddleware! - without!) * 1000).toFixed(1)} µs (median)`);
  exporter.reset();
}
await measure('ConverseStream (drained)', () => drain(plain), () => drain(instrumented));
plain.destroy();
instrumented.destroy();
await sim.close();
await tracerProvider.shutdown();
await meterProvider.shutdown();
