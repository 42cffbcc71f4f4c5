import { createContextKey, type Context } from '@opentelemetry/api';

/**
 * Gathers the distinct upstreams the model calls under one agent, chain or tool span used, so
 * that span can carry `gen_ai.route.upstreams` when it ends.
 */
export interface UpstreamsCollector {
  /** Adds an upstream; `undefined` and empty strings are ignored, duplicates kept once. */
  add(upstream?: string): void;
  /** The distinct upstreams, in the order they were first seen. */
  values(): string[];
}

const UPSTREAMS_COLLECTORS_KEY = createContextKey('servedby.upstreams-collectors');

/**
 * Creates an empty {@link UpstreamsCollector}.
 *
 * @example
 * ```ts
 * const collector = createUpstreamsCollector();
 * await context.with(contextWithUpstreamsCollector(context.active(), collector), runAgent);
 * agentSpan.setAttribute(ATTR_GEN_AI_ROUTE_UPSTREAMS, collector.values());
 * ```
 */
export function createUpstreamsCollector(): UpstreamsCollector {
  const seen = new Set<string>();
  return {
    add(upstream) {
      if (typeof upstream === 'string' && upstream.length > 0) seen.add(upstream);
    },
    values() {
      return [...seen];
    },
  };
}

/**
 * Returns a context that carries `collector` besides every collector `context` already carries,
 * so a nested agent's collector and all of its ancestors' receive the upstreams of its model calls.
 */
export function contextWithUpstreamsCollector(context: Context, collector: UpstreamsCollector): Context {
  const existing = upstreamsCollectorsIn(context);
  if (existing.includes(collector)) return context;
  return context.setValue(UPSTREAMS_COLLECTORS_KEY, [...existing, collector]);
}

/**
 * Reports the upstream of one model call to every collector in `context`. Safe to call with no
 * collector or no upstream: then it does nothing.
 */
export function reportUpstream(context: Context, upstream?: string): void {
  if (upstream === undefined || upstream === '') return;
  for (const collector of upstreamsCollectorsIn(context)) {
    try {
      collector.add(upstream);
    } catch {
      // A user-supplied collector must not break the model call that reports to it.
    }
  }
}

function upstreamsCollectorsIn(context: Context): readonly UpstreamsCollector[] {
  const value = context.getValue(UPSTREAMS_COLLECTORS_KEY);
  return Array.isArray(value) ? (value as readonly UpstreamsCollector[]) : [];
}
