import { AsyncLocalStorage } from 'node:async_hooks';
import {
  context as contextApi,
  diag,
  SpanKind,
  SpanStatusCode,
  trace,
  type Context,
  type Span,
} from '@opentelemetry/api';
import { deriveRoute } from './derive-route';
import { modelCallAttributes, modelSpanName, resolveInstrumentation, setRouteOnSpan, type TokenUsage } from './instrumentation';
import { reportUpstream } from './upstreams';
import type { RouteAttribution, RouteObservation, ServedbyOptions } from './types';
import { VERSION } from './version';

/**
 * What {@link captureRouteFetch} saw of one HTTP exchange. Handed to the sink of the call in
 * flight as soon as the response headers arrive; the body is peeked while the caller reads it.
 */
export interface RouteCapture {
  /** Request URL without query string, fragment or credentials. */
  readonly url: string;
  /** HTTP method. */
  readonly method: string;
  /** HTTP status of the response. */
  readonly status: number;
  /** Response headers, as received. */
  readonly responseHeaders: Headers;
  /** The response body peeked so far (at most the look-ahead), decoded as UTF-8. */
  bodyText(): string;
  /** Settles when the look-ahead has finished: body ended, cancelled or errored, limit reached, or caller stopped reading. Never rejects. */
  readonly done: Promise<void>;
  /** A `RouteObservation` of everything captured so far, with `extra` merged over it. */
  observation(extra?: Partial<RouteObservation>): RouteObservation;
}

/** Receives the {@link RouteCapture} of each request. Must not throw (errors are caught and reported through `diag`). */
export type RouteCaptureSink = (capture: RouteCapture) => void;

/** Options of {@link captureRouteFetch}. */
export interface CaptureRouteFetchOptions extends ServedbyOptions {
  /** Called with the capture of every request, besides any sink of {@link runWithRouteCapture}. */
  onCapture?: RouteCaptureSink;
  /** How many body bytes to peek at most. Default 64 KiB. */
  lookAheadBytes?: number;
}

/** The default look-ahead: how much of a response body {@link captureRouteFetch} peeks at most. */
export const DEFAULT_LOOK_AHEAD_BYTES = 64 * 1024;

const sinkStorage = new AsyncLocalStorage<RouteCaptureSink>();

/**
 * Runs `fn` so that every request a {@link captureRouteFetch} wrapper makes inside it (in the
 * same async flow) hands its {@link RouteCapture} to `sink`. Concurrent calls each see their own
 * sink only.
 *
 * @example
 * ```ts
 * const captures: RouteCapture[] = [];
 * const result = await runWithRouteCapture((capture) => captures.push(capture), () => model.invoke(prompt));
 * ```
 */
export function runWithRouteCapture<T>(sink: RouteCaptureSink, fn: () => T): T {
  return sinkStorage.run(sink, fn);
}

type FetchFunction = typeof globalThis.fetch;

/**
 * Wraps `fetch` so the route of every LLM call it makes is captured from the response headers
 * and a bounded look-ahead of the body (JSON or SSE), without consuming or delaying the caller's
 * body. Where the capture goes:
 *
 * 1. inside {@link runWithRouteCapture}, or with `options.onCapture`: to that sink (a plugin
 *    that owns the call reads it);
 * 2. else, when a span is active (e.g. OpenInference's or OpenLLMetry's), onto that span;
 * 3. else into its own CLIENT span `chat <model>`, which ends when the body has been received,
 *    is cancelled or errors, or when the caller leaves a full look-ahead unread (it stopped reading).
 *
 * @example
 * ```ts
 * const client = new OpenAI({ baseURL: 'https://openrouter.ai/api/v1', fetch: captureRouteFetch() });
 * ```
 */
export function captureRouteFetch(fetchImplementation?: FetchFunction, options: CaptureRouteFetchOptions = {}): FetchFunction {
  const lookAheadBytes =
    typeof options.lookAheadBytes === 'number' && options.lookAheadBytes > 0
      ? Math.floor(options.lookAheadBytes)
      : DEFAULT_LOOK_AHEAD_BYTES;
  let instrumentation: ReturnType<typeof resolveInstrumentation> | undefined;
  const getInstrumentation = () =>
    (instrumentation ??= resolveInstrumentation(options, { name: '@servedby/conventions', version: VERSION }));

  const capturingFetch = async (input: Parameters<FetchFunction>[0], init?: Parameters<FetchFunction>[1]) => {
    const baseFetch = fetchImplementation ?? globalThis.fetch;
    let call: CallState | undefined;
    try {
      call = startCall(input, init, options.onCapture, getInstrumentation);
    } catch (error) {
      diag.debug('servedby: captureRouteFetch could not describe the request', error);
    }
    if (!call) return baseFetch(input, init);

    let response: Response;
    try {
      response = await (call.ownSpan
        ? contextApi.with(trace.setSpan(call.parentContext, call.ownSpan), () => baseFetch(input, init))
        : baseFetch(input, init));
    } catch (error) {
      failCall(call, error);
      throw error;
    }
    try {
      return observeResponse(call, response, lookAheadBytes);
    } catch (error) {
      diag.warn('servedby: captureRouteFetch could not observe the response', error);
      return response;
    }
  };
  return capturingFetch as FetchFunction;
}

interface CallState {
  url: string;
  method: string;
  requestBody: unknown;
  requestModelCache?: { value: string | undefined };
  serverAddress?: string;
  serverPort?: number;
  operation: string;
  sinks: RouteCaptureSink[];
  parentContext: Context;
  activeSpan?: Span;
  ownSpan?: Span;
  startTime: number;
  instrumentation: () => ReturnType<typeof resolveInstrumentation>;
}

function startCall(
  input: Parameters<FetchFunction>[0],
  init: Parameters<FetchFunction>[1],
  onCapture: RouteCaptureSink | undefined,
  instrumentation: () => ReturnType<typeof resolveInstrumentation>,
): CallState {
  const isRequest = typeof Request !== 'undefined' && input instanceof Request;
  const rawUrl = isRequest ? input.url : String(input);
  const method = (init?.method ?? (isRequest ? input.method : 'GET')).toUpperCase();
  const target = describeUrl(rawUrl);
  const sinks: RouteCaptureSink[] = [];
  const storedSink = sinkStorage.getStore();
  if (storedSink) sinks.push(storedSink);
  if (onCapture) sinks.push(onCapture);
  const parentContext = contextApi.active();
  const call: CallState = {
    url: target.url,
    method,
    // A Request's own body is never read: that would consume it.
    requestBody: init?.body,
    serverAddress: target.serverAddress,
    serverPort: target.serverPort,
    operation: operationFromPath(target.pathname),
    sinks,
    parentContext,
    startTime: performance.now(),
    instrumentation,
  };
  if (sinks.length === 0) {
    const activeSpan = trace.getSpan(parentContext);
    if (activeSpan?.isRecording()) {
      call.activeSpan = activeSpan;
    } else {
      const requestModel = requestModelOf(call);
      call.ownSpan = instrumentation().tracer.startSpan(
        modelSpanName(call.operation, requestModel),
        {
          kind: SpanKind.CLIENT,
          attributes: modelCallAttributes({
            operation: call.operation,
            requestModel,
            serverAddress: call.serverAddress,
            serverPort: call.serverPort,
          }),
        },
        parentContext,
      );
    }
  }
  return call;
}

function observeResponse(call: CallState, response: Response, lookAheadBytes: number): Response {
  const peekedChunks: Uint8Array[] = [];
  let peekedBytes = 0;
  let decodedText: string | undefined;
  let resolveDone!: () => void;
  const done = new Promise<void>((resolve) => {
    resolveDone = resolve;
  });
  const capture: RouteCapture = {
    url: call.url,
    method: call.method,
    status: response.status,
    responseHeaders: response.headers,
    bodyText() {
      decodedText ??= decodeChunks(peekedChunks, peekedBytes);
      return decodedText;
    },
    done,
    observation(extra) {
      const observation: RouteObservation = {
        url: call.url,
        status: response.status,
        responseHeaders: response.headers,
      };
      const requestModel = requestModelOf(call);
      if (requestModel) observation.requestModel = requestModel;
      const text = capture.bodyText();
      if (text.length > 0) observation.responseBody = text;
      return extra ? { ...observation, ...extra } : observation;
    },
  };

  for (const sink of call.sinks) {
    try {
      sink(capture);
    } catch (error) {
      diag.warn('servedby: a route capture sink threw', error);
    }
  }

  let lookAheadOpen = true;
  let callFinished = false;
  // Ends the look-ahead once: from here on the body only passes through.
  const closeLookAhead = () => {
    if (!lookAheadOpen) return;
    lookAheadOpen = false;
    decodedText = undefined;
    try {
      if (call.activeSpan) applyRouteToSpan(call, call.activeSpan, capture);
    } catch (error) {
      diag.warn('servedby: setting the route on the active span failed', error);
    }
    resolveDone();
  };
  // Ends the call once: the response has been received, cancelled or abandoned, or it failed.
  const finishCall = (error?: unknown) => {
    closeLookAhead();
    if (callFinished) return;
    callFinished = true;
    if (call.ownSpan) endOwnSpan(call, capture, response.status, error);
  };

  const body = response.body;
  if (!body || !isPeekable(response.headers.get('content-type'))) {
    finishCall();
    return response;
  }

  const reader = body.getReader();
  const observedBody = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        let result: ReadableStreamReadResult<Uint8Array>;
        try {
          result = await reader.read();
        } catch (error) {
          finishCall(error);
          controller.error(error);
          return;
        }
        if (result.done) {
          finishCall();
          controller.close();
          return;
        }
        const chunk = result.value;
        if (lookAheadOpen && chunk instanceof Uint8Array) {
          // Keep the chunk itself: decoding waits until someone asks for the text.
          const room = lookAheadBytes - peekedBytes;
          const kept = chunk.byteLength <= room ? chunk : chunk.subarray(0, room);
          peekedChunks.push(kept);
          peekedBytes += kept.byteLength;
          decodedText = undefined;
          if (peekedBytes >= lookAheadBytes) closeLookAhead();
        }
        controller.enqueue(chunk);
        // A full queue means the caller left a whole look-ahead unread: it stopped reading.
        if (controller.desiredSize !== null && controller.desiredSize <= 0) finishCall();
      },
      cancel(reason) {
        finishCall();
        return reader.cancel(reason);
      },
    },
    { highWaterMark: lookAheadBytes, size: (chunk) => (chunk instanceof Uint8Array ? chunk.byteLength : 1) },
  );

  const observedResponse = new Response(observedBody, {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  });
  // Keep what a Response built from a stream cannot be given in its init.
  Object.defineProperties(observedResponse, {
    url: { value: response.url, enumerable: true },
    redirected: { value: response.redirected, enumerable: true },
    type: { value: response.type, enumerable: true },
  });
  return observedResponse;
}

function applyRouteToSpan(call: CallState, span: Span, capture: RouteCapture): RouteAttribution {
  const attribution = deriveRoute(capture.observation());
  setRouteOnSpan(span, attribution, { semconv: call.instrumentation().semconv });
  reportUpstream(call.parentContext, attribution.upstream);
  return attribution;
}

function endOwnSpan(call: CallState, capture: RouteCapture, status: number, error: unknown): void {
  const span = call.ownSpan;
  if (!span) return;
  try {
    const observation = capture.observation();
    const attribution = deriveRoute(observation);
    const facts = responseFacts(capture.bodyText());
    const errorType = error !== undefined ? errorTypeOf(error) : status >= 400 ? String(status) : undefined;
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
      requestModel: requestModelOf(call),
      responseModel: attribution.responseModel ?? facts.responseModel,
      durationSeconds: (performance.now() - call.startTime) / 1000,
      usage: facts.usage,
      errorType,
      serverAddress: call.serverAddress,
      serverPort: call.serverPort,
    });
  } catch (attributionError) {
    diag.warn('servedby: attributing the fetch span failed', attributionError);
  } finally {
    span.end();
  }
}

function failCall(call: CallState, error: unknown): void {
  const span = call.ownSpan;
  if (!span) return;
  try {
    const errorType = errorTypeOf(error);
    const attribution = deriveRoute({ url: call.url, requestModel: requestModelOf(call) });
    span.setAttributes(modelCallAttributes({ errorType }));
    setRouteOnSpan(span, attribution, { semconv: call.instrumentation().semconv });
    span.setStatus({ code: SpanStatusCode.ERROR, message: errorType });
    call.instrumentation().metrics.record({
      operation: call.operation,
      attribution,
      requestModel: requestModelOf(call),
      durationSeconds: (performance.now() - call.startTime) / 1000,
      errorType,
      serverAddress: call.serverAddress,
      serverPort: call.serverPort,
    });
  } catch (attributionError) {
    diag.warn('servedby: attributing the failed fetch span failed', attributionError);
  } finally {
    span.end();
  }
}

function errorTypeOf(error: unknown): string {
  if (error instanceof Error) return error.name || 'Error';
  return '_OTHER';
}

function requestModelOf(call: CallState): string | undefined {
  if (!call.requestModelCache) {
    let value: string | undefined;
    const body = call.requestBody;
    if (typeof body === 'string' && body.length > 0 && body.length <= 4 * 1024 * 1024) {
      try {
        const parsed: unknown = JSON.parse(body);
        const model = isRecord(parsed) ? parsed.model : undefined;
        if (typeof model === 'string' && model.length > 0) value = model;
      } catch {
        // Not JSON: the request model stays unknown.
      }
    }
    call.requestModelCache = { value };
  }
  return call.requestModelCache.value;
}

function describeUrl(rawUrl: string): { url: string; pathname: string; serverAddress?: string; serverPort?: number } {
  try {
    const parsed = new URL(rawUrl);
    parsed.search = '';
    parsed.hash = '';
    parsed.username = '';
    parsed.password = '';
    const defaultPort = parsed.protocol === 'https:' ? 443 : parsed.protocol === 'http:' ? 80 : undefined;
    return {
      url: parsed.toString(),
      pathname: parsed.pathname,
      serverAddress: parsed.hostname || undefined,
      serverPort: parsed.port ? Number(parsed.port) : defaultPort,
    };
  } catch {
    const withoutQuery = rawUrl.split(/[?#]/, 1)[0] ?? '';
    return { url: withoutQuery, pathname: withoutQuery };
  }
}

function operationFromPath(pathname: string): string {
  if (/\/embeddings?\/?$/.test(pathname) || pathname.includes('/embed')) return 'embeddings';
  if (/\/completions\/?$/.test(pathname) && !pathname.includes('/chat/')) return 'text_completion';
  return 'chat';
}

function isPeekable(contentType: string | null): boolean {
  if (contentType === null) return true;
  const type = contentType.toLowerCase();
  return type.includes('json') || type.includes('event-stream') || type.startsWith('text/');
}

function decodeChunks(chunks: readonly Uint8Array[], totalBytes: number): string {
  if (chunks.length === 0) return '';
  const decoder = new TextDecoder('utf-8', { fatal: false });
  if (chunks.length === 1) return decoder.decode(chunks[0]);
  const joined = new Uint8Array(totalBytes);
  let offset = 0;
  for (const chunk of chunks) {
    joined.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return decoder.decode(joined);
}

interface ResponseFacts {
  responseModel?: string;
  responseId?: string;
  finishReasons?: string[];
  usage?: TokenUsage;
}

/**
 * Semconv facts from an OpenAI- or Anthropic-shaped body (JSON or SSE), for the span
 * captureRouteFetch makes itself. Route facts come from `deriveRoute`, never from here.
 */
function responseFacts(text: string): ResponseFacts {
  const facts: ResponseFacts = {};
  const trimmed = text.trimStart();
  if (trimmed.startsWith('{')) {
    try {
      mergeFacts(facts, JSON.parse(trimmed));
    } catch {
      // Truncated or not JSON.
    }
    return facts;
  }
  for (const line of text.split('\n')) {
    if (!line.startsWith('data:')) continue;
    const data = line.slice(5).trim();
    if (data.length === 0 || data === '[DONE]') continue;
    try {
      mergeFacts(facts, JSON.parse(data));
    } catch {
      // A truncated last event.
    }
  }
  return facts;
}

function mergeFacts(facts: ResponseFacts, payload: unknown): void {
  if (!isRecord(payload)) return;
  const message = isRecord(payload.message) ? payload.message : payload; // Anthropic message_start
  if (typeof message.id === 'string' && message.id && !facts.responseId) facts.responseId = message.id;
  if (typeof message.model === 'string' && message.model && !facts.responseModel) facts.responseModel = message.model;
  if (Array.isArray(payload.choices)) {
    for (const choice of payload.choices) {
      if (isRecord(choice) && typeof choice.finish_reason === 'string') {
        (facts.finishReasons ??= []).push(choice.finish_reason);
      }
    }
  }
  const usage = isRecord(message.usage) ? message.usage : isRecord(payload.usage) ? payload.usage : undefined;
  if (usage) {
    const inputTokens = numberOf(usage.prompt_tokens) ?? numberOf(usage.input_tokens);
    const outputTokens = numberOf(usage.completion_tokens) ?? numberOf(usage.output_tokens);
    const promptDetails = isRecord(usage.prompt_tokens_details) ? usage.prompt_tokens_details : undefined;
    const completionDetails = isRecord(usage.completion_tokens_details) ? usage.completion_tokens_details : undefined;
    const next: TokenUsage = { ...facts.usage };
    if (inputTokens !== undefined) next.inputTokens = inputTokens;
    if (outputTokens !== undefined) next.outputTokens = outputTokens;
    const cached = numberOf(promptDetails?.cached_tokens);
    if (cached !== undefined) next.cacheReadInputTokens = cached;
    const reasoning = numberOf(completionDetails?.reasoning_tokens);
    if (reasoning !== undefined) next.reasoningTokens = reasoning;
    facts.usage = next;
  }
}

function numberOf(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
