import * as diagnosticsChannel from 'node:diagnostics_channel';
import { context as contextApi, diag, metrics as metricsApi, trace, type Span } from '@opentelemetry/api';
import { resolveInstrumentation, type ResolvedInstrumentation } from '../instrumentation';
import type { ServedbyOptions } from '../types';
import { VERSION } from '../version';
import {
  createExchange,
  DEFAULT_IDLE_TIMEOUT_MS,
  DEFAULT_LOOK_AHEAD_BYTES,
  type BodySource,
  type Exchange,
  type ExchangeBinding,
} from './exchange';
import { headerMapOf } from '../headers';
import { isGenAiExchange } from './genai-exchange';
import {
  propagatedSpanContext,
  propagationTarget,
  resolveGatewayPropagation,
  traceparentOf,
  withOpenRouterTrace,
  type GatewayPropagation,
} from './propagation';
import { urlWithoutSecrets } from './request-facts';
import { exchangeToFeed, observeFetchResponse } from './fetch-body';
import { captureStorage, releaseFetchClaim, type CaptureScope, type FetchClaim, type RouteCaptureSink } from './storage';

/** Options of {@link enableRouteCapture}. Process-wide: the last call's values win, `ownSpans` once on stays on. */
export interface RouteCaptureOptions extends ServedbyOptions {
  /**
   * Give every GenAI exchange made outside a plugin's model call a CLIENT span of its own (or put
   * the route on another instrumentation's model span when one is active). What
   * `@servedby/conventions/register` turns on. Default `false`: only calls a plugin owns are captured.
   */
  ownSpans?: boolean;
  /** How many response body bytes to peek at most. Default 64 KiB. */
  lookAheadBytes?: number;
  /**
   * After the headers, how long an exchange may receive nothing before the capture gives up (the
   * caller stopped reading, or the server stalls): its look-ahead settles and its span ends.
   * Default 30 s, or `SERVEDBY_CAPTURE_IDLE_TIMEOUT_MS`. `0` never gives up.
   */
  idleTimeoutMs?: number;
}

/** What the running Node.js lets the capture observe. */
export interface RouteCaptureSupport {
  /** `fetch` and undici exchanges, from `undici:request:*` diagnostics channels: URL, status, headers, end. */
  readonly undici: boolean;
  /** Their response bodies, from `undici:request:bodyChunkReceived` (undici ≥ 7.11, Node ≥ 24). Else a fetch wrapper feeds them. */
  readonly undiciBody: boolean;
  /** `node:http`/`node:https` client exchanges (`http.client.*` channels): URL, status, headers, end; never the body. */
  readonly http: boolean;
  /** `node:http2` client streams (`http2.client.stream.*`, Node ≥ 22.x): URL, status, headers, end; never the body. */
  readonly http2: boolean;
}

interface ObserverSettings {
  ownSpans: boolean;
  lookAheadBytes: number;
  idleTimeoutMs: number;
  options: ServedbyOptions;
  /** Process-wide: once a plugin or the register entry asks for it, every bound exchange to a gateway carries the context. */
  propagation?: GatewayPropagation;
}

/**
 * Finds the capture sink of the model call in flight from a plugin's own async context (Mastra's
 * current span, say), for frameworks whose model calls servedby cannot wrap in
 * `runWithRouteCapture`. Called synchronously when an exchange starts; must be cheap and never throw.
 */
export type RouteCaptureResolver = () => RouteCaptureSink | undefined;

interface ObserverState {
  settings: ObserverSettings;
  subscribed: boolean;
  bodyFeederInstalled: boolean;
  resolvers: RouteCaptureResolver[];
}

// Process-wide, not per module copy (ESM and CJS builds, the register entry, two installed
// versions): one subscription and one set of settings, or exchanges would be captured twice.
const STATE_KEY = Symbol.for('servedby.capture.observer.v1');
const state: ObserverState = ((globalThis as Record<symbol, unknown>)[STATE_KEY] ??= {
  settings: {
    ownSpans: false,
    lookAheadBytes: DEFAULT_LOOK_AHEAD_BYTES,
    idleTimeoutMs: idleTimeoutFromEnvironment(),
    options: {},
  },
  subscribed: false,
  bodyFeederInstalled: false,
  resolvers: [],
} satisfies ObserverState) as ObserverState;
// A state object from an older copy of this module may lack newer fields.
state.resolvers ??= [];
const settings = state.settings;

function idleTimeoutFromEnvironment(): number {
  const raw = typeof process !== 'undefined' ? process.env?.SERVEDBY_CAPTURE_IDLE_TIMEOUT_MS : undefined;
  const value = raw === undefined ? Number.NaN : Number(raw);
  return Number.isFinite(value) && value >= 0 ? value : DEFAULT_IDLE_TIMEOUT_MS;
}

/** `true` when the bundled undici publishes response body chunks (added in undici 7.11.0). */
function bundledUndiciHasBodyChannel(): boolean {
  const version = typeof process !== 'undefined' ? process.versions?.undici : undefined;
  if (typeof version !== 'string') return false;
  const [major = 0, minor = 0] = version.split('.').map(Number);
  return major > 7 || (major === 7 && minor >= 11);
}

const support: RouteCaptureSupport = {
  undici: typeof diagnosticsChannel.subscribe === 'function',
  undiciBody: typeof diagnosticsChannel.subscribe === 'function' && bundledUndiciHasBodyChannel(),
  http: typeof diagnosticsChannel.subscribe === 'function',
  // Subscribing is harmless where Node does not publish them; whether it does is not detectable up front.
  http2: typeof diagnosticsChannel.subscribe === 'function',
};

// Exchanges by the undici request or Node ClientRequest that carries them: nothing is added to
// those objects. Per module copy is enough: only the copy that subscribed uses it.
const exchangesByRequest = new WeakMap<object, Exchange>();

/**
 * Starts observing HTTP exchanges on Node's diagnostics channels (once per process; later calls
 * only update the settings). From then on, every exchange made inside a plugin's model call
 * (`runWithRouteCapture`) or a `captureRouteFetch` wrapper is captured without wrapping its
 * `Response` or stream: URL and request model at `undici:request:create`/`bodyChunkSent`, status and
 * headers at `undici:request:headers`, a bounded look-ahead (decompressed) of the body at
 * `undici:request:bodyChunkReceived`, the end at `undici:request:trailers`/`error`. `node:http`
 * clients are seen on `http.client.*` (no body). Exchanges outside any model call cost one
 * async-local lookup (and, with `ownSpans`, a test of the URL).
 *
 * @example
 * ```ts
 * enableRouteCapture(); // what the plugins call
 * enableRouteCapture({ ownSpans: true }); // what `import '@servedby/conventions/register'` does
 * ```
 */
export function enableRouteCapture(options: RouteCaptureOptions = {}): RouteCaptureSupport {
  if (options.ownSpans) settings.ownSpans = true;
  if (typeof options.lookAheadBytes === 'number' && options.lookAheadBytes > 0) settings.lookAheadBytes = Math.floor(options.lookAheadBytes);
  if (typeof options.idleTimeoutMs === 'number' && options.idleTimeoutMs >= 0) settings.idleTimeoutMs = options.idleTimeoutMs;
  if (options.propagateToGateways) settings.propagation = resolveGatewayPropagation(options.propagateToGateways);
  if (options.tracerProvider || options.meterProvider || options.semconv) {
    settings.options = {
      ...(options.tracerProvider ? { tracerProvider: options.tracerProvider } : {}),
      ...(options.meterProvider ? { meterProvider: options.meterProvider } : {}),
      ...(options.semconv ? { semconv: options.semconv } : {}),
    };
    ownInstrumentation = undefined;
  }
  subscribeOnce();
  if (!support.undiciBody) installBodyFeeder();
  return support;
}

/**
 * Registers a {@link RouteCaptureResolver}: exchanges that start outside any `runWithRouteCapture`
 * scope ask it for the sink of the model call in flight. Returns the function that removes it.
 *
 * @example
 * ```ts
 * const remove = addRouteCaptureResolver(() => currentModelStep() ? sinkOfStep(currentModelStep()) : undefined);
 * ```
 */
export function addRouteCaptureResolver(resolver: RouteCaptureResolver): () => void {
  state.resolvers.push(resolver);
  return () => {
    const index = state.resolvers.indexOf(resolver);
    if (index !== -1) state.resolvers.splice(index, 1);
  };
}

/** The capture scope of the current async context: a `runWithRouteCapture` scope, else a resolver's sink. @internal */
export function currentCaptureScope(): CaptureScope | undefined {
  const scope = captureStorage.getStore();
  if (scope !== undefined || state.resolvers.length === 0) return scope;
  for (const resolver of state.resolvers) {
    try {
      const sink = resolver();
      if (sink) return { sink };
    } catch (error) {
      diag.debug('servedby: a route capture resolver threw', error);
    }
  }
  return undefined;
}

/** What this Node.js lets the capture observe (see {@link RouteCaptureSupport}). */
export function routeCaptureSupport(): RouteCaptureSupport {
  return support;
}

/** `true` once {@link enableRouteCapture} subscribed to the channels. @internal */
export function routeCaptureEnabled(): boolean {
  return state.subscribed;
}

/** The process-wide capture settings in force: see {@link RouteCaptureOptions}. */
export interface RouteCaptureSettings {
  /** Idle time after which an exchange (or a plugin's stream nobody reads) is given up, in ms; `0` = never. */
  readonly idleTimeoutMs: number;
  /** Look-ahead bound in bytes. */
  readonly lookAheadBytes: number;
  /** Whether the register entry's own spans are on. */
  readonly ownSpans: boolean;
}

/**
 * The capture settings in force (defaults, `SERVEDBY_CAPTURE_IDLE_TIMEOUT_MS`, then the last
 * {@link enableRouteCapture} options). Plugins use the idle time for their own give-up of a stream
 * nobody reads, so one setting governs every servedby span.
 */
export function routeCaptureSettings(): RouteCaptureSettings {
  return { idleTimeoutMs: settings.idleTimeoutMs, lookAheadBytes: settings.lookAheadBytes, ownSpans: settings.ownSpans };
}

/** The process-wide gateway propagation, when a plugin or the register entry turned it on. @internal */
export function observerPropagation(): GatewayPropagation | undefined {
  return settings.propagation;
}

/** The idle time and look-ahead the observer uses. @internal */
export function observerSettings(): Readonly<Pick<ObserverSettings, 'idleTimeoutMs' | 'lookAheadBytes'>> {
  return settings;
}

// The register entry's instrumentation, resolved at first use (the app sets up its SDK after
// `--import`), and again if the global meter provider changes: the metrics API has no proxy.
let ownInstrumentation: { meterProvider: unknown; resolved: ResolvedInstrumentation } | undefined;
function registerInstrumentation(): ResolvedInstrumentation {
  const meterProvider = settings.options.meterProvider ?? metricsApi.getMeterProvider();
  if (ownInstrumentation?.meterProvider !== meterProvider) {
    ownInstrumentation = {
      meterProvider,
      resolved: resolveInstrumentation(settings.options, { name: '@servedby/conventions', version: VERSION }),
    };
  }
  return ownInstrumentation.resolved;
}

/**
 * A span another instrumentation made for a model call (OpenInference, OpenLLMetry, the AI SDK):
 * only such a span is enriched in register mode, never an unrelated one (an HTTP server span).
 */
function isModelSpan(span: Span): boolean {
  const attributes = (span as { attributes?: Record<string, unknown> }).attributes;
  if (attributes === null || typeof attributes !== 'object') return false;
  return (
    'gen_ai.operation.name' in attributes ||
    'gen_ai.system' in attributes ||
    'gen_ai.provider.name' in attributes ||
    'llm.system' in attributes ||
    attributes['openinference.span.kind'] === 'LLM'
  );
}

/**
 * Decides whom an exchange reports to, from the async context it started in. `undefined` (the
 * common case for an app's other traffic) means it is not observed at all.
 * @internal
 */
export function bindingFor(scope: CaptureScope | undefined, url: string, method: string): ExchangeBinding | undefined {
  const sinks = [];
  if (scope?.sink) sinks.push(scope.sink);
  const claim = scope?.claim?.binds ? scope.claim : undefined;
  if (claim?.onCapture) sinks.push(claim.onCapture);
  if (sinks.length > 0) {
    return { sinks, parentContext: contextApi.active(), ownSpan: false, instrumentation: claim?.instrumentation ?? registerInstrumentation };
  }
  if (claim) {
    // captureRouteFetch's own rule: any active recording span is enriched, else a span of its own.
    const parentContext = contextApi.active();
    const activeSpan = trace.getSpan(parentContext);
    return activeSpan?.isRecording()
      ? { sinks, parentContext, activeSpan, ownSpan: false, instrumentation: claim.instrumentation }
      : { sinks, parentContext, ownSpan: claim.ownSpans, instrumentation: claim.instrumentation };
  }
  if (settings.ownSpans && isGenAiExchange(url, method)) {
    const parentContext = contextApi.active();
    const activeSpan = trace.getSpan(parentContext);
    return activeSpan?.isRecording() && isModelSpan(activeSpan)
      ? { sinks, parentContext, activeSpan, ownSpan: false, instrumentation: registerInstrumentation }
      : { sinks, parentContext, ownSpan: true, instrumentation: registerInstrumentation };
  }
  return undefined;
}

let exchangesStarted = 0;

/** How many exchanges this process has observed so far (tests, diagnostics). @internal */
export function observedExchangeCount(): number {
  return exchangesStarted;
}

/** Starts an exchange for a request a binding was found for; records it with the fetch wrapper that made it. */
function startExchange(scope: CaptureScope | undefined, binding: ExchangeBinding, url: string, method: string, bodySource: BodySource, activityProbe?: () => number): Exchange {
  const claim = scope?.claim;
  exchangesStarted += 1;
  const exchange = createExchange(
    url,
    method,
    binding,
    { lookAheadBytes: claim?.lookAheadBytes ?? settings.lookAheadBytes, idleTimeoutMs: claim?.idleTimeoutMs ?? settings.idleTimeoutMs },
    bodySource,
    undefined,
    activityProbe,
  );
  if (claim) {
    // The body the caller gave fetch is cheaper to read than the chunks undici sends.
    if (claim.requestBody !== undefined) exchange.requestBody(claim.requestBody);
    claim.exchanges.push(exchange);
  }
  return exchange;
}

// Every subscriber catches everything: diagnostics_channel rethrows a subscriber's error as an
// uncaught exception, which would take the user's process down.
function guarded<T>(name: string, handler: (message: T) => void): (message: unknown) => void {
  return (message) => {
    try {
      handler(message as T);
    } catch (error) {
      diag.debug(`servedby: capture ${name} failed`, error);
    }
  };
}

interface UndiciRequest {
  origin?: unknown;
  path?: unknown;
  method?: unknown;
}

function undiciUrl(request: UndiciRequest): string {
  const origin = typeof request.origin === 'string' ? request.origin : String(request.origin ?? '');
  const path = typeof request.path === 'string' ? request.path : '';
  // An absolute path (proxy form) is the URL itself.
  const raw = path.startsWith('http://') || path.startsWith('https://') ? path : origin.replace(/\/$/, '') + path;
  return urlWithoutSecrets(raw);
}

function onUndiciCreate(message: { request: UndiciRequest }): void {
  const scope = currentCaptureScope();
  if (scope === undefined && !settings.ownSpans) return;
  const request = message.request;
  const method = typeof request.method === 'string' ? request.method.toUpperCase() : 'GET';
  // A proxy's CONNECT tunnel is not the model call; the request sent through it is.
  if (method === 'CONNECT') return;
  const claim = scope?.claim;
  const url = claim?.binds && claim.url !== undefined && claim.exchanges.length === 0 ? claim.url : undiciUrl(request);
  const binding = bindingFor(scope, url, method);
  if (!binding) return;
  // Without the body channel, a fetch wrapper (if this runs under one) feeds the body instead.
  const bodySource: BodySource = support.undiciBody ? 'channel' : scope?.claim ? 'wrapper' : 'none';
  const exchange = startExchange(scope, binding, url, method, bodySource);
  exchangesByRequest.set(request as object, exchange);
  // Before the trace context is added: the request as the caller made it (routing preferences).
  exchange.requestHeaders((request as UndiciRequestWithHeaders).headers);
  const propagation = claim?.propagation ?? settings.propagation;
  // Only a captureRouteFetch wrapper adds OpenRouter's body fields itself (the feeder leaves them to this).
  if (propagation) propagateToGateway(request, undiciUrl(request), exchange, propagation, claim?.binds === true);
}

interface UndiciRequestWithHeaders extends UndiciRequest {
  headers?: unknown;
  addHeader?(name: string, value: string): unknown;
}

/**
 * Adds the W3C trace context of the exchange's model span to a request bound for a gateway (the
 * wire URL decides: the context never goes to a host that is not one). A request that already
 * carries a `traceparent` (another instrumentation's, the user's) is left as it is.
 */
function propagateToGateway(
  request: UndiciRequestWithHeaders,
  wireUrl: string,
  exchange: Exchange,
  propagation: GatewayPropagation,
  bodyHandledByWrapper: boolean,
): void {
  const target = propagationTarget(wireUrl, propagation);
  if (typeof request.addHeader !== 'function' || !target) return;
  const spanContext = propagatedSpanContext(exchange.span, exchange.parentContext);
  if (!spanContext) return;
  // OpenRouter reads its body fields; a fetch wrapper already added them to the body it was given.
  if (target.gateway === 'openrouter' && !bodyHandledByWrapper) withOpenRouterTraceBody(request as UndiciRequestWithBody, spanContext);
  const headers = request.headers;
  if (Array.isArray(headers)) {
    for (let index = 0; index < headers.length; index += 2) {
      if (String(headers[index]).toLowerCase() === 'traceparent') return;
    }
  }
  request.addHeader('traceparent', traceparentOf(spanContext));
  const traceState = spanContext.traceState?.serialize();
  if (traceState) request.addHeader('tracestate', traceState);
}

interface UndiciRequestWithBody {
  body?: unknown;
  contentLength?: unknown;
}

// Request bodies larger than this are sent as they are.
const MAX_TRACED_BODY_BYTES = 1024 * 1024;

/**
 * Adds OpenRouter's `trace` fields to a fetch request's JSON body as undici is about to send it: the
 * body (an async iterable of the caller's bytes, of known length ≤ 1 MiB) is read whole, and the
 * traced JSON (or, when it is not a JSON object or already has a `trace`, the same bytes) is sent
 * in one chunk with chunked framing, as its new length is known only then. Errors of the original
 * body pass through unchanged. Anything else (streams of unknown length, buffers, forms) is left
 * as it is.
 */
function withOpenRouterTraceBody(request: UndiciRequestWithBody, spanContext: import('@opentelemetry/api').SpanContext): void {
  const original = request.body;
  const length = request.contentLength;
  if (
    original === null ||
    typeof original !== 'object' ||
    typeof (original as AsyncIterable<unknown>)[Symbol.asyncIterator] !== 'function' ||
    typeof length !== 'number' ||
    length <= 0 ||
    length > MAX_TRACED_BODY_BYTES
  ) {
    return;
  }
  const source = original as AsyncIterable<unknown>;
  request.body = (async function* tracedBody() {
    const parts: Buffer[] = [];
    for await (const part of source) {
      if (typeof part === 'string') parts.push(Buffer.from(part));
      else if (part instanceof Uint8Array) parts.push(Buffer.from(part.buffer, part.byteOffset, part.byteLength));
    }
    const bytes = Buffer.concat(parts);
    let traced: string | undefined;
    try {
      traced = withOpenRouterTrace(bytes.toString('utf8'), spanContext);
    } catch {
      traced = undefined;
    }
    yield traced === undefined ? bytes : Buffer.from(traced);
  })();
  request.contentLength = null;
}

function onUndiciBodyChunkSent(message: { request: object; chunk: unknown }): void {
  const exchange = exchangesByRequest.get(message.request);
  if (!exchange) return;
  const chunk = message.chunk;
  if (chunk instanceof Uint8Array) exchange.requestChunk(chunk);
  else if (typeof chunk === 'string') exchange.requestBody(chunk);
}

function onUndiciHeaders(message: { request: object; response: { statusCode: number; headers: unknown } }): void {
  const exchange = exchangesByRequest.get(message.request);
  if (!exchange) return;
  // 1xx informational responses are not the response.
  if (message.response.statusCode < 200 && message.response.statusCode !== 101) return;
  exchange.receiveHeaders(message.response.statusCode, headerMapOf(message.response.headers));
}

function onUndiciBodyChunkReceived(message: { request: object; chunk: Uint8Array }): void {
  const exchange = exchangesByRequest.get(message.request);
  if (exchange?.bodySource === 'channel') exchange.receiveBody(message.chunk);
}

function onUndiciTrailers(message: { request: object }): void {
  const exchange = exchangesByRequest.get(message.request);
  if (!exchange) return;
  exchangesByRequest.delete(message.request);
  // A wrapper-fed body ends when the caller's stream does, not when undici has buffered it.
  if (exchange.bodySource !== 'wrapper') exchange.complete();
}

function onUndiciError(message: { request: object; error: unknown }): void {
  const exchange = exchangesByRequest.get(message.request);
  if (!exchange) return;
  exchangesByRequest.delete(message.request);
  const error = message.error;
  // A cancel reason that is not an error (`body.cancel()`, `cancel('done')`): the caller stopped reading.
  if (error instanceof Error || (typeof error === 'object' && error !== null && 'name' in error)) exchange.fail(error);
  else exchange.cancel();
}

interface NodeClientRequest {
  method?: string;
  protocol?: string;
  host?: string;
  path?: string;
  getHeader?(name: string): unknown;
  socket?: { bytesRead?: number } | null;
  once?(event: string, listener: (...args: unknown[]) => void): unknown;
}

interface NodeIncomingMessage {
  statusCode?: number;
  headers?: unknown;
  complete?: boolean;
  once?(event: string, listener: (...args: unknown[]) => void): unknown;
}

function nodeRequestUrl(request: NodeClientRequest): string {
  const host = request.getHeader?.('host');
  const authority = typeof host === 'string' && host.length > 0 ? host : (request.host ?? '');
  return urlWithoutSecrets(`${request.protocol ?? 'http:'}//${authority}${request.path ?? '/'}`);
}

function onHttpRequestStart(message: { request: NodeClientRequest }): void {
  const scope = currentCaptureScope();
  if (scope === undefined && !settings.ownSpans) return;
  const request = message.request;
  const method = (request.method ?? 'GET').toUpperCase();
  if (method === 'CONNECT') return;
  const url = nodeRequestUrl(request);
  const binding = bindingFor(scope, url, method);
  if (!binding) return;
  const exchange = startExchange(scope, binding, url, method, 'none', () => request.socket?.bytesRead ?? 0);
  exchangesByRequest.set(request as object, exchange);
  // 'close' listeners change nothing for the caller (unlike 'error' or 'data' ones).
  request.once?.('close', () => {
    if (!exchange.finished) exchange.fail(httpErrors.get(request as object) ?? abortedError());
  });
}

const httpErrors = new WeakMap<object, unknown>();

function onHttpRequestError(message: { request: object; error: unknown }): void {
  if (exchangesByRequest.has(message.request)) httpErrors.set(message.request, message.error);
}

function onHttpResponseFinish(message: { request: object; response: NodeIncomingMessage }): void {
  const exchange = exchangesByRequest.get(message.request);
  if (!exchange) return;
  const response = message.response;
  exchange.receiveHeaders(response.statusCode ?? 0, headerMapOf(response.headers));
  response.once?.('end', () => exchange.complete());
  response.once?.('close', () => {
    if (!exchange.finished) {
      if (response.complete) exchange.complete();
      else exchange.fail(httpErrors.get(message.request) ?? abortedError());
    }
  });
}

interface NodeHttp2Stream {
  rstCode?: number;
  session?: { socket?: { bytesRead?: number } | null } | null;
}

type Http2Headers = Record<string, string | string[] | undefined>;

function http2Url(headers: Http2Headers): string {
  const scheme = typeof headers[':scheme'] === 'string' ? headers[':scheme'] : 'https';
  const authority = typeof headers[':authority'] === 'string' ? headers[':authority'] : '';
  const path = typeof headers[':path'] === 'string' ? headers[':path'] : '/';
  return urlWithoutSecrets(`${scheme}://${authority}${path}`);
}

function onHttp2StreamStart(message: { stream: NodeHttp2Stream; headers: Http2Headers }): void {
  const scope = currentCaptureScope();
  if (scope === undefined && !settings.ownSpans) return;
  const url = http2Url(message.headers);
  const rawMethod = message.headers[':method'];
  const method = (typeof rawMethod === 'string' ? rawMethod : 'GET').toUpperCase();
  const binding = bindingFor(scope, url, method);
  if (!binding) return;
  const stream = message.stream;
  // The session's socket is shared by its streams: any byte on it counts as activity.
  exchangesByRequest.set(stream as object, startExchange(scope, binding, url, method, 'none', () => stream.session?.socket?.bytesRead ?? 0));
}

function onHttp2StreamFinish(message: { stream: object; headers: Http2Headers }): void {
  const exchange = exchangesByRequest.get(message.stream);
  if (!exchange) return;
  const status = Number(message.headers[':status']);
  if (status >= 100 && status < 200) return;
  // HTTP/2 pseudo-headers (`:status`) are not response headers.
  exchange.receiveHeaders(Number.isFinite(status) ? status : 0, headerMapOf(message.headers, isPseudoHeader));
}

function isPseudoHeader(name: string): boolean {
  return name.startsWith(':');
}

function onHttp2StreamError(message: { stream: object; error: unknown }): void {
  const exchange = exchangesByRequest.get(message.stream);
  if (!exchange) return;
  exchangesByRequest.delete(message.stream);
  exchange.fail(message.error);
}

function onHttp2StreamClose(message: { stream: NodeHttp2Stream }): void {
  const exchange = exchangesByRequest.get(message.stream as object);
  if (!exchange) return;
  // NGHTTP2_NO_ERROR (0) is a normal close; any other code is a reset (NGHTTP2_CANCEL when the caller abandoned it).
  const code = message.stream.rstCode ?? 0;
  if (code === 0) {
    exchangesByRequest.delete(message.stream as object);
    exchange.complete();
    return;
  }
  // Node publishes the stream's error after its close: let that (more precise) error end it first.
  setImmediate(() => {
    exchangesByRequest.delete(message.stream as object);
    if (exchange.finished) return;
    const error = new Error(`HTTP/2 stream reset (code ${code})`);
    error.name = code === 8 ? 'AbortError' : 'Http2StreamReset';
    exchange.fail(error);
  });
}

function abortedError(): Error {
  const error = new Error('The exchange ended before its response was complete');
  error.name = 'AbortError';
  return error;
}

function subscribeOnce(): void {
  if (state.subscribed || !support.undici) return;
  state.subscribed = true;
  try {
    diagnosticsChannel.subscribe('undici:request:create', guarded('create', onUndiciCreate));
    diagnosticsChannel.subscribe('undici:request:bodyChunkSent', guarded('bodyChunkSent', onUndiciBodyChunkSent));
    diagnosticsChannel.subscribe('undici:request:headers', guarded('headers', onUndiciHeaders));
    diagnosticsChannel.subscribe('undici:request:bodyChunkReceived', guarded('bodyChunkReceived', onUndiciBodyChunkReceived));
    diagnosticsChannel.subscribe('undici:request:trailers', guarded('trailers', onUndiciTrailers));
    diagnosticsChannel.subscribe('undici:request:error', guarded('error', onUndiciError));
    diagnosticsChannel.subscribe('http.client.request.start', guarded('http request', onHttpRequestStart));
    diagnosticsChannel.subscribe('http.client.request.error', guarded('http error', onHttpRequestError));
    diagnosticsChannel.subscribe('http.client.response.finish', guarded('http response', onHttpResponseFinish));
    diagnosticsChannel.subscribe('http2.client.stream.start', guarded('http2 start', onHttp2StreamStart));
    diagnosticsChannel.subscribe('http2.client.stream.finish', guarded('http2 response', onHttp2StreamFinish));
    diagnosticsChannel.subscribe('http2.client.stream.error', guarded('http2 error', onHttp2StreamError));
    diagnosticsChannel.subscribe('http2.client.stream.close', guarded('http2 close', onHttp2StreamClose));
  } catch (error) {
    diag.warn('servedby: subscribing to the diagnostics channels failed', error);
  }
}

type FetchFunction = typeof globalThis.fetch;

/**
 * Where undici publishes no body chunks (Node 22's undici 6), routes `globalThis.fetch` through a
 * feeder that tees the body of exchanges the channels bound (and only those) into their
 * look-ahead. Clients that kept a reference to the original `fetch` before this ran get headers
 * only. Installed once per process.
 */
function installBodyFeeder(): void {
  if (state.bodyFeederInstalled || typeof globalThis.fetch !== 'function') return;
  state.bodyFeederInstalled = true;
  const original = globalThis.fetch;
  const feeder = async (input: Parameters<FetchFunction>[0], init?: Parameters<FetchFunction>[1]): Promise<Response> => {
    const parent = currentCaptureScope();
    // Outside any model call (and without register), or under a captureRouteFetch that feeds itself.
    if ((parent === undefined && !settings.ownSpans) || parent?.claim) return original(input, init);
    const tracedInit = init;
    const claim: FetchClaim = {
      ...(tracedInit?.body === undefined || tracedInit.body === null ? {} : { requestBody: tracedInit.body }),
      instrumentation: registerInstrumentation,
      lookAheadBytes: settings.lookAheadBytes,
      ownSpans: false,
      binds: false,
      exchanges: [],
    };
    let response: Response;
    try {
      response = await captureStorage.run(parent?.sink ? { sink: parent.sink, claim } : { claim }, () => original(input, tracedInit));
    } catch (error) {
      releaseFetchClaim(claim);
      throw error;
    }
    try {
      const fed = exchangeToFeed(claim);
      return fed ? observeFetchResponse(response, fed) : response;
    } catch (error) {
      diag.debug('servedby: feeding the fetch body to the capture failed', error);
      return response;
    } finally {
      releaseFetchClaim(claim);
    }
  };
  globalThis.fetch = feeder as FetchFunction;
}

/**
 * The fetch `init` with OpenRouter's body trace fields added, when the request goes to OpenRouter
 * (its own host, or a host the user mapped to it) with a JSON string body, and a model span is
 * active. Otherwise `init` itself. Never throws.
 * @internal
 */
export function withGatewayTraceBody(
  input: Parameters<FetchFunction>[0],
  init: Parameters<FetchFunction>[1],
  propagation: GatewayPropagation,
): Parameters<FetchFunction>[1] {
  try {
    if (typeof init?.body !== 'string') return init;
    const url = typeof Request !== 'undefined' && input instanceof Request ? input.url : String(input instanceof URL ? input.href : input);
    if (propagationTarget(url, propagation)?.gateway !== 'openrouter') return init;
    const spanContext = propagatedSpanContext(undefined, contextApi.active());
    if (!spanContext) return init;
    const body = withOpenRouterTrace(init.body, spanContext);
    return body === undefined ? init : { ...init, body };
  } catch (error) {
    diag.debug('servedby: adding the gateway trace to the body failed', error);
    return init;
  }
}
