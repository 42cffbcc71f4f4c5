import { diag } from '@opentelemetry/api';
import { resolveInstrumentation } from './instrumentation';
import type { ServedbyOptions } from './types';
import { VERSION } from './version';
import { createExchange, DEFAULT_LOOK_AHEAD_BYTES, type Exchange } from './capture/exchange';
import { headerMapOf } from './headers';
import { exchangeToFeed, observeFetchResponse } from './capture/fetch-body';
import { bindingFor, currentCaptureScope, enableRouteCapture, observerPropagation, observerSettings, withGatewayTraceBody } from './capture/observer';
import { resolveGatewayPropagation } from './capture/propagation';
import { urlWithoutSecrets } from './capture/request-facts';
import { captureStorage, releaseFetchClaim, type FetchClaim, type RouteCaptureSink } from './capture/storage';

export { runWithRouteCapture, type RouteCapture, type RouteCaptureSink } from './capture/storage';
export { DEFAULT_LOOK_AHEAD_BYTES } from './capture/exchange';

/** Options of {@link captureRouteFetch}. */
export interface CaptureRouteFetchOptions extends ServedbyOptions {
  /** Called with the capture of every request, besides any sink of `runWithRouteCapture`. */
  onCapture?: RouteCaptureSink;
  /** How many body bytes to peek at most. Default 64 KiB. */
  lookAheadBytes?: number;
  /**
   * After the headers, how long a body may receive nothing before the capture gives up and ends
   * its span (a caller that never reads, a stalled server). Default: `enableRouteCapture`'s (30 s).
   */
  idleTimeoutMs?: number;
}

type FetchFunction = typeof globalThis.fetch;

/**
 * Wraps `fetch` so the route of every LLM call it makes is captured from the response headers
 * and a bounded look-ahead of the body (JSON or SSE), without consuming or delaying the caller's
 * body. Where the capture goes:
 *
 * 1. inside `runWithRouteCapture`, or with `options.onCapture`: to that sink (a plugin
 *    that owns the call reads it);
 * 2. else, when a span is active (e.g. OpenInference's or OpenLLMetry's), onto that span;
 * 3. else into its own CLIENT span `chat <model>`, which ends when the body has been received,
 *    is cancelled or errors, or has received nothing for the idle time (default 30 s).
 *
 * On Node.js with undici's body channel (Node ≥ 24), the exchanges of the built-in `fetch` are
 * observed on the diagnostics channels and the `Response` is returned untouched; the wrapper only
 * tees the body where no channel shows it (Node 22, or a `fetch` that is not undici's). Prefer
 * `enableRouteCapture()` (or the plugins, or `@servedby/conventions/register`) on Node; use this
 * wrapper on runtimes without `node:diagnostics_channel` (edge, browsers, Deno without Node compat).
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
  // The channels see the exchanges of undici's fetch: the wrapper then need not wrap anything.
  try {
    enableRouteCapture();
  } catch (error) {
    diag.debug('servedby: diagnostics channels unavailable, captureRouteFetch wraps every response', error);
  }

  const ownPropagation = resolveGatewayPropagation(options.propagateToGateways);
  // The wrapper's own option, else the process-wide one (a plugin or the register entry asked).
  const propagationOf = () => ownPropagation ?? observerPropagation();
  // The global fetch is looked up per call (test tools replace it), except when this wrapper
  // itself was installed as the global fetch: then the one it replaced is used.
  const fetchAtCreation = globalThis.fetch;
  const capturingFetch = async (input: Parameters<FetchFunction>[0], init?: Parameters<FetchFunction>[1]) => {
    const baseFetch =
      fetchImplementation ?? (globalThis.fetch === (capturingFetch as unknown) ? fetchAtCreation : globalThis.fetch);
    let claim: FetchClaim;
    let late: LateExchange | undefined;
    const parent = currentCaptureScope();
    const propagation = propagationOf();
    if (propagation) init = withGatewayTraceBody(input, init, propagation);
    try {
      const target = describeRequest(input, init);
      claim = {
        url: target.url,
        ...(options.onCapture ? { onCapture: options.onCapture } : {}),
        instrumentation: getInstrumentation,
        lookAheadBytes,
        ...(init?.body === undefined || init.body === null ? {} : { requestBody: init.body }),
        ...(typeof options.idleTimeoutMs === 'number' && options.idleTimeoutMs >= 0 ? { idleTimeoutMs: options.idleTimeoutMs } : {}),
        ownSpans: true,
        binds: true,
        ...(propagation ? { propagation } : {}),
        exchanges: [],
      };
      late = lateExchange(parent, claim, target);
    } catch (error) {
      diag.debug('servedby: captureRouteFetch could not describe the request', error);
      return baseFetch(input, init);
    }
    const scope = parent?.sink ? { sink: parent.sink, claim } : { claim };
    let response: Response;
    try {
      response = await captureStorage.run(scope, () => baseFetch(input, init));
    } catch (error) {
      // No channel saw it (not undici, or it failed before a request existed): end it here.
      if (claim.exchanges.length === 0) late?.create().fail(error);
      releaseFetchClaim(claim);
      throw error;
    }
    try {
      if (claim.exchanges.length > 0) {
        const fed = exchangeToFeed(claim);
        return fed ? observeFetchResponse(response, fed) : response;
      }
      // A fetch no channel saw: the wrapper observes it all.
      const exchange = late!.create();
      exchange.requestBody(init?.body);
      exchange.receiveHeaders(response.status, headerMapOf(response.headers));
      return observeFetchResponse(response, exchange);
    } catch (error) {
      diag.warn('servedby: captureRouteFetch could not observe the response', error);
      return response;
    } finally {
      releaseFetchClaim(claim);
    }
  };
  return capturingFetch as FetchFunction;
}

interface LateExchange {
  create(): Exchange;
}

/**
 * The exchange of a fetch no diagnostics channel reports, made after the fact but bound, timed
 * and parented as of the call's start.
 */
function describeRequest(input: Parameters<FetchFunction>[0], init: Parameters<FetchFunction>[1]): { url: string; method: string } {
  const isRequest = typeof Request !== 'undefined' && input instanceof Request;
  const rawUrl = isRequest ? input.url : String(input instanceof URL ? input.href : input);
  const method = (init?.method ?? (isRequest ? input.method : 'GET')).toUpperCase();
  return { url: urlWithoutSecrets(rawUrl), method };
}

function lateExchange(
  parent: ReturnType<typeof captureStorage.getStore>,
  claim: FetchClaim,
  { url, method }: { url: string; method: string },
): LateExchange {
  const binding = bindingFor(parent?.sink ? { sink: parent.sink, claim } : { claim }, url, method)!;
  const startTime = performance.now();
  const spanStartTime = performance.timeOrigin + startTime;
  let created: Exchange | undefined;
  return {
    create() {
      created ??= createExchange(
        url,
        method,
        binding,
        { lookAheadBytes: claim.lookAheadBytes, idleTimeoutMs: claim.idleTimeoutMs ?? observerSettings().idleTimeoutMs },
        'wrapper',
        { startTime, spanStartTime },
      );
      return created;
    },
  };
}
