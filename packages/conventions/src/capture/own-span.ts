import { diag, SpanKind, SpanStatusCode, type Context, type Span } from '@opentelemetry/api';
import { deriveRoute } from '../derive-route';
import { errorTypeOf, modelCallAttributes, modelSpanName, setRouteOnSpan, type ResolvedInstrumentation } from '../instrumentation';
import { reportUpstream } from '../upstreams';
import type { RouteAttribution, RouteObservation } from '../types';
import { mergeResponseFacts, responseFacts } from './response-facts';

/** What the capture's own span knows of its call. @internal */
export interface OwnSpanCall {
  readonly operation: string;
  requestModel(): string | undefined;
  readonly serverAddress?: string;
  readonly serverPort?: number;
  readonly parentContext: Context;
  readonly startTime: number;
  readonly instrumentation: () => ResolvedInstrumentation;
}

/** Starts the CLIENT span `{operation} {model}` of a call no plugin and no other instrumentation owns. */
export function startOwnSpan(call: OwnSpanCall, startTime?: number): Span {
  const requestModel = call.requestModel();
  return call.instrumentation().tracer.startSpan(
    modelSpanName(call.operation, requestModel),
    {
      kind: SpanKind.CLIENT,
      attributes: modelCallAttributes({
        operation: call.operation,
        requestModel,
        serverAddress: call.serverAddress,
        serverPort: call.serverPort,
      }),
      ...(startTime === undefined ? {} : { startTime }),
    },
    call.parentContext,
  );
}

/** Names the own span after the request model once the request body told it. */
export function nameOwnSpan(span: Span, call: OwnSpanCall): void {
  const requestModel = call.requestModel();
  if (!requestModel) return;
  span.updateName(modelSpanName(call.operation, requestModel));
  span.setAttributes(modelCallAttributes({ requestModel }));
}

/** Sets the route derived so far on a span another instrumentation owns, and reports the upstream. */
export function applyRouteToActiveSpan(call: OwnSpanCall, span: Span, attribution: RouteAttribution): void {
  setRouteOnSpan(span, attribution, { semconv: call.instrumentation().semconv });
  reportUpstream(call.parentContext, attribution.upstream);
}

/**
 * Ends the own span of a call that got a response: route, response facts from the look-ahead and
 * the stream's tail, error type, metrics. Records no error message (messages carry URLs).
 */
export function endOwnSpan(
  span: Span,
  call: OwnSpanCall,
  observation: () => RouteObservation,
  bodyText: string,
  tailText: string,
  status: number,
  error: unknown,
): void {
  try {
    const attribution = deriveRoute(observation());
    const facts = responseFacts(bodyText);
    if (tailText) mergeResponseFacts(facts, responseFacts(tailText));
    const errorType = error !== undefined ? exchangeErrorType(error) : status >= 400 ? String(status) : undefined;
    span.setAttributes(
      modelCallAttributes({
        responseModel: attribution.responseModel ? undefined : facts.responseModel,
        responseId: facts.responseId,
        finishReasons: facts.finishReasons,
        usage: facts.usage,
        errorType,
      }),
    );
    setRouteOnSpan(span, attribution, { semconv: call.instrumentation().semconv });
    reportUpstream(call.parentContext, attribution.upstream);
    if (errorType) span.setStatus({ code: SpanStatusCode.ERROR, message: errorType });
    call.instrumentation().metrics.record({
      operation: call.operation,
      attribution,
      requestModel: call.requestModel(),
      responseModel: attribution.responseModel ?? facts.responseModel,
      durationSeconds: (performance.now() - call.startTime) / 1000,
      usage: facts.usage,
      errorType,
      serverAddress: call.serverAddress,
      serverPort: call.serverPort,
    });
  } catch (attributionError) {
    diag.warn('servedby: attributing the capture span failed', attributionError);
  } finally {
    span.end();
  }
}

/** Ends the own span of a call that got no response (connection error, abort before headers). */
export function failOwnSpan(span: Span, call: OwnSpanCall, url: string, error: unknown): void {
  try {
    const errorType = exchangeErrorType(error);
    const attribution = deriveRoute({ url, requestModel: call.requestModel() });
    span.setAttributes(modelCallAttributes({ errorType }));
    setRouteOnSpan(span, attribution, { semconv: call.instrumentation().semconv });
    span.setStatus({ code: SpanStatusCode.ERROR, message: errorType });
    call.instrumentation().metrics.record({
      operation: call.operation,
      attribution,
      requestModel: call.requestModel(),
      durationSeconds: (performance.now() - call.startTime) / 1000,
      errorType,
      serverAddress: call.serverAddress,
      serverPort: call.serverPort,
    });
  } catch (attributionError) {
    diag.warn('servedby: attributing the failed capture span failed', attributionError);
  } finally {
    span.end();
  }
}

/**
 * `error.type` of a failed exchange: a transport error's code (`ECONNREFUSED`, `UND_ERR_SOCKET`),
 * which says more than the class (`TypeError: fetch failed` wraps them all), else `errorTypeOf`.
 */
export function exchangeErrorType(error: unknown): string {
  if (typeof error === 'object' && error !== null) {
    const code = (error as { code?: unknown }).code ?? (error as { cause?: { code?: unknown } }).cause?.code;
    if (typeof code === 'string' && /^[A-Z][A-Z0-9_]{1,63}$/.test(code)) return code;
  }
  return errorTypeOf(error);
}
