import { computeDrift, totalVariationDistance, type ChangePoint, type Drift } from '../analysis/drift';
import { computeEvalCrossTab, type EvalCrossTab } from '../analysis/eval-crosstab';
import { modelCallsOf, timeRange } from '../analysis/model-calls';
import type { SpanRecord } from '../otlp/span-record';

/** A window of time in which a series' upstream mix differed from its steady state. */
export interface ChangeWindow {
  gateway: string;
  requestModel: string;
  fromMs: number;
  /** Undefined when the mix had not gone back by the end of the data. */
  toMs?: number;
  description: string;
}

/**
 * Turns each series' change points into windows: a change opens a window, and the first later
 * change back to (within the rule's threshold of) the mix before it closes it; changes in between
 * (the mix wobbling inside the window) are part of the window. With the demo's timeline this is
 * the failover window.
 */
export function changeWindows(drift: Drift): ChangeWindow[] {
  const windows: ChangeWindow[] = [];
  for (const series of drift.series) {
    let open: ChangePoint | undefined;
    let closedAtMs = -Infinity;
    for (const point of series.changePoints) {
      if (!open) {
        const added = Object.keys(point.after).filter((upstream) => (point.before[upstream] ?? 0) < drift.rule.presentShare);
        const removed = Object.keys(point.before).filter((upstream) => (point.after[upstream] ?? 0) < drift.rule.presentShare);
        if (added.length === 0 && removed.length > 0) {
          // Only a return: the onset was too gradual or too sparse to be a change point, so the
          // window starts where the upstreams that now left first appeared.
          const start = series.buckets.find(
            (bucket) => bucket.startMs > closedAtMs && bucket.startMs < point.atMs && removed.some((upstream) => bucket.upstreams[upstream]),
          );
          if (start) {
            windows.push({
              gateway: series.gateway,
              requestModel: series.requestModel,
              fromMs: start.startMs,
              toMs: point.atMs,
              description: `${removed.join(', ')} serving part of the traffic until ${point.description}`,
            });
            closedAtMs = point.atMs;
            continue;
          }
        }
        open = point;
        continue;
      }
      if (totalVariationDistance(point.after, open.before) < drift.rule.threshold) {
        windows.push({ gateway: series.gateway, requestModel: series.requestModel, fromMs: open.atMs, toMs: point.atMs, description: open.description });
        closedAtMs = point.atMs;
        open = undefined;
      }
    }
    if (open) windows.push({ gateway: series.gateway, requestModel: series.requestModel, fromMs: open.atMs, description: open.description });
  }
  return windows;
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

function percent(share: number): string {
  return `${Math.round(share * 100)}%`;
}

/** Everything the text report shows, computed once so callers can also assert on it. */
export interface ReportData {
  spans: number;
  modelCalls: number;
  fromMs?: number;
  toMs?: number;
  routes: Array<{ gateway: string; upstream: string; calls: number }>;
  drift: Drift;
  windows: ChangeWindow[];
  evaluation: EvalCrossTab;
}

/** Runs the analyses the report prints. */
export function analyzeSpans(spans: readonly SpanRecord[], options: { bucketMs?: number } = {}): ReportData {
  const calls = modelCallsOf(spans);
  const range = timeRange(calls);
  const routeCounts = new Map<string, { gateway: string; upstream: string; calls: number }>();
  for (const call of calls) {
    const key = `${call.gateway} ${call.upstream}`;
    const entry = routeCounts.get(key) ?? { gateway: call.gateway, upstream: call.upstream, calls: 0 };
    entry.calls += 1;
    routeCounts.set(key, entry);
  }
  const drift = computeDrift(calls, options.bucketMs ? { bucketMs: options.bucketMs } : {});
  return {
    spans: spans.length,
    modelCalls: calls.length,
    ...(range ?? {}),
    routes: [...routeCounts.values()].sort((a, b) => b.calls - a.calls),
    drift,
    windows: changeWindows(drift),
    evaluation: computeEvalCrossTab(spans, { drift }),
  };
}

/** The drift and eval cross-tab as terminal text (`npm run report -- <file>`). */
export function formatReport(data: ReportData, options: { changedTraceLines?: number } = {}): string {
  const lines: string[] = [];
  const range = data.fromMs === undefined ? 'no model calls' : `${time(data.fromMs)} → ${time(data.toMs!)} UTC`;
  lines.push(`servedby report: ${data.spans} spans, ${data.modelCalls} model calls, ${range}`, '');

  lines.push('Calls per gateway → upstream');
  const routeWidth = Math.max(10, ...data.routes.map((route) => `${route.gateway} → ${route.upstream}`.length));
  for (const route of data.routes) {
    lines.push(
      `  ${pad(`${route.gateway} → ${route.upstream}`, routeWidth)}  ${String(route.calls).padStart(6)}  ${percent(route.calls / Math.max(1, data.modelCalls)).padStart(4)}`,
    );
  }
  lines.push('');

  const rule = data.drift.rule;
  lines.push(
    `Drift (${duration(data.drift.bucketMs)} windows; a change point is a total-variation distance ≥ ${rule.threshold} between consecutive windows of ≥ ${rule.minCalls} calls)`,
  );
  const changing = data.drift.series.filter((series) => series.changePoints.length > 0);
  if (changing.length === 0) lines.push('  no upstream change');
  for (const series of changing) {
    lines.push(`  ${series.gateway} ${series.requestModel}`);
    for (const point of series.changePoints) {
      lines.push(`    ${time(point.atMs)}  ${point.description}  (distance ${point.distance.toFixed(2)})`);
    }
  }
  for (const window of data.windows) {
    lines.push(
      `  window: ${window.gateway} ${window.requestModel} ${time(window.fromMs)} → ${window.toMs ? time(window.toMs) : 'end of data'}: ${window.description}`,
    );
  }
  const changedLimit = options.changedTraceLines ?? 5;
  lines.push(`  traces whose upstream changed: ${data.drift.changedTraceTotal}`);
  for (const changed of data.drift.changedTraces.slice(0, changedLimit)) {
    lines.push(`    ${time(changed.startMs)}  ${changed.traceId}  ${changed.gateway} ${changed.requestModel}: ${changed.previousUpstream} → ${changed.upstream}`);
  }
  if (data.drift.changedTraceTotal > changedLimit) lines.push(`    … ${data.drift.changedTraceTotal - changedLimit} more`);
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
