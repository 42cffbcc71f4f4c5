import type { Random } from './random';
import type { SimConfig, SimScenario, SimTarget, WeightedUpstream } from './types';

/** Header carrying a preset name or a JSON {@link SimScenario} for one request. */
export const SCENARIO_HEADER = 'x-sim-scenario';
/** Header naming the upstream a gateway should report for one request. */
export const UPSTREAM_HEADER = 'x-sim-upstream';
/** Header setting the virtual time (epoch ms or ISO) of one request. */
export const TIME_HEADER = 'x-sim-time';
/** Header giving one request its own seed, independent of arrival order. */
export const SEED_HEADER = 'x-sim-seed';

/** Scenarios available by name in `x-sim-scenario` without any config. */
export const BUILT_IN_PRESETS: Record<string, SimScenario> = {
  ok: {},
  'rate-limit': { failure: 'rate_limit', retryAfterSeconds: 1 },
  unavailable: { failure: 'unavailable' },
  'server-error': { failure: 'server_error' },
  hang: { failure: 'hang' },
  'midstream-error': { failure: 'midstream_error' },
  reset: { failure: 'reset' },
  fallback: { fallbackFrom: ['azure.ai.openai'], upstream: 'openai' },
  slow: { latency: { firstByteMs: 200, chunkDelayMs: 50 } },
  'gateway-rate-limit': { failure: 'gateway_rate_limit' },
  'insufficient-credits': { failure: 'insufficient_credits' },
  'budget-exceeded': { failure: 'budget_exceeded' },
  'cache-hit': { cacheHit: true },
};

/** Thrown for an unreadable `x-sim-scenario`; the server answers 400 with this message. */
export class ScenarioError extends Error {}

/** Parses a time given as epoch ms (number or digits) or an ISO string. */
export function parseTime(value: number | string | Date): number {
  if (value instanceof Date) return value.getTime();
  if (typeof value === 'number') return value;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const parsed = Date.parse(value);
  if (Number.isNaN(parsed)) throw new ScenarioError(`invalid time: ${value}`);
  return parsed;
}

/** Layers scenarios: later fields win, `latency` merges field by field. */
export function mergeScenarios(...layers: Array<SimScenario | undefined>): SimScenario {
  const result: SimScenario = {};
  for (const layer of layers) {
    if (!layer) continue;
    for (const [key, value] of Object.entries(layer) as Array<[keyof SimScenario, unknown]>) {
      if (value === undefined) continue;
      if (key === 'latency') result.latency = { ...result.latency, ...(value as SimScenario['latency']) };
      else (result as Record<string, unknown>)[key] = value;
    }
  }
  return result;
}

/** The scenario of one request: config defaults, then the target's, then the headers. */
export function scenarioForRequest(
  config: SimConfig,
  target: SimTarget,
  headers: Record<string, string>,
): SimScenario {
  const presets = { ...BUILT_IN_PRESETS, ...config.presets };
  let requested: SimScenario | undefined;
  const raw = headers[SCENARIO_HEADER]?.trim();
  if (raw) {
    if (raw.startsWith('{')) {
      try {
        requested = JSON.parse(raw) as SimScenario;
      } catch {
        throw new ScenarioError(`${SCENARIO_HEADER} is not valid JSON`);
      }
    } else {
      // Several presets may be combined: "fallback,slow".
      requested = mergeScenarios(
        ...raw.split(',').map((name) => {
          const preset = presets[name.trim()];
          if (!preset) throw new ScenarioError(`unknown ${SCENARIO_HEADER} preset: ${name.trim()}`);
          return preset;
        }),
      );
    }
  }
  const upstream = headers[UPSTREAM_HEADER]?.trim();
  return mergeScenarios(config.defaults, config.targets?.[target], requested, upstream ? { upstream } : undefined);
}

/**
 * Picks the upstream a gateway reports: an explicit `upstream`, else the timeline segment
 * containing `now`, else the weighted `mix`, else undefined (the target's default applies).
 */
export function chooseUpstream(scenario: SimScenario, now: number, random: Random): string | undefined {
  if (scenario.upstream) return scenario.upstream;
  for (const segment of scenario.timeline ?? []) {
    if (segmentContains(segment, now)) {
      if (segment.upstream) return segment.upstream;
      if (segment.mix?.length) return drawWeighted(segment.mix, random);
    }
  }
  if (scenario.mix?.length) return drawWeighted(scenario.mix, random);
  return undefined;
}

/** The upstreams that fail at `now`: the scenario's `down` plus those of every timeline segment containing `now`. */
export function downUpstreams(scenario: SimScenario, now: number): string[] {
  const down = [...(scenario.down ?? [])];
  for (const segment of scenario.timeline ?? []) {
    if (segment.down?.length && segmentContains(segment, now)) down.push(...segment.down);
  }
  return down;
}

function segmentContains(segment: NonNullable<SimScenario['timeline']>[number], now: number): boolean {
  const start = parseTime(segment.start);
  const end =
    segment.end !== undefined
      ? parseTime(segment.end)
      : segment.durationMs !== undefined
        ? start + segment.durationMs
        : Number.POSITIVE_INFINITY;
  return now >= start && now < end;
}

function drawWeighted(mix: WeightedUpstream[], random: Random): string | undefined {
  const total = mix.reduce((sum, entry) => sum + Math.max(0, entry.weight), 0);
  if (total <= 0) return mix[0]?.upstream;
  let point = random.next() * total;
  for (const entry of mix) {
    point -= Math.max(0, entry.weight);
    if (point < 0) return entry.upstream;
  }
  return mix[mix.length - 1]?.upstream;
}
