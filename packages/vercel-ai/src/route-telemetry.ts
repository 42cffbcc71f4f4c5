import { context, diag, type Context, type Span, type Tracer } from '@opentelemetry/api';
import { OpenTelemetry, type OpenTelemetryOptions } from '@ai-sdk/otel';
import type { Telemetry } from 'ai';
import {
  beforeSpanEnds,
  ATTR_GEN_AI_ROUTE_UPSTREAMS,
  contextWithUpstreamsCollector,
  createUpstreamsCollector,
  enableRouteCapture,
  recordModelCall,
  resolveInstrumentation,
  runWithRouteCapture,
  type RouteCapture,
  type RouteCaptureSink,
  type RouteObservation,
  type ResolvedInstrumentation,
  type ServedbyOptions,
  type TokenUsage,
  type UpstreamsCollector,
  errorTypeOf,
} from '@servedby/conventions';
import {
  errorResponseOf,
  errorTypeOfFinishReason,
  INSTRUMENTATION_SCOPE,
  isRecord,
  toTokenUsage,
  withoutSecrets,
} from './model-call';
import { ROUTE_ATTRIBUTED_KEY, type RouteFactsSink } from './route-middleware';

/**
 * Options of {@link routeTelemetry}: the options every servedby plugin takes, plus the options
 * of `@ai-sdk/otel`'s `OpenTelemetry` integration (all but `tracer`, which comes from
 * `tracerProvider`).
 */
export interface RouteTelemetryOptions extends ServedbyOptions {
  /** Passed to the wrapped `OpenTelemetry` integration (`agentSpanName`, `usage`, `providerMetadata`, …). */
  openTelemetry?: Omit<OpenTelemetryOptions, 'tracer'>;
}

const MAX_OPEN_GENERATIONS = 10_000;

/** One model call of a generation: calls of one `callId` run one after the other. */
interface ModelCallState {
  span: Span;
  /** `gen_ai.operation.name`: `chat`, or `decide` / `extract` for an `experimental_decide` / `experimental_extract` model call. */
  operation?: string;
  requestModel?: string;
  providerHint?: string;
  startTime: number;
  url?: string;
  headers?: Record<string, string>;
  responseBody?: unknown;
  status?: number;
  errorType?: string;
  error?: unknown;
  usage?: TokenUsage;
  providerMetadata?: Record<string, unknown>;
  /** What the AI SDK reports as the response model; the route's served model wins over it. */
  responseModel?: string;
  responseId?: string;
  finishReason?: string;
  /** `true` once the model answered (its result or end event came), even without HTTP details. */
  answered?: boolean;
  /** `true` once the end event or an error said how the call finished. */
  settled?: boolean;
  recorded: boolean;
  /** The HTTP exchange that answered, seen on the diagnostics channels (full headers, body look-ahead). */
  capture?: RouteCapture;
}

/**
 * What the call's HTTP exchange showed, merged with what the AI SDK reported: the captured
 * exchange (every header, the streamed body's first 64 KiB, which carries the upstream of an
 * OpenAI-compatible stream) under the SDK's own findings (its parsed body, error response).
 */
function exchangeOf(call: ModelCallState): RouteObservation {
  const reported: RouteObservation = {
    url: call.url,
    requestModel: call.requestModel,
    responseHeaders: call.headers,
    responseBody: call.responseBody,
    providerMetadata: call.providerMetadata,
    providerHint: call.providerHint,
    status: call.status,
    ...(call.answered ? { responseReceived: true } : {}),
  };
  if (!call.capture) return reported;
  const captured = call.capture.observation();
  const merged: RouteObservation = { ...captured };
  for (const [key, value] of Object.entries(reported) as Array<[keyof RouteObservation, unknown]>) {
    // The headers of the same response, already read off the wire into the derivation's own map:
    // the SDK's copy adds nothing and would be read again.
    if (key === 'responseHeaders' && captured.responseHeaders !== undefined) continue;
    // The SDK's own URL wins too: a custom fetch may have sent the request elsewhere (a proxy).
    if (value !== undefined) (merged as Record<string, unknown>)[key] = value;
  }
  return merged;
}

/** One `generateText` / `streamText` / agent run, keyed by the AI SDK's `callId`. */
interface GenerationState {
  /** The context the generation started in: the collectors of enclosing agents and tools. */
  parentContext: Context;
  upstreams: UpstreamsCollector;
  stepUpstreams?: UpstreamsCollector;
  modelCall?: ModelCallState;
  /** Per running tool call: the upstreams of the agents its `execute` ran. */
  toolUpstreams: Map<string, UpstreamsCollector>;
  /** The links of the model calls not recorded yet, let go of once they are. */
  links?: ModelCallLink[];
}

/**
 * What the async context of one model call holds for this integration: the route middleware's
 * facts sink and the capture sink. That context outlives the call (undici keeps each fetch
 * response's body stream, whose promises hold the context, until a major GC), so the link lets
 * go of the call once it is recorded: otherwise every call's state, and the AI SDK's with it,
 * would be copied into the old generation.
 */
class ModelCallLink implements RouteFactsSink {
  private call: ModelCallState | undefined;
  readonly captureSink: RouteCaptureSink;

  constructor(call: ModelCallState | undefined) {
    this.call = call;
    this.captureSink = (capture) => {
      if (this.call) this.call.capture = capture;
    };
  }

  observe(facts: { url?: string; responseBody?: unknown }): void {
    const call = this.call;
    if (!call) return;
    if (facts.url && !call.url) call.url = facts.url;
    if (facts.responseBody !== undefined) call.responseBody = facts.responseBody;
  }

  release(): void {
    this.call = undefined;
  }
}

function releaseLinks(generation: GenerationState | undefined): void {
  const links = generation?.links;
  if (!links) return;
  for (const link of links) link.release();
  links.length = 0;
}

/**
 * Creates an AI SDK 7 telemetry integration that emits `@ai-sdk/otel`'s OpenTelemetry spans
 * (`invoke_agent`, `step`, `chat`, `execute_tool`) with the route on every `chat` span and
 * `gen_ai.route.upstreams` on the agent and step spans, and records the route metrics.
 * It wraps `OpenTelemetry` and forwards every callback to it, so it replaces it: register this
 * one instead of `new OpenTelemetry()`.
 *
 * Per-call `telemetry.integrations` replace the globally registered ones in the AI SDK: a call
 * that passes its own list must include this integration to be attributed.
 *
 * @example
 * ```ts
 * import { registerTelemetry } from 'ai';
 * import { routeTelemetry } from '@servedby/vercel-ai';
 *
 * registerTelemetry(routeTelemetry());
 * ```
 */
export function routeTelemetry(options?: RouteTelemetryOptions): Telemetry {
  const instrumentation: ResolvedInstrumentation = resolveInstrumentation(options, INSTRUMENTATION_SCOPE);
  try {
    // Streams of OpenAI-compatible gateways carry the upstream only in their chunks, which no
    // telemetry event shows: the HTTP exchange is observed on Node's diagnostics channels instead.
    enableRouteCapture(options?.propagateToGateways ? { propagateToGateways: options.propagateToGateways } : {});
  } catch (error) {
    diag.warn('servedby: could not observe HTTP exchanges', error);
  }
  const { semconv, captureContent } = instrumentation;
  // The metrics API has no proxy provider: resolved again at the first call, so a global meter
  // provider registered after routeTelemetry() still receives the route metrics.
  let metrics: ResolvedInstrumentation['metrics'] | undefined;
  const routeMetrics = () => (metrics ??= resolveInstrumentation(options, INSTRUMENTATION_SCOPE).metrics);
  const spanCapture = createSpanCapture(instrumentation.tracer);
  const inner = new OpenTelemetry({ ...options?.openTelemetry, tracer: spanCapture.tracer });
  const generations = new Map<string, GenerationState>();
  const forgetGeneration = (callId: string): void => {
    releaseLinks(generations.get(callId));
    generations.delete(callId);
  };

  const guard = (what: string, fn: () => void): void => {
    try {
      fn();
    } catch (error) {
      diag.warn(`servedby: ${what} failed`, error);
    }
  };
  // Content stays off unless the user opted in, whatever the call's `recordInputs` says.
  const withContentPolicy = <T extends object>(event: T): T =>
    captureContent ? event : { ...event, recordInputs: false, recordOutputs: false };

  // The one record step, right before the chat span ends: its attributes must win over `@ai-sdk/otel`'s.
  const finishModelCall = (generation: GenerationState, call: ModelCallState): void => {
    if (call.recorded) return;
    call.recorded = true;
    releaseLinks(generation);
    const { attribution } = recordModelCall(
      call.span,
      {
        exchange: exchangeOf(call),
        ...(call.operation ? { operation: call.operation } : {}),
        requestModel: call.requestModel,
        responseModel: call.responseModel,
        responseId: call.responseId,
        finishReasons: call.finishReason ? [call.finishReason] : undefined,
        usage: call.usage,
        durationSeconds: (performance.now() - call.startTime) / 1000,
        error: call.error,
        errorType: call.errorType,
        parentContext: generation.parentContext,
      },
      { metrics: routeMetrics(), semconv, providerName: instrumentation.providerName },
    );
    const upstream = attribution.upstream;
    generation.upstreams.add(upstream);
    generation.stepUpstreams?.add(upstream);
    // Recorded: the exchange and the bodies are not read again, whoever still holds the call.
    call.capture = undefined;
    call.responseBody = undefined;
    call.headers = undefined;
    call.providerMetadata = undefined;
  };

  const attributeFromError = (generation: GenerationState, error: unknown): void => {
    const call = generation.modelCall;
    if (!call) return;
    call.settled = true;
    call.error = error;
    call.errorType = errorTypeOf(error);
    const response = errorResponseOf(error);
    if (response) {
      call.url = withoutSecrets(response.url) ?? call.url;
      call.status = response.status;
      call.headers = response.headers ?? call.headers;
      call.responseBody = response.body ?? call.responseBody;
    }
  };

  // `experimental_decide` / `experimental_extract`: one operation, one model call that reports its
  // raw response in the End event (these models never pass a language-model middleware).
  const startOperation = (callId: string, startRoot: () => void): void => {
    const generation: GenerationState = { parentContext: context.active(), upstreams: createUpstreamsCollector(), toolUpstreams: new Map() };
    if (generations.size >= MAX_OPEN_GENERATIONS) {
      const oldest = generations.keys().next().value;
      if (oldest !== undefined) forgetGeneration(oldest);
    }
    generations.set(callId, generation);
    const [rootSpan] = spanCapture.capture(startRoot);
    if (rootSpan) {
      beforeSpanEnds(rootSpan, () => {
        const upstreams = generation.upstreams.values();
        if (upstreams.length > 0) rootSpan.setAttribute(ATTR_GEN_AI_ROUTE_UPSTREAMS, upstreams);
      });
    }
  };

  const startOperationModelCall = (
    event: { callId: string; modelId: string; provider: string },
    operation: 'decide' | 'extract',
    startCall: () => void,
  ): void => {
    const generation = generations.get(event.callId);
    const [callSpan] = spanCapture.capture(startCall);
    if (!generation || !callSpan) return;
    const call: ModelCallState = {
      span: callSpan,
      operation,
      requestModel: event.modelId,
      providerHint: event.provider,
      startTime: performance.now(),
      recorded: false,
    };
    generation.modelCall = call;
    beforeSpanEnds(callSpan, () => finishModelCall(generation, call));
  };

  const settleOperationModelCall = (
    event: { callId: string; response?: unknown; providerMetadata?: unknown; usage?: unknown },
    operation: 'decide' | 'extract',
  ): void => {
    const call = generations.get(event.callId)?.modelCall;
    if (!call || call.operation !== operation) return;
    const response = isRecord(event.response) ? event.response : undefined;
    if (response && isRecord(response.headers)) call.headers = response.headers as Record<string, string>;
    if (response && response.body !== undefined) call.responseBody = response.body;
    if (response && typeof response.modelId === 'string') call.responseModel = response.modelId;
    call.providerMetadata = event.providerMetadata as Record<string, unknown> | undefined;
    call.usage = toTokenUsage(event.usage);
    call.answered = true;
    call.settled = true;
  };

  const integration: Telemetry & Record<string, unknown> = {
    onStart(event) {
      guard('onStart', () => {
        const generation: GenerationState = {
          parentContext: context.active(),
          upstreams: createUpstreamsCollector(),
          toolUpstreams: new Map(),
        };
        // A generation whose end event never comes (a stream nobody reads) must not pile up.
        if (generations.size >= MAX_OPEN_GENERATIONS) {
          const oldest = generations.keys().next().value;
          if (oldest !== undefined) forgetGeneration(oldest);
        }
        generations.set(event.callId, generation);
        const [rootSpan] = spanCapture.capture(() => inner.onStart(withContentPolicy(event)));
        if (rootSpan) {
          beforeSpanEnds(rootSpan, () => {
            const upstreams = generation.upstreams.values();
            if (upstreams.length > 0) rootSpan.setAttribute(ATTR_GEN_AI_ROUTE_UPSTREAMS, upstreams);
          });
        }
      });
    },

    onStepStart(event) {
      guard('onStepStart', () => {
        const generation = generations.get(event.callId);
        const [stepSpan] = spanCapture.capture(() => inner.onStepStart(event));
        if (!generation || !stepSpan) return;
        const stepUpstreams = createUpstreamsCollector();
        generation.stepUpstreams = stepUpstreams;
        beforeSpanEnds(stepSpan, () => {
          const upstreams = stepUpstreams.values();
          if (upstreams.length > 0) stepSpan.setAttribute(ATTR_GEN_AI_ROUTE_UPSTREAMS, upstreams);
        });
      });
    },

    onLanguageModelCallStart(event) {
      guard('onLanguageModelCallStart', () => {
        const generation = generations.get(event.callId);
        const [chatSpan] = spanCapture.capture(() => inner.onLanguageModelCallStart(event));
        if (!generation || !chatSpan) return;
        const call: ModelCallState = {
          span: chatSpan,
          requestModel: event.modelId,
          providerHint: event.provider,
          startTime: performance.now(),
          recorded: false,
        };
        generation.modelCall = call;
        beforeSpanEnds(chatSpan, () => finishModelCall(generation, call));
      });
    },

    executeLanguageModelCall(options) {
      const generation = generations.get(options.callId);
      const execute = options.execute;
      // A routeMiddleware on the model reports what these events cannot show (endpoint, raw stream
      // chunks); the provider's HTTP exchange reaches the call from Node's diagnostics channels.
      const link = new ModelCallLink(generation?.modelCall);
      if (generation) (generation.links ??= []).push(link);
      const observedExecute = async () => {
        // Inside `@ai-sdk/otel`'s context: the chat span is active.
        const result = await runWithRouteCapture(link.captureSink, () =>
          context.with(context.active().setValue(ROUTE_ATTRIBUTED_KEY, link), execute),
        );
        guard('reading the model result', () => {
          const call = generation?.modelCall;
          if (!call || !isRecord(result)) return;
          // Read only: the AI SDK restores the caller's result only if the same object comes back.
          const request = isRecord(result.request) ? result.request : undefined;
          if (request && typeof request.url === 'string') call.url = withoutSecrets(request.url) ?? call.url;
          const response = isRecord(result.response) ? result.response : undefined;
          if (response && isRecord(response.headers)) call.headers = response.headers as Record<string, string>;
          if (response && isRecord(response.body)) call.responseBody = response.body;
          call.errorType = undefined;
          call.error = undefined;
          call.answered = true;
        });
        return result;
      };
      const executeWithErrors = async () => {
        try {
          return await observedExecute();
        } catch (error) {
          guard('reading the model error', () => {
            if (generation) attributeFromError(generation, error);
          });
          throw error;
        }
      };
      return inner.executeLanguageModelCall({ ...options, execute: executeWithErrors });
    },

    onLanguageModelCallEnd(event) {
      guard('onLanguageModelCallEnd', () => {
        const call = generations.get(event.callId)?.modelCall;
        if (call) {
          // The event's `request.url` is the endpoint's origin only: a fallback for the full URL.
          call.url ??= withoutSecrets(event.request?.url);
          call.providerMetadata = event.providerMetadata as Record<string, unknown> | undefined;
          call.usage = toTokenUsage(event.usage);
          call.errorType = errorTypeOfFinishReason(event.finishReason);
          call.responseModel = event.modelId;
          call.responseId = event.responseId;
          call.finishReason = event.finishReason;
          call.answered = true;
          call.settled = true;
        }
        inner.onLanguageModelCallEnd(event);
      });
    },

    onToolExecutionStart(event) {
      guard('onToolExecutionStart', () => {
        const generation = generations.get(event.callId);
        const [toolSpan] = spanCapture.capture(() => inner.onToolExecutionStart(event));
        if (!generation || !toolSpan) return;
        const toolCallId = event.toolCall.toolCallId;
        const toolUpstreams = createUpstreamsCollector();
        generation.toolUpstreams.set(toolCallId, toolUpstreams);
        beforeSpanEnds(toolSpan, () => {
          generation.toolUpstreams.delete(toolCallId);
          const upstreams = toolUpstreams.values();
          if (upstreams.length > 0) toolSpan.setAttribute(ATTR_GEN_AI_ROUTE_UPSTREAMS, upstreams);
        });
      });
    },

    executeTool(options) {
      const generation = generations.get(options.callId);
      if (!generation) return inner.executeTool(options);
      const execute = options.execute;
      // A tool that runs another agent reports that agent's upstreams to this one.
      return inner.executeTool({
        ...options,
        execute: () => {
          let toolContext = contextWithUpstreamsCollector(context.active(), generation.upstreams);
          if (generation.stepUpstreams) toolContext = contextWithUpstreamsCollector(toolContext, generation.stepUpstreams);
          const toolUpstreams = generation.toolUpstreams.get(options.toolCallId);
          if (toolUpstreams) toolContext = contextWithUpstreamsCollector(toolContext, toolUpstreams);
          return context.with(toolContext, execute);
        },
      });
    },

    onStepEnd(event) {
      guard('onStepEnd', () => inner.onStepEnd(event));
    },

    onStepError(event) {
      guard('onStepError', () => {
        const generation = generations.get(event.callId);
        if (generation?.modelCall && !generation.modelCall.recorded && !generation.modelCall.settled) {
          attributeFromError(generation, event.error);
        }
        inner.onStepError(event);
      });
    },

    onEnd(event) {
      guard('onEnd', () => inner.onEnd(event as Parameters<OpenTelemetry['onEnd']>[0]));
      forgetGeneration(event.callId);
    },

    // AI SDK 7 `experimental_decide`: the root `decide {model}` span is the operation, its CHILD the
    // one decision-model call, attributed once (decision models never pass through a language-model
    // middleware, so nothing else counts them). The exchange is the End event's raw response.
    experimental_onDecideStart(event) {
      guard('experimental_onDecideStart', () => {
        startOperation(event.callId, () => inner.experimental_onDecideStart(withContentPolicy(event)));
      });
    },

    experimental_onDecisionModelCallStart(event) {
      guard('experimental_onDecisionModelCallStart', () => {
        startOperationModelCall(event, 'decide', () => inner.experimental_onDecisionModelCallStart(event));
      });
    },

    experimental_onDecisionModelCallEnd(event) {
      guard('experimental_onDecisionModelCallEnd', () => {
        settleOperationModelCall(event, 'decide');
        inner.experimental_onDecisionModelCallEnd(event);
      });
    },

    experimental_onDecideEnd(event) {
      guard('experimental_onDecideEnd', () => inner.experimental_onDecideEnd(event));
      forgetGeneration(event.callId);
    },

    // AI SDK 7 `experimental_extract` (ai 7.0.178+): the same shape as decide, the root `extract {model}`
    // span the operation, its CHILD the one extraction-model call that carries the route.
    experimental_onExtractStart(event) {
      guard('experimental_onExtractStart', () => {
        startOperation(event.callId, () => inner.experimental_onExtractStart(withContentPolicy(event)));
      });
    },

    experimental_onExtractionModelCallStart(event) {
      guard('experimental_onExtractionModelCallStart', () => {
        startOperationModelCall(event, 'extract', () => inner.experimental_onExtractionModelCallStart(event));
      });
    },

    experimental_onExtractionModelCallEnd(event) {
      guard('experimental_onExtractionModelCallEnd', () => {
        settleOperationModelCall(event, 'extract');
        inner.experimental_onExtractionModelCallEnd(event);
      });
    },

    experimental_onExtractEnd(event) {
      guard('experimental_onExtractEnd', () => inner.experimental_onExtractEnd(event));
      forgetGeneration(event.callId);
    },

    onAbort(event) {
      guard('onAbort', () => {
        const generation = generations.get(event.callId);
        const call = generation?.modelCall;
        // An aborted stream still keeps the route its headers revealed.
        if (generation && call && !call.recorded && !call.settled) {
          attributeFromError(generation, { name: 'AbortError' });
        }
        inner.onAbort(event);
      });
      forgetGeneration(event.callId);
    },

    onError(error) {
      const callId = isRecord(error) && typeof error.callId === 'string' ? error.callId : undefined;
      guard('onError', () => {
        const generation = callId ? generations.get(callId) : undefined;
        const call = generation?.modelCall;
        if (generation && call && !call.recorded && call.errorType === undefined) {
          attributeFromError(generation, isRecord(error) && 'error' in error ? error.error : error);
        }
        inner.onError(error);
      });
      if (callId) forgetGeneration(callId);
    },
  };

  // Everything else `OpenTelemetry` implements (embed, rerank, object, speech, decision, durable
  // runs) is forwarded as is, so this integration is a drop-in replacement for it.
  for (const name of forwardedMemberNames(inner)) {
    if (name in integration) continue;
    const member = (inner as unknown as Record<string, unknown>)[name];
    integration[name] =
      typeof member === 'function'
        ? (...args: unknown[]) => (member as (...a: unknown[]) => unknown).apply(inner, args)
        : member;
  }
  return integration;
}

function forwardedMemberNames(inner: OpenTelemetry): string[] {
  const names = new Set<string>(['experimental_durable']);
  let prototype: object | null = Object.getPrototypeOf(inner);
  while (prototype && prototype !== Object.prototype) {
    for (const name of Object.getOwnPropertyNames(prototype)) {
      if (name !== 'constructor' && (name.startsWith('on') || name.startsWith('execute') || name.startsWith('experimental_on'))) {
        names.add(name);
      }
    }
    prototype = Object.getPrototypeOf(prototype);
  }
  return [...names];
}

/**
 * A tracer for `@ai-sdk/otel` that hands back the spans it starts during one synchronous
 * callback, so this integration can attach upstreams and route attributes to spans it does not
 * own. Only synchronous code runs between `capture` start and end, so concurrent generations
 * never see each other's spans.
 */
function createSpanCapture(tracer: Tracer): { tracer: Tracer; capture(run: () => void): Span[] } {
  let captured: Span[] | undefined;
  const capturingTracer: Tracer = {
    startSpan(name, options, parentContext) {
      const span = tracer.startSpan(name, options, parentContext);
      captured?.push(span);
      return span;
    },
    startActiveSpan: tracer.startActiveSpan.bind(tracer) as Tracer['startActiveSpan'],
  };
  return {
    tracer: capturingTracer,
    capture(run) {
      const previous = captured;
      const spans: Span[] = [];
      captured = spans;
      try {
        run();
      } finally {
        captured = previous;
      }
      return spans;
    },
  };
}
