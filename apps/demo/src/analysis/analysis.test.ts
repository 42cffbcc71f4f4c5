import { describe, expect, it } from 'vitest';
import { generateSyntheticSpans } from '../synthetic/synthetic-spans';
import { computeDrift, totalVariationDistance } from './drift';
import { computeEvalCrossTab } from './eval-crosstab';
import { modelCallsOf, type ModelCall } from './model-calls';
import { computeTopology } from './topology';

const HOUR = 3_600_000;
function call(hour: number, upstream: string, index: number, gateway = 'openrouter'): ModelCall {
  return {
    traceId: `t${hour}-${index}`,
    spanId: `s${hour}-${index}`,
    startMs: hour * HOUR + index * 1000,
    gateway,
    upstream,
    requestModel: 'anthropic/claude-sonnet-4.5',
    error: false,
    fallback: false,
  };
}
/** Hours 0–3 all anthropic, 4–6 sixty percent together, 7–9 all anthropic again. */
function timeline(): ModelCall[] {
  const calls: ModelCall[] = [];
  for (let hour = 0; hour < 10; hour += 1) {
    for (let index = 0; index < 10; index += 1) {
      const failover = hour >= 4 && hour <= 6 && index < 6;
      calls.push(call(hour, failover ? 'together' : 'anthropic', index));
    }
  }
  return calls;
}

describe('drift', () => {
  it('measures mixes by total-variation distance', () => {
    expect(totalVariationDistance({ a: 1 }, { a: 1 })).toBe(0);
    expect(totalVariationDistance({ a: 1 }, { b: 1 })).toBe(1);
    expect(totalVariationDistance({ a: 1 }, { a: 0.4, b: 0.6 })).toBeCloseTo(0.6);
  });

  it('marks the start and the end of a failover window and lists only the traces that moved', () => {
    const drift = computeDrift(timeline(), { bucketMs: HOUR });
    const series = drift.series[0]!;
    expect(series.changePoints.map((point) => point.atMs)).toEqual([4 * HOUR, 7 * HOUR]);
    expect(series.changePoints[0]!.description).toBe('anthropic 100% → together 60%, anthropic 40%');
    expect(drift.changedTraceTotal).toBe(18);
    expect(new Set(drift.changedTraces.map((changed) => changed.upstream))).toEqual(new Set(['together']));
    expect(drift.changedTraces.every((changed) => changed.previousUpstream === 'anthropic')).toBe(true);
  });

  it('calls no change on windows smaller than the minimum', () => {
    const calls = [call(0, 'anthropic', 0), call(1, 'together', 0)];
    expect(computeDrift(calls, { bucketMs: HOUR }).series[0]!.changePoints).toEqual([]);
  });

  it('keeps each gateway and model apart', () => {
    const calls = [...timeline(), ...Array.from({ length: 50 }, (_, index) => call(index % 10, 'azure.ai.openai', index, 'litellm'))];
    const drift = computeDrift(calls, { bucketMs: HOUR });
    expect(drift.series).toHaveLength(2);
    expect(drift.series.find((series) => series.gateway === 'litellm')!.changePoints).toEqual([]);
  });
});

describe('topology', () => {
  it('gives each flow its share of the model within the window', () => {
    const topology = computeTopology(timeline(), { fromMs: 4 * HOUR, toMs: 7 * HOUR });
    expect(topology.calls).toBe(30);
    expect(topology.models[0]!.flows.map((flow) => [flow.upstream, flow.share])).toEqual([
      ['together', 0.6],
      ['anthropic', 0.4],
    ]);
  });
});

describe('eval cross-tab on a demo-shaped day', () => {
  const spans = generateSyntheticSpans({ traces: 800, seed: 7 });

  it('joins each eval item to the upstream of the run it scored and flags the regression', () => {
    const drift = computeDrift(modelCallsOf(spans));
    const evaluation = computeEvalCrossTab(spans, { drift });
    expect(evaluation.items).toHaveLength(48);
    expect(new Set(evaluation.rows.map((row) => row.upstream))).toEqual(new Set(['anthropic', 'together']));
    const together = evaluation.rows.find((row) => row.upstream === 'together')!;
    const anthropic = evaluation.rows.find((row) => row.upstream === 'anthropic')!;
    expect(together.meanScore).toBeLessThan(anthropic.meanScore - 0.2);
    const regressed = evaluation.windows.filter((window) => window.regression);
    expect(regressed.length).toBeGreaterThan(0);
    expect(regressed.every((window) => window.regression!.coincidesWithUpstreamChange)).toBe(true);
    expect(regressed.every((window) => window.upstreams.together)).toBe(true);
  });

});
