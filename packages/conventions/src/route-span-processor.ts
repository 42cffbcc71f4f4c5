import { diag, type AttributeValue, type Attributes, type Context, type SpanContext } from '@opentelemetry/api';
import { deriveRoute } from './derive-route';
import { resolveSemconvMode, routeAttributes } from './route-attributes';
import { httpExchangeOf, isHttpClientSpan, type HttpExchangeFacts } from './route-span-processor/http-exchange';
import type { PeerSpanFacts } from './route-span-processor/peer-spans';
import { readPeerSpan } from './route-span-processor/readers';
import {
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_ROUTE_GATEWAY,
  ATTR_GEN_AI_ROUTE_UPSTREAM,
  ATTR_GEN_AI_ROUTE_UPSTREAMS,
  ATTR_GEN_AI_SYSTEM,
} from './semconv';
import type { RouteAttribution, RouteObservation, SemconvMode } from './types';

/**
 * The part of an SDK span the processor reads and writes. Structural, so this package needs no
 * dependency on an SDK: the `Span` of `@opentelemetry/sdk-trace-base` 2.x and of
 * `@opentelemetry/sdk-trace` 3.x both satisfy it.
 */
export interface EndingSpan {
  /** Span name. */
  readonly name: string;
  /** Attributes set so far. */
  readonly attributes: Attributes;
  /** Parent span context, when the span has a parent. */
  readonly parentSpanContext?: SpanContext;
  /** The span's own context. */
  spanContext(): SpanContext;
  /** Sets one attribute (still allowed in `onEnding`). */
  setAttribute(key: string, value: AttributeValue): unknown;
}

/** Options of {@link RouteSpanProcessor}. */
export interface RouteSpanProcessorOptions {
  /** Which system attribute names to add when a span has neither. Default: from the environment, else `both`. */
  semconv?: SemconvMode;
  /**
   * How many unfinished parent spans to remember upstreams and HTTP exchanges for at once (bounds
   * memory if spans never end). Default 10 000.
   */
  maxTrackedParents?: number;
}

// HTTP client spans remembered per parent: a retried call makes a few, never many.
const MAX_EXCHANGES_PER_PARENT = 4;
// Distinct upstreams kept per parent, and the longest upstream rolled up (ids are short names).
const MAX_UPSTREAMS_PER_PARENT = 32;
const MAX_UPSTREAM_LENGTH = 256;

/**
 * A `SpanProcessor` that, as each span ends, adds the route (`gen_ai.route.*`, and the system,
 * response model and region when the span lacks them) to the model-call spans other
 * instrumentations made — OpenInference, OpenLLMetry, `@ai-sdk/otel` and AI SDK 5/6 telemetry,
 * Langfuse, the aws-sdk instrumentation — from what those spans really carry: raw response JSON
 * (OpenInference `output.value`), response ids and models, `ai.response.providerMetadata`,
 * `server.address`, the AWS request id, and `http.response.header.*` captured by an HTTP client
 * instrumentation on the span or on its HTTP child span.
 *
 * A peer's provider label (`gen_ai.system=openai` on an OpenLLMetry span, `llm.system`,
 * `ai.model.provider`) names the client class, not who served: it never decides a gateway or an
 * upstream. When nothing that may decide is on the span, the processor adds nothing.
 *
 * It never overwrites an attribute a span has; spans servedby attributed itself are left alone.
 * Parent spans get `gen_ai.route.upstreams`: the distinct upstreams of their descendants.
 *
 * Needs an SDK that calls `onEnding` (`@opentelemetry/sdk-trace-base` 2.1 or later, or
 * `@opentelemetry/sdk-trace` 3.x).
 *
 * @example
 * ```ts
 * new NodeTracerProvider({ spanProcessors: [new RouteSpanProcessor(), new BatchSpanProcessor(exporter)] });
 * ```
 */
export class RouteSpanProcessor {
  private readonly semconv: SemconvMode;
  private readonly maxTrackedParents: number;
  // Upstreams seen below each unfinished parent span, keyed by trace and span id.
  private readonly upstreamsByParent = new Map<string, Set<string>>();
  // HTTP client spans started below each unfinished span (their response headers arrive later).
  private readonly exchangesByParent = new Map<string, EndingSpan[]>();

  /** Creates the processor; see {@link RouteSpanProcessorOptions}. */
  constructor(options: RouteSpanProcessorOptions = {}) {
    this.semconv = resolveSemconvMode(options.semconv);
    const max = options.maxTrackedParents;
    this.maxTrackedParents = typeof max === 'number' && Number.isFinite(max) && max >= 1 ? Math.floor(max) : 10_000;
  }

  /**
   * Remembers HTTP client spans under their parent, whose route their response headers may
   * reveal when the parent (a model call) ends. Any parent: OpenInference sets its span kind only
   * after the span started. At most 4 per parent, for at most `maxTrackedParents` parents. Never throws.
   */
  onStart(span: unknown, _parentContext: Context): void {
    try {
      const started = span as EndingSpan;
      const parent = started.parentSpanContext;
      if (!parent || !isHttpClientSpan(started.attributes)) return;
      const key = spanKey(parent);
      const list = this.exchangesByParent.get(key);
      if (list) {
        if (list.length >= MAX_EXCHANGES_PER_PARENT) list.shift();
        list.push(started);
      } else {
        boundedSet(this.exchangesByParent, key, [started], this.maxTrackedParents);
      }
    } catch (error) {
      diag.warn('servedby: RouteSpanProcessor could not look at a starting span', error);
    }
  }

  /** Adds route attributes while the span can still be written. Never throws. */
  onEnding(span: EndingSpan): void {
    try {
      this.enrich(span);
    } catch (error) {
      diag.warn('servedby: RouteSpanProcessor could not enrich a span', error);
    }
  }

  /** Nothing to do when a span has ended. */
  onEnd(_span: unknown): void {}

  /** Nothing is buffered. */
  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  /** Forgets the upstreams and HTTP exchanges of parents that never ended. */
  shutdown(): Promise<void> {
    this.upstreamsByParent.clear();
    this.exchangesByParent.clear();
    return Promise.resolve();
  }

  private enrich(span: EndingSpan): void {
    const attributes = span.attributes;
    const ownKey = spanKey(span.spanContext());
    const children = this.exchangesByParent.get(ownKey);
    if (children) this.exchangesByParent.delete(ownKey);
    let upstream = stringValue(attributes[ATTR_GEN_AI_ROUTE_UPSTREAM]);
    if (upstream === undefined && attributes[ATTR_GEN_AI_ROUTE_GATEWAY] === undefined) {
      const facts = readPeerSpan(attributes);
      if (facts) {
        const attribution = deriveRoute(observationOf(facts, exchangeOf(attributes, children)));
        if (attribution.gateway !== undefined || attribution.upstream !== undefined) {
          this.write(span, attribution);
          upstream = attribution.upstream;
        }
      }
    }
    this.rollUpUpstreams(span, ownKey, upstream);
  }

  private write(span: EndingSpan, attribution: RouteAttribution): void {
    const attributes = span.attributes;
    const hasSystem = attributes[ATTR_GEN_AI_SYSTEM] !== undefined || attributes[ATTR_GEN_AI_PROVIDER_NAME] !== undefined;
    for (const [key, value] of Object.entries(routeAttributes(attribution, { semconv: this.semconv }))) {
      if (value === undefined) continue;
      // Route attributes are ours to add; everything else only fills a gap, and the system
      // attributes only when the span has neither of them.
      if ((key === ATTR_GEN_AI_SYSTEM || key === ATTR_GEN_AI_PROVIDER_NAME) && hasSystem) continue;
      if (key.startsWith('gen_ai.route.') || attributes[key] === undefined) span.setAttribute(key, value);
    }
  }

  private rollUpUpstreams(span: EndingSpan, ownKey: string, upstream: string | undefined): void {
    const below = this.upstreamsByParent.get(ownKey);
    this.upstreamsByParent.delete(ownKey);
    if (below && below.size > 0 && span.attributes[ATTR_GEN_AI_ROUTE_UPSTREAMS] === undefined) {
      span.setAttribute(ATTR_GEN_AI_ROUTE_UPSTREAMS, [...below]);
    }
    const parent = span.parentSpanContext;
    if (!parent) return;
    const toParent = new Set(below);
    if (upstream && upstream.length <= MAX_UPSTREAM_LENGTH) toParent.add(upstream);
    if (toParent.size === 0) return;
    const parentKey = spanKey(parent);
    let parentSet = this.upstreamsByParent.get(parentKey);
    if (!parentSet) {
      parentSet = new Set();
      boundedSet(this.upstreamsByParent, parentKey, parentSet, this.maxTrackedParents);
    }
    for (const value of toParent) {
      if (parentSet.size >= MAX_UPSTREAMS_PER_PARENT) break;
      parentSet.add(value);
    }
  }
}

/**
 * Creates a {@link RouteSpanProcessor}. Same as `new RouteSpanProcessor(options)`.
 */
export function createRouteSpanProcessor(options?: RouteSpanProcessorOptions): RouteSpanProcessor {
  return new RouteSpanProcessor(options);
}

/** Headers and URL captured on the span itself, else on its last HTTP child span that has any. */
function exchangeOf(attributes: Attributes, children: EndingSpan[] | undefined): HttpExchangeFacts | undefined {
  const own = httpExchangeOf(attributes);
  if (own && own.responseHeaders.length > 0) return own;
  if (children) {
    for (let index = children.length - 1; index >= 0; index--) {
      const child = httpExchangeOf(children[index]!.attributes);
      if (child && (child.responseHeaders.length > 0 || child.status !== undefined)) return child;
    }
  }
  return own;
}

/**
 * The observation deriveRoute gets. The peer's label goes in as `clientLabel`, never as
 * `providerHint`: it only says which client class ran and may not decide a gateway or an upstream
 * (DESIGN §2.7).
 */
function observationOf(facts: PeerSpanFacts, exchange: HttpExchangeFacts | undefined): RouteObservation {
  const observation: RouteObservation = {};
  if (facts.clientLabel) observation.clientLabel = facts.clientLabel;
  if (facts.requestModel) observation.requestModel = facts.requestModel;
  const url = exchange?.url ?? facts.url;
  if (url) observation.url = url;
  const headers = [...(exchange?.responseHeaders ?? []), ...(facts.responseHeaders ?? [])];
  if (headers.length > 0) observation.responseHeaders = headers;
  if (exchange?.status !== undefined) observation.status = exchange.status;
  if (facts.responseBody) {
    observation.responseBody = facts.responseBody;
  } else if (facts.responseId || facts.responseModel) {
    observation.responseBody = {
      ...(facts.responseId ? { id: facts.responseId } : {}),
      ...(facts.responseModel ? { model: facts.responseModel } : {}),
    };
  }
  if (facts.providerMetadata) observation.providerMetadata = facts.providerMetadata;
  if (facts.region) observation.region = facts.region;
  if (facts.requestBody) observation.request = { body: facts.requestBody };
  return observation;
}

function boundedSet<V>(map: Map<string, V>, key: string, value: V, max: number): void {
  while (map.size >= max) {
    // Drop the oldest entry: a parent that never ended must not grow memory forever.
    const oldest = map.keys().next().value;
    if (oldest === undefined) break;
    map.delete(oldest);
  }
  map.set(key, value);
}

function stringValue(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

function spanKey(spanContext: SpanContext): string {
  return `${spanContext.traceId}/${spanContext.spanId}`;
}
