import { resolveCurrentSpan } from '@mastra/core/observability';
import type { AnySpan } from '@mastra/core/observability';
import {
  addRouteCaptureResolver,
  captureRouteFetch,
  enableRouteCapture,
  runWithRouteCapture,
  type RouteCapture,
  type RouteCaptureSink,
  type ServedbyOptions,
} from '@servedby/conventions';
import { diag } from '@opentelemetry/api';

type FetchFunction = typeof globalThis.fetch;

const MODEL_STEP = 'model_step';
const MODEL_INFERENCE = 'model_inference';

/** What the HTTP layer saw of one MODEL_STEP's requests. */
export interface ModelStepHttp {
  /** One capture per request that got a response, oldest first (retries add more). */
  captures: RouteCapture[];
  /** The abort signal of the latest request, to tell an aborted call from a finished one. */
  signal?: AbortSignal;
}

// Keyed by the live Mastra MODEL_STEP span, so concurrent steps never see each other's captures
// and a step that is never processed leaves nothing behind.
const httpByStep = new WeakMap<object, ModelStepHttp>();

/**
 * The MODEL_STEP a model HTTP request belongs to. Mastra runs each provider call inside its
 * step's tracing context (AsyncLocalStorage), so the current span is the step (or, in versions
 * that make one, the inference span under it).
 */
function currentModelStep(): AnySpan | undefined {
  const span = resolveCurrentSpan();
  if (!span) return undefined;
  if (span.type === MODEL_STEP) return span;
  if (span.type === MODEL_INFERENCE && span.parent?.type === MODEL_STEP) return span.parent;
  return undefined;
}

function httpOf(step: AnySpan): ModelStepHttp {
  let http = httpByStep.get(step);
  if (!http) {
    http = { captures: [] };
    httpByStep.set(step, http);
  }
  return http;
}

/**
 * What the HTTP layer saw of the requests made inside a MODEL_STEP, if any went through the capture.
 * @internal
 */
export function modelStepHttp(step: object): ModelStepHttp | undefined {
  return httpByStep.get(step);
}

function requestSignal(input: Parameters<FetchFunction>[0], init?: Parameters<FetchFunction>[1]): AbortSignal | undefined {
  if (init?.signal) return init.signal;
  return typeof Request !== 'undefined' && input instanceof Request ? input.signal : undefined;
}

/**
 * Wraps `fetch` so every model request Mastra makes inside an agent step is captured for
 * {@link routeSpanProcessor}: URL, status, response headers and a bounded look-ahead of the body
 * (JSON or SSE), without consuming or delaying the caller's body. Requests made outside a Mastra
 * model step pass straight through.
 *
 * Use it for AI SDK provider instances that take a `fetch` (Azure, Bedrock, any `create…` provider);
 * router strings (`'openrouter/…'`) are covered by the processor's global fetch capture.
 *
 * @example
 * ```ts
 * const model = createAzure({ resourceName: 'contoso', fetch: routeCaptureFetch() })('gpt-4o-eastus');
 * ```
 */
export function routeCaptureFetch(fetchImplementation?: FetchFunction): FetchFunction {
  const baseFetch: FetchFunction = (input, init) => (fetchImplementation ?? globalThis.fetch)(input, init);
  const capturingFetch = captureRouteFetch(baseFetch);
  const modelStepFetch = (input: Parameters<FetchFunction>[0], init?: Parameters<FetchFunction>[1]) => {
    let step: AnySpan | undefined;
    try {
      step = currentModelStep();
    } catch (error) {
      diag.debug('servedby/mastra: could not resolve the current Mastra span', error);
    }
    if (!step) return baseFetch(input, init);
    let http: ModelStepHttp | undefined;
    try {
      http = httpOf(step);
      http.signal = requestSignal(input, init);
    } catch (error) {
      diag.debug('servedby/mastra: could not record the request', error);
    }
    if (!http) return baseFetch(input, init);
    const ownHttp = http;
    return runWithRouteCapture(
      (capture) => ownHttp.captures.push(capture),
      () => capturingFetch(input, init),
    );
  };
  return modelStepFetch as FetchFunction;
}

/**
 * The capture sink of the MODEL_STEP in flight, for exchanges no fetch wrapper sees (provider
 * instances that kept their own `fetch`, `node:http`/`http2` clients): the diagnostics-channel
 * observer asks it when an exchange starts outside any `runWithRouteCapture` scope.
 */
function modelStepSink(): RouteCaptureSink | undefined {
  let step: AnySpan | undefined;
  try {
    step = currentModelStep();
  } catch {
    return undefined;
  }
  if (!step) return undefined;
  const http = httpOf(step);
  return (capture) => http.captures.push(capture);
}

interface GlobalFetchPatch {
  original: FetchFunction;
  patched: FetchFunction;
  holders: number;
  removeResolver: () => void;
}

// Process-wide by nature: there is one globalThis.fetch. Reference-counted so several
// processors (several Mastra instances) share one patch and the last one out restores it.
let globalFetchPatch: GlobalFetchPatch | undefined;

/**
 * Routes `globalThis.fetch` through {@link routeCaptureFetch}, which is how the AI SDK providers
 * behind Mastra's router strings reach the network. Returns the function that undoes it.
 * @internal
 */
export function installGlobalFetchCapture(options?: Pick<ServedbyOptions, 'propagateToGateways'>): () => void {
  if (typeof globalThis.fetch !== 'function') return () => {};
  // Every processor's options count: propagation to gateways is process-wide once asked for.
  enableRouteCapture(options?.propagateToGateways ? { propagateToGateways: options.propagateToGateways } : {});
  if (!globalFetchPatch) {
    const removeResolver = addRouteCaptureResolver(modelStepSink);
    const original = globalThis.fetch;
    const patched = routeCaptureFetch(original);
    globalFetchPatch = { original, patched, holders: 0, removeResolver };
    globalThis.fetch = patched;
  }
  const patch = globalFetchPatch;
  patch.holders += 1;
  let released = false;
  return () => {
    if (released) return;
    released = true;
    patch.holders -= 1;
    if (patch.holders > 0 || globalFetchPatch !== patch) return;
    globalFetchPatch = undefined;
    patch.removeResolver();
    // Someone may have wrapped fetch after us: then leave their wrapper (which still calls ours) alone.
    if (globalThis.fetch === patch.patched) globalThis.fetch = patch.original;
  };
}
