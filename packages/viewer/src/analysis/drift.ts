import type { ChangePoint, ChangeWindow, DriftBucket, DriftRuleInfo, DriftSeries, UpstreamCounts } from '../api-types';
import type { ChangedSegment, DriftCountRow } from '../store/trace-store';
import { DEFAULT_CHANGE_POINT_RULE, detectChangePoints, type ChangePointRule } from './change-points';

/** Most windows one drift answer may have; the smallest bucket width follows from the range. */
export const MAX_BUCKETS = 2_000;

const NICE_BUCKETS_MS = [
  1_000, 5_000, 10_000, 30_000, 60_000, 5 * 60_000, 10 * 60_000, 15 * 60_000, 30 * 60_000, 3_600_000,
  2 * 3_600_000, 3 * 3_600_000, 6 * 3_600_000, 12 * 3_600_000, 86_400_000, 7 * 86_400_000,
];

/** A bucket width that cuts a range into about `target` windows, rounded to one people read at a glance. */
export function chooseBucketMs(fromMs: number, toMs: number, target = 24): number {
  const ideal = Math.max(1, (toMs - fromMs) / target);
  return NICE_BUCKETS_MS.find((width) => width >= ideal) ?? NICE_BUCKETS_MS.at(-1)!;
}

/** The smallest bucket width that keeps a range within {@link MAX_BUCKETS} windows (at least 1 s). */
export function minimumBucketMs(fromMs: number, toMs: number): number {
  return Math.max(1_000, Math.ceil((toMs - fromMs + 1) / MAX_BUCKETS));
}

/** The rule as the API and the report describe it. */
export function describeRule(rule: ChangePointRule = DEFAULT_CHANGE_POINT_RULE): DriftRuleInfo {
  return {
    ...rule,
    description:
      `a change point needs ≥ ${rule.minCalls} calls on each side (the regime so far vs the next ≥ ${rule.minCalls} calls over ≥ 2 windows), ` +
      `an upstream share moving by ≥ ${Math.round(rule.minShareChange * 100)} points, and Fisher's exact test (chi-square on large counts), ` +
      `Bonferroni-corrected over upstreams, p < ${rule.alpha}; the same rule at every window width`,
  };
}

function shares(counts: UpstreamCounts): Record<string, number> {
  let total = 0;
  for (const key in counts) total += counts[key]!;
  const result: Record<string, number> = {};
  for (const key in counts) result[key] = total ? counts[key]! / total : 0;
  return result;
}

/** Total-variation distance: half the sum of absolute share differences (0 same mix, 1 disjoint). */
export function totalVariationDistance(a: Record<string, number>, b: Record<string, number>): number {
  let sum = 0;
  for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) sum += Math.abs((a[key] ?? 0) - (b[key] ?? 0));
  return sum / 2;
}

/** "anthropic 40%, together 60%". */
export function describeMix(counts: UpstreamCounts): string {
  return Object.entries(shares(counts))
    .filter(([, share]) => share > 0)
    .sort((a, b) => b[1] - a[1])
    .map(([upstream, share]) => `${upstream} ${Math.round(share * 100)}%`)
    .join(', ');
}

function dominant(counts: UpstreamCounts): string {
  let best = '';
  let bestCount = -1;
  for (const [upstream, count] of Object.entries(counts)) if (count > bestCount) [best, bestCount] = [upstream, count];
  return best;
}

/** Drift series with change points, and the segments the changed-traces query looks for. */
export interface DriftAnalysis {
  upstreams: string[];
  series: DriftSeries[];
  windows: ChangeWindow[];
  changedSegments: ChangedSegment[];
}

/**
 * Builds each series (gateway + requested model) from the windowed counts of the drift query and
 * runs the change-point rule on it. A call is "changed" when its upstream had under
 * `presentShare` of the regime before the change point that opened its regime (that regime holding
 * at least `minCalls` calls): Together during the failover window, not a LiteLLM fallback that
 * happens every day.
 */
export function analyzeDrift(
  rows: readonly DriftCountRow[],
  range: { fromMs: number; bucketMs: number; bucketCount: number },
  rule: ChangePointRule = DEFAULT_CHANGE_POINT_RULE,
): DriftAnalysis {
  const seriesMap = new Map<string, { gateway: string; requestModel: string; windows: UpstreamCounts[] }>();
  const upstreams = new Set<string>();
  for (const row of rows) {
    if (row.bucket < 0 || row.bucket >= range.bucketCount) continue;
    const key = `${row.gateway}\u0000${row.requestModel}`;
    let series = seriesMap.get(key);
    if (!series) {
      series = { gateway: row.gateway, requestModel: row.requestModel, windows: Array.from({ length: range.bucketCount }, () => ({})) };
      seriesMap.set(key, series);
    }
    const window = series.windows[row.bucket]!;
    window[row.upstream] = (window[row.upstream] ?? 0) + row.calls;
    upstreams.add(row.upstream);
  }
  const series: DriftSeries[] = [];
  const windows: ChangeWindow[] = [];
  const changedSegments: ChangedSegment[] = [];
  const startOf = (index: number) => range.fromMs + index * range.bucketMs;
  for (const { gateway, requestModel, windows: counts } of seriesMap.values()) {
    const result = detectChangePoints(counts, rule);
    const buckets: DriftBucket[] = counts.map((upstreamCounts, index) => {
      let calls = 0;
      for (const key in upstreamCounts) calls += upstreamCounts[key]!;
      return { startMs: startOf(index), calls, upstreams: upstreamCounts };
    });
    const changePoints: ChangePoint[] = result.changes.map((change) => ({
      atMs: startOf(change.windowIndex),
      bucketIndex: change.windowIndex,
      pValue: change.pValue,
      test: change.test,
      distance: totalVariationDistance(shares(change.before), shares(change.after)),
      before: change.before,
      after: change.after,
      description: `${describeMix(change.before)} → ${describeMix(change.after)}`,
    }));
    series.push({
      gateway,
      requestModel,
      calls: buckets.reduce((total, bucket) => total + bucket.calls, 0),
      buckets,
      changePoints,
      verdict: result.verdict,
    });

    // Regimes: [start, first change), [first change, second change), … Each regime after the
    // first is compared with the one before it.
    const boundaries = [0, ...result.changes.map((change) => change.windowIndex), counts.length];
    const regimeCounts = (index: number) => {
      const merged: UpstreamCounts = {};
      for (let window = boundaries[index]!; window < boundaries[index + 1]!; window += 1) {
        for (const [upstream, count] of Object.entries(counts[window]!)) merged[upstream] = (merged[upstream] ?? 0) + count;
      }
      return merged;
    };
    for (let regime = 1; regime < boundaries.length - 1; regime += 1) {
      const previous = regimeCounts(regime - 1);
      const current = regimeCounts(regime);
      const previousTotal = Object.values(previous).reduce((total, count) => total + count, 0);
      if (previousTotal < rule.minCalls) continue;
      const previousShares = shares(previous);
      for (const upstream of Object.keys(current)) {
        // A call nobody attributed (a gateway's own refusal, a cache hit) did not change upstream.
        if (upstream === 'unknown' || (previousShares[upstream] ?? 0) >= rule.presentShare) continue;
        changedSegments.push({
          gateway,
          requestModel,
          upstream,
          fromMs: startOf(boundaries[regime]!),
          toMs: startOf(boundaries[regime + 1]!),
          previousUpstream: dominant(previous),
        });
      }
    }
    // Change windows: a change opens a window; the first later change back to (within the
    // share threshold of) the mix before it closes it.
    let open: ChangePoint | undefined;
    for (const point of changePoints) {
      if (!open) {
        open = point;
        continue;
      }
      if (totalVariationDistance(shares(point.after), shares(open.before)) < rule.minShareChange) {
        windows.push({ gateway, requestModel, fromMs: open.atMs, toMs: point.atMs, description: open.description });
        open = undefined;
      }
    }
    if (open) windows.push({ gateway, requestModel, fromMs: open.atMs, description: open.description });
  }
  series.sort((a, b) => b.changePoints.length - a.changePoints.length || b.calls - a.calls);
  windows.sort((a, b) => a.fromMs - b.fromMs);
  return { upstreams: [...upstreams].sort(), series, windows, changedSegments };
}
