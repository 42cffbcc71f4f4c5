import { context as otelContext, diag, SpanStatusCode, type Attributes, type Context, type Span } from '@opentelemetry/api';
import { deriveRoute } from './derive-route';
import { errorTypeOf, modelCallAttributes, serverOfUrl, type ModelCallInfo, type TokenUsage } from './instrumentation';
import type { RouteMetrics, RouteMetricsRecord } from './metrics';
import { writeRouteAttributes, type RouteAttributeOptions } from './route-attributes';
import { ATTR_GEN_AI_REQUEST_STREAM, ATTR_GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK } from './semconv';
import type { ProviderNameMode, RouteAttribution, RouteObservation, SemconvMode } from './types';
import { reportUpstream } from './upstreams';

/** What a plugin observed about one finished model call. Every field is optional except the timing. */
export interface ModelCallObservation {
  /**
   * The HTTP exchange(s) the call made, as `deriveRoute` reads them. With several (SDK retries),
   * the last one is the one that answered; their count is the client's attempts unless `attempts`
   * says otherwise. Leave `responseReceived` unset: it is inferred (a call that returned without
   * error got a response; a failed call without status, headers or body got none).
   */
  exchange?: RouteObservation | readonly RouteObservation[];
  /** `gen_ai.operation.name`; default `chat`. */
  operation?: string;
  /** The model as the code asked for it; defaults to the exchange's `requestModel`. */
  requestModel?: string;
  /** The response model the framework reports (response metadata); used only when the route names none. */
  responseModel?: string;
  /** `gen_ai.response.id`. */
  responseId?: string;
  /** `gen_ai.response.finish_reasons`. */
  finishReasons?: readonly string[];
  /** Token counts. */
  usage?: TokenUsage;
  /** Wall time of the call, in seconds. */
  durationSeconds: number;
  /** Seconds until the first streamed chunk, when the call streamed. */
  timeToFirstChunkSeconds?: number;
  /** `true` when the call streamed. */
  streaming?: boolean;
  /** The error the call failed with; becomes `error.type` (never its message). */
  error?: unknown;
  /** `error.type` when the plugin knows it better than `errorTypeOf(error)` (a finish reason, an HTTP status). */
  errorType?: string;
  /** Attempts the client made (SDK retries), when known: used when no gateway reports its own. */
  attempts?: number;
  /** `server.address` / `server.port`; default: from the exchange's URL. */
  serverAddress?: string;
  /** See `serverAddress`. */
  serverPort?: number;
  /** The context of the enclosing agent, chain or tool span, to report the upstream to; default: the active context. */
  parentContext?: Context;
}

/** The settings `recordModelCall` needs: a plugin's resolved instrumentation. */
export interface RecordSettings {
  /** Route metrics to record the call in. */
  metrics?: RouteMetrics;
  /** Which system attribute names to emit. */
  semconv?: SemconvMode;
  /** What `gen_ai.provider.name` / `gen_ai.system` carry. */
  providerName?: ProviderNameMode;
}

/** What `recordModelCall` derived and set. */
export interface RecordedModelCall {
  /** The route. */
  attribution: RouteAttribution;
  /** Every attribute set on the span (model call and route), e.g. to set again on a span another library ends. */
  attributes: Attributes;
  /** `gen_ai.response.model` as recorded. */
  responseModel?: string;
  /** `error.type` as recorded. */
  errorType?: string;
}

function lastExchange(exchange: ModelCallObservation['exchange']): { observation: RouteObservation; count: number } {
  if (Array.isArray(exchange)) {
    const exchanges = exchange as readonly RouteObservation[];
    return { observation: exchanges[exchanges.length - 1] ?? {}, count: exchanges.length };
  }
  return { observation: (exchange as RouteObservation | undefined) ?? {}, count: exchange ? 1 : 0 };
}

/**
 * The response model of a call, by one rule: the model the route names (an explicit served-by
 * signal or the served body, as `deriveRoute` read it) wins over what the framework reports,
 * because frameworks echo the gateway's alias (LiteLLM rewrites body `model`) or the requested
 * model. The framework's value is used only when the route names none, and never on a gateway
 * cache hit (no upstream served, so no model was served).
 */
export function chooseResponseModel(attribution: RouteAttribution, frameworkResponseModel: string | undefined): string | undefined {
  if (attribution.responseModel) return attribution.responseModel;
  if (attribution.cacheHit === true) return undefined;
  return typeof frameworkResponseModel === 'string' && frameworkResponseModel.length > 0 ? frameworkResponseModel.slice(0, 256) : undefined;
}

/**
 * The one record step every plugin runs when a model call finishes: derives the route from the
 * exchange (`deriveRoute`), chooses the response model (see {@link chooseResponseModel}), sets the
 * model-call and route attributes on `span` (and its error status), reports the upstream to the
 * enclosing agent, chain or tool spans (`reportUpstream`) and records the duration, token and
 * cost metrics with the route dimensions. No derived field is changed afterwards: inputs such as
 * the client's `attempts` go in, never on top. It does not end the span. Never throws.
 *
 * @example
 * ```ts
 * const { attribution } = recordModelCall(span, {
 *   exchange: { url, requestModel, responseHeaders, responseBody, status },
 *   usage, durationSeconds, error,
 * }, instrumentation);
 * span.end();
 * ```
 */
export function recordModelCall(span: Span | undefined, call: ModelCallObservation, settings: RecordSettings = {}): RecordedModelCall {
  let attribution: RouteAttribution = { system: '_OTHER', evidence: [] };
  let attributes: Attributes = {};
  let responseModel: string | undefined;
  let errorType: string | undefined;
  try {
    const { observation: last, count } = lastExchange(call.exchange);
    const failed = call.error !== undefined || call.errorType !== undefined;
    const observation: RouteObservation = { ...last };
    if (call.requestModel !== undefined && observation.requestModel === undefined) observation.requestModel = call.requestModel;
    // A stream's body is not kept: the model the framework read from it stands in for the body's.
    if (call.responseModel !== undefined && observation.responseModel === undefined && observation.responseBody === undefined) {
      observation.responseModel = call.responseModel;
    }
    // A call the framework completed got a response, even when no HTTP detail was captured.
    if (observation.responseReceived === undefined && !failed) observation.responseReceived = true;
    const attempts = call.attempts ?? (count > 1 ? count : undefined);
    if (attempts !== undefined && observation.attempts === undefined) observation.attempts = attempts;
    attribution = deriveRoute(observation);
    responseModel = chooseResponseModel(attribution, call.responseModel);
    errorType = call.errorType ?? (call.error !== undefined ? errorTypeOf(call.error) : undefined);
    const url = typeof observation.url === 'string' ? observation.url : observation.url?.toString();
    let serverAddress = call.serverAddress;
    let serverPort = call.serverAddress !== undefined ? call.serverPort : undefined;
    if (serverAddress === undefined) {
      const server = serverOfUrl(url);
      serverAddress = server.serverAddress;
      serverPort = server.serverPort;
    }
    const requestModel = call.requestModel ?? attribution.requestModel;
    const operation = call.operation ?? 'chat';
    // One object, written field by field: this runs once per model call on every plugin's path.
    const info: ModelCallInfo = { operation };
    if (requestModel) info.requestModel = requestModel;
    if (responseModel) info.responseModel = responseModel;
    if (call.responseId) info.responseId = call.responseId;
    if (call.finishReasons) info.finishReasons = [...call.finishReasons];
    if (call.usage) info.usage = call.usage;
    if (serverAddress !== undefined) info.serverAddress = serverAddress;
    if (serverPort !== undefined) info.serverPort = serverPort;
    if (errorType) info.errorType = errorType;
    attributes = modelCallAttributes(info);
    const routeOptions: RouteAttributeOptions = {};
    if (settings.semconv) routeOptions.semconv = settings.semconv;
    if (settings.providerName) routeOptions.providerName = settings.providerName;
    writeRouteAttributes(attributes, attribution, routeOptions);
    if (call.streaming === true || call.timeToFirstChunkSeconds !== undefined) attributes[ATTR_GEN_AI_REQUEST_STREAM] = true;
    if (typeof call.timeToFirstChunkSeconds === 'number' && Number.isFinite(call.timeToFirstChunkSeconds) && call.timeToFirstChunkSeconds >= 0) {
      attributes[ATTR_GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK] = call.timeToFirstChunkSeconds;
    }
    if (span) {
      span.setAttributes(attributes);
      if (errorType) span.setStatus({ code: SpanStatusCode.ERROR });
    }
    reportUpstream(call.parentContext ?? otelContext.active(), attribution.upstream);
    const metrics = settings.metrics;
    if (metrics && metrics.recordsNothing !== true) {
      const record: RouteMetricsRecord = { operation, attribution, durationSeconds: call.durationSeconds };
      if (requestModel) record.requestModel = requestModel;
      if (responseModel) record.responseModel = responseModel;
      if (call.usage) record.usage = call.usage;
      if (errorType) record.errorType = errorType;
      if (serverAddress !== undefined) record.serverAddress = serverAddress;
      if (serverPort !== undefined) record.serverPort = serverPort;
      metrics.record(record);
    }
  } catch (error) {
    diag.error('servedby: recording a model call failed', error);
  }
  return { attribution, attributes, ...(responseModel ? { responseModel } : {}), ...(errorType ? { errorType } : {}) };
}
