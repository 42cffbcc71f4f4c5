import { ATTRIBUTE, leafModelCalls, stringAttribute, type SpanRecord } from '../otlp/span-record';

/** Label used for calls with no gateway (a direct provider call). */
export const DIRECT = 'direct';
/** Label used when nothing revealed the upstream (servedby leaves the attribute unset). */
export const UNKNOWN = 'unknown';

/** The route facts of one model-call span, flattened for the analyses. */
export interface ModelCall {
  traceId: string;
  spanId: string;
  startMs: number;
  gateway: string;
  upstream: string;
  requestModel: string;
  responseModel?: string;
  error: boolean;
  fallback: boolean;
}

/** Picks the model calls out of a list of spans (wrappers excluded) and reads their route attributes. */
export function modelCallsOf(spans: readonly SpanRecord[]): ModelCall[] {
  const calls: ModelCall[] = [];
  for (const span of leafModelCalls(spans)) {
    const responseModel = stringAttribute(span, ATTRIBUTE.responseModel);
    calls.push({
      traceId: span.traceId,
      spanId: span.spanId,
      startMs: span.startMs,
      gateway: stringAttribute(span, ATTRIBUTE.gateway) ?? DIRECT,
      upstream: stringAttribute(span, ATTRIBUTE.upstream) ?? UNKNOWN,
      requestModel: stringAttribute(span, ATTRIBUTE.requestModel) ?? UNKNOWN,
      ...(responseModel ? { responseModel } : {}),
      error: span.statusCode === 2,
      fallback: span.attributes[ATTRIBUTE.fallback] === true,
    });
  }
  return calls;
}

const NICE_BUCKETS_MS = [
  1_000, 5_000, 10_000, 30_000, 60_000, 5 * 60_000, 10 * 60_000, 15 * 60_000, 30 * 60_000, 3_600_000,
  2 * 3_600_000, 3 * 3_600_000, 6 * 3_600_000, 12 * 3_600_000, 86_400_000,
];

/**
 * A bucket width that cuts a time range into roughly `target` windows, rounded to a width people
 * read at a glance (1 min, 15 min, 1 h …).
 */
export function chooseBucketMs(fromMs: number, toMs: number, target = 24): number {
  const ideal = Math.max(1, (toMs - fromMs) / target);
  return NICE_BUCKETS_MS.find((width) => width >= ideal) ?? NICE_BUCKETS_MS[NICE_BUCKETS_MS.length - 1]!;
}

/** The earliest and latest start of a list of timed things; undefined for an empty list. */
export function timeRange(items: ReadonlyArray<{ startMs: number }>): { fromMs: number; toMs: number } | undefined {
  if (items.length === 0) return undefined;
  let fromMs = Infinity;
  let toMs = -Infinity;
  for (const item of items) {
    if (item.startMs < fromMs) fromMs = item.startMs;
    if (item.startMs > toMs) toMs = item.startMs;
  }
  return { fromMs, toMs };
}
