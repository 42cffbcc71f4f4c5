import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * What the gateway simulator should do for the model calls of one agent run: which upstream to
 * report, what to answer, which failure to play. It travels in AsyncLocalStorage, so concurrent
 * agent runs never see each other's plan.
 */
export interface SimPlan {
  /** `x-sim-scenario` as an object (`upstream`, `text`, `fallbackFrom`, `failure`, …). */
  scenario: Record<string, unknown>;
  /** Virtual time of the call (`x-sim-time`), so the simulator's timestamps match the spans. */
  timeMs: number;
  /** False for a run against a real service: no simulator headers then. Default true. */
  simulated?: boolean;
  /** The order of the customer asking: the order-lookup tool falls back to it. */
  orderId: string;
  /**
   * Body fields the run's requests carry on top of what the framework sends (the OpenRouter agent's
   * `provider` routing preferences). Sent to the simulator and to the real service alike.
   */
  request?: Record<string, unknown>;
}

const planStorage = new AsyncLocalStorage<SimPlan>();

/** Runs `fn` with `plan` applying to every simulator call made inside it. */
export function runWithSimPlan<T>(plan: SimPlan, fn: () => Promise<T>): Promise<T> {
  return planStorage.run(plan, fn);
}

/** The plan of the current agent run, if any. */
export function currentSimPlan(): SimPlan | undefined {
  return planStorage.getStore();
}

/** The headers the simulator reads for the current plan (none outside a plan, or for a run against a real service). */
export function simHeaders(): Record<string, string> {
  const plan = planStorage.getStore();
  if (!plan || plan.simulated === false) return {};
  return { 'x-sim-scenario': JSON.stringify(plan.scenario), 'x-sim-time': String(Math.round(plan.timeMs)) };
}

/** A `fetch` that adds the current plan's simulator headers to requests to the simulator (only). */
export function createSimFetch(simulatorUrl: string, baseFetch: typeof fetch = globalThis.fetch): typeof fetch {
  return (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const extra = url.startsWith(simulatorUrl) ? simHeaders() : {};
    if (Object.keys(extra).length === 0) return baseFetch(input, init);
    const headers = new Headers(init?.headers ?? (input instanceof Request ? input.headers : undefined));
    for (const [name, value] of Object.entries(extra)) headers.set(name, value);
    return baseFetch(input, { ...init, headers });
  };
}

/** AWS SDK v3 middleware adding the plan's simulator headers (the SDK has no fetch option); only used against the simulator. */
export const simHeadersMiddleware = {
  middleware:
    (next: (args: { request: unknown }) => Promise<unknown>) =>
    async (args: { request: unknown }) => {
      const request = args.request as { headers?: Record<string, string> };
      if (request && request.headers) Object.assign(request.headers, simHeaders());
      return next(args);
    },
  options: { step: 'build' as const, name: 'servedbyDemoSimHeaders' },
};
