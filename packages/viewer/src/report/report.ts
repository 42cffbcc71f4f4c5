import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CostResponse, DriftResponse, ErrorsResponse, EvalResponse, GatewaySpansResponse, PoliciesResponse, SummaryResponse, TopologyResponse } from '../api-types';
import type { SpanRecord } from '../otlp/span-record';
import { createEmbeddedEngine } from '../store/engine';
import { openTraceStore, type TraceStore } from '../store/trace-store';
import { createViews } from '../views';

/** Everything the text report shows: the viewer's own views, so page and report always agree. */
export interface ReportData {
  summary: Omit<SummaryResponse, 'metricsAndLogsRequests'>;
  topology: TopologyResponse;
  drift: DriftResponse;
  evaluation: EvalResponse;
  cost: CostResponse;
  policies: PoliciesResponse;
  errors: ErrorsResponse;
  gatewaySpans: GatewaySpansResponse;
}

/** Runs the views the report prints over a store. */
export async function analyzeStore(store: TraceStore, options: { bucketMs?: number } = {}): Promise<ReportData> {
  const views = createViews(store);
  const [summary, topology, drift, evaluation, cost, policies, errors, gatewaySpans] = await Promise.all([
    views.summary(),
    views.topology(),
    views.drift(options.bucketMs ? { bucketMs: options.bucketMs } : {}),
    views.evaluation(),
    views.cost(),
    views.policies(),
    views.errors(),
    views.gatewaySpans(),
  ]);
  return { summary, topology, drift, evaluation, cost, policies, errors, gatewaySpans };
}

/**
 * Loads spans into a temporary embedded store and runs the views (the report CLI's path: a file
 * of OTLP JSON lines in, the same numbers as the viewer out). Must not run in a process that
 * already holds an embedded store in another directory.
 */
export async function analyzeSpans(spans: readonly SpanRecord[], options: { bucketMs?: number } = {}): Promise<ReportData> {
  const directory = mkdtempSync(join(tmpdir(), 'servedby-report-'));
  const engine = createEmbeddedEngine(directory);
  try {
    const store = await openTraceStore({ engine, database: 'report' });
    for (let offset = 0; offset < spans.length; offset += 50_000) await store.insert(spans.slice(offset, offset + 50_000));
    return await analyzeStore(store, options);
  } finally {
    await engine.close();
    rmSync(directory, { recursive: true, force: true });
  }
}

function time(ms: number): string {
  return new Date(ms).toISOString().slice(0, 16).replace('T', ' ');
}

function duration(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}min`;
  return `${ms / 1000}s`;
}

function pad(text: string, width: number): string {
  return text.length >= width ? text : text + ' '.repeat(width - text.length);
}

function usd(value: number): string {
  return value >= 1 ? `$${value.toFixed(2)}` : `$${value.toFixed(5)}`;
}

/** The report as terminal text (`npm run report -- <file>`, and the demo's `--once` summary). */
export function formatReport(data: ReportData, options: { changedTraceLines?: number } = {}): string {
  const lines: string[] = [];
  const { summary } = data;
  const range = summary.fromMs === undefined ? 'no model calls' : `${time(summary.fromMs)} → ${time(summary.toMs!)} UTC`;
  lines.push(`servedby report: ${summary.spans} spans, ${summary.modelCalls} model calls, ${range}`, '');

  lines.push('Calls per gateway → upstream');
  const routes = new Map<string, number>();
  for (const model of data.topology.models) for (const flow of model.flows) routes.set(`${flow.gateway} → ${flow.upstream}`, (routes.get(`${flow.gateway} → ${flow.upstream}`) ?? 0) + flow.calls);
  const routeWidth = Math.max(10, ...[...routes.keys()].map((route) => route.length));
  for (const [route, calls] of [...routes.entries()].sort((a, b) => b[1] - a[1])) {
    lines.push(`  ${pad(route, routeWidth)}  ${String(calls).padStart(6)}  ${`${Math.round((calls / Math.max(1, summary.modelCalls)) * 100)}%`.padStart(4)}`);
  }
  lines.push('');

  const drift = data.drift;
  lines.push(`Drift (${duration(drift.bucketMs)} windows; ${drift.rule.description})`);
  for (const series of drift.series) {
    lines.push(`  ${series.gateway} ${series.requestModel}: ${series.verdict} (${series.calls} calls)`);
    for (const point of series.changePoints) {
      lines.push(`    ${time(point.atMs)}  ${point.description}  (${point.test} p = ${point.pValue.toExponential(1)})`);
    }
  }
  for (const window of drift.windows) {
    lines.push(`  window: ${window.gateway} ${window.requestModel} ${time(window.fromMs)} → ${window.toMs ? time(window.toMs) : 'end of data'}: ${window.description}`);
  }
  const changedLimit = options.changedTraceLines ?? 5;
  lines.push(`  traces whose upstream changed: ${drift.changedTraceTotal}`);
  for (const changed of drift.changedTraces.slice(0, changedLimit)) {
    lines.push(`    ${time(changed.startMs)}  ${changed.traceId}  ${changed.gateway} ${changed.requestModel}: ${changed.previousUpstream} → ${changed.upstream}`);
  }
  if (drift.changedTraceTotal > changedLimit) lines.push(`    … ${drift.changedTraceTotal - changedLimit} more`);
  lines.push('');

  lines.push('Routing policy (gen_ai.route.policy_hash)');
  if (data.policies.series.length === 0) lines.push('  no routing policy recorded');
  for (const series of data.policies.series) {
    lines.push(`  ${series.serviceName} → ${series.gateway}`);
    for (const period of series.periods) lines.push(`    ${time(period.fromMs)} → ${time(period.toMs)}  ${period.hash}  ${period.policy.slice(0, 100)}  (${period.calls} calls)`);
  }
  for (const change of data.policies.changes) lines.push(`  ! policy change at ${time(change.atMs)}: ${change.serviceName} → ${change.gateway} ${change.fromHash} → ${change.toHash}`);
  lines.push('');

  lines.push('Cost by gateway → upstream (gen_ai.usage.cost, USD)');
  const costed = data.cost.rows.filter((row) => row.callsWithCost > 0);
  if (costed.length === 0) lines.push('  no cost recorded');
  for (const row of costed) {
    lines.push(`  ${pad(`${row.gateway} → ${row.upstream}`, routeWidth)}  ${usd(row.totalCost).padStart(10)}  ${row.meanCost === undefined ? '' : `${usd(row.meanCost)} per call`}  (${row.callsWithCost} of ${row.calls} calls)`);
  }
  lines.push('');

  lines.push('Errors by who refused (gen_ai.route.error_source) and cache hits');
  if (data.errors.rows.length === 0) lines.push('  no failed calls');
  for (const row of data.errors.rows) {
    lines.push(`  ${pad(row.gateway, 14)} ${pad(row.source, 14)} ${row.errors ? `${row.errors} errors` : ''}${row.cacheHits ? `${row.cacheHits} cache hits` : ''}`);
  }
  if (data.gatewaySpans.joinedCalls > 0) {
    lines.push(`  gateway spans joined to ${data.gatewaySpans.joinedCalls} client calls; ${data.gatewaySpans.disagreements.length} disagree on the upstream`);
    for (const disagreement of data.gatewaySpans.disagreements.slice(0, 5)) {
      lines.push(`    ${time(disagreement.startMs)} ${disagreement.traceId}: client says ${disagreement.clientUpstream}, ${disagreement.gateway} says ${disagreement.gatewayUpstream}`);
    }
  }
  lines.push('');

  const evaluation = data.evaluation;
  lines.push('Eval score by upstream and eval run (mean, items)');
  if (evaluation.windows.length === 0) lines.push('  no eval items');
  else {
    const upstreamWidth = Math.max(12, ...evaluation.rows.map((row) => row.upstream.length));
    lines.push(`  ${pad('upstream', upstreamWidth)}  ${evaluation.windows.map((window) => pad(time(window.startMs).slice(5), 12)).join('  ')}  overall`);
    for (const row of evaluation.rows) {
      const cells = row.cells.map((cell) => pad(cell.meanScore === undefined ? '·' : `${cell.meanScore.toFixed(2)} (${cell.count})`, 12));
      lines.push(`  ${pad(row.upstream, upstreamWidth)}  ${cells.join('  ')}  ${row.meanScore.toFixed(2)} (${row.count})`);
    }
    const allCells = evaluation.windows.map((window) => pad(`${window.meanScore.toFixed(2)} (${window.items})${window.regression ? ' !' : ''}`, 12));
    lines.push(`  ${pad('all', upstreamWidth)}  ${allCells.join('  ')}`);
    if (evaluation.windows.some((window) => window.cost !== undefined)) {
      lines.push(`  ${pad('cost', upstreamWidth)}  ${evaluation.windows.map((window) => pad(window.cost === undefined ? '·' : usd(window.cost), 12)).join('  ')}`);
    }
    for (const window of evaluation.windows) {
      if (!window.regression) continue;
      const regression = window.regression;
      lines.push(
        `  ! regression at ${time(window.startMs)}: mean ${window.meanScore.toFixed(2)} vs baseline ${regression.baseline.toFixed(2)} (−${regression.drop.toFixed(2)})${
          regression.coincidesWithUpstreamChange ? ': matches an upstream change: ' : ': '
        }${regression.reason}`,
      );
    }
  }
  return lines.join('\n');
}
