import { createHash } from 'node:crypto';
import type { AttributeValue, SpanRecord } from './otlp/span-record';
import { ATTRIBUTE } from './store/schema';

/** Options of {@link generateSyntheticSpans}. */
export interface SyntheticOptions {
  /** Agent-run traces over the day (4 spans each; every 20th OpenRouter run also carries 3 gateway spans). */
  traces: number;
  /** Eval runs spread over the day (each scores `evalItems` items). */
  evalRuns?: number;
  evalItems?: number;
  /** End of the generated day (whole hours); the last whole hour before now by default. */
  endMs?: number;
  seed?: number;
  /** Only these agent-run indexes `[from, to)` (to generate a large day in chunks); eval runs come with the first chunk. */
  from?: number;
  to?: number;
}

interface Route {
  service: string;
  gateway?: string;
  upstream: string;
  /** How the gateway's own spans name the upstream (OpenRouter Broadcast uses display names). */
  displayName: string;
  requestModel: string;
  responseModel: string;
  /** USD per call as the gateway reports it (undefined: the gateway reports no cost, e.g. Bedrock). */
  cost?: number;
}

const ROUTES: Route[] = [
  { service: 'support-langchain', gateway: 'openrouter', upstream: 'anthropic', displayName: 'Anthropic', requestModel: 'anthropic/claude-sonnet-4.5', responseModel: 'anthropic/claude-sonnet-4.5', cost: 0.0042 },
  { service: 'support-ai-sdk', gateway: 'litellm', upstream: 'azure.ai.openai', displayName: 'Azure', requestModel: 'gpt-4o', responseModel: 'gpt-4o-2024-11-20', cost: 0.003 },
  { service: 'support-mastra', gateway: 'vercel', upstream: 'anthropic', displayName: 'anthropic', requestModel: 'anthropic/claude-haiku-4.5', responseModel: 'claude-haiku-4-5-20251001', cost: 0.0009 },
  { service: 'support-bedrock', gateway: 'aws.bedrock', upstream: 'anthropic', displayName: 'anthropic', requestModel: 'us.anthropic.claude-sonnet-4-5-20250929-v1:0', responseModel: 'anthropic.claude-sonnet-4-5-20250929-v1:0' },
];
const TOGETHER: Route = { ...ROUTES[0]!, upstream: 'together', displayName: 'Together', responseModel: 'anthropic/claude-sonnet-4.5', cost: 0.0012 };

/** The OpenRouter routing preferences of the support agent before and after the policy change. */
export const SYNTHETIC_POLICIES = {
  before: '{"provider":{"allow_fallbacks":false,"only":["anthropic"]}}',
  after: '{"provider":{"allow_fallbacks":true,"order":["anthropic"]}}',
} as const;

/** `gen_ai.route.policy_hash`: the first 16 hex characters of the SHA-256 of the policy (DESIGN §2.6). */
export function policyHash(policy: string): string {
  return createHash('sha256').update(policy).digest('hex').slice(0, 16);
}

/** mulberry32: a small deterministic PRNG, seeded per trace so chunks are independent. */
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

function hexId(index: number, salt: number, length: 16 | 32): string {
  const a = (Math.imul(index + 1, 0x9e3779b1) ^ salt) >>> 0;
  const b = (Math.imul(index ^ 0x5bd1e995, 0x85ebca6b) + salt * 31) >>> 0;
  const text = `${a.toString(16).padStart(8, '0')}${b.toString(16).padStart(8, '0')}`;
  return length === 16 ? text : `${text}${(salt >>> 0).toString(16).padStart(8, '0')}${(index >>> 0).toString(16).padStart(8, '0')}`;
}

/**
 * A demo-shaped day without running any agent: four support agents behind OpenRouter, LiteLLM,
 * the Vercel AI Gateway and Bedrock; OpenRouter's routing policy for the support agent changes
 * at 07:55 (fallbacks allowed) and 3 runs in 5 then fail over to Together between 08:00 and 14:00;
 * nightly-style eval runs whose scores drop when Together serves. The attributes the plugins
 * record from the second round are there too: `gen_ai.usage.cost` (not on Bedrock, which reports
 * none), `gen_ai.route.policy`/`policy_hash`, OpenRouter account 429s (`error_source` gateway),
 * relayed LiteLLM upstream errors (`upstream`), LiteLLM cache hits, and OpenRouter Broadcast-shaped
 * gateway spans under every 20th OpenRouter call, one of which names another upstream than the
 * client recorded.
 */
export function generateSyntheticSpans(options: SyntheticOptions): SpanRecord[] {
  const seed = options.seed ?? 42;
  const endMs = options.endMs ?? Math.floor(Date.now() / 3_600_000) * 3_600_000;
  const startMs = endMs - 86_400_000;
  const policyChangeMs = startMs + 7 * 3_600_000 + 55 * 60_000;
  const failoverFrom = startMs + 8 * 3_600_000;
  const failoverTo = startMs + 14 * 3_600_000;
  const from = options.from ?? 0;
  const to = Math.min(options.to ?? options.traces, options.traces);
  const spans: SpanRecord[] = [];

  const span = (fields: Partial<SpanRecord> & Pick<SpanRecord, 'traceId' | 'spanId' | 'name' | 'startMs' | 'endMs' | 'serviceName'>): SpanRecord => ({
    kind: 1,
    statusCode: 0,
    attributes: {},
    scopeName: '@servedby/synthetic',
    events: [],
    links: [],
    ...fields,
  });

  // 3 OpenRouter runs in 5 go to Together inside the window, spread evenly by index.
  const routeAt = (atMs: number, index: number): Route => {
    const route = ROUTES[index % ROUTES.length]!;
    if (route.gateway === 'openrouter' && atMs >= failoverFrom && atMs < failoverTo && Math.floor(index / ROUTES.length) % 5 < 3) return TOGETHER;
    return route;
  };

  const agentRun = (index: number, traceId: string, atMs: number, route: Route, next: () => number, parentSpanId?: string) => {
    const agentId = hexId(index, seed + 1, 16);
    spans.push(
      span({
        traceId,
        spanId: agentId,
        ...(parentSpanId ? { parentSpanId } : {}),
        name: 'invoke_agent support-agent',
        startMs: atMs,
        endMs: atMs + 900,
        serviceName: route.service,
        attributes: { [ATTRIBUTE.operationName]: 'invoke_agent', 'gen_ai.agent.name': 'support-agent', [ATTRIBUTE.upstreams]: [route.upstream] },
      }),
    );
    const policy = route.gateway === 'openrouter' ? (atMs < policyChangeMs ? SYNTHETIC_POLICIES.before : SYNTHETIC_POLICIES.after) : undefined;
    const call = (callIndex: number, offset: number, outputTokens: number) => {
      const spanId = hexId(index, seed + 2 + callIndex, 16);
      const callStart = atMs + offset;
      const callEnd = callStart + 300 + next() * 100;
      const attributes: Record<string, AttributeValue> = {
        [ATTRIBUTE.operationName]: 'chat',
        [ATTRIBUTE.system]: route.gateway ?? route.upstream,
        ...(route.gateway ? { [ATTRIBUTE.gateway]: route.gateway } : {}),
        [ATTRIBUTE.requestModel]: route.requestModel,
        'gen_ai.usage.input_tokens': 120,
        'gen_ai.usage.output_tokens': outputTokens,
        ...(policy ? { [ATTRIBUTE.policy]: policy, [ATTRIBUTE.policyHash]: policyHash(policy) } : {}),
      };
      let statusCode = 0;
      let statusMessage: string | undefined;
      const roll = next();
      if (route.gateway === 'openrouter' && roll < 0.01) {
        // OpenRouter's own account rate limit: no upstream served.
        statusCode = 2;
        statusMessage = 'Rate limit exceeded: free-models-per-day';
        attributes['error.type'] = '429';
        attributes[ATTRIBUTE.errorSource] = 'gateway';
      } else if (route.gateway === 'litellm' && roll < 0.01) {
        statusCode = 2;
        statusMessage = 'AzureException RateLimitError';
        attributes['error.type'] = '429';
        attributes[ATTRIBUTE.errorSource] = 'upstream';
        attributes[ATTRIBUTE.upstream] = route.upstream;
      } else if (route.gateway === 'litellm' && roll < 0.02) {
        attributes[ATTRIBUTE.cacheHit] = true;
        attributes[ATTRIBUTE.responseModel] = route.responseModel;
      } else {
        attributes[ATTRIBUTE.upstream] = route.upstream;
        attributes[ATTRIBUTE.responseModel] = route.responseModel;
        if (route.cost !== undefined) attributes[ATTRIBUTE.cost] = Number((route.cost * (0.8 + next() * 0.4)).toFixed(6));
      }
      spans.push(
        span({
          traceId,
          spanId,
          parentSpanId: agentId,
          name: `chat ${route.requestModel}`,
          kind: 3,
          startMs: callStart,
          endMs: callEnd,
          statusCode,
          ...(statusMessage ? { statusMessage } : {}),
          serviceName: route.service,
          attributes,
        }),
      );
      // OpenRouter Broadcast (gateway-side) spans under every 20th OpenRouter run's second call.
      if (callIndex === 1 && statusCode === 0 && route.gateway === 'openrouter' && Math.floor(index / ROUTES.length) % 20 === 0) {
        // Once in the day the gateway names another upstream than the client recorded.
        const disagrees = Math.floor(index / ROUTES.length) % 2000 === 0 && route.upstream === 'anthropic';
        const served = disagrees ? 'Together' : route.displayName;
        const generationId = hexId(index, seed + 7, 16);
        spans.push(
          span({
            traceId, spanId: generationId, parentSpanId: spanId, name: 'LLM Generation', kind: 2, startMs: callStart + 5, endMs: callEnd - 5, statusCode: 1,
            serviceName: 'openrouter', scopeName: 'openrouter',
            attributes: { [ATTRIBUTE.operationName]: 'chat', [ATTRIBUTE.requestModel]: route.requestModel, [ATTRIBUTE.providerName]: served },
          }),
          span({
            traceId, spanId: hexId(index, seed + 8, 16), parentSpanId: generationId, name: 'provider attempt 1: Google Vertex', kind: 3, startMs: callStart + 6, endMs: callStart + 30, statusCode: 2,
            statusMessage: 'Google Vertex returned 503', serviceName: 'openrouter', scopeName: 'openrouter',
            attributes: { [ATTRIBUTE.operationName]: 'chat', [ATTRIBUTE.providerName]: 'Google Vertex', 'error.type': '503' },
          }),
          span({
            traceId, spanId: hexId(index, seed + 9, 16), parentSpanId: generationId, name: `provider attempt 2: ${served}`, kind: 3, startMs: callStart + 31, endMs: callEnd - 6, statusCode: 1,
            serviceName: 'openrouter', scopeName: 'openrouter',
            attributes: { [ATTRIBUTE.operationName]: 'chat', [ATTRIBUTE.providerName]: served },
          }),
        );
      }
    };
    call(0, 10, 20);
    spans.push(
      span({
        traceId,
        spanId: hexId(index, seed + 4, 16),
        parentSpanId: agentId,
        name: 'execute_tool lookup_order',
        startMs: atMs + 420,
        endMs: atMs + 440,
        serviceName: route.service,
        attributes: { [ATTRIBUTE.operationName]: 'execute_tool', 'gen_ai.tool.name': 'lookup_order' },
      }),
    );
    call(1, 450, 60);
  };

  for (let index = from; index < to; index += 1) {
    const next = random(seed * 7919 + index);
    const atMs = startMs + (index / options.traces) * 86_400_000;
    agentRun(index, hexId(index, seed, 32), atMs, routeAt(atMs, index), next);
  }

  if (from === 0) {
    const evalRuns = options.evalRuns ?? 8;
    const evalItems = options.evalItems ?? 6;
    for (let run = 0; run < evalRuns; run += 1) {
      const runMs = startMs + ((run + 0.5) / evalRuns) * 86_400_000;
      for (let item = 0; item < evalItems; item += 1) {
        const index = options.traces + run * evalItems + item;
        const next = random(seed * 104_729 + index);
        const traceId = hexId(index, seed + 11, 32);
        const atMs = runMs + item * 2000;
        // Eval runs go through the OpenRouter agent, on the same failover pattern.
        const route = atMs >= failoverFrom && atMs < failoverTo && item % 5 < 3 ? TOGETHER : ROUTES[0]!;
        const score = route.upstream === 'together' ? 0.45 + next() * 0.2 : 0.85 + next() * 0.15;
        const evalSpanId = hexId(index, seed + 12, 16);
        spans.push(
          span({
            traceId,
            spanId: evalSpanId,
            name: 'eval support-answer',
            startMs: atMs,
            endMs: atMs + 1000,
            serviceName: 'support-eval',
            attributes: {
              [ATTRIBUTE.evaluationName]: 'support-answer',
              [ATTRIBUTE.evaluationScore]: Number(score.toFixed(2)),
              [ATTRIBUTE.evaluationLabel]: score >= 0.7 ? 'pass' : 'fail',
              [ATTRIBUTE.evaluationRunId]: `eval-${run + 1}`,
              [ATTRIBUTE.evaluationItemId]: `q${item + 1}`,
            },
          }),
        );
        agentRun(index, traceId, atMs + 10, route, next, evalSpanId);
      }
    }
  }
  return spans;
}
