import type { RollupDimensions, SpanFact } from './rows';

/** Why a span is left out of the model-call counts. */
export type MarkKind = 'wrapper' | 'gateway';

/** One span marked by the structure rules. */
export interface SpanMark {
  traceId: string;
  spanId: string;
  startMs: number;
  kind: MarkKind;
  parentSpanId: string;
  serviceName: string;
  isError: boolean;
  namedUpstream: string;
  /** Set when the marked span is a model call: what to subtract from the rollup. */
  dimensions?: RollupDimensions;
  /** For a gateway span: the client model call it hangs under (known when the span is marked). */
  client?: { spanId: string; upstream: string; gateway: string; startMs: number };
}

/** Options of {@link createStructureTracker}. */
export interface StructureTrackerOptions {
  /** Traces remembered (the least recently touched are forgotten first). */
  maxTraces?: number;
  /** Spans remembered per trace. */
  maxSpansPerTrace?: number;
}

interface TraceState {
  spans: Map<string, SpanFact>;
  marked: Set<string>;
}

/**
 * Finds, as spans arrive, the spans no view may count as a model call of their own:
 *
 * - **wrapper**: a model-call span with a model-call descendant from the same service. Mastra's
 *   bridge names its multi-step generation span `chat {model}` with the real calls below it;
 *   counting it would count every call twice.
 * - **gateway**: a span from another service below a model-call span (and that service's spans
 *   below it): a gateway's own trace (OpenRouter Broadcast, …) joined to the app's trace by
 *   `propagateToGateways`. It is shown nested under the client span and compared with it, but
 *   it is the same call seen from the gateway.
 *
 * Spans of a trace may arrive in any order and in several requests; the tracker keeps a bounded
 * window of recent traces and reports each mark once.
 */
export function createStructureTracker(options: StructureTrackerOptions = {}) {
  const maxTraces = options.maxTraces ?? 50_000;
  const maxSpansPerTrace = options.maxSpansPerTrace ?? 2_000;
  const traces = new Map<string, TraceState>();

  function marksOf(traceId: string, state: TraceState, into: SpanMark[]): void {
    const { spans, marked } = state;
    const gateway = new Set<string>();
    // Gateway spans, top-down: a span whose parent is a model call of another service, or a
    // gateway span of the same service.
    const isGateway = (span: SpanFact, depth: number): boolean => {
      if (depth > 64) return false;
      const parent = spans.get(span.parentSpanId);
      if (!parent) return false;
      if (parent.serviceName === span.serviceName) return gateway.has(parent.spanId) || isGateway(parent, depth + 1);
      return parent.modelCall && !isGateway(parent, depth + 1);
    };
    for (const span of spans.values()) if (isGateway(span, 0)) gateway.add(span.spanId);
    const wrappers = new Set<string>();
    for (const span of spans.values()) {
      if (!span.modelCall || gateway.has(span.spanId)) continue;
      let parent = spans.get(span.parentSpanId);
      for (let depth = 0; parent && depth < 64; depth += 1) {
        if (parent.serviceName !== span.serviceName) break;
        if (parent.modelCall) wrappers.add(parent.spanId);
        parent = spans.get(parent.parentSpanId);
      }
    }
    for (const [ids, kind] of [[gateway, 'gateway'], [wrappers, 'wrapper']] as const) {
      for (const spanId of ids) {
        if (marked.has(spanId)) continue;
        marked.add(spanId);
        const fact = spans.get(spanId)!;
        let client: SpanFact | undefined;
        if (kind === 'gateway') {
          client = spans.get(fact.parentSpanId);
          for (let depth = 0; client && gateway.has(client.spanId) && depth < 64; depth += 1) client = spans.get(client.parentSpanId);
        }
        into.push({
          traceId,
          spanId,
          startMs: fact.startMs,
          kind,
          parentSpanId: fact.parentSpanId,
          serviceName: fact.serviceName,
          isError: fact.isError,
          namedUpstream: fact.namedUpstream,
          ...(fact.dimensions ? { dimensions: fact.dimensions } : {}),
          ...(client
            ? { client: { spanId: client.spanId, upstream: client.dimensions?.Upstream ?? '', gateway: client.dimensions?.Gateway ?? '', startMs: client.startMs } }
            : {}),
        });
      }
    }
  }

  return {
    /** Adds one batch of spans; returns the marks found now (each span is reported once). */
    add(facts: readonly SpanFact[]): SpanMark[] {
      const touched = new Map<string, TraceState>();
      for (const fact of facts) {
        let state = traces.get(fact.traceId);
        if (state) traces.delete(fact.traceId);
        else state = { spans: new Map(), marked: new Set() };
        // Re-inserting keeps the Map in least-recently-touched order for eviction.
        traces.set(fact.traceId, state);
        if (state.spans.size < maxSpansPerTrace) state.spans.set(fact.spanId, fact);
        touched.set(fact.traceId, state);
      }
      while (traces.size > maxTraces) traces.delete(traces.keys().next().value!);
      const marks: SpanMark[] = [];
      for (const [traceId, state] of touched) {
        // Only traces with a parent/child pair across model calls can produce a mark.
        let modelCalls = 0;
        for (const span of state.spans.values()) if (span.modelCall) modelCalls += 1;
        if (modelCalls > 0 && state.spans.size > 1) marksOf(traceId, state, marks);
      }
      return marks;
    },
    get size() {
      return traces.size;
    },
  };
}

/** A structure tracker (see {@link createStructureTracker}). */
export type StructureTracker = ReturnType<typeof createStructureTracker>;
