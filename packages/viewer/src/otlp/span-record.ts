/** An attribute value as OTLP carries it, flattened to plain JSON. */
export type AttributeValue = string | number | boolean | Array<string | number | boolean>;

/** A link from one span to another (OTLP `Span.Link`). */
export interface SpanLinkRecord {
  traceId: string;
  spanId: string;
  attributes: Record<string, AttributeValue>;
}

/** A timed event on a span (OTLP `Span.Event`). */
export interface SpanEventRecord {
  name: string;
  timeMs: number;
  attributes: Record<string, AttributeValue>;
}

/**
 * One span, decoded from OTLP (JSON or protobuf) into the flat shape the viewer, the analyses and
 * the report work on. Times are epoch milliseconds (fractional): enough precision for a viewer and
 * cheap to sort and bucket, unlike nanosecond strings.
 */
export interface SpanRecord {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  /** OTLP span kind: 0 unspecified, 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
  kind: number;
  startMs: number;
  endMs: number;
  /** OTLP status code: 0 unset, 1 ok, 2 error. */
  statusCode: number;
  statusMessage?: string;
  attributes: Record<string, AttributeValue>;
  /** `service.name` of the resource that produced the span. */
  serviceName: string;
  /** Every resource attribute (with `service.name`), when the decoder kept them. */
  resourceAttributes?: Record<string, AttributeValue>;
  /** Instrumentation scope name. */
  scopeName: string;
  scopeVersion?: string;
  traceState?: string;
  events: SpanEventRecord[];
  links: SpanLinkRecord[];
}

export { ATTRIBUTE } from '../store/schema';

/** Formats an attribute value for display and for `key=value` filters (arrays comma-joined). */
export function attributeText(value: AttributeValue | undefined): string {
  if (value === undefined) return '';
  return Array.isArray(value) ? value.join(',') : String(value);
}

/** Span times the store accepts: 2000-01-01 to 2200-01-01 (a zero or garbage timestamp is an invalid span). */
export const MIN_TIME_MS = 946_684_800_000;
export const MAX_TIME_MS = 7_258_118_400_000;

/** Whether an epoch-milliseconds time is a plausible span time. */
export function isValidTime(ms: number): boolean {
  return Number.isFinite(ms) && ms >= MIN_TIME_MS && ms < MAX_TIME_MS;
}
