/**
 * The change-point rule of the Drift view and the report, decided on counts so that it accounts
 * for sample size. The same rule, with the same numbers, runs at every window width: windows
 * only set where a change may be placed, never how much evidence it needs.
 *
 * A series is one gateway + requested model; its model calls are cut into windows of the chosen
 * width. Walking the windows in order, the current *regime* holds every call since the last
 * change point. At each non-empty window `i` the rule compares
 * - **before**: the calls of the current regime before window `i`, with
 * - **after**: the calls of window `i` and the following windows, until at least
 *   {@link ChangePointRule.minCalls} calls and at least two non-empty windows are collected
 *   (the last window is taken as it is); the moved upstream's share must differ by the same
 *   margin in both halves of that sample, so a one-window blip is not a change.
 * For each upstream, a 2×2 table (this upstream / the others × before / after) is tested with
 * Fisher's exact test (two-sided); once every margin of the table exceeds 1,000 calls (where the
 * two agree closely) Pearson's chi-square test with one degree of freedom is used instead. The smallest
 * p-value, multiplied by the number of upstreams compared (Bonferroni), must be below
 * {@link ChangePointRule.alpha}, and that upstream's share must move by at least
 * {@link ChangePointRule.minShareChange} (so a large sample does not flag a 2% wobble).
 * Where consecutive windows all pass, the change point is the one with the smallest p-value.
 * When before or after hold fewer than `minCalls` calls the window cannot be judged; a series
 * in which no window could be judged is reported as "too few calls to judge", never as
 * "no change".
 */
export interface ChangePointRule {
  /** Calls needed on each side of a candidate change. */
  minCalls: number;
  /** Significance level after the Bonferroni correction. */
  alpha: number;
  /** Smallest change of one upstream's share that counts (0…1). */
  minShareChange: number;
  /** An upstream under this share of the previous regime is "new" for the changed-traces list. */
  presentShare: number;
}

/** The defaults documented in the README. */
export const DEFAULT_CHANGE_POINT_RULE: ChangePointRule = { minCalls: 10, alpha: 0.001, minShareChange: 0.2, presentShare: 0.05 };

/** Calls per upstream in one window. */
export type UpstreamCounts = Record<string, number>;

/** A detected change between two regimes. */
export interface DetectedChange {
  /** Index of the first window of the new regime. */
  windowIndex: number;
  /** Bonferroni-adjusted p-value of the most changed upstream. */
  pValue: number;
  /** The upstream whose share moved most significantly. */
  upstream: string;
  test: 'fisher' | 'chi-square';
  before: UpstreamCounts;
  after: UpstreamCounts;
}

/** Verdict of a series. */
export type SeriesVerdict = 'changed' | 'no change' | 'too few calls to judge';

/** Result of {@link detectChangePoints}. */
export interface ChangePointResult {
  changes: DetectedChange[];
  /** Windows where before and after both held enough calls to be judged. */
  judgedWindows: number;
  verdict: SeriesVerdict;
}

// Lanczos approximation of ln Γ(x) (g = 7, n = 9), accurate to ~1e-13 for x > 0.
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];
/** ln Γ(x) for x > 0. */
export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const shifted = x - 1;
  let sum = LANCZOS[0]!;
  for (let index = 1; index < 9; index += 1) sum += LANCZOS[index]! / (shifted + index);
  const t = shifted + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (shifted + 0.5) * Math.log(t) - t + Math.log(sum);
}

const logChoose = (n: number, k: number) => logGamma(n + 1) - logGamma(k + 1) - logGamma(n - k + 1);

/**
 * Two-sided Fisher exact test of the 2×2 table [[a, b], [c, d]]: the probability, under fixed
 * margins, of a table at most as likely as the observed one.
 */
export function fisherExact(a: number, b: number, c: number, d: number): number {
  const row1 = a + b;
  const col1 = a + c;
  const total = a + b + c + d;
  const logDenominator = logChoose(total, col1);
  const probability = (x: number) => Math.exp(logChoose(row1, x) + logChoose(total - row1, col1 - x) - logDenominator);
  const observed = probability(a);
  let p = 0;
  const low = Math.max(0, col1 - (total - row1));
  const high = Math.min(row1, col1);
  for (let x = low; x <= high; x += 1) {
    const value = probability(x);
    if (value <= observed * (1 + 1e-7)) p += value;
  }
  return Math.min(1, p);
}

/** Complementary error function (Numerical Recipes erfcc, relative error < 1.2e-7). */
function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z - 1.26551223 +
        t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}

/** Pearson's chi-square test (1 degree of freedom) of the 2×2 table [[a, b], [c, d]]. */
export function chiSquare2x2(a: number, b: number, c: number, d: number): number {
  const total = a + b + c + d;
  const denominator = (a + b) * (c + d) * (a + c) * (b + d);
  if (denominator === 0) return 1;
  const statistic = (total * (a * d - b * c) ** 2) / denominator;
  return erfc(Math.sqrt(statistic / 2));
}

function sum(counts: UpstreamCounts): number {
  let total = 0;
  for (const key in counts) total += counts[key]!;
  return total;
}

function addInto(target: UpstreamCounts, counts: UpstreamCounts): void {
  for (const key in counts) target[key] = (target[key] ?? 0) + counts[key]!;
}

/** Tests two samples of upstream counts; undefined when either side is too small to judge. */
export function compareRegimes(
  before: UpstreamCounts,
  after: UpstreamCounts,
  rule: ChangePointRule = DEFAULT_CHANGE_POINT_RULE,
): { pValue: number; upstream: string; shareChange: number; test: 'fisher' | 'chi-square' } | undefined {
  const beforeTotal = sum(before);
  const afterTotal = sum(after);
  if (beforeTotal < rule.minCalls || afterTotal < rule.minCalls) return undefined;
  const upstreams = [...new Set([...Object.keys(before), ...Object.keys(after)])];
  let best: { pValue: number; upstream: string; shareChange: number; test: 'fisher' | 'chi-square' } | undefined;
  for (const upstream of upstreams) {
    const a = before[upstream] ?? 0;
    const b = beforeTotal - a;
    const c = after[upstream] ?? 0;
    const d = afterTotal - c;
    const shareChange = Math.abs(c / afterTotal - a / beforeTotal);
    // The exact sum has at most (smallest margin + 1) terms.
    const useExact = Math.min(a + c, b + d, beforeTotal, afterTotal) <= 1_000;
    const raw = useExact ? fisherExact(a, b, c, d) : chiSquare2x2(a, b, c, d);
    const pValue = Math.min(1, raw * Math.max(1, upstreams.length === 2 ? 1 : upstreams.length));
    if (!best || pValue < best.pValue || (pValue === best.pValue && shareChange > best.shareChange)) {
      best = { pValue, upstream, shareChange, test: useExact ? 'fisher' : 'chi-square' };
    }
  }
  return best;
}

/**
 * Runs the rule over one series' windows (calls per upstream per window, in time order; empty
 * windows are `{}`).
 */
export function detectChangePoints(windows: readonly UpstreamCounts[], rule: ChangePointRule = DEFAULT_CHANGE_POINT_RULE): ChangePointResult {
  const changes: DetectedChange[] = [];
  let judgedWindows = 0;
  let regimeStart = 0;
  const totals = windows.map(sum);
  const upstreams = [...new Set(windows.flatMap((window) => Object.keys(window)))];
  // Prefix sums per upstream, so any range of windows is merged in O(upstreams).
  const prefix = upstreams.map((upstream) => {
    const cumulative = new Float64Array(windows.length + 1);
    windows.forEach((window, index) => (cumulative[index + 1] = cumulative[index]! + (window[upstream] ?? 0)));
    return cumulative;
  });
  // Calls of windows [from, to) merged.
  const merge = (from: number, to: number) => {
    const merged: UpstreamCounts = {};
    upstreams.forEach((upstream, column) => {
      const count = prefix[column]![to]! - prefix[column]![from]!;
      if (count > 0) merged[upstream] = count;
    });
    return merged;
  };
  // The "after" sample starting at window `index`: at least minCalls calls and two non-empty
  // windows; `later` is its second half (the windows after the first half of its calls).
  const afterSample = (index: number) => {
    const taken: number[] = [];
    let calls = 0;
    let end = index;
    while (end < windows.length && (calls < rule.minCalls || taken.length < 2)) {
      if (totals[end]! > 0) {
        taken.push(end);
        calls += totals[end]!;
      }
      end += 1;
    }
    const after: UpstreamCounts = {};
    const earlier: UpstreamCounts = {};
    const later: UpstreamCounts = {};
    let seen = 0;
    for (const window of taken) {
      addInto(after, windows[window]!);
      addInto(seen >= calls / 2 && window !== taken[0] ? later : earlier, windows[window]!);
      seen += totals[window]!;
    }
    if (taken.length > 1 && sum(later) === 0) {
      const last = taken.at(-1)!;
      addInto(later, windows[last]!);
      for (const key in windows[last]!) earlier[key]! -= windows[last]![key]!;
    }
    return { after, halves: [earlier, later] };
  };
  const test = (index: number) => {
    const before = merge(regimeStart, index);
    const { after, halves } = afterSample(index);
    const result = compareRegimes(before, after, rule);
    if (!result) return undefined;
    // Persistence: the moved upstream's share must differ by the same margin in both halves of
    // the after sample (a one-window blip is not a change); an empty half (the data ends) passes.
    const beforeShare = (before[result.upstream] ?? 0) / sum(before);
    const persists = halves.every((half) => {
      const total = sum(half);
      return total === 0 || Math.abs((half[result.upstream] ?? 0) / total - beforeShare) >= rule.minShareChange;
    });
    return { ...result, before, after, persists };
  };
  const passes = (result: ReturnType<typeof test>) => !!result && result.persists && result.pValue < rule.alpha && result.shareChange >= rule.minShareChange;

  let index = 0;
  while (index < windows.length) {
    if (totals[index] === 0) {
      index += 1;
      continue;
    }
    const result = test(index);
    if (result) judgedWindows += 1;
    if (!passes(result)) {
      index += 1;
      continue;
    }
    // Among the following windows that also pass, place the change where the evidence is strongest.
    let best = { index, result: result! };
    for (let next = index + 1; next < windows.length; next += 1) {
      if (totals[next] === 0) continue;
      const candidate = test(next);
      if (!passes(candidate)) break;
      if (candidate!.pValue < best.result.pValue) best = { index: next, result: candidate! };
    }
    changes.push({
      windowIndex: best.index,
      pValue: best.result.pValue,
      upstream: best.result.upstream,
      test: best.result.test,
      before: merge(regimeStart, best.index),
      after: best.result.after,
    });
    regimeStart = best.index;
    index = best.index + 1;
  }
  const verdict: SeriesVerdict = changes.length > 0 ? 'changed' : judgedWindows > 0 ? 'no change' : 'too few calls to judge';
  return { changes, judgedWindows, verdict };
}
