import type { RouteKind } from './agent';

/** The three acts of the demo's story. */
export type Phase = 'steady' | 'failover' | 'recovery';

/** The compressed day the scenario plays. */
export interface Timeline {
  ticks: number;
  tickMs: number;
  /** First tick of the failover window (inclusive) and first tick after it. */
  failoverFromTick: number;
  failoverToTick: number;
  /** Ticks at which the nightly eval runs. */
  evalTicks: number[];
}

/**
 * A day cut into `ticks` slices: steady state for the first third, a failover window for the next
 * quarter, recovery for the rest; the eval runs `evalRuns` times, evenly spread.
 */
export function createTimeline(options: { ticks?: number; tickMinutes?: number; evalRuns?: number } = {}): Timeline {
  const ticks = Math.max(8, options.ticks ?? 48);
  const tickMs = (options.tickMinutes ?? (24 * 60) / ticks) * 60_000;
  const evalRuns = options.evalRuns ?? 8;
  const every = ticks / evalRuns;
  return {
    ticks,
    tickMs,
    failoverFromTick: Math.round(ticks / 3),
    failoverToTick: Math.round(ticks / 3 + ticks / 4),
    evalTicks: Array.from({ length: evalRuns }, (_, index) => Math.floor(index * every + every / 2)),
  };
}

/** The phase a tick belongs to. */
export function phaseOf(timeline: Timeline, tick: number): Phase {
  if (tick < timeline.failoverFromTick) return 'steady';
  if (tick < timeline.failoverToTick) return 'failover';
  return 'recovery';
}

/** What the simulator should do for one agent run, and how good the answer should be. */
export interface RunScenario {
  scenario: Record<string, unknown>;
  quality: 'good' | 'degraded';
}

/**
 * The simulator scenario of the `runIndex`-th run of a route in a phase. OpenRouter serves from
 * Anthropic, except in the failover window where 3 runs in 5 fail over to Together (whose answers
 * the eval grades lower); LiteLLM answers from Azure and falls back to OpenAI on one run in five
 * (a 429 from Azure); the Vercel AI Gateway serves from Anthropic, falling back from Vertex on
 * one run in seven. Deterministic, so every demo run tells the same story.
 */
export function runScenario(route: RouteKind, phase: Phase, runIndex: number): RunScenario {
  switch (route) {
    case 'openrouter':
      return phase === 'failover' && runIndex % 5 < 3
        ? { scenario: { upstream: 'Together' }, quality: 'degraded' }
        : { scenario: { upstream: 'Anthropic' }, quality: 'good' };
    case 'litellm':
      return runIndex % 5 === 4
        ? { scenario: { upstream: 'openai', fallbackFrom: ['azure.ai.openai'] }, quality: 'good' }
        : { scenario: { upstream: 'azure.ai.openai' }, quality: 'good' };
    case 'vercel':
      return runIndex % 7 === 6
        ? { scenario: { upstream: 'anthropic', fallbackFrom: ['vertex'] }, quality: 'good' }
        : { scenario: { upstream: 'anthropic' }, quality: 'good' };
    case 'azure':
      // The deployment `support-gpt-4o` serves the dated model, as Azure's body `model` reports it.
      return { scenario: { servedModel: 'gpt-4o-2024-11-20', region: 'East US' }, quality: 'good' };
    case 'bedrock':
      return { scenario: {}, quality: 'good' };
  }
}
