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
  /**
   * Virtual ms before the failover window at which Anthropic starts rate-limiting OpenRouter's requests.
   * The support agent then allows only Anthropic, so those tickets fail (Anthropic's 429, relayed by
   * OpenRouter) until its routing preferences change at the start of the failover window (Anthropic
   * first, fallbacks allowed); from then OpenRouter falls back to Together until Anthropic recovers.
   */
  outageLeadMs: number;
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
    // Anthropic starts failing 30 s into the tick before the window: that tick's later tickets fail.
    outageLeadMs: tickMs - 30_000,
  };
}

/** OpenRouter routing preferences before the change: only Anthropic may serve. */
export const OPENROUTER_POLICY_BEFORE = { provider: { only: ['anthropic'] } } as const;
/** After the change: Anthropic first, other providers allowed when it fails. */
export const OPENROUTER_POLICY_AFTER = { provider: { order: ['anthropic'], allow_fallbacks: true } } as const;

/** Virtual epoch ms of the routing-preference change (the start of the failover window), for a timeline starting at `startMs`. */
export function policyChangeMs(timeline: Timeline, startMs: number): number {
  return startMs + timeline.failoverFromTick * timeline.tickMs;
}

/** Whether Anthropic rate-limits OpenRouter's requests at virtual time `atMs`. */
export function anthropicRateLimited(timeline: Timeline, startMs: number, atMs: number): boolean {
  const from = policyChangeMs(timeline, startMs) - timeline.outageLeadMs;
  return atMs >= from && atMs < startMs + timeline.failoverToTick * timeline.tickMs;
}

/**
 * The body fields a route's requests carry at virtual time `virtualMs`: the OpenRouter support
 * agent's routing preferences (`provider`), which change once, at {@link policyChangeMs}.
 */
export function requestFieldsFor(route: RouteKind, virtualMs: number, changeMs: number): Record<string, unknown> | undefined {
  if (route !== 'openrouter') return undefined;
  return virtualMs < changeMs ? OPENROUTER_POLICY_BEFORE : OPENROUTER_POLICY_AFTER;
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
  /**
   * Who refuses this run on purpose: `gateway` (its own 402 / budget / rate limit), `upstream` (an upstream's
   * error the gateway relays; only when the request's policy allows no fallback). Absent: the run succeeds.
   */
  refusedBy?: 'gateway' | 'upstream';
}

/**
 * The simulator scenario of the `runIndex`-th run of a route in a phase. OpenRouter serves from
 * Anthropic, except while Anthropic rate-limits (3 requests in 5): while the agent allows only
 * Anthropic those runs fail (Anthropic's 429, relayed by OpenRouter); after the policy change
 * OpenRouter falls back to Together (whose answers the eval grades lower). The OpenRouter agent's
 * second run meets OpenRouter's own 402 (credits). LiteLLM answers from Azure and falls back to OpenAI on one run in
 * five (a 429 from Azure); its fourth run meets LiteLLM's own budget refusal. The Vercel AI Gateway
 * serves from Anthropic, falling back from Vertex on one run in seven. Kong proxies to OpenAI;
 * one run in four is a semantic-cache hit, the sixth run meets Kong's AI rate limit.
 * Deterministic, so every demo run tells the same story. `openRouter` says whether Anthropic
 * rate-limits at the run's time and whether the run's routing preferences allow a fallback.
 */
export function runScenario(
  route: RouteKind,
  phase: Phase,
  runIndex: number,
  openRouter: { anthropicRateLimited: boolean; allowsFallback: boolean } = { anthropicRateLimited: phase === 'failover', allowsFallback: true },
): RunScenario {
  switch (route) {
    case 'openrouter':
      if (runIndex === 1) return { scenario: { failure: 'insufficient_credits' }, quality: 'good', refusedBy: 'gateway' };
      if (openRouter.anthropicRateLimited && runIndex % 5 < 3) {
        const allowsFallback = openRouter.allowsFallback;
        return allowsFallback
          ? { scenario: { upstream: 'Together', down: ['Anthropic'] }, quality: 'degraded' }
          : { scenario: { upstream: 'Together', down: ['Anthropic'] }, quality: 'good', refusedBy: 'upstream' };
      }
      return { scenario: { upstream: 'Anthropic' }, quality: 'good' };
    case 'litellm':
      if (runIndex === 3) return { scenario: { failure: 'budget_exceeded' }, quality: 'good', refusedBy: 'gateway' };
      return runIndex % 5 === 4
        ? { scenario: { upstream: 'openai', fallbackFrom: ['azure.ai.openai'] }, quality: 'good' }
        : { scenario: { upstream: 'azure.ai.openai' }, quality: 'good' };
    case 'vercel':
      return runIndex % 7 === 6
        ? { scenario: { upstream: 'anthropic', fallbackFrom: ['vertex'] }, quality: 'good' }
        : { scenario: { upstream: 'anthropic' }, quality: 'good' };
    case 'kong':
      if (runIndex === 5) return { scenario: { failure: 'gateway_rate_limit' }, quality: 'good', refusedBy: 'gateway' };
      return runIndex % 4 === 2 ? { scenario: { cacheHit: true }, quality: 'good' } : { scenario: {}, quality: 'good' };
    case 'azure':
      // The deployment `support-gpt-4o` serves the dated model, as Azure's body `model` reports it.
      return { scenario: { servedModel: 'gpt-4o-2024-11-20', region: 'East US' }, quality: 'good' };
    case 'bedrock':
      return { scenario: {}, quality: 'good' };
  }
}
