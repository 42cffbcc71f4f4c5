import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzeSpans, type ReportData } from '@servedby/viewer';
import { decodeOtlpJsonLines } from '../otlp/decode-json';
import { ATTRIBUTE, isEvalItem, leafModelCalls, type SpanRecord } from '../otlp/span-record';
import { ALL_AGENTS } from './all-agents';
import { runDemoScenario, type ScenarioResult } from './run-scenario';
import { createBedrockAgent } from './agents/bedrock-agent';
import { startViewer } from '../viewer/server';

const CACHE_HIT = 'gen_ai.route.cache_hit';
const ERROR_SOURCE = 'gen_ai.route.error_source';
const COST = 'gen_ai.usage.cost';

const directory = mkdtempSync(join(tmpdir(), 'servedby-demo-'));
const outFile = join(directory, 'spans.jsonl');
const inProcess: SpanRecord[] = [];
let result: ScenarioResult;
let spans: SpanRecord[];
let analysis: Promise<ReportData> | undefined;
/** The viewer's own views over the day (its embedded store, in a temporary directory), computed once. */
const viewed = () => (analysis ??= analyzeSpans(spans));

/** The agent a span belongs to: the `support_ticket` or `eval` root of its trace names it. */
function agentOf(span: SpanRecord, byTrace: Map<string, SpanRecord[]>): string | undefined {
  for (const candidate of byTrace.get(span.traceId) ?? []) {
    const agent = candidate.attributes['servedby.demo.agent'];
    if (typeof agent === 'string') return agent;
  }
  return undefined;
}

beforeAll(async () => {
  result = await runDemoScenario({
    agents: ALL_AGENTS.map((agent) => agent.create),
    ticks: 16,
    questionsPerTick: 3,
    evalRuns: 4,
    outFile,
    onSpans: (batch) => inProcess.push(...batch),
    // The test must not export anywhere else, whatever the machine's environment says.
    environment: { SERVEDBY_DEMO_SIMULATE: '1' },
  });
  spans = decodeOtlpJsonLines(readFileSync(outFile, 'utf8'));
}, 150_000);

afterAll(() => rmSync(directory, { recursive: true, force: true }));

describe('the demo scenario, end to end (shortened day)', () => {
  it('runs every agent; the only failed runs are the refusals the scenario plays; the file holds what the viewer received', () => {
    expect(result.plannedRefusals.gateway).toBeGreaterThan(0);
    expect(result.plannedRefusals.upstream).toBeGreaterThan(0);
    expect(result.errors).toBe(result.plannedRefusals.gateway + result.plannedRefusals.upstream);
    expect(result.runs).toBe(16 * (3 + ALL_AGENTS.length - 1));
    expect(spans.length).toBe(inProcess.length);
    expect(new Set(spans.map((span) => span.spanId))).toEqual(new Set(inProcess.map((span) => span.spanId)));
  });

  it('puts gateway, upstream, request and response model on every served model call of every plugin; a cache hit names no upstream', () => {
    const byTrace = new Map<string, SpanRecord[]>();
    for (const span of spans) byTrace.set(span.traceId, [...(byTrace.get(span.traceId) ?? []), span]);
    const calls = leafModelCalls(spans);
    const callsPerAgent = new Map<string, number>();
    let cacheHits = 0;
    for (const call of calls) {
      const agent = agentOf(call, byTrace) ?? 'none';
      callsPerAgent.set(agent, (callsPerAgent.get(agent) ?? 0) + 1);
      // A refused call is checked in the next test; a cache hit was served by no upstream (DESIGN §2.6).
      if (call.statusCode === 2) continue;
      const cacheHit = call.attributes[CACHE_HIT] === true;
      if (cacheHit) cacheHits += 1;
      const required = cacheHit ? [ATTRIBUTE.gateway, ATTRIBUTE.requestModel] : [ATTRIBUTE.gateway, ATTRIBUTE.upstream, ATTRIBUTE.requestModel, ATTRIBUTE.responseModel];
      const missing = required.filter((key) => typeof call.attributes[key] !== 'string' || call.attributes[key] === '');
      expect({ agent, span: call.name, scope: call.scopeName, missing }).toEqual({ agent, span: call.name, scope: call.scopeName, missing: [] });
      if (cacheHit) expect(call.attributes[ATTRIBUTE.upstream]).toBeUndefined();
    }
    expect(cacheHits, 'Kong semantic-cache hits').toBeGreaterThan(0);
    for (const agent of ALL_AGENTS) expect(callsPerAgent.get(agent.id) ?? 0, `model calls of ${agent.id}`).toBeGreaterThan(0);
  });

  it('says who refused: the gateways\' own refusals and an upstream error OpenRouter relayed', () => {
    const failed = leafModelCalls(spans).filter((call) => call.statusCode === 2);
    const bySource = (source: string) => failed.filter((call) => call.attributes[ERROR_SOURCE] === source);
    const gatewaysThatRefused = new Set(bySource('gateway').map((call) => call.attributes[ATTRIBUTE.gateway]));
    expect([...gatewaysThatRefused].sort()).toEqual(['kong', 'litellm', 'openrouter']);
    const relayed = bySource('upstream');
    expect(relayed.length).toBe(result.plannedRefusals.upstream);
    for (const call of relayed) expect(call.attributes).toMatchObject({ [ATTRIBUTE.gateway]: 'openrouter', [ATTRIBUTE.upstream]: 'anthropic', 'error.type': '429' });
    for (const call of bySource('gateway')) expect(call.attributes[ATTRIBUTE.upstream]).toBeUndefined();
    expect(failed.length).toBe(bySource('gateway').length + relayed.length);
  });

  it('changes the OpenRouter routing preferences once: only Anthropic fails in the outage, fallbacks serve from Together after', () => {
    const openrouter = leafModelCalls(spans).filter((call) => call.attributes[ATTRIBUTE.gateway] === 'openrouter');
    const relayed = leafModelCalls(spans).filter((call) => call.attributes[ERROR_SOURCE] === 'upstream');
    // Anthropic's 429s come in the tick before the change (only Anthropic allowed); Together serves only after it.
    expect(result.policyChange.atMs).toBe(result.failoverWindow.fromMs);
    for (const call of relayed) {
      expect(call.startMs).toBeGreaterThanOrEqual(result.policyChange.atMs - result.timeline.tickMs);
      expect(call.startMs).toBeLessThan(result.policyChange.atMs);
    }
    const together = openrouter.filter((call) => call.attributes[ATTRIBUTE.upstream] === 'together');
    expect(together.length).toBeGreaterThan(0);
    for (const call of together) expect(call.startMs).toBeGreaterThanOrEqual(result.policyChange.atMs);
    expect(result.policyChange.before).toEqual({ provider: { only: ['anthropic'] } });
    expect(result.policyChange.after).toEqual({ provider: { order: ['anthropic'], allow_fallbacks: true } });
  });

  it('reports cost by upstream: the same OpenRouter call costs less from Together than from Anthropic', () => {
    const costOf = (upstream: string) => {
      const calls = leafModelCalls(spans).filter((call) => call.attributes[ATTRIBUTE.gateway] === 'openrouter' && call.attributes[ATTRIBUTE.upstream] === upstream && call.statusCode !== 2);
      const costs = calls.map((call) => call.attributes[COST]).filter((cost): cost is number => typeof cost === 'number');
      expect(costs.length, `costed calls from ${upstream}`).toBe(calls.length);
      return costs.reduce((sum, cost) => sum + cost, 0) / costs.length;
    };
    expect(costOf('together')).toBeLessThan(costOf('anthropic'));
  });

  it('receives the gateway\'s own spans: one OpenRouter generation per routed call, one child per provider attempt', () => {
    expect(result.gatewaySpans).toBeGreaterThan(0);
    const gateway = spans.filter((span) => span.serviceName === 'openrouter');
    expect(gateway.length).toBe(result.gatewaySpans);
    const generations = gateway.filter((span) => span.name === 'LLM Generation');
    const attempts = gateway.filter((span) => span.name.startsWith('provider attempt '));
    expect(generations.length).toBeGreaterThan(0);
    for (const generation of generations) {
      const children = attempts.filter((attempt) => attempt.parentSpanId === generation.spanId);
      expect(children.length).toBeGreaterThan(0);
      // On the demo's virtual clock, like the app's spans.
      expect(generation.startMs).toBeGreaterThanOrEqual(result.virtualStartMs);
    }
    // After the policy change, the outage shows as two attempts: Anthropic failed, Together served.
    expect(attempts.some((attempt) => attempt.name === 'provider attempt 1: Anthropic' && attempt.statusCode === 2)).toBe(true);
    expect(attempts.some((attempt) => attempt.name === 'provider attempt 2: Together')).toBe(true);
  });

  it('joins the gateway\'s spans to the app\'s trace under the model call (propagateToGateways), and both sides name the same upstream', () => {
    const byId = new Map(spans.map((span) => [span.spanId, span]));
    const modelCalls = new Set(leafModelCalls(spans).map((call) => call.spanId));
    const generations = spans.filter((span) => span.serviceName === 'openrouter' && span.name === 'LLM Generation');
    for (const generation of generations) {
      const parent = generation.parentSpanId ? byId.get(generation.parentSpanId) : undefined;
      expect(parent && modelCalls.has(parent.spanId) && parent.traceId === generation.traceId, `parent of ${generation.spanId}`).toBe(true);
      if (generation.statusCode === 2) continue;
      // The client-side upstream (from the response) and the gateway-side one (its own span) agree; for
      // Anthropic and Together OpenRouter's provider slugs are servedby's ids.
      const served = String(generation.attributes['trace.metadata.openrouter.provider_slug']);
      expect(served).toBe(parent!.attributes[ATTRIBUTE.upstream]);
    }
  });

  it('shows the failover window: OpenRouter moves to Together inside it and back after it', async () => {
    if (!ALL_AGENTS.some((agent) => agent.id === 'ai-sdk')) return;
    const { drift } = await viewed();
    const windows = drift.windows.filter((window) => window.gateway === 'openrouter');
    expect(windows).toHaveLength(1);
    const window = windows[0]!;
    expect(window.description).toContain('together');
    // Windows are whole drift buckets; the true window lies within one bucket of them.
    expect(Math.abs(window.fromMs - result.failoverWindow.fromMs)).toBeLessThanOrEqual(drift.bucketMs);
    expect(Math.abs(window.toMs! - result.failoverWindow.toMs)).toBeLessThanOrEqual(drift.bucketMs);
    const together = leafModelCalls(spans).filter((call) => call.attributes[ATTRIBUTE.upstream] === 'together');
    expect(together.length).toBeGreaterThan(0);
    for (const call of together) {
      expect(call.startMs).toBeGreaterThanOrEqual(result.failoverWindow.fromMs);
      expect(call.startMs).toBeLessThan(result.failoverWindow.toMs + drift.bucketMs);
    }
  });

  it('links every eval score to the agent run it scored, and flags the regression', async () => {
    const items = spans.filter(isEvalItem);
    expect(items).toHaveLength(4 * 6);
    const { evaluation } = await viewed();
    expect(evaluation.items).toHaveLength(items.length);
    expect(evaluation.items.every((item) => item.upstream !== 'unknown')).toBe(true);
    for (const item of items) {
      const children = spans.filter((span) => span.parentSpanId === item.spanId);
      expect(children.length, `run under ${item.attributes[ATTRIBUTE.evaluationItemId]}`).toBeGreaterThan(0);
    }
    if (ALL_AGENTS.some((agent) => agent.id === 'ai-sdk')) {
      const regressions = evaluation.windows.filter((window) => window.regression);
      expect(regressions.length).toBeGreaterThan(0);
      expect(regressions.every((window) => window.regression!.coincidesWithUpstreamChange)).toBe(true);
      const together = evaluation.rows.find((row) => row.upstream === 'together');
      const anthropic = evaluation.rows.find((row) => row.upstream === 'anthropic');
      expect(together!.meanScore).toBeLessThan(anthropic!.meanScore);
    }
  });
});

describe('export over OTLP/HTTP with the standard variables', () => {
  it('sends every span and the route metrics to OTEL_EXPORTER_OTLP_ENDPOINT', async () => {
    const collector = await startViewer({ port: 0 });
    try {
      const local: SpanRecord[] = [];
      await runDemoScenario({
        agents: [createBedrockAgent],
        ticks: 8,
        evalRuns: 1,
        onSpans: (batch) => local.push(...batch),
        environment: { SERVEDBY_DEMO_SIMULATE: '1', OTEL_EXPORTER_OTLP_ENDPOINT: collector.url },
      });
      await collector.flush();
      expect((await collector.store.summary()).spans).toBe(local.length);
      const topology = (await (await fetch(`${collector.url}/api/topology`)).json()) as { calls: number; models: Array<{ flows: Array<{ gateway: string }> }> };
      expect(topology.calls).toBeGreaterThan(0);
      expect(topology.models.every((model) => model.flows.every((flow) => flow.gateway === 'aws.bedrock'))).toBe(true);
      const summary = (await (await fetch(`${collector.url}/api/summary`)).json()) as { metricsAndLogsRequests: number };
      expect(summary.metricsAndLogsRequests).toBeGreaterThan(0);
    } finally {
      await collector.close();
    }
  }, 60_000);
});
