import { diag, SpanKind, type Context, type Span } from '@opentelemetry/api';
import { withSharedJsonParse } from '../body';
import { LowerCaseHeaderMap, readHeader } from '../headers';
import { errorTypeOf, modelCallAttributes, modelSpanName, setRouteOnSpan, type ResolvedInstrumentation } from '../instrumentation';
import { recordModelCall, type ModelCallObservation } from '../record-model-call';
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

/**
 * Names the own span after the request model, which the request body tells only after the span
 * started: done when the span ends (exporters see the final name), not on the exchange's hot path.
 */
function nameOwnSpan(span: Span, call: OwnSpanCall, requestModel: string | undefined): void {
  if (requestModel) span.updateName(modelSpanName(call.operation, requestModel));
}

/** Sets the route derived so far on a span another instrumentation owns, and reports the upstream. */
export function applyRouteToActiveSpan(call: OwnSpanCall, span: Span, attribution: RouteAttribution): void {
  setRouteOnSpan(span, attribution, { semconv: call.instrumentation().semconv });
  reportUpstream(call.parentContext, attribution.upstream);
}

/**
 * Ends the own span of a call that got a response, through the one record step: route, response
 * facts from the look-ahead and the stream's tail, error type, metrics. Records no error message
 * (messages carry URLs).
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
    // The response facts and the derivation read the same JSON body: parsed once.
    withSharedJsonParse(() => recordOwnSpan(span, call, observation, bodyText, tailText, status, error));
  } catch (recordError) {
    diag.warn('servedby: attributing the capture span failed', recordError);
  } finally {
    span.end();
  }
}

function recordOwnSpan(
  span: Span,
  call: OwnSpanCall,
  observation: () => RouteObservation,
  bodyText: string,
  tailText: string,
  status: number,
  error: unknown,
): void {
  const exchange = observation();
  const facts = responseFacts(bodyText);
  if (tailText) mergeResponseFacts(facts, responseFacts(tailText));
  const errorType = error !== undefined ? exchangeErrorType(error) : status >= 400 ? String(status) : undefined;
  const contentType = contentTypeOf(exchange.responseHeaders);
  const requestModel = call.requestModel();
  nameOwnSpan(span, call, requestModel);
  const record = modelCallOf(call, exchange, requestModel, error, errorType);
  record.streaming = contentType.toLowerCase().includes('event-stream');
  if (facts.responseModel) record.responseModel = facts.responseModel;
  if (facts.responseId) record.responseId = facts.responseId;
  if (facts.finishReasons) record.finishReasons = facts.finishReasons;
  if (facts.usage) record.usage = facts.usage;
  recordModelCall(span, record, call.instrumentation());
}

// What both ends of an own span record (with and without a response), written field by field:
// this runs at the end of every exchange the register entry captures.
function modelCallOf(call: OwnSpanCall, exchange: RouteObservation, requestModel: string | undefined, error: unknown, errorType: string | undefined): ModelCallObservation {
  const record: ModelCallObservation = {
    exchange,
    operation: call.operation,
    durationSeconds: (performance.now() - call.startTime) / 1000,
    parentContext: call.parentContext,
  };
  if (requestModel) record.requestModel = requestModel;
  if (error !== undefined) record.error = error;
  if (errorType) record.errorType = errorType;
  if (call.serverAddress !== undefined) record.serverAddress = call.serverAddress;
  if (call.serverPort !== undefined) record.serverPort = call.serverPort;
  return record;
}

// The exchange's own header map (lower-case names) is read directly; any other shape through a lookup.
function contentTypeOf(headers: RouteObservation['responseHeaders']): string {
  if (headers instanceof LowerCaseHeaderMap) return headers.get('content-type') ?? '';
  return readHeader(headers, 'content-type') ?? '';
}

/** Ends the own span of a call that got no response (connection error, abort before headers): no upstream. */
export function failOwnSpan(span: Span, call: OwnSpanCall, url: string, error: unknown): void {
  try {
    const requestModel = call.requestModel();
    nameOwnSpan(span, call, requestModel);
    const exchange: RouteObservation = requestModel ? { url, requestModel } : { url };
    recordModelCall(span, modelCallOf(call, exchange, requestModel, error, exchangeErrorType(error)), call.instrumentation());
  } catch (recordError) {
    diag.warn('servedby: attributing the failed capture span failed', recordError);
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
