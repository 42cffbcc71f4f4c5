// `npm run bench`: what attribution and fetch capture cost, in one process.
// Span work runs on a real SDK tracer (spans recorded, exported nowhere) so the baseline is what
// an application pays for a GenAI span anyway.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SpanKind, type Attributes } from '@opentelemetry/api';
import { TracerProvider, type ReadableSpan, type SpanProcessor } from '@opentelemetry/sdk-trace';
import { Bench } from 'tinybench';
import { captureRouteFetch, deriveRoute, routeAttributes, type RouteObservation } from '../src/index';
import { loadFixture, observationOf } from '../src/__fixtures__/load-fixtures';
import { runRouteBench } from './route.bench';

// First the issue-11 figure: deriveRoute + routeAttributes per exchange against one bare SDK span
// with five attributes, arms shuffled per round, as ratios with their spread.
const routeRows = runRouteBench();
console.log('deriveRoute + routeAttributes per exchange ÷ one bare span with five attributes (median of per-round ratios, p25–p75)');
console.table(routeRows.map((row) => ({ row: row.row, 'median (µs)': row.medianMicroseconds, ratio: `${row.ratio}× (${row.ratioP25}–${row.ratioP75})` })));
console.log(JSON.stringify({ routeBench: routeRows }));

const recordingProcessor: SpanProcessor = {
  onStart: () => {},
  onEnd: (_span: ReadableSpan) => {},
  forceFlush: async () => {},
  shutdown: async () => {},
};
const tracer = new TracerProvider({ spanProcessors: [recordingProcessor] }).getTracer('bench');

const startAttributes: Attributes = {
  'gen_ai.operation.name': 'chat',
  'gen_ai.request.model': 'anthropic/claude-haiku-4.5',
  'gen_ai.request.max_tokens': 1024,
  'gen_ai.request.temperature': 0.2,
  'server.address': 'openrouter.ai',
  'server.port': 443,
};
const endAttributes: Attributes = {
  'gen_ai.response.id': 'gen-1780944464-aVi4x8Mw2aEBGnCL6z99',
  'gen_ai.response.model': 'anthropic/claude-4.5-haiku-20251001',
  'gen_ai.response.finish_reasons': ['stop'],
  'gen_ai.usage.input_tokens': 16,
  'gen_ai.usage.output_tokens': 13,
};

function bareSpan(): void {
  const span = tracer.startSpan('chat anthropic/claude-haiku-4.5', { kind: SpanKind.CLIENT, attributes: startAttributes });
  span.setAttributes(endAttributes);
  span.end();
}

function attributedSpan(observation: RouteObservation): void {
  const span = tracer.startSpan('chat anthropic/claude-haiku-4.5', { kind: SpanKind.CLIENT, attributes: startAttributes });
  span.setAttributes(endAttributes);
  span.setAttributes(routeAttributes(deriveRoute(observation)));
  span.end();
}

const bedrockArn =
  'arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-haiku-4-5-20251001-v1:0';
const bedrockFixture = loadFixture('bedrock-converse-cross-region-profile.json');
const observations: Array<[string, RouteObservation]> = [
  ['OpenRouter JSON (raw body text)', observationOf(loadFixture('openrouter-chat-nonstream-amazon-bedrock.json'))],
  [
    'OpenRouter JSON (parsed body)',
    (() => {
      const fixture = loadFixture('openrouter-chat-nonstream-amazon-bedrock.json');
      const observation = observationOf(fixture);
      const body = fixture.response.body;
      return { ...observation, responseBody: typeof body === 'string' ? JSON.parse(body) : body };
    })(),
  ],
  ['OpenRouter SSE', observationOf(loadFixture('openrouter-chat-stream-sse-amazon-bedrock.json'))],
  ['LiteLLM headers', observationOf(loadFixture('litellm-proxy-headers-issue-16534.json'))],
  [
    'Bedrock ARN',
    {
      url: `https://bedrock-runtime.us-east-1.amazonaws.com/model/${encodeURIComponent(bedrockArn)}/converse`,
      requestModel: bedrockArn,
      region: 'us-east-1',
      responseHeaders: bedrockFixture.response.headers,
      status: 200,
    },
  ],
  ['Azure OpenAI deployment', observationOf(loadFixture('azure-openai-deployments-chat-completions.json'))],
];

// A 64 KiB SSE body in 16 chunks, streamed by a loopback server.
const chunkPrefix = 'data: {"id":"gen-1","provider":"Amazon Bedrock","model":"m","choices":[{"delta":{"content":"';
const chunkSuffix = '"}}]}\n\n';
const chunk = `${chunkPrefix}${'x'.repeat(4096 - chunkPrefix.length - chunkSuffix.length)}${chunkSuffix}`;
const server = createServer((_request, response) => {
  response.writeHead(200, { 'content-type': 'text/event-stream', 'x-generation-id': 'gen-1' });
  for (let index = 0; index < 15; index += 1) response.write(chunk);
  response.end(chunk);
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/chat/completions`;
const requestInit = { method: 'POST', body: '{"model":"anthropic/claude-haiku-4.5","stream":true}' };
const capturingFetch = captureRouteFetch(undefined, { onCapture: () => {} });
const spanMakingFetch = captureRouteFetch(undefined, { tracerProvider: new TracerProvider({ spanProcessors: [recordingProcessor] }) });

async function readAll(response: Response): Promise<number> {
  let bytes = 0;
  for await (const part of response.body as unknown as AsyncIterable<Uint8Array>) bytes += part.byteLength;
  if (bytes !== 65536) throw new Error(`expected 65536 bytes, got ${bytes}`);
  return bytes;
}

const spanBench = new Bench({ time: 1500, warmupIterations: 2000 });
spanBench.add('bare span with semconv attributes', bareSpan);
for (const [name, observation] of observations) spanBench.add(`+ deriveRoute + routeAttributes: ${name}`, () => attributedSpan(observation));
// Splits the cost: emitting a known route, without deriving it.
const knownRoute = deriveRoute(observations[0]![1]);
spanBench.add('+ routeAttributes only (route already derived)', () => {
  const span = tracer.startSpan('chat anthropic/claude-haiku-4.5', { kind: SpanKind.CLIENT, attributes: startAttributes });
  span.setAttributes(endAttributes);
  span.setAttributes(routeAttributes(knownRoute));
  span.end();
});
await spanBench.run();

// The fetch variants take turns call by call, in rotating order, so load from other processes on
// a shared machine hits them alike; the median of thousands of single calls is then compared.
const fetchVariants: Array<[string, () => Promise<number>]> = [
  ['loopback fetch, 64 KiB SSE, bare', async () => readAll(await fetch(url, requestInit))],
  ['loopback fetch, 64 KiB SSE, captureRouteFetch (sink)', async () => readAll(await capturingFetch(url, requestInit))],
  ['loopback fetch, 64 KiB SSE, captureRouteFetch (own span)', async () => readAll(await spanMakingFetch(url, requestInit))],
];
const fetchSamples = new Map<string, number[]>(fetchVariants.map(([name]) => [name, []]));
// CPU time of this process (client and loopback server) per call: steadier than wall time when
// other processes compete for the cores.
const fetchCpuSamples = new Map<string, number[]>(fetchVariants.map(([name]) => [name, []]));
for (let warm = 0; warm < 300; warm += 1) for (const [, run] of fetchVariants) await run();
const fetchRounds = Number(process.env.BENCH_FETCH_ROUNDS ?? 3000);
for (let round = 0; round < fetchRounds; round += 1) {
  for (let offset = 0; offset < fetchVariants.length; offset += 1) {
    const [name, run] = fetchVariants[(round + offset) % fetchVariants.length]!;
    const cpuStarted = process.cpuUsage();
    const started = performance.now();
    await run();
    fetchSamples.get(name)!.push(performance.now() - started);
    const cpu = process.cpuUsage(cpuStarted);
    fetchCpuSamples.get(name)!.push((cpu.user + cpu.system) / 1000);
  }
}
server.close();

function median(values: number[]): number {
  const sorted = [...values].sort((left, right) => left - right);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

const rows: Array<{ name: string; medianMicroseconds: number; ratio: string }> = [];
const spanBaseline = spanBench.tasks[0]!.result as { latency: { p50: number } };
for (const task of spanBench.tasks) {
  const result = task.result as { latency: { p50: number } };
  rows.push({
    name: task.name,
    medianMicroseconds: result.latency.p50 * 1000,
    ratio: `${((result.latency.p50 / spanBaseline.latency.p50 - 1) * 100).toFixed(1)}%`,
  });
}
for (const [label, samples] of [
  ['wall', fetchSamples],
  ['cpu', fetchCpuSamples],
] as const) {
  const baseline = median(samples.get(fetchVariants[0]![0])!);
  for (const [name] of fetchVariants) {
    const value = median(samples.get(name)!);
    rows.push({ name: `${name} [${label}]`, medianMicroseconds: value * 1000, ratio: `${((value / baseline - 1) * 100).toFixed(1)}%` });
  }
}

console.log(`node ${process.version}, ${process.platform}/${process.arch}`);
console.log('median per operation; ratio = added cost over the bare span / bare fetch');
console.table(
  rows.map((row) => ({ task: row.name, 'median (µs)': Number(row.medianMicroseconds.toFixed(2)), 'added': row.ratio })),
);

// In an application the derivation does not run back to back: between two model calls the SDK,
// undici and the OpenTelemetry SDK run, and its code and data leave the CPU caches. Each call here
// derives a fresh copy of the same OpenRouter exchange, timed alone, once back to back and once
// after walking a buffer larger than the caches (what other work between calls does to them).
const coldSource = observations[0]![1];
const freshCopy = (): RouteObservation => ({
  ...coldSource,
  responseHeaders: { ...(coldSource.responseHeaders as Record<string, string>) },
  responseBody: typeof coldSource.responseBody === 'string' ? JSON.parse(JSON.stringify(coldSource.responseBody)) : coldSource.responseBody,
});
const evictionBytes = 32 * 1024 * 1024;
const evictionBuffer = new Uint8Array(evictionBytes);
let evictionSum = 0;
function evictCaches(): void {
  for (let index = 0; index < evictionBytes; index += 64) evictionSum += evictionBuffer[index]!++;
}
const coldRounds = Number(process.env.BENCH_COLD_ROUNDS ?? 2000);
const backToBack: number[] = [];
const afterEviction: number[] = [];
for (let round = 0; round < coldRounds; round += 1) {
  const warmCopy = freshCopy();
  let started = performance.now();
  deriveRoute(warmCopy);
  backToBack.push(performance.now() - started);
  const coldCopy = freshCopy();
  evictCaches();
  started = performance.now();
  deriveRoute(coldCopy);
  afterEviction.push(performance.now() - started);
}
console.log(
  `deriveRoute on a fresh copy of the OpenRouter JSON exchange, median of ${coldRounds}: back to back ${(median(backToBack) * 1000).toFixed(1)} µs, ` +
    `after ${evictionBytes / 1024 / 1024} MiB of other memory traffic ${(median(afterEviction) * 1000).toFixed(1)} µs (${(median(afterEviction) / median(backToBack)).toFixed(1)}×)${evictionSum < 0 ? '' : ''}`,
);
