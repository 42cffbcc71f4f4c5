// Issue 11 benchmark: what attributing one exchange costs (`deriveRoute` + `routeAttributes`)
// against one bare SDK span with five attributes, side by side in one process. Every round runs
// every arm once, in a freshly shuffled order, each arm as a batch of calls timed together; the
// figure per row is the median over rounds of (arm batch time / bare-span batch time of the same
// round), with the 25th–75th percentile of those per-round ratios as its spread.
import { SpanKind } from '@opentelemetry/api';
import { TracerProvider, type ReadableSpan, type SpanProcessor } from '@opentelemetry/sdk-trace';
import { loadFixture, observationOf } from '../src/__fixtures__/load-fixtures';
import { deriveRoute, routeAttributes, type RouteObservation } from '../src/index';

/** One row of the result. */
export interface RouteBenchRow {
  row: string;
  /** Median time per call, microseconds. */
  medianMicroseconds: number;
  /** Median of the per-round ratios arm / bare span. */
  ratio: number;
  /** 25th and 75th percentile of the per-round ratios. */
  ratioP25: number;
  ratioP75: number;
}

const recordingProcessor: SpanProcessor = {
  onStart: () => {},
  onEnd: (_span: ReadableSpan) => {},
  forceFlush: async () => {},
  shutdown: async () => {},
};
const tracer = new TracerProvider({ spanProcessors: [recordingProcessor] }).getTracer('bench');

// The baseline: what an application pays for a GenAI span anyway (a real SDK span, processor
// attached, exported nowhere) with five attributes.
function bareSpan(): void {
  const span = tracer.startSpan('chat anthropic/claude-haiku-4.5', {
    kind: SpanKind.CLIENT,
    attributes: {
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': 'anthropic/claude-haiku-4.5',
      'gen_ai.provider.name': 'openrouter',
      'server.address': 'openrouter.ai',
      'server.port': 443,
    },
  });
  span.end();
}

let sink = 0;
// As every plugin calls it: the semconv mode resolved once (resolveInstrumentation), not per call.
function attribute(observation: RouteObservation): void {
  sink += Object.keys(routeAttributes(deriveRoute(observation), { semconv: 'both' })).length;
}

// A long stream: the recording's middle content chunk repeated to 200 chunks between its real
// first and last events (a typical answer of a few hundred tokens streams that many chunks).
function longStream(raw: string): string {
  const events = raw.split('\n\n');
  const dataEvents = events.filter((event) => event.startsWith('data: {'));
  const middle = dataEvents[1] ?? dataEvents[0] ?? '';
  const firstIndex = events.indexOf(dataEvents[0]!);
  return [...events.slice(0, firstIndex + 1), ...Array.from({ length: 198 }, () => middle), ...events.slice(firstIndex + 1)].join('\n\n');
}

function observations(): Array<[string, RouteObservation]> {
  const bedrockFixture = loadFixture('bedrock-converse-cross-region-profile.json');
  return [
    ['JSON: OpenRouter chat (raw body text, as recorded)', observationOf(loadFixture('openrouter-chat-nonstream-amazon-bedrock.json'))],
    [
      'JSON: OpenRouter chat (parsed body, as frameworks hand it over)',
      (() => {
        const fixture = loadFixture('openrouter-chat-nonstream-amazon-bedrock.json');
        const body = fixture.response.body;
        return { ...observationOf(fixture), responseBody: typeof body === 'string' ? (JSON.parse(body) as unknown) : body };
      })(),
    ],
    ['SSE: OpenRouter stream (4 events, as recorded)', observationOf(loadFixture('openrouter-chat-stream-sse-amazon-bedrock.json'))],
    [
      'SSE: OpenRouter stream (200 chunks)',
      (() => {
        const observation = observationOf(loadFixture('openrouter-chat-stream-sse-amazon-bedrock.json'));
        return { ...observation, responseBody: longStream(observation.responseBody as string) };
      })(),
    ],
    ['Bedrock: Converse, cross-region profile', observationOf(bedrockFixture)],
    ['Azure: OpenAI deployment', observationOf(loadFixture('azure-openai-deployments-chat-completions.json'))],
    ['LiteLLM: proxy headers', observationOf(loadFixture('litellm-proxy-headers-issue-16534.json'))],
  ];
}

// A small seeded generator: the shuffle differs per round, the run is reproducible.
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
}

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((left, right) => left - right);
  const position = (sorted.length - 1) * q;
  const low = Math.floor(position);
  const high = Math.ceil(position);
  return sorted[low]! + (sorted[high]! - sorted[low]!) * (position - low);
}

/** Runs the benchmark; `rounds` rounds of `batch` calls per arm. */
export function runRouteBench(rounds = Number(process.env.BENCH_ROUTE_ROUNDS ?? 2000), batch = 50): RouteBenchRow[] {
  const rows = observations();
  const arms: Array<[string, () => void]> = [['bare span, five attributes', bareSpan], ...rows.map(([name, observation]) => [name, () => attribute(observation)] as [string, () => void])];
  const times = new Map<string, number[]>(arms.map(([name]) => [name, []]));
  const ratios = new Map<string, number[]>(arms.map(([name]) => [name, []]));
  const next = random(11);
  for (let warm = 0; warm < 200; warm += 1) for (const [, run] of arms) for (let call = 0; call < batch; call += 1) run();
  const order = arms.map((_, index) => index);
  for (let round = 0; round < rounds; round += 1) {
    for (let index = order.length - 1; index > 0; index -= 1) {
      const swap = Math.floor(next() * (index + 1));
      [order[index], order[swap]] = [order[swap]!, order[index]!];
    }
    const roundTimes = new Map<string, number>();
    for (const armIndex of order) {
      const [name, run] = arms[armIndex]!;
      const started = performance.now();
      for (let call = 0; call < batch; call += 1) run();
      roundTimes.set(name, (performance.now() - started) / batch);
    }
    const bare = roundTimes.get(arms[0]![0])!;
    for (const [name, time] of roundTimes) {
      times.get(name)!.push(time);
      ratios.get(name)!.push(time / bare);
    }
  }
  return arms.map(([name]) => ({
    row: name,
    medianMicroseconds: Number((quantile(times.get(name)!, 0.5) * 1000).toFixed(2)),
    ratio: Number(quantile(ratios.get(name)!, 0.5).toFixed(2)),
    ratioP25: Number(quantile(ratios.get(name)!, 0.25).toFixed(2)),
    ratioP75: Number(quantile(ratios.get(name)!, 0.75).toFixed(2)),
  }));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const rows = runRouteBench();
  console.log(JSON.stringify({ node: process.version, rows, sink: sink > 0 }, null, 2));
}
