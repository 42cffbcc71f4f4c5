import { diag, type Context, type Span } from '@opentelemetry/api';
import { deriveRoute } from '../derive-route';
import { serverOfUrl, type ResolvedInstrumentation } from '../instrumentation';
import type { RouteAttribution, RouteObservation } from '../types';
import { allocateBytes, createByteTail, createLookAhead, lookAheadCoding, type ByteTail, type LookAhead } from './look-ahead';
import { applyRouteToActiveSpan, endOwnSpan, failOwnSpan, startOwnSpan, type OwnSpanCall } from './own-span';
import { headerMapOf, type LowerCaseHeaderMap } from '../headers';
import { splitUrl } from '../shared/url';
import { operationFromPath, topLevelModel } from './request-facts';
import type { RouteCapture, RouteCaptureSink } from './storage';

/** The default look-ahead: how much of a response body the capture peeks at most. */
export const DEFAULT_LOOK_AHEAD_BYTES = 64 * 1024;

/**
 * The default idle time: an exchange whose body has received nothing for this long after its
 * headers (the caller stopped reading, or the server stalls) is given up: its look-ahead settles
 * and its span ends. Detected between once and twice this time after the last byte.
 */
export const DEFAULT_IDLE_TIMEOUT_MS = 30_000;

// How much of a request body the channels' chunks are copied for (the requested model, routing
// preferences). A body the caller gave as a string is only referenced, up to MAX_REQUEST_TEXT.
const MAX_REQUEST_BODY_BYTES = 64 * 1024;
const MAX_REQUEST_TEXT = 1024 * 1024;
// How much of a stream's end the own span keeps for usage and finish reasons.
const TAIL_BYTES = 16 * 1024;
// On another instrumentation's span, the route of a stream is set as soon as one of its first
// chunks reveals it: that span may end before the exchange does.
const EARLY_ROUTE_CHUNKS = 8;

/** Where a captured exchange's findings go. @internal */
export interface ExchangeBinding {
  /** Sinks of the plugin (or fetch wrapper) that owns the call: they get the capture and derive themselves. */
  readonly sinks: readonly RouteCaptureSink[];
  /** Context at the start of the exchange: parent of the own span, holder of upstream collectors. */
  readonly parentContext: Context;
  /** A span of another instrumentation to put the route on, when there is no sink. */
  readonly activeSpan?: Span;
  /** `true` to make a CLIENT span of its own, when there is no sink and no span to enrich. */
  readonly ownSpan: boolean;
  readonly instrumentation: () => ResolvedInstrumentation;
}

/** Where the response body bytes of an exchange come from. @internal */
export type BodySource =
  /** `undici:request:bodyChunkReceived`: raw bytes, still compressed. */
  | 'channel'
  /** A `captureRouteFetch` wrapper teeing the fetch body: decoded bytes. */
  | 'wrapper'
  /** Nobody: headers only (an HTTP client whose body cannot be observed without wrapping it). */
  | 'none';

/** Settings of one exchange. @internal */
export interface ExchangeSettings {
  readonly lookAheadBytes: number;
  readonly idleTimeoutMs: number;
}

/** One observed HTTP exchange of a model call, from request to the end of its body. @internal */
export interface Exchange {
  readonly url: string;
  /** The capture's own CLIENT span, when it made one. */
  readonly span?: Span;
  /** The context the exchange started in. */
  readonly parentContext: Context;
  /** Where the body comes from. */
  readonly bodySource: BodySource;
  /** `true` once the exchange has ended (completed, failed or given up). */
  readonly finished: boolean;
  /** Feeds request body bytes (for the requested model). Keeps a bounded copy. */
  requestChunk(chunk: Uint8Array): void;
  /** Sets the request body as the caller gave it (a string or bytes). */
  requestBody(body: unknown): void;
  /** Sets the request headers (credential-named ones are left out here). */
  requestHeaders(headers: unknown): void;
  /** Status and headers arrived. */
  receiveHeaders(status: number, headers: LowerCaseHeaderMap): void;
  /** Response body bytes (raw from the channel, decoded from the wrapper). */
  receiveBody(chunk: Uint8Array): void;
  /** The whole body was received. */
  complete(): void;
  /** The exchange failed (network error, abort), before or after the headers. */
  fail(error: unknown): void;
  /** The caller cancelled the body without an error of its own. */
  cancel(): void;
}

/** The capture of a finished or running exchange. */
interface ExchangeState extends OwnSpanCall {
  readonly url: string;
  readonly method: string;
  status: number;
  headers?: LowerCaseHeaderMap;
}

let idleTimeouts = 0;

/** How many idle give-ups happened in this process (for tests and diagnostics). @internal */
export function idleGiveUps(): number {
  return idleTimeouts;
}

interface IdleWatch {
  readonly exchanges: Set<CapturedExchange>;
  timer: ReturnType<typeof setInterval> | undefined;
}

// One unref'd sweep per idle time in use (usually one: the process-wide setting), checking every
// exchange still waiting for its body once per period. An exchange is given up at the second sweep
// that finds it without activity: between one and two idle times after its last byte.
const IDLE_WATCHES = new Map<number, IdleWatch>();

function watchIdle(exchange: CapturedExchange, idleTimeoutMs: number): IdleWatch {
  let watch = IDLE_WATCHES.get(idleTimeoutMs);
  if (!watch) {
    watch = { exchanges: new Set(), timer: undefined };
    IDLE_WATCHES.set(idleTimeoutMs, watch);
  }
  watch.exchanges.add(exchange);
  if (watch.timer === undefined) {
    const running = watch;
    running.timer = setInterval(() => sweepIdle(running, idleTimeoutMs), idleTimeoutMs);
    running.timer.unref?.();
  }
  return watch;
}

function sweepIdle(watch: IdleWatch, idleTimeoutMs: number): void {
  if (watch.exchanges.size === 0) {
    // Nothing waiting: the sweep stops until the next exchange (a steady stream of calls keeps one).
    if (watch.timer !== undefined) clearInterval(watch.timer);
    watch.timer = undefined;
    if (IDLE_WATCHES.get(idleTimeoutMs) === watch) IDLE_WATCHES.delete(idleTimeoutMs);
    return;
  }
  for (const exchange of [...watch.exchanges]) {
    try {
      exchange.checkIdle();
    } catch (error) {
      diag.debug('servedby: checking an idle exchange failed', error);
    }
  }
}

/**
 * Creates the {@link Exchange} of one request. `startTime` (from `performance.now()`) defaults to now;
 * `spanStartTime` (epoch ms) lets a fetch wrapper that learns about the exchange late date the span.
 * @internal
 */
export function createExchange(
  url: string,
  method: string,
  binding: ExchangeBinding,
  settings: ExchangeSettings,
  bodySource: BodySource,
  timing?: { startTime: number; spanStartTime: number },
  activityProbe?: () => number,
): Exchange {
  return new CapturedExchange(url, method, binding, settings, bodySource, timing, activityProbe);
}

// A class, not closures: one object per exchange on the path of every model call (its callbacks
// are bound once, only where something calls them back).
class CapturedExchange implements Exchange, ExchangeState {
  readonly url: string;
  readonly method: string;
  status = 0;
  headers: LowerCaseHeaderMap | undefined = undefined;
  readonly operation: string;
  readonly serverAddress: string | undefined;
  readonly serverPort: number | undefined;
  readonly parentContext: Context;
  readonly startTime: number;
  readonly instrumentation: () => ResolvedInstrumentation;
  readonly bodySource: BodySource;
  readonly span: Span | undefined;

  private readonly binding: ExchangeBinding;
  private readonly settings: ExchangeSettings;
  private readonly activityProbe: (() => number) | undefined;
  private requestBytes: Uint8Array | undefined = undefined;
  private requestSize = 0;
  // More request bytes came than were kept: the body is incomplete, so it is not reported.
  private requestTruncated = false;
  private requestText: string | undefined = undefined;
  private requestModelValue: { value: string | undefined } | undefined = undefined;
  private requestHeaderMap: LowerCaseHeaderMap | undefined = undefined;
  private lookAhead: LookAhead | undefined = undefined;
  // The tail is made when the look-ahead is full and more comes (most bodies never need one).
  private wantsTail = false;
  private tail: ByteTail | undefined = undefined;
  private capture: RouteCapture | undefined = undefined;
  private isFinished = false;
  private endRequested = false;
  private endError: unknown = undefined;
  private lookAheadSettled = false;
  private resolveDone: (() => void) | undefined = undefined;
  private donePromise: Promise<void> | undefined = undefined;
  private attributionCache: { size: number; attribution: RouteAttribution } | undefined = undefined;
  private idleWatch: IdleWatch | undefined = undefined;
  private activity = 0;
  private activityAtLastCheck = 0;
  // The first sweep after the headers only takes the baseline: a give-up comes one to two idle times after the last byte.
  private sweptOnce = false;
  private earlyRouteChecks = 0;

  constructor(
    url: string,
    method: string,
    binding: ExchangeBinding,
    settings: ExchangeSettings,
    bodySource: BodySource,
    timing: { startTime: number; spanStartTime: number } | undefined,
    activityProbe: (() => number) | undefined,
  ) {
    const server = serverOfUrl(url);
    this.url = url;
    this.method = method;
    this.operation = operationFromPath(splitUrl(url).pathname);
    this.serverAddress = server.serverAddress;
    this.serverPort = server.serverPort;
    this.parentContext = binding.parentContext;
    this.startTime = timing?.startTime ?? performance.now();
    this.instrumentation = binding.instrumentation;
    this.bodySource = bodySource;
    this.binding = binding;
    this.settings = settings;
    this.activityProbe = activityProbe;
    this.span = binding.ownSpan && binding.sinks.length === 0 && !binding.activeSpan ? startOwnSpan(this, timing?.spanStartTime) : undefined;
  }

  get finished(): boolean {
    return this.isFinished;
  }

  /** The request body as text, complete, or undefined. */
  private requestBodyText(): string | undefined {
    if (this.requestTruncated) return undefined;
    if (this.requestText === undefined && this.requestBytes !== undefined) {
      this.requestText = utf8Decoder.decode(this.requestBytes.subarray(0, this.requestSize));
      this.requestBytes = undefined;
    }
    return this.requestText;
  }

  requestModel(): string | undefined {
    if (this.requestModelValue === undefined) {
      if (this.requestText === undefined && this.requestBytes === undefined) return undefined;
      // A cut body still names its model when the model comes first, as SDKs send it.
      let text = this.requestBodyText() ?? this.requestText;
      if (text === undefined && this.requestBytes !== undefined) text = utf8Decoder.decode(this.requestBytes.subarray(0, this.requestSize));
      let value: string | undefined;
      try {
        value = text === undefined ? undefined : topLevelModel(text);
      } catch {
        value = undefined;
      }
      this.requestModelValue = { value };
    }
    return this.requestModelValue.value;
  }

  private bodyText(): string {
    return this.lookAhead?.text() ?? '';
  }

  private observation(extra?: Partial<RouteObservation>): RouteObservation {
    const result: RouteObservation = { url: this.url, status: this.status };
    if (this.headers) result.responseHeaders = this.headers;
    const requestModel = this.requestModel();
    if (requestModel) result.requestModel = requestModel;
    const requestBody = this.requestBodyText();
    const requestHeaders = this.requestHeaderMap;
    if (requestBody !== undefined || requestHeaders !== undefined) {
      const request: NonNullable<RouteObservation['request']> = {};
      if (requestBody !== undefined) request.body = requestBody;
      if (requestHeaders !== undefined) request.headers = requestHeaders;
      result.request = request;
    }
    if (!extra || !('responseBody' in extra)) {
      const text = this.bodyText();
      if (text.length > 0) result.responseBody = text;
    }
    return extra ? { ...result, ...extra } : result;
  }

  private currentAttribution(): RouteAttribution {
    const size = this.lookAhead?.size ?? 0;
    if (this.attributionCache?.size !== size) this.attributionCache = { size, attribution: deriveRoute(this.observation()) };
    return this.attributionCache.attribution;
  }

  private stopIdleTimer(): void {
    if (this.idleWatch !== undefined) {
      this.idleWatch.exchanges.delete(this);
      this.idleWatch = undefined;
    }
  }

  // Watched by the one sweep of its idle time (not a timer per exchange): a chunk costs a counter bump.
  private armIdleTimer(): void {
    const idleTimeoutMs = this.settings.idleTimeoutMs;
    if (!(idleTimeoutMs > 0) || !Number.isFinite(idleTimeoutMs)) return;
    this.idleWatch = watchIdle(this, idleTimeoutMs);
  }

  /** Called by the sweep once per idle time; gives the exchange up when nothing came since the last sweep. @internal */
  checkIdle(): void {
    if (this.isFinished) return;
    if (this.activityProbe) {
      // Bodies observed without chunk events: the probe (bytes read off the socket) tells activity.
      try {
        this.activity = this.activityProbe();
      } catch {
        // Keep the last value: counts as idle.
      }
    }
    if (this.activity !== this.activityAtLastCheck || !this.sweptOnce) {
      this.activityAtLastCheck = this.activity;
      this.sweptOnce = true;
      return;
    }
    idleTimeouts += 1;
    this.finish(undefined, true);
  }

  // The look-ahead is final: sinks may derive, an enriched span gets the route.
  private onLookAheadSettled(): void {
    if (this.lookAheadSettled) return;
    this.lookAheadSettled = true;
    const activeSpan = this.binding.activeSpan;
    if (activeSpan) {
      try {
        applyRouteToActiveSpan(this, activeSpan, this.currentAttribution());
      } catch (error) {
        diag.warn('servedby: setting the route on the active span failed', error);
      }
    }
    this.resolveDone?.();
    if (this.endRequested) this.endNow();
  }

  private endNow(): void {
    const span = this.span;
    if (!span) return;
    endOwnSpan(span, this, () => this.observation(), this.bodyText(), this.tail?.text() ?? '', this.status, this.endError);
  }

  // Ends the exchange once; the own span ends as soon as the look-ahead is final.
  private finish(error: unknown, abandon: boolean): void {
    if (this.isFinished) return;
    this.isFinished = true;
    this.stopIdleTimer();
    // Read the model now, then let the request bytes go.
    this.requestModel();
    this.endError = error;
    if (!this.capture) {
      // No response at all: nothing for sinks, the own span ends as failed.
      this.lookAheadSettled = true;
      this.resolveDone?.();
      if (this.span) failOwnSpan(this.span, this, this.url, error ?? new Error('aborted'));
      return;
    }
    this.endRequested = true;
    const lookAhead = this.lookAhead;
    if (!lookAhead || this.lookAheadSettled) {
      if (this.lookAheadSettled) this.endNow();
      else this.onLookAheadSettled();
      return;
    }
    if (abandon) lookAhead.abandon();
    else lookAhead.end();
  }

  requestChunk(chunk: Uint8Array): void {
    if (this.isFinished || this.requestModelValue !== undefined || this.requestText !== undefined || chunk.byteLength === 0) return;
    const room = MAX_REQUEST_BODY_BYTES - this.requestSize;
    if (chunk.byteLength > room) this.requestTruncated = true;
    if (room <= 0) return;
    const count = Math.min(room, chunk.byteLength);
    // Usually the whole body comes in one chunk: sized to it, unzeroed (see allocateBytes).
    let bytes = (this.requestBytes ??= allocateBytes(count));
    if (bytes.byteLength - this.requestSize < count) {
      const grown = allocateBytes(Math.min(MAX_REQUEST_BODY_BYTES, Math.max(this.requestSize + count, bytes.byteLength * 2)));
      grown.set(bytes.subarray(0, this.requestSize));
      this.requestBytes = bytes = grown;
    }
    bytes.set(count === chunk.byteLength ? chunk : chunk.subarray(0, count), this.requestSize);
    this.requestSize += count;
  }

  requestBody(body: unknown): void {
    if (this.requestModelValue !== undefined) return;
    if (typeof body === 'string') {
      // Referenced, not copied: the caller's own string.
      this.requestTruncated = body.length > MAX_REQUEST_TEXT;
      this.requestText = this.requestTruncated ? body.slice(0, MAX_REQUEST_BODY_BYTES) : body;
      this.requestBytes = undefined;
      this.requestSize = 0;
    } else if (body instanceof Uint8Array) {
      this.requestBytes = undefined;
      this.requestSize = 0;
      this.requestChunk(body);
    } else if (body instanceof ArrayBuffer) {
      this.requestBytes = undefined;
      this.requestSize = 0;
      this.requestChunk(new Uint8Array(body));
    }
  }

  requestHeaders(headers: unknown): void {
    // One pass: credential-named headers are never copied.
    const kept = headerMapOf(headers, isCredentialHeader);
    this.requestHeaderMap = kept.size > 0 ? kept : undefined;
  }

  receiveHeaders(status: number, headers: LowerCaseHeaderMap): void {
    if (this.isFinished || this.capture) return;
    this.status = status;
    this.headers = headers;
    const binding = this.binding;
    const contentType = headers.get('content-type');
    const peekable = this.bodySource !== 'none' && isPeekable(contentType) && status !== 204 && status !== 304 && this.method !== 'HEAD';
    if (peekable) {
      // The fetch wrapper feeds decoded bytes; the channel feeds them as they came off the wire.
      const encoding = this.bodySource === 'channel' ? headers.get('content-encoding') : undefined;
      this.lookAhead = createLookAhead({ limit: this.settings.lookAheadBytes, contentEncoding: encoding, onSettled: () => this.onLookAheadSettled() });
      this.wantsTail = this.span !== undefined && lookAheadCoding(encoding) === 'identity';
      if (binding.activeSpan && (contentType ?? '').toLowerCase().includes('event-stream')) this.earlyRouteChecks = EARLY_ROUTE_CHUNKS;
    }
    if (binding.sinks.length > 0) {
      const capture = this.captureFor(status, headers);
      this.capture = capture;
      for (const sink of binding.sinks) {
        try {
          sink(capture);
        } catch (error) {
          diag.warn('servedby: a route capture sink threw', error);
        }
      }
    } else {
      // Nobody holds the capture: only its presence matters (a response came).
      this.capture = NO_SINK_CAPTURE;
    }
    if (!this.lookAhead) {
      // Nothing to peek: final now; the exchange still ends with its body.
      this.onLookAheadSettled();
    }
    if (this.activityProbe) {
      try {
        this.activity = this.activityAtLastCheck = this.activityProbe();
      } catch {
        // No baseline: the first check counts as activity.
      }
    }
    this.armIdleTimer();
  }

  // What a plugin's sink gets: a view of this exchange.
  private captureFor(status: number, headers: LowerCaseHeaderMap): RouteCapture {
    let headersObject: Headers | undefined;
    const exchange = this;
    return {
      url: this.url,
      method: this.method,
      status,
      get responseHeaders() {
        headersObject ??= toHeaders(headers);
        return headersObject;
      },
      bodyText: () => exchange.bodyText(),
      get done() {
        if (!exchange.donePromise) {
          exchange.donePromise = exchange.lookAheadSettled
            ? Promise.resolve()
            : new Promise<void>((resolve) => {
                exchange.resolveDone = resolve;
              });
        }
        return exchange.donePromise;
      },
      observation: (extra?: Partial<RouteObservation>) => exchange.observation(extra),
    };
  }

  receiveBody(chunk: Uint8Array): void {
    if (this.isFinished || !this.capture) return;
    this.activity += 1;
    const lookAhead = this.lookAhead;
    if (!lookAhead) return;
    if (lookAhead.open) {
      const sizeBefore = lookAhead.size;
      lookAhead.push(chunk);
      // The rest of the chunk that filled the look-ahead starts the tail (identity bodies only have one).
      if (this.wantsTail && !lookAhead.open) {
        const kept = lookAhead.size - sizeBefore;
        if (kept < chunk.byteLength) (this.tail ??= createByteTail(TAIL_BYTES)).push(chunk.subarray(kept));
      }
      const activeSpan = this.binding.activeSpan;
      if (this.earlyRouteChecks > 0 && activeSpan) {
        this.earlyRouteChecks -= 1;
        const attribution = this.currentAttribution();
        if (attribution.upstream !== undefined) {
          this.earlyRouteChecks = 0;
          try {
            applyRouteToActiveSpan(this, activeSpan, attribution);
          } catch (error) {
            diag.debug('servedby: setting the early route on the active span failed', error);
          }
        }
      }
    } else if (this.wantsTail) {
      (this.tail ??= createByteTail(TAIL_BYTES)).push(chunk);
    }
  }

  complete(): void {
    this.finish(undefined, false);
  }

  fail(error: unknown): void {
    this.finish(error ?? new Error('aborted'), true);
  }

  cancel(): void {
    this.finish(undefined, true);
  }
}

// The capture of an exchange no sink receives (the register entry's own span, an enriched span).
const NO_SINK_CAPTURE: RouteCapture = {
  url: '',
  method: '',
  status: 0,
  get responseHeaders() {
    return new Headers();
  },
  bodyText: () => '',
  done: Promise.resolve(),
  observation: () => ({}),
};

const utf8Decoder = new TextDecoder('utf-8', { fatal: false });

// Request headers never kept: any whose name has a credential word as one of its dash-separated
// parts (`authorization`, `x-api-key`, `x-amz-security-token`, `cookie`), but not `x-portkey-config`.
const CREDENTIAL_HEADER = /(?:^|-)(?:auth|authorization|api|key|token|secret|cookie|signature|credential|credentials|password)(?:-|$)/i;

// Whether a (lower-case) header name is a credential's, remembered per name (names repeat).
const CREDENTIAL_NAMES = new Map<string, boolean>();
const MAX_REMEMBERED_CREDENTIAL_NAMES = 1024;

function isCredentialHeader(name: string): boolean {
  let credential = CREDENTIAL_NAMES.get(name);
  if (credential === undefined) {
    credential = CREDENTIAL_HEADER.test(name);
    if (CREDENTIAL_NAMES.size >= MAX_REMEMBERED_CREDENTIAL_NAMES) CREDENTIAL_NAMES.clear();
    if (name.length <= 256) CREDENTIAL_NAMES.set(name, credential);
  }
  return credential;
}

function isPeekable(contentType: string | undefined): boolean {
  if (contentType === undefined) return true;
  const type = contentType.toLowerCase();
  return type.includes('json') || type.includes('event-stream') || type.startsWith('text/');
}

function toHeaders(headers: LowerCaseHeaderMap): Headers {
  const result = new Headers();
  for (const [name, value] of headers) {
    try {
      result.append(name, value);
    } catch {
      // A value Headers refuses: left out of this view (the observation still has it).
    }
  }
  return result;
}

