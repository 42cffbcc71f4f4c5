import { isRecord } from './answer';
import type { Random } from './random';

/** An attribute value as OTLP/JSON carries it. */
export type AttributeValue = string | number | boolean;

/** One span the gateway exports, before OTLP encoding. Times are epoch milliseconds. */
export interface GatewaySpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  /** OTLP span kind: 1 internal, 2 server, 3 client. */
  kind: 1 | 2 | 3;
  startMs: number;
  endMs: number;
  attributes: Record<string, AttributeValue | undefined>;
  error?: string;
}

/** Where the gateway's spans go and how full the queue is. */
export interface BroadcastExporter {
  /** Queues spans; never waits, never throws. Spans past the queue bound are dropped and counted. */
  export(spans: GatewaySpan[], resource: Record<string, string>, scope: string): void;
  /** Resolves when everything queued so far was sent or dropped. */
  flush(): Promise<void>;
  stats(): { queued: number; sent: number; dropped: number };
  close(): Promise<void>;
}

/** Bounds of the exporter: at most this many spans wait; one POST at a time, each bounded in time. */
export interface BroadcastExporterOptions {
  endpoint: string;
  maxQueuedSpans?: number;
  maxBatchSpans?: number;
  /** Delay before a batch is sent, so the spans of close calls share one POST. */
  batchDelayMs?: number;
  requestTimeoutMs?: number;
}

interface Pending {
  span: GatewaySpan;
  resource: Record<string, string>;
  scope: string;
}

/** `http://host:4318` → `http://host:4318/v1/traces`; a URL that already names a path is kept. */
export function tracesUrl(endpoint: string): string {
  const url = new URL(endpoint);
  if (url.pathname === '/' || url.pathname === '') url.pathname = '/v1/traces';
  return url.toString();
}

function encodeAttributes(attributes: Record<string, AttributeValue | undefined>) {
  const encoded: Array<{ key: string; value: Record<string, unknown> }> = [];
  for (const [key, value] of Object.entries(attributes)) {
    if (value === undefined) continue;
    if (typeof value === 'string') encoded.push({ key, value: { stringValue: value } });
    else if (typeof value === 'boolean') encoded.push({ key, value: { boolValue: value } });
    else if (Number.isInteger(value)) encoded.push({ key, value: { intValue: String(value) } });
    else encoded.push({ key, value: { doubleValue: value } });
  }
  return encoded;
}

function nanos(milliseconds: number): string {
  return (BigInt(Math.round(milliseconds * 1000)) * 1000n).toString();
}

/** OTLP/HTTP JSON body (`ExportTraceServiceRequest`) for spans sharing resources and scopes. */
export function otlpJson(pending: Array<{ span: GatewaySpan; resource: Record<string, string>; scope: string }>): unknown {
  const byResource = new Map<string, { resource: Record<string, string>; scopes: Map<string, GatewaySpan[]> }>();
  for (const item of pending) {
    const resourceKey = JSON.stringify(item.resource);
    let group = byResource.get(resourceKey);
    if (!group) {
      group = { resource: item.resource, scopes: new Map() };
      byResource.set(resourceKey, group);
    }
    const spans = group.scopes.get(item.scope) ?? [];
    spans.push(item.span);
    group.scopes.set(item.scope, spans);
  }
  return {
    resourceSpans: [...byResource.values()].map((group) => ({
      resource: { attributes: encodeAttributes(group.resource) },
      scopeSpans: [...group.scopes.entries()].map(([scope, spans]) => ({
        scope: { name: scope },
        spans: spans.map((span) => ({
          traceId: span.traceId,
          spanId: span.spanId,
          ...(span.parentSpanId ? { parentSpanId: span.parentSpanId } : {}),
          name: span.name,
          kind: span.kind,
          startTimeUnixNano: nanos(span.startMs),
          endTimeUnixNano: nanos(Math.max(span.endMs, span.startMs)),
          attributes: encodeAttributes(span.attributes),
          status: span.error ? { code: 2, message: span.error } : { code: 1 },
        })),
      })),
    })),
  };
}

/**
 * A small batching OTLP/HTTP JSON exporter. The request handler only pushes to a bounded queue;
 * a timer sends batches, one POST in flight at a time, each with a timeout. A failing or slow
 * endpoint costs dropped spans, never a slower answer.
 */
export function createBroadcastExporter(options: BroadcastExporterOptions): BroadcastExporter {
  const url = tracesUrl(options.endpoint);
  const maxQueued = options.maxQueuedSpans ?? 2048;
  const maxBatch = options.maxBatchSpans ?? 256;
  const delay = options.batchDelayMs ?? 50;
  const timeout = options.requestTimeoutMs ?? 2000;
  const queue: Pending[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  let inFlight: Promise<void> | undefined;
  let closed = false;
  const counts = { queued: 0, sent: 0, dropped: 0 };

  const sendBatch = async (): Promise<void> => {
    const batch = queue.splice(0, maxBatch);
    if (!batch.length) return;
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(otlpJson(batch)),
        signal: AbortSignal.timeout(timeout),
      });
      await response.arrayBuffer().catch(() => undefined);
      if (response.ok) counts.sent += batch.length;
      else counts.dropped += batch.length;
    } catch {
      counts.dropped += batch.length;
    }
  };

  const drain = (): Promise<void> => {
    if (inFlight) return inFlight;
    inFlight = (async () => {
      while (queue.length) await sendBatch();
    })().finally(() => {
      inFlight = undefined;
    });
    return inFlight;
  };

  const schedule = (): void => {
    if (timer || closed) return;
    timer = setTimeout(() => {
      timer = undefined;
      void drain();
    }, delay);
    timer.unref?.();
  };

  return {
    export(spans, resource, scope) {
      if (closed) {
        counts.dropped += spans.length;
        return;
      }
      for (const span of spans) {
        if (queue.length >= maxQueued) {
          counts.dropped += 1;
          continue;
        }
        queue.push({ span, resource, scope });
        counts.queued += 1;
      }
      schedule();
    },
    async flush() {
      if (timer) {
        clearTimeout(timer);
        timer = undefined;
      }
      while (queue.length || inFlight) await drain();
    },
    stats: () => ({ ...counts }),
    async close() {
      closed = true;
      // Bounded: a dead endpoint may hold back shutdown for one request timeout, not one per batch.
      let bound: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([this.flush(), new Promise<void>((resolve) => (bound = setTimeout(resolve, timeout)))]);
      clearTimeout(bound);
      counts.dropped += queue.length;
      queue.length = 0;
    },
  };
}

/** A W3C trace context (`traceparent`) or OpenRouter's body `trace.trace_id` / `trace.parent_span_id`. */
export interface IncomingTraceContext {
  traceId: string;
  parentSpanId?: string;
}

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;
const ZERO_TRACE = '0'.repeat(32);
const ZERO_SPAN = '0'.repeat(16);

/** Parses a `traceparent` header (W3C Trace Context §3.2); undefined when malformed or all-zero. */
export function parseTraceparent(value: string | undefined): IncomingTraceContext | undefined {
  const match = TRACEPARENT.exec((value ?? '').trim().toLowerCase());
  if (!match || match[1] === 'ff' || match[2] === ZERO_TRACE || match[3] === ZERO_SPAN) return undefined;
  return { traceId: match[2]!, parentSpanId: match[3]! };
}

/**
 * The trace an OpenRouter request asks its spans to join: body `trace.trace_id` (+ `parent_span_id`)
 * first, as OpenRouter documents it, else a W3C `traceparent` header. Ids that are not OTLP-shaped
 * hex are ignored.
 */
export function incomingTraceContext(body: Record<string, unknown>, headers: Record<string, string>): IncomingTraceContext | undefined {
  const trace = isRecord(body.trace) ? body.trace : undefined;
  const traceId = typeof trace?.trace_id === 'string' ? trace.trace_id.toLowerCase() : undefined;
  if (traceId && /^[0-9a-f]{32}$/.test(traceId) && traceId !== ZERO_TRACE) {
    const parent = typeof trace?.parent_span_id === 'string' ? trace.parent_span_id.toLowerCase() : undefined;
    return { traceId, parentSpanId: parent && /^[0-9a-f]{16}$/.test(parent) && parent !== ZERO_SPAN ? parent : undefined };
  }
  return parseTraceparent(headers.traceparent);
}

/** Fresh OTLP ids from a seeded generator. */
export function spanIdFrom(random: Random): string {
  return random.hex(16);
}

/** A 32-hex trace id from a seeded generator. */
export function traceIdFrom(random: Random): string {
  return random.hex(32);
}
