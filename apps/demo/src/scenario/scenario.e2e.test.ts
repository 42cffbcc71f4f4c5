import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeDrift } from '../analysis/drift';
import { computeEvalCrossTab } from '../analysis/eval-crosstab';
import { modelCallsOf } from '../analysis/model-calls';
import { decodeOtlpJsonLines } from '../otlp/decode-json';
import { ATTRIBUTE, isEvalItem, leafModelCalls, type SpanRecord } from '../otlp/span-record';
import { changeWindows } from '../report/format-report';
import { ALL_AGENTS } from './all-agents';
import { runDemoScenario, type ScenarioResult } from './run-scenario';
import { createBedrockAgent } from './agents/bedrock-agent';
import { startViewer } from '../viewer/server';

const directory = mkdtempSync(join(tmpdir(), 'servedby-demo-'));
const outFile = join(directory, 'spans.jsonl');
const inProcess: SpanRecord[] = [];
let result: ScenarioResult;
let spans: SpanRecord[];

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
  it('runs every agent without a failed run, and the file holds what the viewer received', () => {
    expect(result.errors).toBe(0);
    expect(result.runs).toBe(16 * (3 + ALL_AGENTS.length - 1));
    expect(spans.length).toBe(inProcess.length);
    expect(new Set(spans.map((span) => span.spanId))).toEqual(new Set(inProcess.map((span) => span.spanId)));
  });

  it('puts gateway, upstream, request and response model on every model call of every plugin', () => {
    const byTrace = new Map<string, SpanRecord[]>();
    for (const span of spans) byTrace.set(span.traceId, [...(byTrace.get(span.traceId) ?? []), span]);
    const calls = leafModelCalls(spans);
    const callsPerAgent = new Map<string, number>();
    for (const call of calls) {
      const agent = agentOf(call, byTrace) ?? 'none';
      callsPerAgent.set(agent, (callsPerAgent.get(agent) ?? 0) + 1);
      const missing = [ATTRIBUTE.gateway, ATTRIBUTE.upstream, ATTRIBUTE.requestModel, ATTRIBUTE.responseModel].filter(
        (key) => typeof call.attributes[key] !== 'string' || call.attributes[key] === '',
      );
      expect({ agent, span: call.name, scope: call.scopeName, missing }).toEqual({ agent, span: call.name, scope: call.scopeName, missing: [] });
    }
    for (const agent of ALL_AGENTS) expect(callsPerAgent.get(agent.id) ?? 0, `model calls of ${agent.id}`).toBeGreaterThan(0);
  });

  it('shows the failover window: OpenRouter moves to Together inside it and back after it', () => {
    if (!ALL_AGENTS.some((agent) => agent.id === 'ai-sdk')) return;
    const drift = computeDrift(modelCallsOf(spans));
    const windows = changeWindows(drift).filter((window) => window.gateway === 'openrouter');
    expect(windows).toHaveLength(1);
    const window = windows[0]!;
    expect(window.description).toContain('together');
    // Windows are whole drift buckets; the true window lies within one bucket of them.
    expect(Math.abs(window.fromMs - result.failoverWindow.fromMs)).toBeLessThanOrEqual(drift.bucketMs);
    expect(Math.abs(window.toMs! - result.failoverWindow.toMs)).toBeLessThanOrEqual(drift.bucketMs);
    const together = modelCallsOf(spans).filter((call) => call.upstream === 'together');
    expect(together.length).toBeGreaterThan(0);
    for (const call of together) {
      expect(call.startMs).toBeGreaterThanOrEqual(result.failoverWindow.fromMs);
      expect(call.startMs).toBeLessThan(result.failoverWindow.toMs + drift.bucketMs);
    }
  });

  it('links every eval score to the agent run it scored, and flags the regression', () => {
    const items = spans.filter(isEvalItem);
    expect(items).toHaveLength(4 * 6);
    const evaluation = computeEvalCrossTab(spans, { drift: computeDrift(modelCallsOf(spans)) });
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
