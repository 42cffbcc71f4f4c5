// Every view's SQL on the embedded engine, over the viewer's own table AND over a table shaped
// exactly as the OpenTelemetry Collector's ClickHouse exporter creates and fills it:
// open-telemetry/opentelemetry-collector-contrib exporter/clickhouseexporter/internal/sql_templates/
// traces_table.sql @ ff7a94656bd04ce95228ff4282554a233ed93434 (DDL) and exporter_traces.go
// @ 6cc07cc5360f6ecc8c0616064231b08d0be25a50 (row shape: hex ids, SPAN_KIND_*/STATUS_CODE_*
// strings, Duration in ns, every attribute value as text). See schema.ts.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzeStore, formatReport, type ReportData } from '../report/report';
import { generateSyntheticSpans, policyHash, SYNTHETIC_POLICIES } from '../synthetic';
import { createEmbeddedEngine, type SqlEngine } from './engine';
import { spanRow } from './rows';
import { createTracesTableSql } from './schema';
import { openTraceStore, type TraceStore } from './trace-store';

const END_MS = Date.UTC(2026, 11, 5, 0, 0, 0);
const HOUR = 3_600_000;
const directory = mkdtempSync(join(tmpdir(), 'servedby-store-test-'));
let engine: SqlEngine;
let own: TraceStore;
let collector: TraceStore;
let ownReport: ReportData;
let collectorReport: ReportData;
const spans = generateSyntheticSpans({ traces: 4_000, endMs: END_MS });

beforeAll(async () => {
  engine = createEmbeddedEngine(directory);
  own = await openTraceStore({ engine, database: 'own' });
  for (let offset = 0; offset < spans.length; offset += 5_000) await own.insert(spans.slice(offset, offset + 5_000));

  // The Collector's table: the exporter's DDL (no materialized columns), rows as the exporter writes them.
  await engine.command('CREATE DATABASE IF NOT EXISTS collector');
  await engine.command(createTracesTableSql({ database: 'collector', table: 'otel_traces', materialized: false }));
  await engine.insertJsonLines('collector.otel_traces', Buffer.from(`${spans.map(spanRow).join('\n')}\n`));
  collector = await openTraceStore({ engine, database: 'collector' });

  ownReport = await analyzeStore(own);
  collectorReport = await analyzeStore(collector);
});

afterAll(async () => {
  await engine?.close();
  rmSync(directory, { recursive: true, force: true });
});

describe('the store', () => {
  it('opens a Collector-filled table read-only and its own table read-write', async () => {
    expect(own.readOnly).toBe(false);
    expect(collector.readOnly).toBe(true);
    await expect(collector.insert(spans.slice(0, 1))).rejects.toThrow(/read-only/);
  });

  it('keeps every span with its attributes as text, as the exporter stores them', async () => {
    const summary = await own.summary();
    expect(summary.spans).toBe(spans.length);
    const call = spans.find((span) => span.attributes['gen_ai.usage.cost'] !== undefined)!;
    const { spans: stored } = await own.trace(call.traceId);
    const storedCall = stored.find((span) => span.spanId === call.spanId)!;
    expect(storedCall.attributes['gen_ai.usage.cost']).toBe(String(call.attributes['gen_ai.usage.cost']));
    expect(storedCall.kind).toBe(3);
    const agent = stored.find((span) => span.name === 'invoke_agent support-agent')!;
    expect(JSON.parse(agent.attributes['gen_ai.route.upstreams']!)).toEqual(expect.arrayContaining([expect.any(String)]));
    expect(storedCall.startMs).toBeCloseTo(call.startMs, 3);
  });

  it('counts model calls without the gateway spans nested under them, on both tables', () => {
    const clientCalls = spans.filter((span) => span.attributes['gen_ai.operation.name'] === 'chat' && span.serviceName !== 'openrouter').length;
    expect(ownReport.summary.modelCalls).toBe(clientCalls);
    expect(ownReport.topology.calls).toBe(clientCalls);
    expect(collectorReport.topology.calls).toBe(clientCalls);
  });

  it('answers the same on its own table and on the Collector table, view for view', () => {
    const strip = (report: ReportData) => ({ ...report, summary: { ...report.summary, store: '', readOnly: false, modelCalls: 0 } });
    expect(strip(collectorReport).topology).toEqual(strip(ownReport).topology);
    expect(collectorReport.drift).toEqual(ownReport.drift);
    expect(collectorReport.evaluation).toEqual(ownReport.evaluation);
    expect(collectorReport.cost).toEqual(ownReport.cost);
    expect(collectorReport.policies).toEqual(ownReport.policies);
    expect(collectorReport.errors).toEqual(ownReport.errors);
    expect(collectorReport.gatewaySpans).toEqual(ownReport.gatewaySpans);
  });

  it('finds the OpenRouter failover as two change points and lists the Together traces', () => {
    const series = ownReport.drift.series.find((entry) => entry.gateway === 'openrouter')!;
    expect(series.verdict).toBe('changed');
    expect(series.changePoints.map((point) => point.atMs)).toEqual([END_MS - 16 * HOUR, END_MS - 10 * HOUR]);
    expect(ownReport.drift.windows).toEqual([expect.objectContaining({ gateway: 'openrouter', fromMs: END_MS - 16 * HOUR, toMs: END_MS - 10 * HOUR })]);
    const others = ownReport.drift.series.filter((entry) => entry.gateway !== 'openrouter');
    expect(others.every((entry) => entry.verdict === 'no change')).toBe(true);
    expect(ownReport.drift.changedTraceTotal).toBeGreaterThan(100);
    expect(ownReport.drift.changedTraces.every((trace) => trace.upstream === 'together' && trace.previousUpstream === 'anthropic')).toBe(true);
  });

  it('shows cost by gateway → upstream from gen_ai.usage.cost, none for Bedrock', () => {
    const row = (gateway: string, upstream: string) => ownReport.cost.rows.find((entry) => entry.gateway === gateway && entry.upstream === upstream)!;
    expect(row('openrouter', 'anthropic').meanCost).toBeCloseTo(0.0042, 3);
    expect(row('openrouter', 'together').meanCost).toBeCloseTo(0.0012, 3);
    expect(row('aws.bedrock', 'anthropic').callsWithCost).toBe(0);
    const expected = spans.reduce((total, span) => total + (typeof span.attributes['gen_ai.usage.cost'] === 'number' ? (span.attributes['gen_ai.usage.cost'] as number) : 0), 0);
    expect(ownReport.cost.totalCost).toBeCloseTo(expected, 6);
  });

  it('finds the routing policy change and names it in the eval regression', () => {
    expect(ownReport.policies.changes).toEqual([
      expect.objectContaining({ gateway: 'openrouter', serviceName: 'support-langchain', fromHash: policyHash(SYNTHETIC_POLICIES.before), toHash: policyHash(SYNTHETIC_POLICIES.after) }),
    ]);
    expect(ownReport.policies.changes[0]!.atMs).toBeGreaterThanOrEqual(END_MS - 24 * HOUR + 7 * HOUR + 55 * 60_000);
    expect(ownReport.policies.changes[0]!.atMs).toBeLessThan(END_MS - 24 * HOUR + 7 * HOUR + 57 * 60_000);
    const regressed = ownReport.evaluation.windows.filter((window) => window.regression);
    expect(regressed.length).toBeGreaterThan(0);
    const first = regressed[0]!;
    expect(first.regression!.coincidesWithUpstreamChange).toBe(true);
    expect(first.regression!.matchesPolicyChange).toBe(true);
    expect(first.regression!.reason).toMatch(/matches a routing policy change/);
    expect(ownReport.drift.policyChanges).toHaveLength(1);
  });

  it('lists errors by who refused them per gateway, and cache hits', () => {
    const rows = ownReport.errors.rows;
    expect(rows).toContainEqual(expect.objectContaining({ gateway: 'openrouter', source: 'gateway' }));
    expect(rows).toContainEqual(expect.objectContaining({ gateway: 'litellm', source: 'upstream' }));
    expect(rows.find((row) => row.source === 'cache')?.cacheHits).toBeGreaterThan(0);
  });

  it('nests gateway spans under the client call and flags the one that names another upstream', async () => {
    expect(ownReport.gatewaySpans.joinedCalls).toBeGreaterThan(10);
    expect(ownReport.gatewaySpans.disagreements).toHaveLength(1);
    const disagreement = ownReport.gatewaySpans.disagreements[0]!;
    expect(disagreement).toMatchObject({ gateway: 'openrouter', clientUpstream: 'anthropic', gatewayUpstream: 'Together', gatewayUpstreamId: 'together' });
    const { spans: stored } = await own.trace(disagreement.traceId);
    expect(stored.filter((span) => span.mark === 'gateway')).toHaveLength(3);
  });

  it('filters traces by attribute, absence and status, and pages them', async () => {
    const together = await own.traces({ filters: [{ key: 'gen_ai.route.upstream', operator: '=', value: 'together' }], limit: 5, offset: 0 });
    expect(together.total).toBeGreaterThan(100);
    expect(together.traces.every((trace) => trace.upstreams.includes('together'))).toBe(true);
    const notTogether = await own.traces({ filters: [{ key: 'gen_ai.route.upstream', operator: '!=', value: 'together' }], limit: 5, offset: 0 });
    const all = await own.traces({ filters: [], limit: 1, offset: 0 });
    expect(notTogether.total + together.total).toBe(all.total);
    const errors = await own.traces({ filters: [{ key: 'status', operator: '=', value: 'error' }], limit: 5, offset: 0 });
    expect(errors.traces.every((trace) => trace.errors > 0)).toBe(true);
    const arrays = await own.traces({ filters: [{ key: 'gen_ai.route.upstreams', operator: '=', value: 'together' }], limit: 5, offset: 0 });
    expect(arrays.total).toBe(together.total);
    const page2 = await own.traces({ filters: [], limit: 5, offset: 5 });
    expect(page2.traces[0]!.startMs).toBeLessThanOrEqual((await own.traces({ filters: [], limit: 5, offset: 0 })).traces[4]!.startMs);
  });

  it('pages the trace list as a scan of every root span would, on both tables, whatever the filter', async () => {
    // Expected from the generated spans: root spans newest first; a filter matches any span of the trace.
    const traceUpstreams = new Map<string, Set<unknown>>();
    for (const span of spans) {
      const upstream = span.attributes['gen_ai.route.upstream'];
      if (upstream !== undefined) traceUpstreams.set(span.traceId, (traceUpstreams.get(span.traceId) ?? new Set()).add(upstream));
    }
    const roots = spans.filter((span) => !span.parentSpanId).sort((a, b) => b.startMs - a.startMs);
    const cases = [
      { filters: [], expected: roots },
      // Together serves only inside the failover window, hours before the newest traces: the
      // time-bounded search comes back short and is widened.
      { filters: [{ key: 'gen_ai.route.upstream', operator: '=' as const, value: 'together' }], expected: roots.filter((root) => traceUpstreams.get(root.traceId)?.has('together')) },
      { filters: [{ key: 'gen_ai.route.upstream', operator: '!=' as const, value: 'anthropic' }], expected: roots.filter((root) => !traceUpstreams.get(root.traceId)?.has('anthropic')) },
    ];
    for (const { filters, expected } of cases) {
      expect(expected.length).toBeGreaterThan(60);
      for (const [limit, offset] of [[20, 0], [20, 40], [3, expected.length - 2]] as const) {
        const want = expected.slice(offset, offset + limit).map((root) => root.traceId);
        for (const store of [own, collector]) {
          const page = await store.traces({ filters, limit, offset });
          expect(page.traces.map((trace) => trace.traceId), `${store.readOnly ? 'collector' : 'own'} ${JSON.stringify(filters)} ${limit}@${offset}`).toEqual(want);
          expect(page.total).toBe(expected.length);
        }
      }
    }
    // A value no span carries: an empty page (the own table answers from the match search alone).
    for (const store of [own, collector]) {
      expect(await store.traces({ filters: [{ key: 'gen_ai.route.upstream', operator: '=', value: 'nobody' }], limit: 20, offset: 0 })).toEqual({ total: 0, traces: [] });
    }
  });

  it('prints the same views in the text report', () => {
    const text = formatReport(ownReport);
    expect(text).toContain('openrouter → together');
    expect(text).toMatch(/window: openrouter anthropic\/claude-sonnet-4\.5 .* → .*together/);
    expect(text).toMatch(/openrouter anthropic\/claude-sonnet-4\.5: changed/);
    expect(text).toContain('! policy change at');
    expect(text).toMatch(/openrouter → together +\$0\.\d+/);
    expect(text).toMatch(/openrouter +gateway +\d+ errors/);
    expect(text).toContain('1 disagree on the upstream');
    expect(text).toContain('matches a routing policy change');
  });

  it('keeps everything across a restart', async () => {
    const before = await own.summary();
    await engine.close();
    engine = createEmbeddedEngine(directory);
    own = await openTraceStore({ engine, database: 'own' });
    collector = await openTraceStore({ engine, database: 'collector' });
    expect(await own.summary()).toEqual(before);
  });
});
