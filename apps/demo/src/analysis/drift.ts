import { chooseBucketMs, timeRange, type ModelCall } from './model-calls';

/** The change-point rule's knobs (see README "Drift: the change-point rule"). */
export interface DriftRule {
  /** Total-variation distance between consecutive windows' upstream mixes that counts as a change. */
  threshold: number;
  /** Windows with fewer calls than this are too small to call a change on. */
  minCalls: number;
  /** An upstream below this share of the reference mix is "new" for the changed-traces list. */
  presentShare: number;
}

/** Defaults: a change moves at least 30% of a series' traffic, seen over at least 5 calls. */
export const DEFAULT_DRIFT_RULE: DriftRule = { threshold: 0.3, minCalls: 5, presentShare: 0.05 };

/** One time window of one series. */
export interface DriftBucket {
  startMs: number;
  calls: number;
  /** Calls per upstream in this window. */
  upstreams: Record<string, number>;
}

/** A moment where a series' upstream mix changed. */
export interface ChangePoint {
  /** Start of the first window with the new mix. */
  atMs: number;
  bucketIndex: number;
  /** Total-variation distance between the two mixes, 0…1. */
  distance: number;
  before: Record<string, number>;
  after: Record<string, number>;
  /** e.g. "anthropic 100% → anthropic 40%, together 60%". */
  description: string;
}

/** The upstream mix over time of one gateway and requested model. */
export interface DriftSeries {
  gateway: string;
  requestModel: string;
  calls: number;
  buckets: DriftBucket[];
  changePoints: ChangePoint[];
}

/** A trace with a model call served by an upstream the series was not using before its latest change. */
export interface ChangedTrace {
  traceId: string;
  spanId: string;
  startMs: number;
  gateway: string;
  requestModel: string;
  upstream: string;
  /** The dominant upstream of the reference window it is compared with. */
  previousUpstream: string;
}

/** Result of the drift analysis. */
export interface Drift {
  bucketMs: number;
  fromMs?: number;
  toMs?: number;
  rule: DriftRule;
  /** Every upstream seen, for a stable colour legend. */
  upstreams: string[];
  series: DriftSeries[];
  changedTraces: ChangedTrace[];
  /** Total number of changed traces (the list may be capped). */
  changedTraceTotal: number;
}

function shares(counts: Record<string, number>): Record<string, number> {
  const total = Object.values(counts).reduce((sum, count) => sum + count, 0);
  const result: Record<string, number> = {};
  for (const [upstream, count] of Object.entries(counts)) result[upstream] = total ? count / total : 0;
  return result;
}

/** Total-variation distance: half the sum of absolute share differences (0 same mix, 1 disjoint). */
export function totalVariationDistance(a: Record<string, number>, b: Record<string, number>): number {
  let sum = 0;
  for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) sum += Math.abs((a[key] ?? 0) - (b[key] ?? 0));
  return sum / 2;
}

function dominant(mix: Record<string, number>): string {
  let best = '';
  let bestShare = -1;
  for (const [upstream, share] of Object.entries(mix)) {
    if (share > bestShare) [best, bestShare] = [upstream, share];
  }
  return best;
}

function describeMix(mix: Record<string, number>): string {
  return Object.entries(mix)
    .filter(([, share]) => share > 0)
    .sort((a, b) => b[1] - a[1])
    .map(([upstream, share]) => `${upstream} ${Math.round(share * 100)}%`)
    .join(', ');
}

/**
 * The upstream mix over time per gateway and requested model, with change points and the calls
 * whose upstream changed.
 *
 * The rule: calls are cut into fixed windows. A change point is marked at a window when it and the
 * previous non-empty window both have at least `minCalls` calls, the total-variation distance
 * between their upstream shares is at least `threshold`, and the next non-empty window is still at
 * least `threshold` away from the previous one (the change persists; a one-window blip is noise).
 *
 * Changed traces: the reference is the regime before the latest change point (all its windows; at
 * the start, all windows so far). A call is listed when its upstream had less than `presentShare`
 * of the reference, once the reference holds at least `2 × minCalls` calls.
 */
export function computeDrift(
  calls: readonly ModelCall[],
  options: { bucketMs?: number; rule?: Partial<DriftRule>; changedTraceLimit?: number } = {},
): Drift {
  const rule = { ...DEFAULT_DRIFT_RULE, ...options.rule };
  const range = timeRange(calls);
  const bucketMs = options.bucketMs ?? (range ? chooseBucketMs(range.fromMs, range.toMs) : 3_600_000);
  const changedTraceLimit = options.changedTraceLimit ?? 1000;
  const result: Drift = { bucketMs, rule, upstreams: [], series: [], changedTraces: [], changedTraceTotal: 0 };
  if (!range) return result;
  const origin = Math.floor(range.fromMs / bucketMs) * bucketMs;
  const bucketCount = Math.floor((range.toMs - origin) / bucketMs) + 1;
  result.fromMs = origin;
  result.toMs = origin + bucketCount * bucketMs;

  const seriesCalls = new Map<string, ModelCall[]>();
  const allUpstreams = new Set<string>();
  for (const call of calls) {
    const key = `${call.gateway}\u0000${call.requestModel}`;
    let list = seriesCalls.get(key);
    if (!list) seriesCalls.set(key, (list = []));
    list.push(call);
    allUpstreams.add(call.upstream);
  }
  result.upstreams = [...allUpstreams].sort();

  for (const list of seriesCalls.values()) {
    const first = list[0]!;
    const buckets: DriftBucket[] = Array.from({ length: bucketCount }, (_, index) => ({
      startMs: origin + index * bucketMs,
      calls: 0,
      upstreams: {},
    }));
    const callsPerBucket: ModelCall[][] = Array.from({ length: bucketCount }, () => []);
    for (const call of list) {
      const index = Math.floor((call.startMs - origin) / bucketMs);
      const bucket = buckets[index]!;
      bucket.calls += 1;
      bucket.upstreams[call.upstream] = (bucket.upstreams[call.upstream] ?? 0) + 1;
      callsPerBucket[index]!.push(call);
    }
    const series: DriftSeries = {
      gateway: first.gateway,
      requestModel: first.requestModel,
      calls: list.length,
      buckets,
      changePoints: [],
    };
    const listedTraces = new Set<string>();
    let previous: DriftBucket | undefined;
    // The reference is the regime before the latest change point: every window since the change
    // before it (at the start, every window so far). A call is "changed" when its upstream had
    // under `presentShare` of that reference, once the reference has enough calls to say so.
    let reference: Record<string, number> = {};
    let regime: Record<string, number> = {};
    buckets.forEach((bucket, index) => {
      if (bucket.calls === 0) return;
      const mix = shares(bucket.upstreams);
      if (previous && previous.calls >= rule.minCalls && bucket.calls >= rule.minCalls) {
        const before = shares(previous.upstreams);
        const distance = totalVariationDistance(before, mix);
        // Persistence: the new mix must still differ from the old one in the next window, so one
        // noisy window inside a mixed period is not a change (the last window is taken as is).
        const following = buckets.slice(index + 1).find((candidate) => candidate.calls > 0);
        const persists =
          !following || following.calls < rule.minCalls || totalVariationDistance(before, shares(following.upstreams)) >= rule.threshold;
        if (distance >= rule.threshold && persists) {
          series.changePoints.push({
            atMs: bucket.startMs,
            bucketIndex: index,
            distance,
            before,
            after: mix,
            description: `${describeMix(before)} → ${describeMix(mix)}`,
          });
          reference = regime;
          regime = {};
        }
      }
      const referenceCalls = Object.values(reference).reduce((sum, count) => sum + count, 0);
      const usable = referenceCalls >= 2 * rule.minCalls ? reference : regime;
      const usableCalls = Object.values(usable).reduce((sum, count) => sum + count, 0);
      if (usableCalls >= 2 * rule.minCalls) {
        const referenceMix = shares(usable);
        const referenceUpstream = dominant(referenceMix);
        for (const call of callsPerBucket[index]!) {
          if ((referenceMix[call.upstream] ?? 0) >= rule.presentShare) continue;
          // One row per trace: an agent run makes several calls through the same route.
          if (listedTraces.has(call.traceId)) continue;
          listedTraces.add(call.traceId);
          result.changedTraceTotal += 1;
          if (result.changedTraces.length < changedTraceLimit) {
            result.changedTraces.push({
              traceId: call.traceId,
              spanId: call.spanId,
              startMs: call.startMs,
              gateway: call.gateway,
              requestModel: call.requestModel,
              upstream: call.upstream,
              previousUpstream: referenceUpstream,
            });
          }
        }
      }
      for (const [upstream, count] of Object.entries(bucket.upstreams)) regime[upstream] = (regime[upstream] ?? 0) + count;
      previous = bucket;
    });
    result.series.push(series);
  }
  result.series.sort((a, b) => b.changePoints.length - a.changePoints.length || b.calls - a.calls);
  result.changedTraces.sort((a, b) => a.startMs - b.startMs);
  return result;
}
