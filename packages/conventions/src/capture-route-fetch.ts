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

// Larger request bodies are not parsed for their model.
const MAX_REQUEST_BODY_BYTES = 4 * 1024 * 1024;
// How many first chunks are checked for a known route before peeking just runs to the limit.
const ROUTE_CHECK_CHUNKS = 8;
// How much of the first events a route check derives from, at most.
const ROUTE_CHECK_BYTES = 4 * 1024;
// How much of a stream's end the own span keeps for usage and finish reasons after an early stop.
const TAIL_BYTES = 16 * 1024;
// How many of the last stream events are read for usage and finish reasons.
const TAIL_EVENTS = 4;

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

  // The global fetch is looked up per call (test tools replace it), except when this wrapper
  // itself was installed as the global fetch: then the one it replaced is used.
  const fetchAtCreation = globalThis.fetch;
  const capturingFetch = async (input: Parameters<FetchFunction>[0], init?: Parameters<FetchFunction>[1]) => {
    const baseFetch =
      fetchImplementation ?? (globalThis.fetch === (capturingFetch as unknown) ? fetchAtCreation : globalThis.fetch);
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
  // Parsed only when a span or metric needs it: most captured calls never do.
  targetCache?: CallTarget;
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
  const sinks: RouteCaptureSink[] = [];
  const storedSink = sinkStorage.getStore();
  if (storedSink) sinks.push(storedSink);
  if (onCapture) sinks.push(onCapture);
  const parentContext = contextApi.active();
  const call: CallState = {
    url: urlWithoutSecrets(rawUrl),
    method,
    // A Request's own body is never read: that would consume it.
    requestBody: init?.body,
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
      const target = targetOf(call);
      call.ownSpan = instrumentation().tracer.startSpan(
        modelSpanName(target.operation, requestModel),
        {
          kind: SpanKind.CLIENT,
          attributes: modelCallAttributes({
            operation: target.operation,
            requestModel,
            serverAddress: target.serverAddress,
            serverPort: target.serverPort,
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
  // Set when peeking stopped at an event boundary inside a chunk: the peeked text is that prefix.
  let peekedTextOverride: string | undefined;
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
      decodedText ??= peekedTextOverride ?? decodeChunks(peekedChunks, peekedBytes);
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
      if (!extra || !('responseBody' in extra)) {
        const text = capture.bodyText();
        if (text.length > 0) observation.responseBody = text;
      }
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
  // Where this wrapper derives the route itself, it stops peeking as soon as the route is known;
  // a sink's owner derives once at the end, so there peeking only stops at the limit.
  // Only streams are checked early: a JSON body is derived once, whole.
  const isEventStream = (response.headers.get('content-type') ?? '').toLowerCase().includes('event-stream');
  let routeChecksLeft = (call.activeSpan || call.ownSpan) && isEventStream ? ROUTE_CHECK_CHUNKS : 0;
  let attributionCache: { bytes: number; attribution: RouteAttribution } | undefined;
  const currentAttribution = (): RouteAttribution => {
    if (attributionCache?.bytes !== peekedBytes) {
      attributionCache = { bytes: peekedBytes, attribution: deriveRoute(capture.observation()) };
    }
    return attributionCache.attribution;
  };
  // After an early stop, the own span still wants usage and finish reasons from the stream's end.
  const tailChunks: Uint8Array[] = [];
  let tailBytes = 0;
  // Derives from the first events only (up to ROUTE_CHECK_BYTES, cut at an event boundary): a
  // route in the first events makes parsing the rest of a large first chunk unnecessary.
  const routeKnownFromFirstEvents = (): boolean => {
    if (peekedBytes <= ROUTE_CHECK_BYTES) return currentAttribution().upstream !== undefined;
    const head = decodeChunks(peekedChunks, peekedBytes, ROUTE_CHECK_BYTES);
    const boundary = head.lastIndexOf('\n\n');
    if (boundary <= 0) return false;
    const prefix = head.slice(0, boundary + 2);
    const attribution = deriveRoute(capture.observation({ responseBody: prefix }));
    if (attribution.upstream === undefined) return false;
    peekedTextOverride = prefix;
    decodedText = undefined;
    attributionCache = { bytes: peekedBytes, attribution };
    if (call.ownSpan) {
      // The rest of what was peeked starts the tail, as bytes: decoding waits for the end.
      const last = peekedChunks[peekedChunks.length - 1]!;
      const keep = last.subarray(Math.max(0, last.byteLength - TAIL_BYTES));
      tailChunks.push(keep);
      tailBytes += keep.byteLength;
    }
    return true;
  };

  // Ends the look-ahead once: from here on the body only passes through.
  const closeLookAhead = () => {
    if (!lookAheadOpen) return;
    lookAheadOpen = false;
    try {
      if (call.activeSpan) applyRouteToSpan(call, call.activeSpan, currentAttribution());
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
    if (call.ownSpan) {
      let attribution: RouteAttribution | undefined;
      try {
        attribution = currentAttribution();
      } catch (attributionError) {
        diag.warn('servedby: deriving the route failed', attributionError);
      }
      const tailText = tailBytes > 0 ? decodeLastBytes(tailChunks, TAIL_BYTES) : '';
      endOwnSpan(call, capture, response.status, error, attribution, tailText);
    }
  };
  const observeChunk = (chunk: Uint8Array) => {
    if (lookAheadOpen) {
      // Keep the chunk itself: decoding waits until someone asks for the text.
      const room = lookAheadBytes - peekedBytes;
      const kept = chunk.byteLength <= room ? chunk : chunk.subarray(0, room);
      peekedChunks.push(kept);
      peekedBytes += kept.byteLength;
      decodedText = undefined;
      // Checked before the limit: one large first chunk can fill the whole look-ahead.
      if (routeChecksLeft > 0) {
        routeChecksLeft -= 1;
        if (routeKnownFromFirstEvents()) closeLookAhead();
      }
      if (peekedBytes >= lookAheadBytes) closeLookAhead();
    } else if (call.ownSpan && !callFinished) {
      tailChunks.push(chunk);
      tailBytes += chunk.byteLength;
      while (tailChunks.length > 1 && tailBytes - tailChunks[0]!.byteLength >= TAIL_BYTES) {
        tailBytes -= tailChunks.shift()!.byteLength;
      }
    }
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
        if (chunk instanceof Uint8Array) {
          try {
            observeChunk(chunk);
          } catch (error) {
            diag.warn('servedby: peeking at the response body failed', error);
            closeLookAhead();
          }
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
  // Getters, not values: the original serialises its URL on every read, so only pay if asked.
  Object.defineProperties(observedResponse, {
    url: { get: () => response.url, enumerable: true },
    redirected: { get: () => response.redirected, enumerable: true },
    type: { get: () => response.type, enumerable: true },
  });
  return observedResponse;
}

function applyRouteToSpan(call: CallState, span: Span, attribution: RouteAttribution): void {
  setRouteOnSpan(span, attribution, { semconv: call.instrumentation().semconv });
  reportUpstream(call.parentContext, attribution.upstream);
}

function endOwnSpan(
  call: CallState,
  capture: RouteCapture,
  status: number,
  error: unknown,
  derived: RouteAttribution | undefined,
  tailText: string,
): void {
  const span = call.ownSpan;
  if (!span) return;
  try {
    const attribution = derived ?? deriveRoute(capture.observation());
    const facts = responseFacts(capture.bodyText());
    if (tailText) mergeResponseFacts(facts, responseFacts(tailText));
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
      operation: targetOf(call).operation,
      attribution,
      requestModel: requestModelOf(call),
      responseModel: attribution.responseModel ?? facts.responseModel,
      durationSeconds: (performance.now() - call.startTime) / 1000,
      usage: facts.usage,
      errorType,
      serverAddress: targetOf(call).serverAddress,
      serverPort: targetOf(call).serverPort,
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
      operation: targetOf(call).operation,
      attribution,
      requestModel: requestModelOf(call),
      durationSeconds: (performance.now() - call.startTime) / 1000,
      errorType,
      serverAddress: targetOf(call).serverAddress,
      serverPort: targetOf(call).serverPort,
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
    const requestBody = call.requestBody;
    // SDKs send JSON as a string or as bytes; streams and forms are left unread.
    const body =
      requestBody instanceof Uint8Array && requestBody.byteLength <= MAX_REQUEST_BODY_BYTES
        ? utf8Decoder.decode(requestBody)
        : requestBody;
    if (typeof body === 'string' && body.length > 0 && body.length <= MAX_REQUEST_BODY_BYTES) {
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

interface CallTarget {
  operation: string;
  serverAddress?: string;
  serverPort?: number;
}

function targetOf(call: CallState): CallTarget {
  if (!call.targetCache) {
    let target: CallTarget;
    try {
      const parsed = new URL(call.url);
      const defaultPort = parsed.protocol === 'https:' ? 443 : parsed.protocol === 'http:' ? 80 : undefined;
      target = {
        operation: operationFromPath(parsed.pathname),
        serverAddress: parsed.hostname || undefined,
        serverPort: parsed.port ? Number(parsed.port) : defaultPort,
      };
    } catch {
      target = { operation: operationFromPath(call.url) };
    }
    call.targetCache = target;
  }
  return call.targetCache;
}

/** The URL without query string, fragment or credentials; string work only, as this runs on every call. */
function urlWithoutSecrets(rawUrl: string): string {
  let end = rawUrl.length;
  const query = rawUrl.indexOf('?');
  if (query !== -1) end = query;
  const fragment = rawUrl.indexOf('#');
  if (fragment !== -1 && fragment < end) end = fragment;
  let url = end === rawUrl.length ? rawUrl : rawUrl.slice(0, end);
  const at = url.indexOf('@');
  if (at !== -1) {
    const authorityStart = url.indexOf('//');
    const pathStart = authorityStart === -1 ? -1 : url.indexOf('/', authorityStart + 2);
    if (authorityStart !== -1 && at > authorityStart && (pathStart === -1 || at < pathStart)) {
      url = url.slice(0, authorityStart + 2) + url.slice(at + 1);
    }
  }
  return url;
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

const utf8Decoder = new TextDecoder('utf-8', { fatal: false });

/** Decodes the chunks (at most `limit` bytes of them) as UTF-8, invalid bytes replaced. */
function decodeChunks(chunks: readonly Uint8Array[], totalBytes: number, limit = totalBytes): string {
  if (chunks.length === 0 || limit <= 0) return '';
  const first = chunks[0]!;
  if (first.byteLength >= limit || chunks.length === 1) return utf8Decoder.decode(first.subarray(0, limit));
  const joined = new Uint8Array(Math.min(totalBytes, limit));
  let offset = 0;
  for (const chunk of chunks) {
    if (offset >= joined.byteLength) break;
    const part = chunk.subarray(0, joined.byteLength - offset);
    joined.set(part, offset);
    offset += part.byteLength;
  }
  return utf8Decoder.decode(joined);
}

/** Decodes the last `limit` bytes of the chunks (a character cut at the start becomes U+FFFD). */
function decodeLastBytes(chunks: readonly Uint8Array[], limit: number): string {
  const parts: Uint8Array[] = [];
  let collected = 0;
  for (let index = chunks.length - 1; index >= 0 && collected < limit; index -= 1) {
    const chunk = chunks[index]!;
    const part = chunk.subarray(Math.max(0, chunk.byteLength - (limit - collected)));
    parts.unshift(part);
    collected += part.byteLength;
  }
  return decodeChunks(parts, collected);
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
  // Ids and models come first, usage and finish reasons last: parse from both ends, not every event.
  const lines = text.split('\n');
  const parsed = new Set<number>();
  const parseLine = (index: number, into: ResponseFacts) => {
    parsed.add(index);
    const line = lines[index]!;
    if (!line.startsWith('data:')) return;
    const data = line.slice(5).trim();
    if (data.length === 0 || data === '[DONE]') return;
    try {
      mergeFacts(into, JSON.parse(data));
    } catch {
      // A truncated event.
    }
  };
  for (let index = 0; index < lines.length && !(facts.responseId && facts.responseModel); index += 1) parseLine(index, facts);
  const fromEnd: ResponseFacts = {};
  let eventsFromEnd = 0;
  for (let index = lines.length - 1; index >= 0 && eventsFromEnd < TAIL_EVENTS && !(fromEnd.usage && fromEnd.finishReasons); index -= 1) {
    if (parsed.has(index) || !lines[index]!.startsWith('data:')) continue;
    eventsFromEnd += 1;
    parseLine(index, fromEnd);
  }
  if (fromEnd.finishReasons) fromEnd.finishReasons.reverse();
  mergeResponseFacts(facts, fromEnd);
  return facts;
}

function mergeResponseFacts(facts: ResponseFacts, later: ResponseFacts): void {
  facts.responseId ??= later.responseId;
  facts.responseModel ??= later.responseModel;
  if (later.finishReasons) facts.finishReasons = [...(facts.finishReasons ?? []), ...later.finishReasons];
  if (later.usage) facts.usage = { ...facts.usage, ...later.usage };
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
