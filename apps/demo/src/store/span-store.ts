import { computeDrift, type Drift } from '../analysis/drift';
import { computeEvalCrossTab, type EvalCrossTab } from '../analysis/eval-crosstab';
import { modelCallsOf, type ModelCall } from '../analysis/model-calls';
import { computeTopology, type Topology } from '../analysis/topology';
import {
  ATTRIBUTE,
  attributeText,
  isEvalItem,
  leafModelCalls,
  stringAttribute,
  type SpanRecord,
} from '../otlp/span-record';

/** One `key=value`, `key!=value` or bare `key` (exists) condition of the Traces filter. */
export interface AttributeFilter {
  key: string;
  operator: '=' | '!=' | 'exists';
  value?: string;
}

/** Parses `gen_ai.route.upstream = together`, `error.type != timeout` or `gen_ai.route.fallback`. */
export function parseFilter(text: string): AttributeFilter | undefined {
  const trimmed = text.trim();
  if (!trimmed) return undefined;
  const match = /^([^!=\s]+)\s*(!=|=)\s*(.*)$/.exec(trimmed);
  if (!match) return { key: trimmed, operator: 'exists' };
  return { key: match[1]!, operator: match[2] as '=' | '!=', value: match[3]!.trim() };
}

/** Fields that filters may name besides attributes. */
function fieldValue(span: SpanRecord, key: string): string | undefined {
  if (key === 'name') return span.name;
  if (key === 'service.name') return span.serviceName;
  if (key === 'status') return span.statusCode === 2 ? 'error' : span.statusCode === 1 ? 'ok' : 'unset';
  const value = span.attributes[key];
  return value === undefined ? undefined : attributeText(value);
}

function spanMatches(span: SpanRecord, filter: AttributeFilter): boolean {
  const value = fieldValue(span, filter.key);
  if (filter.operator === 'exists') return value !== undefined;
  if (value === undefined) return false;
  const matches = value === filter.value || (Array.isArray(span.attributes[filter.key]) && value.split(',').includes(filter.value!));
  return filter.operator === '=' ? matches : !matches;
}

/** One row of the Traces page. */
export interface TraceSummary {
  traceId: string;
  rootName: string;
  serviceName: string;
  startMs: number;
  durationMs: number;
  spanCount: number;
  modelCalls: number;
  errors: number;
  gateways: string[];
  upstreams: string[];
  requestModels: string[];
  evalScore?: number;
}

/** In-memory span storage with the viewer's queries; analyses are cached until new spans arrive. */
export interface SpanStore {
  add(spans: readonly SpanRecord[]): void;
  readonly size: number;
  spans(): readonly SpanRecord[];
  trace(traceId: string): SpanRecord[];
  traces(options?: { filters?: AttributeFilter[]; limit?: number; offset?: number }): { total: number; traces: TraceSummary[] };
  attributeKeys(): Array<{ key: string; count: number; values: Array<{ value: string; count: number }> }>;
  modelCalls(): ModelCall[];
  /** Counts and the model calls' time range, for the page header. */
  summary(): { spans: number; traces: number; modelCalls: number; fromMs?: number; toMs?: number };
  topology(window?: { fromMs?: number; toMs?: number }): Topology;
  drift(options?: { bucketMs?: number }): Drift;
  evalCrossTab(): EvalCrossTab;
  clear(): void;
}

function summarize(traceId: string, spans: readonly SpanRecord[]): TraceSummary {
  const spanIds = new Set(spans.map((span) => span.spanId));
  let root: SpanRecord | undefined;
  let startMs = Infinity;
  let endMs = -Infinity;
  let modelCalls = 0;
  let errors = 0;
  let evalScore: number | undefined;
  const gateways = new Set<string>();
  const upstreams = new Set<string>();
  const requestModels = new Set<string>();
  const modelCallSpans = new Set(leafModelCalls(spans));
  for (const span of spans) {
    const isRoot = !span.parentSpanId || !spanIds.has(span.parentSpanId);
    if (isRoot && (!root || span.startMs < root.startMs)) root = span;
    startMs = Math.min(startMs, span.startMs);
    endMs = Math.max(endMs, span.endMs);
    if (span.statusCode === 2) errors += 1;
    if (modelCallSpans.has(span)) {
      modelCalls += 1;
      const gateway = stringAttribute(span, ATTRIBUTE.gateway);
      const upstream = stringAttribute(span, ATTRIBUTE.upstream);
      const requestModel = stringAttribute(span, ATTRIBUTE.requestModel);
      if (gateway) gateways.add(gateway);
      if (upstream) upstreams.add(upstream);
      if (requestModel) requestModels.add(requestModel);
    }
    if (isEvalItem(span) && evalScore === undefined) evalScore = span.attributes[ATTRIBUTE.evaluationScore] as number;
  }
  root ??= spans[0]!;
  return {
    traceId,
    rootName: root.name,
    serviceName: root.serviceName,
    startMs,
    durationMs: endMs - startMs,
    spanCount: spans.length,
    modelCalls,
    errors,
    gateways: [...gateways],
    upstreams: [...upstreams],
    requestModels: [...requestModels],
    ...(evalScore === undefined ? {} : { evalScore }),
  };
}

/** Creates an empty span store. */
export function createSpanStore(): SpanStore {
  let all: SpanRecord[] = [];
  let byTrace = new Map<string, SpanRecord[]>();
  let cache = new Map<string, unknown>();

  function cached<T>(key: string, compute: () => T): T {
    if (!cache.has(key)) cache.set(key, compute());
    return cache.get(key) as T;
  }

  function summaries(): TraceSummary[] {
    return cached('summaries', () => {
      const list = [...byTrace.entries()].map(([traceId, spans]) => summarize(traceId, spans));
      return list.sort((a, b) => b.startMs - a.startMs);
    });
  }

  return {
    add(spans) {
      for (const span of spans) {
        all.push(span);
        let list = byTrace.get(span.traceId);
        if (!list) byTrace.set(span.traceId, (list = []));
        list.push(span);
      }
      if (spans.length > 0) cache = new Map();
    },
    get size() {
      return all.length;
    },
    spans: () => all,
    trace: (traceId) => [...(byTrace.get(traceId) ?? [])].sort((a, b) => a.startMs - b.startMs),
    traces({ filters = [], limit = 100, offset = 0 } = {}) {
      let list = summaries();
      if (filters.length > 0) {
        const key = `traces:${JSON.stringify(filters)}`;
        list = cached(key, () => list.filter((summary) => {
          const spans = byTrace.get(summary.traceId)!;
          return filters.every((filter) =>
            filter.operator === '!='
              ? !spans.some((span) => spanMatches(span, { ...filter, operator: '=' }))
              : spans.some((span) => spanMatches(span, filter)),
          );
        }));
      }
      return { total: list.length, traces: list.slice(offset, offset + limit) };
    },
    attributeKeys() {
      return cached('attributeKeys', () => {
        const keys = new Map<string, { count: number; values: Map<string, number> }>();
        for (const span of all) {
          for (const [key, value] of Object.entries(span.attributes)) {
            let entry = keys.get(key);
            if (!entry) keys.set(key, (entry = { count: 0, values: new Map() }));
            entry.count += 1;
            // Only low-cardinality values are worth suggesting; ids and texts are skipped.
            if (entry.values.size <= 50) {
              const text = attributeText(value);
              if (text.length <= 80) entry.values.set(text, (entry.values.get(text) ?? 0) + 1);
            }
          }
        }
        return [...keys.entries()]
          .map(([key, entry]) => ({
            key,
            count: entry.count,
            values:
              entry.values.size > 50
                ? []
                : [...entry.values.entries()].map(([value, count]) => ({ value, count })).sort((a, b) => b.count - a.count),
          }))
          .sort((a, b) => a.key.localeCompare(b.key));
      });
    },
    modelCalls: () => cached('modelCalls', () => modelCallsOf(all)),
    summary() {
      return cached('summary', () => {
        let fromMs: number | undefined;
        let toMs: number | undefined;
        for (const call of this.modelCalls()) {
          if (fromMs === undefined || call.startMs < fromMs) fromMs = call.startMs;
          if (toMs === undefined || call.startMs > toMs) toMs = call.startMs;
        }
        return {
          spans: all.length,
          traces: byTrace.size,
          modelCalls: this.modelCalls().length,
          ...(fromMs === undefined ? {} : { fromMs, toMs }),
        };
      });
    },
    topology(window = {}) {
      return cached(`topology:${window.fromMs}:${window.toMs}`, () => computeTopology(this.modelCalls(), window));
    },
    drift({ bucketMs } = {}) {
      return cached(`drift:${bucketMs}`, () => computeDrift(this.modelCalls(), bucketMs ? { bucketMs } : {}));
    },
    evalCrossTab() {
      return cached('eval', () => computeEvalCrossTab(all, { drift: this.drift() }));
    },
    clear() {
      all = [];
      byTrace = new Map();
      cache = new Map();
    },
  };
}
