import { isValidTime, type AttributeValue, type SpanRecord } from '../otlp/span-record';
import { MODEL_OPERATIONS, ATTRIBUTE } from './schema';

/** The exporter's span kind spellings (traceutil.SpanKindStr, see schema.ts), by OTLP number. */
export const SPAN_KIND_NAMES = ['SPAN_KIND_UNSPECIFIED', 'SPAN_KIND_INTERNAL', 'SPAN_KIND_SERVER', 'SPAN_KIND_CLIENT', 'SPAN_KIND_PRODUCER', 'SPAN_KIND_CONSUMER'];
/** The exporter's status code spellings (traceutil.StatusCodeStr), by OTLP number. */
export const STATUS_CODE_NAMES = ['STATUS_CODE_UNSET', 'STATUS_CODE_OK', 'STATUS_CODE_ERROR'];

/** Span kind from the exporter's spelling (both `SPAN_KIND_CLIENT` and newer `Client`). */
export function spanKindNumber(text: string): number {
  const index = SPAN_KIND_NAMES.indexOf(text);
  if (index >= 0) return index;
  const short = ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'].indexOf(text.toLowerCase());
  return short >= 0 ? short : 0;
}

/** Status code from the exporter's spelling (`STATUS_CODE_ERROR` or newer `Error`). */
export function statusCodeNumber(text: string): number {
  const index = STATUS_CODE_NAMES.indexOf(text);
  if (index >= 0) return index;
  return text.toLowerCase() === 'error' ? 2 : text.toLowerCase() === 'ok' ? 1 : 0;
}

/** Epoch milliseconds (fractional) as integer nanoseconds in decimal text, exact past 2^53. */
export function msToNanosText(ms: number): string {
  if (!Number.isFinite(ms) || ms <= 0) return '0';
  const whole = Math.floor(ms);
  const fraction = Math.round((ms - whole) * 1e6);
  return (BigInt(whole) * 1_000_000n + BigInt(fraction)).toString();
}

/** An attribute value as the exporter stores it (`pcommon.Value.AsString`). */
export function attributeString(value: AttributeValue): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return JSON.stringify(value);
  return String(value);
}

/** An attribute map as the exporter stores it: every value as text (see {@link attributeString}). */
export function stringMap(attributes: Record<string, AttributeValue> | undefined): Record<string, string> {
  const map: Record<string, string> = {};
  if (!attributes) return map;
  for (const key in attributes) map[key] = attributeString(attributes[key]!);
  return map;
}

/**
 * One span as an `otel_traces` JSONEachRow line, column for column what the exporter writes
 * (materialized columns are computed by the engine and not sent).
 */
export function spanRow(span: SpanRecord): string {
  const start = msToNanosText(span.startMs);
  // An end before the start (or unset) is a zero-length span; an event without a plausible time sits at the start.
  const durationNanos = span.endMs > span.startMs ? Math.round((span.endMs - span.startMs) * 1e6) : 0;
  const eventTime = (ms: number) => msToNanosText(isValidTime(ms) ? ms : span.startMs);
  const resource = span.resourceAttributes ?? { 'service.name': span.serviceName };
  return JSON.stringify({
    Timestamp: start,
    TraceId: span.traceId,
    SpanId: span.spanId,
    ParentSpanId: span.parentSpanId ?? '',
    TraceState: span.traceState ?? '',
    SpanName: span.name,
    SpanKind: SPAN_KIND_NAMES[span.kind] ?? SPAN_KIND_NAMES[0],
    ServiceName: span.serviceName,
    ResourceAttributes: stringMap(resource),
    ScopeName: span.scopeName,
    ScopeVersion: span.scopeVersion ?? '',
    SpanAttributes: stringMap(span.attributes),
    Duration: durationNanos,
    StatusCode: STATUS_CODE_NAMES[span.statusCode] ?? STATUS_CODE_NAMES[0],
    StatusMessage: span.statusMessage ?? '',
    'Events.Timestamp': span.events.map((event) => eventTime(event.timeMs)),
    'Events.Name': span.events.map((event) => event.name),
    'Events.Attributes': span.events.map((event) => stringMap(event.attributes)),
    'Links.TraceId': span.links.map((link) => link.traceId),
    'Links.SpanId': span.links.map((link) => link.spanId),
    'Links.TraceState': span.links.map(() => ''),
    'Links.Attributes': span.links.map((link) => stringMap(link.attributes)),
  });
}

/** The exporter's insert columns, in the order {@link spanRowCompact} writes them. */
export const TRACE_COLUMNS = [
  'Timestamp', 'TraceId', 'SpanId', 'ParentSpanId', 'TraceState', 'SpanName', 'SpanKind', 'ServiceName', 'ResourceAttributes',
  'ScopeName', 'ScopeVersion', 'SpanAttributes', 'Duration', 'StatusCode', 'StatusMessage', 'Events.Timestamp', 'Events.Name',
  'Events.Attributes', 'Links.TraceId', 'Links.SpanId', 'Links.TraceState', 'Links.Attributes',
] as const;

/**
 * The same row as {@link spanRow} as a JSONCompactEachRow line (values in {@link TRACE_COLUMNS}
 * order): the engine parses it faster, since no column name is repeated per row.
 */
export function spanRowCompact(span: SpanRecord): string {
  const durationNanos = span.endMs > span.startMs ? Math.round((span.endMs - span.startMs) * 1e6) : 0;
  const eventTime = (ms: number) => msToNanosText(isValidTime(ms) ? ms : span.startMs);
  return JSON.stringify([
    msToNanosText(span.startMs),
    span.traceId,
    span.spanId,
    span.parentSpanId ?? '',
    span.traceState ?? '',
    span.name,
    SPAN_KIND_NAMES[span.kind] ?? SPAN_KIND_NAMES[0],
    span.serviceName,
    stringMap(span.resourceAttributes ?? { 'service.name': span.serviceName }),
    span.scopeName,
    span.scopeVersion ?? '',
    stringMap(span.attributes),
    durationNanos,
    STATUS_CODE_NAMES[span.statusCode] ?? STATUS_CODE_NAMES[0],
    span.statusMessage ?? '',
    span.events.map((event) => eventTime(event.timeMs)),
    span.events.map((event) => event.name),
    span.events.map((event) => stringMap(event.attributes)),
    span.links.map((link) => link.traceId),
    span.links.map((link) => link.spanId),
    span.links.map(() => ''),
    span.links.map((link) => stringMap(link.attributes)),
  ]);
}

const MODEL_OPERATION_SET = new Set<string>(MODEL_OPERATIONS);

/**
 * A model call's rollup dimensions as the engine computes them from the stored row (the
 * materialized columns), so a call marked later can be subtracted from the per-minute rollup.
 */
export interface RollupDimensions {
  Gateway: string;
  RequestModel: string;
  Upstream: string;
  PolicyHash: string;
  ErrorSource: string;
  IsError: number;
  CacheHit: number;
  CostCalls: number;
  Cost: number;
}

/** The few facts of a span the ingest-time structure rules need (see `marks.ts`). */
export interface SpanFact {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  serviceName: string;
  startMs: number;
  modelCall: boolean;
  isError: boolean;
  /** The upstream the span itself names (`gen_ai.route.upstream`, else `gen_ai.provider.name`, else `gen_ai.system`): a gateway span's side of the story. */
  namedUpstream: string;
  /** Set on model calls. */
  dimensions?: RollupDimensions;
}

/** The structure facts of one span. */
export function spanFact(span: SpanRecord): SpanFact {
  return spanFactOf(span.traceId, span.spanId, span.parentSpanId ?? '', span.serviceName, span.startMs, span.statusCode, (key) => {
    const value = span.attributes[key];
    return value === undefined ? '' : attributeString(value);
  });
}

/** The attribute keys {@link spanFactOf} reads. */
export const FACT_ATTRIBUTES = [
  ATTRIBUTE.operationName, ATTRIBUTE.gateway, ATTRIBUTE.requestModel, ATTRIBUTE.upstream, ATTRIBUTE.policyHash,
  ATTRIBUTE.errorSource, ATTRIBUTE.cacheHit, ATTRIBUTE.cost, ATTRIBUTE.providerName, ATTRIBUTE.system,
] as const;

/**
 * The structure facts of one span from its ids and its attributes' stored text (`text` answers ''
 * for a missing attribute; only {@link FACT_ATTRIBUTES} are asked for).
 */
export function spanFactOf(
  traceId: string,
  spanId: string,
  parentSpanId: string,
  serviceName: string,
  startMs: number,
  statusCode: number,
  text: (key: string) => string,
): SpanFact {
  // A model call's operation is a string value: only string text can be one of the names.
  const modelCall = MODEL_OPERATION_SET.has(text(ATTRIBUTE.operationName));
  let dimensions: RollupDimensions | undefined;
  if (modelCall) {
    const cost = text(ATTRIBUTE.cost);
    const costValue = cost === '' ? Number.NaN : Number(cost);
    dimensions = {
      Gateway: text(ATTRIBUTE.gateway),
      RequestModel: text(ATTRIBUTE.requestModel),
      Upstream: text(ATTRIBUTE.upstream),
      PolicyHash: text(ATTRIBUTE.policyHash),
      ErrorSource: text(ATTRIBUTE.errorSource),
      IsError: statusCode === 2 ? 1 : 0,
      CacheHit: text(ATTRIBUTE.cacheHit) === 'true' ? 1 : 0,
      CostCalls: Number.isFinite(costValue) ? 1 : 0,
      Cost: Number.isFinite(costValue) ? costValue : 0,
    };
  }
  return {
    traceId,
    spanId,
    parentSpanId,
    serviceName,
    startMs,
    modelCall,
    isError: statusCode === 2,
    namedUpstream: text(ATTRIBUTE.upstream) || text(ATTRIBUTE.providerName) || text(ATTRIBUTE.system),
    ...(dimensions ? { dimensions } : {}),
  };
}
