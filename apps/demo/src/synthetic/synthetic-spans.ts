import { ATTRIBUTE, type SpanRecord } from '../otlp/span-record';

/** Options of {@link generateSyntheticSpans}. */
export interface SyntheticOptions {
  /** Number of agent-run traces (each has 4 spans: agent, two model calls, one tool). */
  traces: number;
  /** Number of eval runs spread over the day (each scores `evalItems` items). */
  evalRuns?: number;
  evalItems?: number;
  /** End of the generated day; now by default. */
  endMs?: number;
  seed?: number;
}

interface Route {
  service: string;
  gateway?: string;
  upstream: string;
  requestModel: string;
  responseModel: string;
}

const ROUTES: Route[] = [
  { service: 'support-langchain', gateway: 'openrouter', upstream: 'anthropic', requestModel: 'anthropic/claude-sonnet-4.5', responseModel: 'anthropic/claude-sonnet-4.5' },
  { service: 'support-ai-sdk', gateway: 'litellm', upstream: 'azure.ai.openai', requestModel: 'gpt-4o', responseModel: 'gpt-4o-2024-11-20' },
  { service: 'support-mastra', gateway: 'vercel', upstream: 'anthropic', requestModel: 'anthropic/claude-haiku-4.5', responseModel: 'claude-haiku-4-5-20251001' },
  { service: 'support-bedrock', gateway: 'aws.bedrock', upstream: 'anthropic', requestModel: 'us.anthropic.claude-sonnet-4-5-20250929-v1:0', responseModel: 'anthropic.claude-sonnet-4-5-20250929-v1:0' },
];
const TOGETHER: Route = { ...ROUTES[0]!, upstream: 'together', responseModel: 'anthropic/claude-sonnet-4.5' };

/** A small deterministic PRNG (mulberry32), so generated datasets are the same run to run. */
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

/**
 * A day of demo-shaped spans without running any agent: the four support agents, OpenRouter failing
 * 60% over to Together between 08:00 and 14:00 of the day, and nightly-style eval runs. Used to load
 * the viewer with 100,000 spans and to test the analyses against known ground truth.
 */
export function generateSyntheticSpans(options: SyntheticOptions): SpanRecord[] {
  const next = random(options.seed ?? 42);
  // Whole hours, so the failover window falls on the drift windows the same way in every run.
  const endMs = options.endMs ?? Math.floor(Date.now() / 3_600_000) * 3_600_000;
  const startMs = endMs - 86_400_000;
  const failoverFrom = startMs + 8 * 3_600_000;
  const failoverTo = startMs + 14 * 3_600_000;
  const spans: SpanRecord[] = [];
  let idCounter = 0;
  const hex = (length: number) => {
    idCounter += 1;
    const base = `${idCounter.toString(16)}${Math.floor(next() * 0xffffffff).toString(16)}`;
    return base.padStart(length, '0').slice(-length);
  };
  const span = (fields: Partial<SpanRecord> & Pick<SpanRecord, 'traceId' | 'name' | 'startMs' | 'endMs' | 'serviceName'>): SpanRecord => ({
    spanId: hex(16),
    kind: 1,
    statusCode: 0,
    attributes: {},
    scopeName: '@servedby/demo',
    events: [],
    links: [],
    ...fields,
  });

  const agentRun = (traceId: string, atMs: number, route: Route, parentSpanId?: string): SpanRecord[] => {
    const agent = span({
      traceId,
      ...(parentSpanId ? { parentSpanId } : {}),
      name: 'invoke_agent support-agent',
      startMs: atMs,
      endMs: atMs + 900,
      serviceName: route.service,
      attributes: { [ATTRIBUTE.operationName]: 'invoke_agent', 'gen_ai.agent.name': 'support-agent', [ATTRIBUTE.upstreams]: [route.upstream] },
    });
    const call = (offset: number, outputTokens: number) =>
      span({
        traceId,
        parentSpanId: agent.spanId,
        name: `chat ${route.requestModel}`,
        kind: 3,
        startMs: atMs + offset,
        endMs: atMs + offset + 300 + next() * 100,
        serviceName: route.service,
        attributes: {
          [ATTRIBUTE.operationName]: 'chat',
          [ATTRIBUTE.system]: route.gateway ?? route.upstream,
          ...(route.gateway ? { [ATTRIBUTE.gateway]: route.gateway } : {}),
          [ATTRIBUTE.upstream]: route.upstream,
          [ATTRIBUTE.requestModel]: route.requestModel,
          [ATTRIBUTE.responseModel]: route.responseModel,
          'gen_ai.usage.input_tokens': 120,
          'gen_ai.usage.output_tokens': outputTokens,
        },
      });
    const tool = span({
      traceId,
      parentSpanId: agent.spanId,
      name: 'execute_tool lookup_order',
      startMs: atMs + 420,
      endMs: atMs + 440,
      serviceName: route.service,
      attributes: { [ATTRIBUTE.operationName]: 'execute_tool', 'gen_ai.tool.name': 'lookup_order' },
    });
    return [agent, call(10, 20), tool, call(450, 60)];
  };

  // 3 OpenRouter calls in 5 go to Together in the window, spread evenly (as the scenario does).
  let failoverRuns = 0;
  const routeAt = (atMs: number, index: number): Route => {
    const route = ROUTES[index % ROUTES.length]!;
    if (route.gateway === 'openrouter' && atMs >= failoverFrom && atMs < failoverTo && failoverRuns++ % 5 < 3) return TOGETHER;
    return route;
  };

  for (let index = 0; index < options.traces; index += 1) {
    const atMs = startMs + (index / options.traces) * 86_400_000;
    for (const record of agentRun(hex(32), atMs, routeAt(atMs, index))) spans.push(record);
  }

  const evalRuns = options.evalRuns ?? 8;
  const evalItems = options.evalItems ?? 6;
  for (let run = 0; run < evalRuns; run += 1) {
    const runMs = startMs + ((run + 0.5) / evalRuns) * 86_400_000;
    const runId = `eval-${run + 1}`;
    for (let item = 0; item < evalItems; item += 1) {
      const traceId = hex(32);
      const atMs = runMs + item * 2000;
      const route = routeAt(atMs, 0);
      const score = route.upstream === 'together' ? 0.45 + next() * 0.2 : 0.85 + next() * 0.15;
      const evalSpan = span({
        traceId,
        name: 'eval support-answer',
        startMs: atMs,
        endMs: atMs + 1000,
        serviceName: 'support-eval',
        attributes: {
          [ATTRIBUTE.evaluationName]: 'support-answer',
          [ATTRIBUTE.evaluationScore]: Number(score.toFixed(2)),
          [ATTRIBUTE.evaluationLabel]: score >= 0.7 ? 'pass' : 'fail',
          [ATTRIBUTE.evaluationRunId]: runId,
          [ATTRIBUTE.evaluationItemId]: `q${item + 1}`,
        },
      });
      spans.push(evalSpan, ...agentRun(traceId, atMs + 10, route, evalSpan.spanId));
    }
  }
  return spans;
}
