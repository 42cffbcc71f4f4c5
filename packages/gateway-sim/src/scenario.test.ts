import { describe, expect, it } from 'vitest';
import { createRandom } from './random';
import { chooseUpstream, mergeScenarios, parseTime, ScenarioError, scenarioForRequest } from './scenario';

describe('scenarios', () => {
  it('layers config defaults, target config, the scenario header and x-sim-upstream', () => {
    const scenario = scenarioForRequest(
      { defaults: { region: 'East US', latency: { firstByteMs: 5 } }, targets: { openrouter: { upstream: 'Together', latency: { chunkDelayMs: 2 } } } },
      'openrouter',
      { 'x-sim-scenario': '{"failure":"rate_limit"}', 'x-sim-upstream': 'Groq' },
    );
    expect(scenario).toEqual({ region: 'East US', upstream: 'Groq', failure: 'rate_limit', latency: { firstByteMs: 5, chunkDelayMs: 2 } });
  });

  it('accepts preset names, combined with commas, and rejects unknown ones', () => {
    expect(scenarioForRequest({}, 'openai', { 'x-sim-scenario': 'rate-limit,slow' })).toMatchObject({ failure: 'rate_limit', latency: { firstByteMs: 200 } });
    expect(scenarioForRequest({ presets: { mine: { upstream: 'x' } } }, 'openai', { 'x-sim-scenario': 'mine' })).toEqual({ upstream: 'x' });
    expect(() => scenarioForRequest({}, 'openai', { 'x-sim-scenario': 'nope' })).toThrow(ScenarioError);
    expect(() => scenarioForRequest({}, 'openai', { 'x-sim-scenario': '{bad' })).toThrow(ScenarioError);
  });

  it('plays a timeline: 60% Together for four hours from t0, the default mix outside it', () => {
    const t0 = Date.parse('2026-11-27T12:00:00Z');
    const scenario = mergeScenarios({
      mix: [{ upstream: 'Amazon Bedrock', weight: 1 }],
      timeline: [{ start: '2026-11-27T12:00:00Z', durationMs: 4 * 3600_000, mix: [{ upstream: 'together', weight: 60 }, { upstream: 'Amazon Bedrock', weight: 40 }] }],
    });
    const count = (time: number): number => {
      const random = createRandom(42);
      let together = 0;
      for (let index = 0; index < 1000; index += 1) if (chooseUpstream(scenario, time, random) === 'together') together += 1;
      return together;
    };
    expect(count(t0 - 1)).toBe(0);
    expect(count(t0 + 4 * 3600_000)).toBe(0);
    const during = count(t0 + 3600_000);
    expect(during).toBeGreaterThan(550);
    expect(during).toBeLessThan(650);
    expect(count(t0 + 3600_000)).toBe(during);
  });

  it('parses epoch milliseconds and ISO times', () => {
    expect(parseTime('1700000000000')).toBe(1700000000000);
    expect(parseTime('2026-01-01T00:00:00Z')).toBe(Date.UTC(2026, 0, 1));
    expect(() => parseTime('yesterday')).toThrow(ScenarioError);
  });
});
