import { isRecord } from './answer';

/**
 * The routing preferences a request carried, in one shape for every gateway:
 * OpenRouter body `provider` (`order`, `only`, `ignore`, `allow_fallbacks`) + `models`;
 * Vercel `providerOptions.gateway` (`order`, `only`, `models`); LiteLLM `fallbacks` (as `models`).
 */
export interface RoutingPolicy {
  order?: string[];
  only?: string[];
  ignore?: string[];
  /** OpenRouter `allow_fallbacks` (default true): may providers outside `order` serve? */
  allowFallbacks: boolean;
  /** Model fallbacks, tried in order after the requested model. */
  models?: string[];
}

/** One try of one upstream for one model. */
export interface RouteAttempt {
  upstream: string;
  model: string;
  success: boolean;
  /** HTTP status the upstream answered (200 on success). */
  status: number;
}

/** The outcome of routing one request. */
export interface RoutePlan {
  attempts: RouteAttempt[];
  /** The attempt that served; undefined when every allowed candidate failed or none was allowed. */
  served?: RouteAttempt;
  /** Index of the served model in `[requested, ...models]` (0 = the requested model). */
  modelIndex: number;
  /** The candidates, in the order the policy allows them, for the last model tried. */
  planned: string[];
}

/** What a gateway tells the router about its world. */
export interface RouteInput {
  /** The requested model first, then the policy's model fallbacks. */
  models: string[];
  /** Candidate upstreams for a model, best first (the scenario's pick, then the gateway's usual ones). */
  candidates(model: string, modelIndex: number): string[];
  policy: RoutingPolicy;
  /** Puts a name in the gateway's own spelling, so policy names and candidates compare equal. */
  canonical(name: string): string;
  /** True when this upstream fails every attempt. */
  isDown(upstream: string): boolean;
  /** Status a down upstream answers with. */
  downStatus: number;
}

/** Reads a string array, dropping anything that is not a non-empty string; undefined when absent. */
export function stringList(value: unknown): string[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const list = value.filter((item): item is string => typeof item === 'string' && item.length > 0).slice(0, 32);
  return list;
}

/** OpenRouter's body fields `provider` and `models` (`route: "fallback"` only names the same behaviour). */
export function openRouterPolicy(body: Record<string, unknown>): RoutingPolicy {
  const provider = isRecord(body.provider) ? body.provider : {};
  return {
    order: stringList(provider.order),
    only: stringList(provider.only),
    ignore: stringList(provider.ignore),
    allowFallbacks: provider.allow_fallbacks !== false,
    models: stringList(body.models),
  };
}

/** The AI Gateway's `providerOptions.gateway` (`order`, `only`, `models`); it always falls back. */
export function vercelPolicy(body: Record<string, unknown>): RoutingPolicy {
  const providerOptions = isRecord(body.providerOptions) ? body.providerOptions : isRecord(body.provider_options) ? body.provider_options : {};
  const gateway = isRecord(providerOptions.gateway) ? providerOptions.gateway : {};
  return { order: stringList(gateway.order), only: stringList(gateway.only), allowFallbacks: true, models: stringList(gateway.models) };
}

/** LiteLLM's request `fallbacks`: model groups tried after the requested one. */
export function liteLlmPolicy(body: Record<string, unknown>): RoutingPolicy {
  return { allowFallbacks: true, models: stringList(body.fallbacks) };
}

/** True when the request carried any routing preference at all. */
export function hasPolicy(policy: RoutingPolicy): boolean {
  return Boolean(policy.order?.length || policy.only?.length || policy.ignore?.length || policy.models?.length || !policy.allowFallbacks);
}

/**
 * Routes like the gateways document it: `order` first, then (only with fallbacks allowed) the
 * other candidates; `only` / `ignore` filter; a down upstream is an attempt that failed and the
 * next one is tried; when a model has no working upstream left, the next model fallback is tried.
 */
export function planRoute(input: RouteInput): RoutePlan {
  const attempts: RouteAttempt[] = [];
  const { policy } = input;
  const only = policy.only ? new Set(policy.only.map(input.canonical)) : undefined;
  const ignore = new Set((policy.ignore ?? []).map(input.canonical));
  const order = (policy.order ?? []).map(input.canonical);
  let planned: string[] = [];
  for (let modelIndex = 0; modelIndex < input.models.length; modelIndex += 1) {
    const model = input.models[modelIndex]!;
    const pool = dedupe(input.candidates(model, modelIndex).map(input.canonical));
    // An order entry that does not serve this model is skipped, as the gateways document it.
    const preferred = order.filter((name) => pool.includes(name));
    let ordered: string[];
    if (order.length) ordered = policy.allowFallbacks ? dedupe([...preferred, ...pool]) : preferred;
    else ordered = policy.allowFallbacks ? pool : pool.slice(0, 1);
    ordered = ordered.filter((name) => (!only || only.has(name)) && !ignore.has(name));
    planned = ordered;
    for (const upstream of ordered) {
      if (input.isDown(upstream)) {
        attempts.push({ upstream, model, success: false, status: input.downStatus });
        continue;
      }
      const served = { upstream, model, success: true, status: 200 };
      attempts.push(served);
      return { attempts, served, modelIndex, planned };
    }
  }
  return { attempts, modelIndex: -1, planned };
}

function dedupe(names: string[]): string[] {
  return [...new Set(names)];
}
