import { diag, type AttributeValue, type Attributes, type Context, type SpanContext } from '@opentelemetry/api';
import { deriveRoute } from './derive-route';
import { resolveSemconvMode, routeAttributes } from './route-attributes';
import {
  ATTR_AWS_REGION,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_ROUTE_GATEWAY,
  ATTR_GEN_AI_ROUTE_UPSTREAM,
  ATTR_GEN_AI_ROUTE_UPSTREAMS,
  ATTR_GEN_AI_SYSTEM,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
} from './semconv';
import type { RouteObservation, SemconvMode } from './types';

/**
 * The part of an SDK span the processor reads and writes. Structural, so this package needs no
 * dependency on `@opentelemetry/sdk-trace-base`; its `Span` satisfies it.
 */
export interface EndingSpan {
  /** Span name. */
  readonly name: string;
  /** Attributes set so far. */
  readonly attributes: Attributes;
  /** Parent span context, when the span has a parent (sdk-trace-base 2.x). */
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
  /** How many parent spans to remember upstreams for at once (bounds memory if spans never end). Default 10 000. */
  maxTrackedParents?: number;
}

// Attributes of other instrumentations that the processor reads. Their names are theirs, not ours.
const AI_MODEL_PROVIDER = 'ai.model.provider';
const AI_MODEL_ID = 'ai.model.id';
const AI_RESPONSE_PROVIDER_METADATA = 'ai.response.providerMetadata';
const AI_RESPONSE_MODEL = 'ai.response.model';
const AI_OPERATION_ID = 'ai.operationId';
const OPENINFERENCE_LLM_PROVIDER = 'llm.provider';
const OPENINFERENCE_LLM_SYSTEM = 'llm.system';
const OPENINFERENCE_LLM_MODEL_NAME = 'llm.model_name';
const OPENINFERENCE_LLM_INVOCATION_PARAMETERS = 'llm.invocation_parameters';
const OPENINFERENCE_OUTPUT_VALUE = 'output.value';
const OPENINFERENCE_OUTPUT_MIME_TYPE = 'output.mime_type';
const OPENLLMETRY_OPENAI_API_BASE = 'gen_ai.openai.api_base';
const RPC_SERVICE = 'rpc.service';
const RPC_SYSTEM = 'rpc.system';
const CLOUD_REGION = 'cloud.region';
const GEN_AI_RESPONSE_MODEL = 'gen_ai.response.model';
const NOT_MODEL_CALL_OPERATIONS: ReadonlySet<string> = new Set([
  'invoke_agent',
  'create_agent',
  'agent_step',
  'execute_tool',
  'invoke_workflow',
]);

/**
 * A `SpanProcessor` that, as each span ends, adds the route attributes (`gen_ai.route.*`, and
 * the system, response model and region when the span lacks them) to the model-call spans other
 * instrumentations made: AI SDK `ai.*`/`gen_ai.*` spans (reading `ai.response.providerMetadata`),
 * OpenInference `llm.*` spans, OpenLLMetry spans and the aws-sdk instrumentation's Bedrock spans.
 * It never overwrites an attribute a span already has; spans servedby attributed itself are left
 * alone. Parent spans get `gen_ai.route.upstreams`: the distinct upstreams of their descendants.
 *
 * Needs an SDK that calls `onEnding` (`@opentelemetry/sdk-trace-base` 2.1 or later).
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

  /** Creates the processor; see {@link RouteSpanProcessorOptions}. */
  constructor(options: RouteSpanProcessorOptions = {}) {
    this.semconv = resolveSemconvMode(options.semconv);
    this.maxTrackedParents = options.maxTrackedParents ?? 10_000;
  }

  /** Nothing to do when a span starts. */
  onStart(_span: unknown, _parentContext: Context): void {}

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

  /** Forgets the upstreams of parents that never ended. */
  shutdown(): Promise<void> {
    this.upstreamsByParent.clear();
    return Promise.resolve();
  }

  private enrich(span: EndingSpan): void {
    const attributes = span.attributes;
    let upstream = stringAttribute(attributes, ATTR_GEN_AI_ROUTE_UPSTREAM);
    if (upstream === undefined && stringAttribute(attributes, ATTR_GEN_AI_ROUTE_GATEWAY) === undefined) {
      const observation = observationOf(attributes);
      if (observation) {
        const attribution = deriveRoute(observation);
        for (const [key, value] of Object.entries(routeAttributes(attribution, { semconv: this.semconv }))) {
          if (value === undefined) continue;
          // Route attributes are ours to add; everything else only fills a gap.
          if (key.startsWith('gen_ai.route.') || attributes[key] === undefined) {
            if (key === ATTR_GEN_AI_SYSTEM && attributes[ATTR_GEN_AI_PROVIDER_NAME] !== undefined) continue;
            if (key === ATTR_GEN_AI_PROVIDER_NAME && attributes[ATTR_GEN_AI_SYSTEM] !== undefined) continue;
            span.setAttribute(key, value);
          }
        }
        upstream = attribution.upstream;
      }
    }
    this.rollUpUpstreams(span, upstream);
  }

  private rollUpUpstreams(span: EndingSpan, upstream: string | undefined): void {
    const ownKey = spanKey(span.spanContext());
    const below = this.upstreamsByParent.get(ownKey);
    this.upstreamsByParent.delete(ownKey);
    if (below && below.size > 0 && span.attributes[ATTR_GEN_AI_ROUTE_UPSTREAMS] === undefined) {
      span.setAttribute(ATTR_GEN_AI_ROUTE_UPSTREAMS, [...below]);
    }
    const parent = span.parentSpanContext;
    if (!parent) return;
    const toParent = new Set(below);
    if (upstream) toParent.add(upstream);
    if (toParent.size === 0) return;
    const parentKey = spanKey(parent);
    let parentSet = this.upstreamsByParent.get(parentKey);
    if (!parentSet) {
      if (this.upstreamsByParent.size >= this.maxTrackedParents) {
        // Drop the oldest entry: a parent that never ended must not grow memory forever.
        const oldest = this.upstreamsByParent.keys().next().value;
        if (oldest !== undefined) this.upstreamsByParent.delete(oldest);
      }
      parentSet = new Set();
      this.upstreamsByParent.set(parentKey, parentSet);
    }
    for (const value of toParent) parentSet.add(value);
  }
}

/**
 * Creates a {@link RouteSpanProcessor}. Same as `new RouteSpanProcessor(options)`.
 */
export function createRouteSpanProcessor(options?: RouteSpanProcessorOptions): RouteSpanProcessor {
  return new RouteSpanProcessor(options);
}

/**
 * Builds a `RouteObservation` from the attributes other instrumentations put on a model-call
 * span, or `undefined` when the span is not a model call.
 */
function observationOf(attributes: Attributes): RouteObservation | undefined {
  const aiProvider = stringAttribute(attributes, AI_MODEL_PROVIDER);
  const openInferenceProvider =
    stringAttribute(attributes, OPENINFERENCE_LLM_PROVIDER) ?? stringAttribute(attributes, OPENINFERENCE_LLM_SYSTEM);
  const rpcService = stringAttribute(attributes, RPC_SERVICE);
  const isBedrockRpc =
    rpcService !== undefined && /bedrock/i.test(rpcService) && stringAttribute(attributes, RPC_SYSTEM) !== undefined;
  const system = stringAttribute(attributes, ATTR_GEN_AI_PROVIDER_NAME) ?? stringAttribute(attributes, ATTR_GEN_AI_SYSTEM);
  const requestModel =
    stringAttribute(attributes, ATTR_GEN_AI_REQUEST_MODEL) ??
    stringAttribute(attributes, AI_MODEL_ID) ??
    invocationModel(attributes) ??
    (openInferenceProvider ? stringAttribute(attributes, OPENINFERENCE_LLM_MODEL_NAME) : undefined);

  const isModelCall =
    aiProvider !== undefined || openInferenceProvider !== undefined || isBedrockRpc || (system !== undefined && requestModel !== undefined);
  if (!isModelCall) return undefined;
  // Agent, step and tool spans get `gen_ai.route.upstreams` from their children instead.
  const operation = stringAttribute(attributes, ATTR_GEN_AI_OPERATION_NAME);
  if (operation !== undefined && NOT_MODEL_CALL_OPERATIONS.has(operation)) return undefined;
  // AI SDK outer spans (ai.generateText) repeat their inner call's attributes: only the inner call counts.
  const aiOperation = stringAttribute(attributes, AI_OPERATION_ID);
  if (aiOperation !== undefined && !/\.do(Generate|Stream)$/.test(aiOperation) && attributes[ATTR_GEN_AI_REQUEST_MODEL] === undefined) {
    return undefined;
  }

  const observation: RouteObservation = {};
  if (requestModel) observation.requestModel = requestModel;
  const providerHint = aiProvider ?? (isBedrockRpc ? 'aws.bedrock' : undefined) ?? system ?? openInferenceProvider;
  if (providerHint) observation.providerHint = providerHint;

  const url = urlOf(attributes);
  if (url) observation.url = url;
  const region = stringAttribute(attributes, ATTR_AWS_REGION) ?? (isBedrockRpc ? stringAttribute(attributes, CLOUD_REGION) : undefined);
  if (region) observation.region = region;

  const providerMetadata = jsonObject(stringAttribute(attributes, AI_RESPONSE_PROVIDER_METADATA));
  if (providerMetadata) observation.providerMetadata = providerMetadata;

  const output = stringAttribute(attributes, OPENINFERENCE_OUTPUT_VALUE);
  const outputMime = stringAttribute(attributes, OPENINFERENCE_OUTPUT_MIME_TYPE);
  if (output && (outputMime === undefined || outputMime.includes('json')) && output.trimStart().startsWith('{')) {
    observation.responseBody = output;
  } else {
    const responseModel = stringAttribute(attributes, GEN_AI_RESPONSE_MODEL) ?? stringAttribute(attributes, AI_RESPONSE_MODEL);
    if (responseModel) observation.responseBody = { model: responseModel };
  }
  return observation;
}

function urlOf(attributes: Attributes): string | undefined {
  const apiBase = stringAttribute(attributes, OPENLLMETRY_OPENAI_API_BASE);
  if (apiBase) return apiBase;
  const address = stringAttribute(attributes, ATTR_SERVER_ADDRESS);
  if (!address) return undefined;
  const port = attributes[ATTR_SERVER_PORT];
  const portPart = typeof port === 'number' && port !== 443 ? `:${port}` : '';
  return `https://${address}${portPart}/`;
}

function invocationModel(attributes: Attributes): string | undefined {
  const parameters = jsonObject(stringAttribute(attributes, OPENINFERENCE_LLM_INVOCATION_PARAMETERS));
  const model = parameters?.model;
  return typeof model === 'string' && model.length > 0 ? model : undefined;
}

function jsonObject(text: string | undefined): Record<string, unknown> | undefined {
  if (!text || text.length > 1_000_000) return undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function stringAttribute(attributes: Attributes, key: string): string | undefined {
  const value = attributes[key];
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

function spanKey(spanContext: SpanContext): string {
  return `${spanContext.traceId}/${spanContext.spanId}`;
}
