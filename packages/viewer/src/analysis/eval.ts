import type { ChangeWindow, DriftSeries, EvalItem, EvalResponse, EvalRow, EvalWindow, PolicyChange } from '../api-types';
import type { EvalItemRow } from '../store/trace-store';

/** Default regression threshold: the mean score falls by 0.1 (on a 0…1 scale) or more. */
export const DEFAULT_REGRESSION_DROP = 0.1;

const mean = (values: readonly number[]) => (values.length ? values.reduce((total, value) => total + value, 0) / values.length : 0);

/**
 * Eval score by upstream and eval run, from the eval query's items (one row per scored item with
 * the upstreams of the run it scored).
 *
 * A run regresses when its mean score is at least `regressionDrop` below the mean of all earlier
 * runs that did not regress. It *matches an upstream change* when it used an upstream the
 * baseline never used, or a drift change point falls after the previous run started and no later
 * than this run; it *matches a routing policy change* when a policy change
 * (`gen_ai.route.policy_hash`) falls in that same interval.
 */
export function evalCrossTab(
  rows: readonly EvalItemRow[],
  context: { series?: readonly DriftSeries[]; windowsOfChange?: ChangeWindow[]; policyChanges?: PolicyChange[]; regressionDrop?: number } = {},
): EvalResponse {
  const regressionDrop = context.regressionDrop ?? DEFAULT_REGRESSION_DROP;
  const items: EvalItem[] = rows
    .filter((row) => Number.isFinite(row.score))
    .map((row) => ({
      traceId: row.traceId,
      spanId: row.spanId,
      itemId: row.itemId,
      runId: row.runId,
      startMs: row.startMs,
      score: row.score,
      upstream: row.upstream,
      ...(row.cost != null ? { cost: row.cost } : {}),
      ...(row.refusals?.length ? { refusals: [...row.refusals] } : {}),
    }));
  const byRun = new Map<string, EvalItem[]>();
  for (const item of items) {
    let list = byRun.get(item.runId);
    if (!list) byRun.set(item.runId, (list = []));
    list.push(item);
  }
  const windows: EvalWindow[] = [...byRun.entries()].map(([id, runItems]) => {
    const upstreams: Record<string, number> = {};
    for (const item of runItems) upstreams[item.upstream] = (upstreams[item.upstream] ?? 0) + 1;
    const costs = runItems.filter((item) => item.cost !== undefined).map((item) => item.cost!);
    return {
      id,
      startMs: Math.min(...runItems.map((item) => item.startMs)),
      items: runItems.length,
      meanScore: mean(runItems.map((item) => item.score)),
      upstreams,
      ...(costs.length ? { cost: costs.reduce((total, cost) => total + cost, 0) } : {}),
    };
  });
  windows.sort((a, b) => a.startMs - b.startMs);

  const changePoints = (context.series ?? []).flatMap((series) =>
    series.changePoints.map((point) => ({ atMs: point.atMs, label: `${series.gateway} ${series.requestModel}: ${point.description}` })),
  );
  const policyChanges = context.policyChanges ?? [];
  const baselineScores: number[] = [];
  const baselineUpstreams = new Set<string>();
  windows.forEach((window, index) => {
    const runItems = byRun.get(window.id)!;
    if (baselineScores.length > 0) {
      const baseline = mean(baselineScores);
      const drop = baseline - window.meanScore;
      if (drop >= regressionDrop) {
        const newUpstreams = Object.keys(window.upstreams).filter((upstream) => upstream.split('+').some((part) => !baselineUpstreams.has(part)));
        const previousStart = windows[index - 1]?.startMs ?? -Infinity;
        const inInterval = (atMs: number) => atMs > previousStart && atMs <= window.startMs + 1;
        const changes = changePoints.filter((point) => inInterval(point.atMs));
        const policies = policyChanges.filter((change) => inInterval(change.atMs));
        const reasons: string[] = [];
        // Items whose scored run had failed model calls: who refused them explains a drop without any change.
        const refused = runItems.filter((item) => item.refusals?.length);
        if (refused.length) {
          const bySource = new Map<string, number>();
          for (const item of refused) for (const refusal of item.refusals!) bySource.set(refusal, (bySource.get(refusal) ?? 0) + 1);
          const sources = [...bySource.entries()]
            .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
            .map(([refusal, calls]) => {
              const [gateway, source] = refusal.split(':');
              return `${calls} refused by ${source === 'gateway' ? `the gateway (${gateway})` : source === 'upstream' ? `the upstream, relayed by ${gateway}` : `? (${gateway}, source not recorded)`}`;
            });
          reasons.push(`failed calls in ${refused.length} of ${runItems.length} items (${sources.join(', ')})`);
        }
        if (newUpstreams.length) reasons.push(`new upstream ${newUpstreams.join(', ')}`);
        if (changes.length) reasons.push(`drift change point (${changes.map((change) => change.label).join('; ')})`);
        if (policies.length) {
          reasons.push(
            `matches a routing policy change (${policies
              .map((change) => `${change.serviceName} → ${change.gateway} at ${new Date(change.atMs).toISOString().slice(11, 16)} UTC: ${change.fromHash} → ${change.toHash}`)
              .join('; ')})`,
          );
        }
        window.regression = {
          baseline,
          drop,
          coincidesWithUpstreamChange: newUpstreams.length > 0 || changes.length > 0,
          matchesPolicyChange: policies.length > 0,
          reason: reasons.length ? reasons.join(' and ') : 'no failed calls, upstream or routing policy change seen: look at the prompt or model',
        };
        return;
      }
    }
    for (const item of runItems) {
      baselineScores.push(item.score);
      for (const part of item.upstream.split('+')) baselineUpstreams.add(part);
    }
  });

  const byUpstream = new Map<string, EvalItem[]>();
  for (const item of items) {
    let list = byUpstream.get(item.upstream);
    if (!list) byUpstream.set(item.upstream, (list = []));
    list.push(item);
  }
  const rowsOut: EvalRow[] = [...byUpstream.entries()].map(([upstream, upstreamItems]) => ({
    upstream,
    count: upstreamItems.length,
    meanScore: mean(upstreamItems.map((item) => item.score)),
    cells: windows.map((window) => {
      const scores = upstreamItems.filter((item) => item.runId === window.id).map((item) => item.score);
      return scores.length ? { windowId: window.id, count: scores.length, meanScore: mean(scores) } : { windowId: window.id, count: 0 };
    }),
  }));
  rowsOut.sort((a, b) => b.count - a.count);
  return { windows, rows: rowsOut, items, regressionDrop, windowsOfChange: context.windowsOfChange ?? [], policyChanges };
}
