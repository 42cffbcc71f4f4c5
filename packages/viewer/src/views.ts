import { analyzeDrift, chooseBucketMs, describeRule, minimumBucketMs } from './analysis/drift';
import { evalCrossTab } from './analysis/eval';
import type { DriftResponse, EvalResponse, PoliciesResponse, SummaryResponse, TopologyResponse } from './api-types';
import type { TimeRange, TraceStore } from './store/trace-store';

/** A parameter the caller got wrong: the server answers 400 with its message. */
export class InvalidParameterError extends Error {
  override readonly name = 'InvalidParameterError';
}

/** How many changed traces one drift answer lists. */
const CHANGED_TRACE_LIMIT = 1_000;
/** How many eval items one eval answer reads. */
const EVAL_ITEM_LIMIT = 20_000;

/**
 * The composite views: each reads its SQL view(s) from the store and applies the rules that are
 * not SQL (the change-point test on windowed counts, the eval regression). Answers are cached per
 * store version (every ingest bumps it), so a page reload on an idle viewer costs nothing.
 */
export function createViews(store: TraceStore) {
  let cacheVersion = -1;
  const cache = new Map<string, Promise<unknown>>();

  function cached<T>(key: string, compute: () => Promise<T>): Promise<T> {
    if (store.version !== cacheVersion) {
      cache.clear();
      cacheVersion = store.version;
    }
    let entry = cache.get(key) as Promise<T> | undefined;
    if (!entry) {
      entry = compute();
      // A failed query is not remembered.
      entry.catch(() => cache.delete(key));
      if (cache.size > 200) cache.delete(cache.keys().next().value!);
      cache.set(key, entry);
    }
    return entry;
  }

  const summary = () => cached('summary', () => store.summary());

  async function resolveRange(range: TimeRange): Promise<{ fromMs: number; toMs: number } | undefined> {
    const known = (await summary()) as Omit<SummaryResponse, 'metricsAndLogsRequests'>;
    const fromMs = range.fromMs ?? known.fromMs;
    const toMs = range.toMs ?? (known.toMs === undefined ? undefined : known.toMs + 1);
    if (fromMs === undefined || toMs === undefined) return undefined;
    if (toMs <= fromMs) throw new InvalidParameterError('to must be after from');
    return { fromMs, toMs };
  }

  const policies = (range: TimeRange = {}) => cached(`policies:${range.fromMs}:${range.toMs}`, () => store.policies(range));

  async function drift(options: TimeRange & { bucketMs?: number } = {}): Promise<DriftResponse> {
    const range = await resolveRange(options);
    const rule = describeRule();
    if (!range) {
      return { bucketMs: options.bucketMs ?? 3_600_000, minBucketMs: 1_000, rule, upstreams: [], series: [], changedTraces: [], changedTraceTotal: 0, windows: [], policyChanges: [] };
    }
    const minBucketMs = minimumBucketMs(range.fromMs, range.toMs);
    const bucketMs = options.bucketMs ?? Math.max(minBucketMs, chooseBucketMs(range.fromMs, range.toMs));
    if (bucketMs < minBucketMs) {
      throw new InvalidParameterError(`bucket must be at least ${minBucketMs} ms for this range (at most 2,000 windows)`);
    }
    return cached(`drift:${range.fromMs}:${range.toMs}:${bucketMs}`, async () => {
      const origin = Math.floor(range.fromMs / bucketMs) * bucketMs;
      const bucketCount = Math.max(1, Math.ceil((range.toMs - origin) / bucketMs));
      const [counts, policyView] = await Promise.all([
        store.driftCounts({ fromMs: origin, toMs: range.toMs, bucketMs }),
        policies({ fromMs: range.fromMs, toMs: range.toMs }),
      ]);
      const analysis = analyzeDrift(counts, { fromMs: origin, bucketMs, bucketCount });
      const changed = await store.changedTraces(analysis.changedSegments, CHANGED_TRACE_LIMIT);
      return {
        bucketMs,
        minBucketMs,
        fromMs: origin,
        toMs: origin + bucketCount * bucketMs,
        rule,
        upstreams: analysis.upstreams,
        series: analysis.series,
        changedTraces: changed.traces.map(({ traceId, spanId, startMs, gateway, requestModel, upstream, previousUpstream }) => ({
          traceId,
          spanId,
          startMs,
          gateway,
          requestModel,
          upstream,
          previousUpstream,
        })),
        changedTraceTotal: changed.total,
        windows: analysis.windows,
        policyChanges: (policyView as PoliciesResponse).changes,
      };
    });
  }

  return {
    summary,
    drift,
    policies,
    async topology(range: TimeRange = {}): Promise<TopologyResponse> {
      return cached(`topology:${range.fromMs}:${range.toMs}`, async () => {
        const [rows, driftView] = await Promise.all([store.topologyRows(range), drift()]);
        const byModel = new Map<string, TopologyResponse['models'][number]>();
        let calls = 0;
        for (const row of rows) {
          let model = byModel.get(row.requestModel);
          if (!model) byModel.set(row.requestModel, (model = { requestModel: row.requestModel, calls: 0, flows: [] }));
          model.calls += row.calls;
          calls += row.calls;
          model.flows.push({ gateway: row.gateway, upstream: row.upstream, calls: row.calls, share: 0, errors: row.errors });
        }
        for (const model of byModel.values()) for (const flow of model.flows) flow.share = flow.calls / model.calls;
        const models = [...byModel.values()].sort((a, b) => b.calls - a.calls);
        return { ...range, calls, models, windows: driftView.windows };
      });
    },
    async evaluation(range: TimeRange = {}): Promise<EvalResponse> {
      return cached(`eval:${range.fromMs}:${range.toMs}`, async () => {
        const [rows, driftView] = await Promise.all([store.evalItems(range, EVAL_ITEM_LIMIT), drift()]);
        return evalCrossTab(rows, { series: driftView.series, windowsOfChange: driftView.windows, policyChanges: driftView.policyChanges });
      });
    },
    cost: (range: TimeRange = {}) => cached(`cost:${range.fromMs}:${range.toMs}`, () => store.cost(range)),
    errors: (range: TimeRange = {}) => cached(`errors:${range.fromMs}:${range.toMs}`, () => store.errors(range)),
    gatewaySpans: (range: TimeRange = {}) => cached(`gateway:${range.fromMs}:${range.toMs}`, () => store.gatewayDisagreements(range, 1_000)),
    attributes: () => cached('attributes', () => store.attributes()),
  };
}

/** The composite views of a store. */
export type Views = ReturnType<typeof createViews>;
