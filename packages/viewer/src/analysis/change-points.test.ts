import { describe, expect, it } from 'vitest';
import { analyzeDrift } from './drift';
import { chiSquare2x2, detectChangePoints, fisherExact, logGamma, type UpstreamCounts } from './change-points';

/** A day of one series at a given window width: `perHour` calls, 60% Together from 08:00 to 14:00. */
function day(windowMinutes: number, perHour: number): UpstreamCounts[] {
  const windows: UpstreamCounts[] = [];
  const perWindow = (perHour * windowMinutes) / 60;
  let together = 0;
  let calls = 0;
  for (let start = 0; start < 24 * 60; start += windowMinutes) {
    const counts: UpstreamCounts = {};
    const inFailover = start >= 8 * 60 && start < 14 * 60;
    // Deterministic spread: calls land at fractional positions, 3 in 5 to Together in the window.
    const target = Math.floor(((start + windowMinutes) / 60) * perHour) - Math.floor((start / 60) * perHour);
    for (let call = 0; call < target; call += 1) {
      calls += 1;
      const upstream = inFailover && calls % 5 < 3 ? 'together' : 'anthropic';
      if (upstream === 'together') together += 1;
      counts[upstream] = (counts[upstream] ?? 0) + 1;
    }
    windows.push(counts);
    void perWindow;
  }
  expect(together).toBeGreaterThan(0);
  return windows;
}

describe('the statistics', () => {
  it('computes ln Γ and Fisher exact p-values that match known values', () => {
    expect(logGamma(1)).toBeCloseTo(0, 10);
    expect(logGamma(6)).toBeCloseTo(Math.log(120), 10);
    // R: fisher.test(matrix(c(3,1,1,3),2))$p.value = 0.4857143
    expect(fisherExact(3, 1, 1, 3)).toBeCloseTo(0.4857143, 6);
    // R: fisher.test(matrix(c(0,20,12,8),2))  p = 3.5e-5 (two-sided, margins 20/20)
    expect(fisherExact(0, 20, 12, 8)).toBeLessThan(1e-4);
    expect(fisherExact(10, 10, 10, 10)).toBeCloseTo(1, 6);
    // Large tables: chi-square with 1 df agrees with the exact test in the tail it is used in.
    expect(chiSquare2x2(5000, 5000, 5000, 5000)).toBeCloseTo(1, 6);
    expect(chiSquare2x2(4000, 6000, 6000, 4000)).toBeLessThan(1e-100);
  });
});

describe('the change-point rule', () => {
  it('finds the failover at every window width, 1 minute to 3 hours, with 16 calls an hour', () => {
    for (const minutes of [1, 5, 15, 60, 180]) {
      const result = detectChangePoints(day(minutes, 16));
      expect(result.verdict, `${minutes}-minute windows`).toBe('changed');
      expect(result.changes.length, `${minutes}-minute windows`).toBe(2);
      const [onset, recovery] = result.changes.map((change) => (change.windowIndex * minutes) / 60);
      // Placed at the failover's edges to within one window (or the 2 calls the test needs).
      expect(onset!, `${minutes}-minute onset`).toBeGreaterThanOrEqual(8 - Math.max(minutes, 15) / 60);
      expect(onset!, `${minutes}-minute onset`).toBeLessThanOrEqual(8 + Math.max(minutes, 30) / 60);
      expect(recovery!, `${minutes}-minute recovery`).toBeGreaterThanOrEqual(14 - Math.max(minutes, 15) / 60);
      expect(recovery!, `${minutes}-minute recovery`).toBeLessThanOrEqual(14 + Math.max(minutes, 30) / 60);
    }
  });

  it('says "too few calls to judge", not "no change", when no window has enough calls around it', () => {
    const sparse: UpstreamCounts[] = [{ anthropic: 2 }, {}, { together: 3 }, { anthropic: 1 }];
    expect(detectChangePoints(sparse).verdict).toBe('too few calls to judge');
    expect(detectChangePoints([]).verdict).toBe('too few calls to judge');
  });

  it('says "no change" for a steady mix with plenty of calls, even a noisy one', () => {
    const steady = Array.from({ length: 48 }, (_, index) => ({ azure: 40 + (index % 3), openai: 10 + (index % 4) }));
    expect(detectChangePoints(steady).verdict).toBe('no change');
  });

  it('does not call a one-window blip a change', () => {
    const windows = Array.from({ length: 24 }, () => ({ anthropic: 50 }) as UpstreamCounts);
    windows[10] = { anthropic: 20, together: 30 };
    expect(detectChangePoints(windows).changes).toHaveLength(0);
  });

  it('does not flag a small shift that is only significant because there are many calls', () => {
    const windows = Array.from({ length: 24 }, (_, index) => (index < 12 ? { a: 5000, b: 5000 } : { a: 5400, b: 4600 }) as UpstreamCounts);
    expect(detectChangePoints(windows).verdict).toBe('no change');
  });

  it('lists only the upstream that was new, and never "unknown"', () => {
    const hour = 3_600_000;
    const rows = day(60, 40).flatMap((counts, bucket) => [
      ...Object.entries(counts).map(([upstream, calls]) => ({ gateway: 'openrouter', requestModel: 'm', upstream, bucket, calls })),
      { gateway: 'openrouter', requestModel: 'm', upstream: 'unknown', bucket, calls: 1 },
    ]);
    const analysis = analyzeDrift(rows, { fromMs: 0, bucketMs: hour, bucketCount: 24 });
    expect(analysis.series[0]!.changePoints).toHaveLength(2);
    expect(analysis.changedSegments).toEqual([{ gateway: 'openrouter', requestModel: 'm', upstream: 'together', fromMs: 8 * hour, toMs: 14 * hour, previousUpstream: 'anthropic' }]);
    expect(analysis.windows).toEqual([expect.objectContaining({ fromMs: 8 * hour, toMs: 14 * hour })]);
  });
});
