import { ATTRIBUTE, isEvalItem, isModelCall, stringAttribute, type SpanRecord } from '../otlp/span-record';
import { UNKNOWN } from './model-calls';
import type { Drift } from './drift';

/** One scored eval item, joined to the upstream(s) that served the agent run it scored. */
export interface EvalItem {
  traceId: string;
  spanId: string;
  itemId: string;
  runId: string;
  startMs: number;
  score: number;
  /** The upstream of the run's model calls; several are joined with `+`. */
  upstream: string;
}

/** A regression of a window against the windows before it. */
export interface EvalRegression {
  baseline: number;
  drop: number;
  /** True when the window also saw an upstream the baseline did not, or a drift change point. */
  coincidesWithUpstreamChange: boolean;
  reason: string;
}

/** One eval run (a column of the cross-tab). */
export interface EvalWindow {
  id: string;
  startMs: number;
  items: number;
  meanScore: number;
  upstreams: Record<string, number>;
  regression?: EvalRegression;
}

/** One upstream (a row of the cross-tab). */
export interface EvalRow {
  upstream: string;
  count: number;
  meanScore: number;
  cells: Array<{ windowId: string; count: number; meanScore?: number }>;
}

/** Eval score by upstream and time window. */
export interface EvalCrossTab {
  windows: EvalWindow[];
  rows: EvalRow[];
  items: EvalItem[];
  /** A drop in mean score of at least this much against the baseline is a regression. */
  regressionDrop: number;
}

/** Default regression threshold: the mean score falls by 0.1 (on a 0…1 scale) or more. */
export const DEFAULT_REGRESSION_DROP = 0.1;

function upstreamsBelow(
  roots: Array<{ traceId: string; spanId: string }>,
  spansByTrace: Map<string, SpanRecord[]>,
): Set<string> {
  const upstreams = new Set<string>();
  for (const root of roots) {
    const spans = spansByTrace.get(root.traceId);
    if (!spans) continue;
    const children = new Map<string, SpanRecord[]>();
    for (const span of spans) {
      if (!span.parentSpanId) continue;
      let list = children.get(span.parentSpanId);
      if (!list) children.set(span.parentSpanId, (list = []));
      list.push(span);
    }
    const stack = [root.spanId];
    while (stack.length > 0) {
      for (const child of children.get(stack.pop()!) ?? []) {
        if (isModelCall(child)) upstreams.add(stringAttribute(child, ATTRIBUTE.upstream) ?? UNKNOWN);
        stack.push(child.spanId);
      }
    }
  }
  return upstreams;
}

/**
 * Eval score by upstream and eval run. An eval item is a span with `gen_ai.evaluation.score.value`;
 * its upstream comes from the model calls below it in its trace and below the spans it links to
 * (the agent run it scored). Windows are eval runs (`servedby.demo.eval.run_id`), in time order.
 *
 * A window regresses when its mean score is at least `regressionDrop` below the mean of all
 * earlier windows that did not regress. The regression is flagged as matching an upstream change
 * when the window's runs used an upstream that the baseline windows never used, or a drift change
 * point falls after the previous window started and no later than this window.
 */
export function computeEvalCrossTab(
  spans: readonly SpanRecord[],
  options: { drift?: Drift; regressionDrop?: number } = {},
): EvalCrossTab {
  const regressionDrop = options.regressionDrop ?? DEFAULT_REGRESSION_DROP;
  const spansByTrace = new Map<string, SpanRecord[]>();
  const evalSpans: SpanRecord[] = [];
  for (const span of spans) {
    let list = spansByTrace.get(span.traceId);
    if (!list) spansByTrace.set(span.traceId, (list = []));
    list.push(span);
    if (isEvalItem(span)) evalSpans.push(span);
  }

  const items: EvalItem[] = evalSpans.map((span) => {
    const upstreams = upstreamsBelow([span, ...span.links], spansByTrace);
    return {
      traceId: span.traceId,
      spanId: span.spanId,
      itemId: stringAttribute(span, ATTRIBUTE.evaluationItemId) ?? span.spanId,
      runId: stringAttribute(span, ATTRIBUTE.evaluationRunId) ?? span.traceId,
      startMs: span.startMs,
      score: span.attributes[ATTRIBUTE.evaluationScore] as number,
      upstream: upstreams.size ? [...upstreams].sort().join('+') : UNKNOWN,
    };
  });
  items.sort((a, b) => a.startMs - b.startMs);

  const windowMap = new Map<string, EvalItem[]>();
  for (const item of items) {
    let list = windowMap.get(item.runId);
    if (!list) windowMap.set(item.runId, (list = []));
    list.push(item);
  }
  const windows: EvalWindow[] = [...windowMap.entries()].map(([id, windowItems]) => {
    const upstreams: Record<string, number> = {};
    for (const item of windowItems) upstreams[item.upstream] = (upstreams[item.upstream] ?? 0) + 1;
    return {
      id,
      startMs: Math.min(...windowItems.map((item) => item.startMs)),
      items: windowItems.length,
      meanScore: mean(windowItems.map((item) => item.score)),
      upstreams,
    };
  });
  windows.sort((a, b) => a.startMs - b.startMs);

  const changePointTimes = (options.drift?.series ?? []).flatMap((series) =>
    series.changePoints.map((point) => ({ atMs: point.atMs, label: `${series.gateway} ${series.requestModel}: ${point.description}` })),
  );
  const baselineScores: number[] = [];
  const baselineUpstreams = new Set<string>();
  windows.forEach((window, index) => {
    const windowItems = windowMap.get(window.id)!;
    if (baselineScores.length > 0) {
      const baseline = mean(baselineScores);
      const drop = baseline - window.meanScore;
      if (drop >= regressionDrop) {
        const newUpstreams = Object.keys(window.upstreams).filter((upstream) =>
          upstream.split('+').some((part) => !baselineUpstreams.has(part)),
        );
        const previousStart = windows[index - 1]?.startMs ?? -Infinity;
        const changes = changePointTimes.filter((point) => point.atMs > previousStart && point.atMs <= window.startMs + 1);
        const reasons: string[] = [];
        if (newUpstreams.length) reasons.push(`new upstream ${newUpstreams.join(', ')}`);
        if (changes.length) reasons.push(`drift change point (${changes.map((change) => change.label).join('; ')})`);
        window.regression = {
          baseline,
          drop,
          coincidesWithUpstreamChange: reasons.length > 0,
          reason: reasons.length ? reasons.join(' and ') : 'no upstream change seen: look at the prompt or model',
        };
        return;
      }
    }
    for (const item of windowItems) {
      baselineScores.push(item.score);
      for (const part of item.upstream.split('+')) baselineUpstreams.add(part);
    }
  });

  const rowMap = new Map<string, EvalItem[]>();
  for (const item of items) {
    let list = rowMap.get(item.upstream);
    if (!list) rowMap.set(item.upstream, (list = []));
    list.push(item);
  }
  const rows: EvalRow[] = [...rowMap.entries()].map(([upstream, rowItems]) => ({
    upstream,
    count: rowItems.length,
    meanScore: mean(rowItems.map((item) => item.score)),
    cells: windows.map((window) => {
      const cellScores = rowItems.filter((item) => item.runId === window.id).map((item) => item.score);
      return cellScores.length
        ? { windowId: window.id, count: cellScores.length, meanScore: mean(cellScores) }
        : { windowId: window.id, count: 0 };
    }),
  }));
  rows.sort((a, b) => b.count - a.count);
  return { windows, rows, items, regressionDrop };
}

function mean(values: readonly number[]): number {
  return values.length ? values.reduce((sum, value) => sum + value, 0) / values.length : 0;
}
