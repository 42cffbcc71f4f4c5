import type { AnySpan, SpanOutputProcessor } from '@mastra/core/observability';
import {
  ATTR_ERROR_TYPE,
  ATTR_GEN_AI_ROUTE_UPSTREAMS,
  modelSpanName,
  recordModelCall,
  resolveInstrumentation,
  routeAttributes,
  type ResolvedInstrumentation,
  type RouteAttribution,
  type RouteObservation,
  type ServedbyOptions,
  type TokenUsage,
  serverOfUrl,
  scrubErrorMessage,
} from '@servedby/conventions';
import {
  context as contextApi,
  diag,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Span as OtelSpan,
} from '@opentelemetry/api';
import { installGlobalFetchCapture, modelStepHttp } from './model-capture';
import { VERSION } from './version';

const MODEL_STEP = 'model_step';
const MODEL_GENERATION = 'model_generation';
const PACKAGE_NAME = '@servedby/mastra';

/** Options of {@link routeSpanProcessor}: the shared servedby options plus Mastra-specific switches. */
export interface MastraRouteOptions extends ServedbyOptions {
  /**
   * Capture each model request at the HTTP level by routing `globalThis.fetch` through
   * {@link routeCaptureFetch} while the processor is alive (undone by `shutdown()`). This is what
   * sees the URL, the status and the streamed body (OpenRouter's `provider` on every chunk, the
   * Vercel OpenAI-compatible `provider_metadata`), which Mastra's step metadata lacks on streams.
   * Default `true`.
   */
  captureFetch?: boolean;
  /**
   * Emit one OpenTelemetry CLIENT span `chat {model}` per model call (Mastra MODEL_STEP), with
   * the semconv and route attributes, under the step's span when `@mastra/otel-bridge` is used.
   * Default `true`.
   */
  modelSpans?: boolean;
  /**
   * Also write the route into Mastra span metadata (flat keys such as `gen_ai.route.upstream`),
   * which every Mastra exporter ships (`mastra.metadata.gen_ai.route.upstream` in OTLP). Default `true`.
   */
  metadata?: boolean;
}

/** The Mastra span output processor returned by {@link routeSpanProcessor}. */
export interface RouteSpanOutputProcessor extends SpanOutputProcessor {
  /** `servedby-route`. */
  readonly name: string;
}

type RouteState = {
  instrumentation?: ResolvedInstrumentation;
  options: MastraRouteOptions;
  processedSteps: WeakSet<object>;
  generationRoutes: WeakMap<object, { attribution: RouteAttribution; attributes: Attributes }>;
  upstreamsBySpan: WeakMap<object, string[]>;
};

/**
 * A Mastra `SpanOutputProcessor` that puts the gateway, the upstream that served, the model
 * really served and the region onto Mastra's traces. When a model step (one provider call) ends,
 * it derives the route with `deriveRoute` from what the step saw (HTTP capture, response
 * headers, provider metadata, model metadata) and writes it onto the step, its model generation
 * and, as `gen_ai.route.upstreams`, onto every enclosing span (agent run, workflow step, workflow
 * run, tool call). With `@mastra/otel-bridge` the attributes land on the real OpenTelemetry spans
 * under their canonical names. It also emits a CLIENT span and the route metrics per model call.
 *
 * Idempotent: Mastra calls it on span start, update and end; it acts once per step.
 *
 * @example
 * ```ts
 * const mastra = new Mastra({
 *   agents: { weatherAgent },
 *   observability: new Observability({
 *     configs: { default: { serviceName: 'app', bridge: new OtelBridge(), spanOutputProcessors: [routeSpanProcessor()] } },
 *   }),
 * });
 * ```
 */
export function routeSpanProcessor(options: MastraRouteOptions = {}): RouteSpanOutputProcessor {
  const state: RouteState = {
    options,
    processedSteps: new WeakSet(),
    generationRoutes: new WeakMap(),
    upstreamsBySpan: new WeakMap(),
  };
  let releaseFetch: (() => void) | undefined;
  if (options.captureFetch !== false) {
    try {
      releaseFetch = installGlobalFetchCapture(options);
    } catch (error) {
      diag.warn('servedby/mastra: could not install the fetch capture', error);
    }
  }
  return {
    name: 'servedby-route',
    process(span) {
      try {
        if (span?.endTime) onSpanEnded(state, span);
      } catch (error) {
        diag.warn('servedby/mastra: route processing failed', error);
      }
      return span;
    },
    async shutdown() {
      releaseFetch?.();
      releaseFetch = undefined;
    },
  };
}

function onSpanEnded(state: RouteState, span: AnySpan): void {
  if (span.type === MODEL_STEP) {
    if (state.processedSteps.has(span)) return;
    state.processedSteps.add(span);
    onModelStepEnded(state, span);
    return;
  }
  // Enclosing spans get their metadata only now: Mastra copies a span's metadata into the children
  // it creates later, so writing it mid-run would hand one step's route to the next step's spans.
  const writeMetadata = state.options.metadata !== false;
  const route = state.generationRoutes.get(span);
  if (route) {
    // Mastra stamps the generation's provider and response model when it ends, after its steps:
    // put the derived route back on top so the bridge exports the route's view.
    stampGenerationAttributes(span, route.attribution);
    if (writeMetadata) writeMetadataAttributes(span, route.attributes);
  }
  const upstreams = state.upstreamsBySpan.get(span);
  if (upstreams && writeMetadata) writeMetadataAttributes(span, { [ATTR_GEN_AI_ROUTE_UPSTREAMS]: [...upstreams] });
}

function onModelStepEnded(state: RouteState, step: AnySpan): void {
  const instrumentation = (state.instrumentation ??= resolveInstrumentation(state.options, {
    name: PACKAGE_NAME,
    version: VERSION,
  }));
  const generation = findGeneration(step);
  const http = modelStepHttp(step);
  const capture = http?.captures[http.captures.length - 1];
  const metadata = (step.metadata ?? {}) as Record<string, unknown>;
  const modelMetadata = asRecord(metadata.modelMetadata);
  const generationAttributes = asRecord(generation?.attributes);

  // The step's own model first: with Mastra model fallbacks, a generation's steps may use different models.
  const requestModel = asString(modelMetadata?.modelId) ?? asString(generationAttributes?.model);
  const extra: Partial<RouteObservation> = {};
  if (requestModel) extra.requestModel = requestModel;
  const providerHint = asString(modelMetadata?.modelProvider) ?? asString(generationAttributes?.provider);
  if (providerHint) extra.providerHint = providerHint;
  const providerMetadata = asRecord(metadata.providerMetadata);
  if (providerMetadata) extra.providerMetadata = providerMetadata;

  let observation: RouteObservation;
  if (capture) {
    if (!capture.bodyText() && metadata.body !== undefined) extra.responseBody = metadata.body;
    observation = capture.observation(extra);
  } else {
    observation = { ...extra };
    if (metadata.headers !== undefined) observation.responseHeaders = metadata.headers as RouteObservation['responseHeaders'];
    if (metadata.body !== undefined) observation.responseBody = metadata.body;
  }

  const stepAttributes = asRecord(step.attributes);
  const usage = tokenUsage(asRecord(stepAttributes?.usage));
  const finishReason = asString(stepAttributes?.finishReason);
  const server = serverOfUrl(capture?.url);
  const errorType = errorTypeOf(step, capture?.status, finishReason, http?.signal);
  const durationSeconds = step.endTime ? Math.max(0, (step.endTime.getTime() - step.startTime.getTime()) / 1000) : 0;

  // One CLIENT span per model call, spanning the step: Mastra's own spans are INTERNAL (steps) or
  // cover several calls (the generation), so this is the span GenAI backends recognise as the call.
  const modelSpan = state.options.modelSpans !== false ? startModelCallSpan(instrumentation, step, requestModel) : undefined;
  // The one record step: derive, attributes, error status, upstream report, metrics.
  const recorded = recordModelCall(
    modelSpan,
    {
      exchange: observation,
      requestModel,
      responseModel: asString(stepAttributes?.responseModel) ?? asString(generationAttributes?.responseModel),
      finishReasons: finishReason ? [finishReason] : undefined,
      usage,
      durationSeconds,
      errorType,
      ...server,
      ...(bridgedOtelContext(step) ? { parentContext: bridgedOtelContext(step) } : {}),
    },
    instrumentation,
  );
  const { attribution } = recorded;
  const attributes = routeAttributes(attribution, { semconv: instrumentation.semconv, providerName: instrumentation.providerName });
  const writeMetadata = state.options.metadata !== false;

  // Its generation: the route of its latest step (a generation spans every step of one run).
  if (generation) {
    state.generationRoutes.set(generation, { attribution, attributes });
    bridgedOtelSpan(generation)?.setAttributes(attributes);
  }

  // Every enclosing span (generation, agent run, workflow step and run, tool call of a parent agent).
  if (attribution.upstream) {
    for (let ancestor = step.parent; ancestor; ancestor = ancestor.parent) {
      // A step that ran a sub-agent as a tool has its own upstream; its list would only confuse.
      if (ancestor.type === MODEL_STEP) continue;
      const upstreams = state.upstreamsBySpan.get(ancestor) ?? [];
      if (!upstreams.includes(attribution.upstream)) upstreams.push(attribution.upstream);
      state.upstreamsBySpan.set(ancestor, upstreams);
      bridgedOtelSpan(ancestor)?.setAttribute(ATTR_GEN_AI_ROUTE_UPSTREAMS, [...upstreams]);
    }
  }

  // The step itself. Mastra ends a failed step without error status, so say it here.
  if (writeMetadata) writeMetadataAttributes(step, errorType ? { ...attributes, [ATTR_ERROR_TYPE]: errorType } : attributes);
  const stepOtelSpan = bridgedOtelSpan(step);
  stepOtelSpan?.setAttributes(attributes);
  if (errorType) stepOtelSpan?.setAttribute(ATTR_ERROR_TYPE, errorType);

  if (modelSpan) {
    try {
      if (errorType) modelSpan.setStatus({ code: SpanStatusCode.ERROR, message: scrubErrorMessage(step.errorInfo?.message) });
      modelSpan.end(step.endTime);
    } catch (error) {
      diag.warn('servedby/mastra: could not end the model call span', error);
    }
  }
}

function startModelCallSpan(instrumentation: ResolvedInstrumentation, step: AnySpan, requestModel: string | undefined): OtelSpan | undefined {
  try {
    const parent = bridgedOtelContext(step) ?? contextApi.active();
    return instrumentation.tracer.startSpan(modelSpanName('chat', requestModel), { kind: SpanKind.CLIENT, startTime: step.startTime }, parent);
  } catch (error) {
    diag.warn('servedby/mastra: could not start the model call span', error);
    return undefined;
  }
}

function stampGenerationAttributes(generation: AnySpan, attribution: RouteAttribution): void {
  const attributes = generation.attributes as Record<string, unknown> | undefined;
  if (!attributes) return;
  // Mastra's exporters derive gen_ai.provider.name from `provider`: make it the system the code
  // talked to (the gateway for gateway strings), as the route says.
  attributes.provider = attribution.system;
  if (attribution.responseModel) attributes.responseModel = attribution.responseModel;
}

function writeMetadataAttributes(span: AnySpan, attributes: Attributes): void {
  const metadata = (span.metadata ??= {});
  for (const [key, value] of Object.entries(attributes)) {
    if (value !== undefined) metadata[key] = value;
  }
}

/** The real OpenTelemetry span `@mastra/otel-bridge` made for this Mastra span, if any. */
function bridgedOtelSpan(span: AnySpan): OtelSpan | undefined {
  const otelContext = bridgedOtelContext(span);
  return otelContext ? trace.getSpan(otelContext) : undefined;
}

function bridgedOtelContext(span: AnySpan): Context | undefined {
  if (typeof span.executeInContextSync !== 'function') return undefined;
  const active = span.executeInContextSync(() => contextApi.active());
  const otelSpan = trace.getSpan(active);
  // Without the bridge the active span is whatever the caller had: never write onto that one.
  return otelSpan?.spanContext().spanId === span.id ? active : undefined;
}

function findGeneration(step: AnySpan): AnySpan | undefined {
  if (step.parent?.type === MODEL_GENERATION) return step.parent;
  for (let ancestor = step.parent; ancestor; ancestor = ancestor.parent) {
    if (ancestor.type === MODEL_GENERATION) return ancestor;
  }
  return undefined;
}

function tokenUsage(usage: Record<string, unknown> | undefined): TokenUsage | undefined {
  if (!usage) return undefined;
  const inputDetails = asRecord(usage.inputDetails);
  const outputDetails = asRecord(usage.outputDetails);
  const result: TokenUsage = {};
  const inputTokens = asNumber(usage.inputTokens);
  const outputTokens = asNumber(usage.outputTokens);
  const cacheRead = asNumber(inputDetails?.cacheRead);
  const cacheWrite = asNumber(inputDetails?.cacheWrite);
  const reasoning = asNumber(outputDetails?.reasoning);
  if (inputTokens !== undefined) result.inputTokens = inputTokens;
  if (outputTokens !== undefined) result.outputTokens = outputTokens;
  if (cacheRead !== undefined) result.cacheReadInputTokens = cacheRead;
  if (cacheWrite !== undefined) result.cacheCreationInputTokens = cacheWrite;
  if (reasoning !== undefined) result.reasoningTokens = reasoning;
  return Object.keys(result).length > 0 ? result : undefined;
}

// Semconv's fallback when nothing names the error (a stream that broke after a 200).
const OTHER_ERROR = '_OTHER';

function errorTypeOf(
  step: AnySpan,
  status: number | undefined,
  finishReason: string | undefined,
  signal: AbortSignal | undefined,
): string | undefined {
  if (status !== undefined && status >= 400) return String(status);
  if (signal?.aborted) return abortErrorName(signal);
  const errorInfo = step.errorInfo;
  if (errorInfo) return errorInfo.name || errorInfo.id || OTHER_ERROR;
  return finishReason === 'error' ? OTHER_ERROR : undefined;
}

function abortErrorName(signal: AbortSignal): string {
  const reason: unknown = signal.reason;
  return reason instanceof Error && reason.name ? reason.name : 'AbortError';
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function asString(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

function asNumber(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}
