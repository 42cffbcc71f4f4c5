import { describe, expect, it } from 'vitest';
import type { EvalItemRow } from '../store/trace-store';
import { evalCrossTab } from './eval';

function item(runId: string, startMs: number, index: number, score: number, refusals: string[] = []): EvalItemRow {
  return { traceId: `${runId}-${index}`, spanId: `${runId}-${index}`, itemId: `q${index}`, runId, startMs: startMs + index, score, upstream: 'anthropic', cost: null, refusals };
}

describe('evalCrossTab regression reasons', () => {
  it('names who refused the failed calls of a regressed run, with no upstream or policy change', () => {
    const rows = [
      ...[0, 1, 2, 3].map((index) => item('run-1', 1_000, index, 1)),
      ...[0, 1].map((index) => item('run-2', 2_000, index, 1)),
      ...[2, 3].map((index) => item('run-2', 2_000, index, 0, ['openrouter:upstream'])),
    ];
    const [, second] = evalCrossTab(rows).windows;
    expect(second!.regression).toMatchObject({ coincidesWithUpstreamChange: false, matchesPolicyChange: false });
    expect(second!.regression!.reason).toBe('failed calls in 2 of 4 items (2 refused by the upstream, relayed by openrouter)');
  });

  it('says nothing was seen when no call failed and nothing changed', () => {
    const rows = [...[0, 1].map((index) => item('run-1', 1_000, index, 1)), ...[0, 1].map((index) => item('run-2', 2_000, index, 0))];
    expect(evalCrossTab(rows).windows[1]!.regression!.reason).toBe('no failed calls, upstream or routing policy change seen: look at the prompt or model');
  });
});
