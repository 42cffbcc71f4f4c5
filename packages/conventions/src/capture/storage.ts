import { AsyncLocalStorage } from 'node:async_hooks';
import type { RouteObservation } from '../types';

/**
 * What servedby saw of one HTTP exchange of a model call. Handed to the sink of the call in
 * flight as soon as the response headers arrive; the body is peeked while it is received.
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
  /**
   * Settles when the look-ahead has finished: body ended, cancelled or errored, limit reached, or
   * nothing received for the idle time (the caller stopped reading). Never rejects.
   */
  readonly done: Promise<void>;
  /** A `RouteObservation` of everything captured so far, with `extra` merged over it. */
  observation(extra?: Partial<RouteObservation>): RouteObservation;
}

/** Receives the {@link RouteCapture} of each request. Must not throw (errors are caught and reported through `diag`). */
export type RouteCaptureSink = (capture: RouteCapture) => void;

/**
 * What a `captureRouteFetch` wrapper asks of the exchanges its base fetch makes: the observer
 * fills `exchanges` with those it saw on the diagnostics channels, so the wrapper does not
 * capture them a second time.
 * @internal
 */
export interface FetchClaim {
  /** Extra sink of the wrapper (`options.onCapture`). */
  readonly onCapture?: RouteCaptureSink;
  /** Resolves the wrapper's tracer, metrics and semconv mode. */
  readonly instrumentation: () => import('../instrumentation').ResolvedInstrumentation;
  /** Look-ahead bound of the wrapper. */
  readonly lookAheadBytes: number;
  /** Idle time of the wrapper's exchanges, when it sets one. */
  readonly idleTimeoutMs?: number;
  /** `true` when the wrapper makes its own span where no sink and no span is active. */
  readonly ownSpans: boolean;
  /**
   * `false` for the body feeder the observer installs where the channels show no bodies: it only
   * feeds bodies to exchanges bound otherwise, and changes no binding.
   */
  readonly binds: boolean;
  /**
   * The URL the caller gave the wrapper (without secrets). The first exchange is reported under it,
   * not under the URL on the wire: a wrapped `fetch` that rewrites URLs (a local proxy, a test's
   * loopback) must not hide the host the SDK was configured for.
   */
  readonly url?: string;
  /** The request body as the caller gave it to fetch (for the requested model), when it is a string or bytes. */
  readonly requestBody?: unknown;
  /** Trace-context propagation to gateways asked by the wrapper's options. */
  readonly propagation?: import('./propagation').GatewayPropagation;
  /** Exchanges the observer bound to this fetch, newest last (redirects add more). */
  readonly exchanges: import('./exchange').Exchange[];
}

/**
 * Lets go of what a fetch wrapper's claim holds once its response is in hand: the claim stays in
 * the request's async context, which undici keeps until a major GC (see {@link releasableCaptureSink}),
 * and must not keep the exchanges and the request body alive that long. The exchange being fed is
 * held by the feed itself.
 * @internal
 */
export function releaseFetchClaim(claim: FetchClaim): void {
  claim.exchanges.length = 0;
  (claim as { requestBody?: unknown }).requestBody = undefined;
}

/** The capture context of one async flow: a plugin's sink, a fetch wrapper's claim, or both. */
export interface CaptureScope {
  readonly sink?: RouteCaptureSink;
  readonly claim?: FetchClaim;
}

// Process-wide, not per module copy: the register entry, the plugins and a second installed copy
// of this package must all see one store, or a plugin's sink would be invisible to the observer.
const STORAGE_KEY = Symbol.for('servedby.capture.storage.v1');

/** One store for both, so an exchange outside any model call costs a single lookup. @internal */
export const captureStorage: AsyncLocalStorage<CaptureScope> = ((globalThis as Record<symbol, unknown>)[STORAGE_KEY] ??=
  new AsyncLocalStorage<CaptureScope>()) as AsyncLocalStorage<CaptureScope>;

/**
 * Runs `fn` so that every HTTP exchange made inside it (in the same async flow) hands its
 * {@link RouteCapture} to `sink`: exchanges seen on Node's diagnostics channels once
 * `enableRouteCapture()` ran, and requests made through a `captureRouteFetch` wrapper.
 * Concurrent calls each see their own sink only.
 *
 * @example
 * ```ts
 * const captures: RouteCapture[] = [];
 * const result = await runWithRouteCapture((capture) => captures.push(capture), () => model.invoke(prompt));
 * ```
 */
export function runWithRouteCapture<T>(sink: RouteCaptureSink, fn: () => T): T {
  return captureStorage.run({ sink }, fn);
}

/** A {@link RouteCaptureSink} a plugin can cut off from its model call: see {@link releasableCaptureSink}. */
export interface ReleasableCaptureSink {
  /** Forwards each capture to the target until {@link ReleasableCaptureSink.release}, then ignores them. */
  readonly sink: RouteCaptureSink;
  /** Lets go of the target and everything it holds. Idempotent. */
  release(): void;
}

class CaptureSinkHolder implements ReleasableCaptureSink {
  private target: RouteCaptureSink | undefined;
  readonly sink: RouteCaptureSink;

  constructor(target: RouteCaptureSink) {
    this.target = target;
    // Closes over the holder only, never over the caller's scope.
    this.sink = (capture) => this.target?.(capture);
  }

  release(): void {
    this.target = undefined;
  }
}

/**
 * Wraps a sink so that a model call's state can be let go of when the call ends. The async context
 * that {@link runWithRouteCapture} puts a sink in outlives the call: undici registers each fetch
 * response's body stream with a `FinalizationRegistry` behind a `WeakRef`, which V8 keeps alive
 * until a major GC, and the stream's promises hold the async context they were made in. A sink
 * that closes over the call would keep all of the call's state alive that long, and every call's
 * state would be copied into the old generation.
 *
 * @example
 * ```ts
 * const captures: RouteCapture[] = [];
 * const { sink, release } = releasableCaptureSink((capture) => captures.push(capture));
 * try {
 *   await runWithRouteCapture(sink, () => model.invoke(prompt));
 * } finally {
 *   release(); // once nothing more of this call is wanted
 * }
 * ```
 */
export function releasableCaptureSink(target: RouteCaptureSink): ReleasableCaptureSink {
  const holder = new CaptureSinkHolder(target);
  return { sink: holder.sink, release: () => holder.release() };
}
