import {
  metrics as metricsApi,
  trace,
  type Attributes,
  type Meter,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import { createRouteMetrics, type RouteMetrics } from './metrics';
import { createBoundedMemo } from './shared/memo';
import { sanitizeUrl } from './shared/url';
import { resolveSemconvMode, routeAttributes, type RouteAttributeOptions } from './route-attributes';
import {
  ATTR_ERROR_TYPE,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_RESPONSE_FINISH_REASONS,
  ATTR_GEN_AI_RESPONSE_ID,
  ATTR_GEN_AI_RESPONSE_MODEL,
  ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
  ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
} from './semconv';
import type { ProviderNameMode, RouteAttribution, SemconvMode, ServedbyOptions } from './types';

/** What a plugin needs to instrument calls: built once from its {@link ServedbyOptions}. */
export interface ResolvedInstrumentation {
  /** Tracer from `options.tracerProvider`, else the global provider. */
  tracer: Tracer;
  /** Route metrics on a meter from `options.meterProvider`, else the global provider. */
  metrics: RouteMetrics;
  /** The semconv mode, with `OTEL_SEMCONV_STABILITY_OPT_IN` applied when no option is given. */
  semconv: SemconvMode;
  /** Whether prompt and completion text may be recorded (off unless opted in). */
  captureContent: boolean;
  /** What `gen_ai.provider.name` / `gen_ai.system` carry (`system` unless `upstream` was asked for). */
  providerName: ProviderNameMode;
}

/** Instrumentation scope of a plugin: its package name and version. */
export interface InstrumentationScope {
  /** Package name, e.g. `@servedby/langchain`. */
  name: string;
  /** Package version. */
  version: string;
}

// One set of histograms per meter: plugins may resolve their options on every call.
const routeMetricsByMeter = new WeakMap<Meter, Map<string, RouteMetrics>>();

/**
 * Turns a plugin's {@link ServedbyOptions} into a tracer, route metrics and the resolved
 * settings. Defaults: the global tracer and meter providers, `semconv` from the environment
 * (`both` unless `OTEL_SEMCONV_STABILITY_OPT_IN=gen_ai_latest_experimental`), no content.
 *
 * @example
 * ```ts
 * const { tracer, metrics, semconv } = resolveInstrumentation(options, { name: '@servedby/bedrock', version: VERSION });
 * ```
 */
export function resolveInstrumentation(
  options: ServedbyOptions | undefined,
  scope: InstrumentationScope,
): ResolvedInstrumentation {
  const semconv = resolveSemconvMode(options?.semconv);
  const providerName: ProviderNameMode = options?.providerName === 'upstream' ? 'upstream' : 'system';
  const tracerProvider = options?.tracerProvider ?? trace.getTracerProvider();
  const meterProvider = options?.meterProvider ?? metricsApi.getMeterProvider();
  const meter = meterProvider.getMeter(scope.name, scope.version);
  let bySemconv = routeMetricsByMeter.get(meter);
  if (!bySemconv) {
    bySemconv = new Map();
    routeMetricsByMeter.set(meter, bySemconv);
  }
  const metricsKey = `${semconv}/${providerName}`;
  let routeMetrics = bySemconv.get(metricsKey);
  if (!routeMetrics) {
    routeMetrics = createRouteMetrics(meter, { semconv, providerName });
    bySemconv.set(metricsKey, routeMetrics);
  }
  return {
    tracer: tracerProvider.getTracer(scope.name, scope.version),
    metrics: routeMetrics,
    semconv,
    captureContent: options?.captureContent === true,
    providerName,
  };
}

/**
 * The semconv span name of a model call: `"{operation} {model}"`, or the operation alone when
 * the model is unknown.
 *
 * @example `modelSpanName('chat', 'gpt-4o')` → `"chat gpt-4o"`
 */
export function modelSpanName(operation: string, requestModel?: string): string {
  return requestModel ? `${operation} ${requestModel}` : operation;
}

/** Token counts of one call, in semconv terms (input includes cached tokens, output includes reasoning). */
export interface TokenUsage {
  /** `gen_ai.usage.input_tokens`. */
  inputTokens?: number;
  /** `gen_ai.usage.output_tokens`. */
  outputTokens?: number;
  /** `gen_ai.usage.cache_read.input_tokens`. */
  cacheReadInputTokens?: number;
  /** `gen_ai.usage.cache_creation.input_tokens`. */
  cacheCreationInputTokens?: number;
  /** `gen_ai.usage.reasoning.output_tokens`. */
  reasoningTokens?: number;
}

/** The semconv facts of one model call that are not about its route. */
export interface ModelCallInfo {
  /** `gen_ai.operation.name`: `chat`, `text_completion`, `embeddings`, … */
  operation?: string;
  /** `gen_ai.request.model`. */
  requestModel?: string;
  /** `gen_ai.response.model`. */
  responseModel?: string;
  /** `gen_ai.response.id`. */
  responseId?: string;
  /** `gen_ai.response.finish_reasons`. */
  finishReasons?: string[];
  /** Token counts. */
  usage?: TokenUsage;
  /** `server.address`. */
  serverAddress?: string;
  /** `server.port`. */
  serverPort?: number;
  /** `error.type`. */
  errorType?: string;
}

/**
 * The semconv attributes of a model call that are not about its route (operation, models,
 * response id, finish reasons, usage, server, error). Only defined values become attributes.
 */
export function modelCallAttributes(info: ModelCallInfo): Attributes {
  const attributes: Attributes = {};
  if (info.operation) attributes[ATTR_GEN_AI_OPERATION_NAME] = info.operation;
  if (info.requestModel) attributes[ATTR_GEN_AI_REQUEST_MODEL] = info.requestModel;
  if (info.responseModel) attributes[ATTR_GEN_AI_RESPONSE_MODEL] = info.responseModel;
  if (info.responseId) attributes[ATTR_GEN_AI_RESPONSE_ID] = info.responseId;
  if (info.finishReasons && info.finishReasons.length > 0) {
    attributes[ATTR_GEN_AI_RESPONSE_FINISH_REASONS] = info.finishReasons.filter(
      (reason) => typeof reason === 'string',
    );
  }
  const usage = info.usage;
  if (usage) {
    setCount(attributes, ATTR_GEN_AI_USAGE_INPUT_TOKENS, usage.inputTokens);
    setCount(attributes, ATTR_GEN_AI_USAGE_OUTPUT_TOKENS, usage.outputTokens);
    setCount(attributes, ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS, usage.cacheReadInputTokens);
    setCount(attributes, ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS, usage.cacheCreationInputTokens);
    setCount(attributes, ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS, usage.reasoningTokens);
  }
  if (info.serverAddress) attributes[ATTR_SERVER_ADDRESS] = info.serverAddress;
  if (typeof info.serverPort === 'number' && Number.isFinite(info.serverPort)) {
    attributes[ATTR_SERVER_PORT] = info.serverPort;
  }
  if (info.errorType) attributes[ATTR_ERROR_TYPE] = info.errorType;
  return attributes;
}

/**
 * Sets the route attributes of `attribution` (see `routeAttributes`) on `span`, with the same
 * options (`semconv`, `providerName`). Never throws.
 */
export function setRouteOnSpan(span: Span, attribution: RouteAttribution, options?: RouteAttributeOptions): void {
  try {
    span.setAttributes(routeAttributes(attribution, { semconv: resolveSemconvMode(options?.semconv), ...(options?.providerName ? { providerName: options.providerName } : {}) }));
  } catch {
    // Never let attribution break the caller's span handling.
  }
}

function setCount(attributes: Attributes, name: string, value: number | undefined): void {
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) attributes[name] = value;
}

// URLs repeat call after call (one endpoint per model): parse each once. Bounded, cleared
// wholesale when full, and keyed without query or fragment so no Azure key is kept in memory.
const SERVERS = createBoundedMemo<{ serverAddress?: string; serverPort?: number }>(256, 2048);

/**
 * `server.address` and `server.port` of a request URL, shaped to spread into `ModelCallInfo`.
 * The port is the explicit one, else the scheme's default (443, 80). Never throws; `{}` for
 * anything that is not a URL.
 */
export function serverOfUrl(url: string | URL | undefined): { serverAddress?: string; serverPort?: number } {
  if (url === undefined || url === '') return {};
  // Keyed without query, fragment or credentials: no key or password is kept in memory.
  const key = sanitizeUrl(String(url));
  if (!key) return {};
  const server = SERVERS.get(key, serverOfKey);
  return { ...server };
}

function serverOfKey(key: string): { serverAddress?: string; serverPort?: number } {
  try {
    const parsed = new URL(key);
    const port = parsed.port
      ? Number(parsed.port)
      : parsed.protocol === 'https:'
        ? 443
        : parsed.protocol === 'http:'
          ? 80
          : undefined;
    return port === undefined ? { serverAddress: parsed.hostname } : { serverAddress: parsed.hostname, serverPort: port };
  } catch {
    return {};
  }
}

/**
 * `error.type` for a thrown error, low-cardinality as semconv asks: the HTTP status of an error
 * that carries one as `statusCode` (AI SDK `APICallError`), else the error's `name` when it is more
 * than `Error`, else its class name when it is more than `Error`, else `_OTHER`.
 */
export function errorTypeOf(error: unknown): string {
  if (typeof error === 'object' && error !== null) {
    const statusCode = (error as { statusCode?: unknown }).statusCode;
    if (typeof statusCode === 'number' && Number.isInteger(statusCode)) return String(statusCode);
    const name = (error as { name?: unknown }).name;
    if (typeof name === 'string' && name !== '' && name !== 'Error') return name.slice(0, 128);
    const constructorName = (error as { constructor?: { name?: unknown } }).constructor?.name;
    if (typeof constructorName === 'string' && constructorName !== '' && constructorName !== 'Object' && constructorName !== 'Error') {
      return constructorName.slice(0, 128);
    }
  }
  return '_OTHER';
}
