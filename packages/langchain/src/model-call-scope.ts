import { AsyncLocalStorage } from 'node:async_hooks';
import { context, diag, trace, type Span } from '@opentelemetry/api';
import { BaseChatModel } from '@langchain/core/language_models/chat_models';
import { BaseLLM } from '@langchain/core/language_models/llms';
import {
  captureRouteFetch,
  enableRouteCapture,
  routeCaptureSettings,
  releasableCaptureSink,
  runWithRouteCapture,
  type RouteCapture,
  type ServedbyOptions,
} from '@servedby/conventions';

/**
 * One model call as seen from inside LangChain: the model instance, the HTTP exchanges its SDK made
 * (seen on Node's diagnostics channels, or through `captureRouteFetch`), and listeners for the end
 * of the call.
 *
 * Callbacks cannot see the model instance or its HTTP traffic, and `runWithRouteCapture` cannot wrap
 * callbacks, so the model's own entry points (`generate`, `_streamIterator`) open this scope and the
 * awaited callback handler claims it from `handleChatModelStart`, which runs inside it. The
 * provider methods (`_generate`, `_streamResponseChunks`) receive the run manager: only for a
 * claimed run do they open a capture sink, so an unclaimed call's `captureRouteFetch` keeps its
 * own behaviour (active span, or a span of its own).
 */
export interface ModelCallScope {
  /** The model instance (`this` of the call): configured base URL, region, model id, deployment. */
  readonly model: object;
  /** Every HTTP exchange of each claimed run, in order (retries included). */
  readonly capturesByRun: Map<string, RouteCapture[]>;
  /** The model span of each claimed run: active while the provider SDK runs, so its spans nest under it. */
  readonly spansByRun: Map<string, Span>;
  /** The LangChain runs started inside this scope (more than one only for batched `generate`). */
  readonly runIds: Set<string>;
  /** Called once when the call settles or the caller abandons a stream. */
  readonly onSettled: Set<() => void>;
  /** Releases the capture sinks the provider methods ran with (see `releasableCaptureSink`). */
  readonly sinkReleases: Array<() => void>;
  /** True for `.stream()` / `streamEvents` calls. */
  streaming: boolean;
  /** `performance.now()` when the first chunk reached the caller. */
  firstChunkAt?: number;
}

const scopeStorage = new AsyncLocalStorage<ModelCallScope>();

/** The model call scope of the current async context, if any. */
export function activeModelCallScope(): ModelCallScope | undefined {
  return scopeStorage.getStore();
}

function createScope(model: object, streaming = false): ModelCallScope {
  return { model, capturesByRun: new Map(), spansByRun: new Map(), runIds: new Set(), onSettled: new Set(), sinkReleases: [], streaming };
}

function settle(scope: ModelCallScope): void {
  for (const listener of scope.onSettled) {
    try {
      listener();
    } catch (error) {
      diag.error('@servedby/langchain: settling a model call failed', error);
    }
  }
  scope.onSettled.clear();
  // The scope and its sinks stay reachable after the call: undici keeps each fetch response's body
  // stream, and the promises holding this async context, until a major GC. Let go of the call's
  // exchanges and spans now, or every call's state would be copied into the old generation.
  for (const release of scope.sinkReleases) release();
  scope.sinkReleases.length = 0;
  scope.capturesByRun.clear();
  scope.spansByRun.clear();
}

function runInScope<T>(scope: ModelCallScope, fn: () => T): T {
  return scopeStorage.run(scope, fn);
}

/** Runs a provider method with a capture sink when a route handler claimed its run. */
function runForRun<T>(runManager: unknown, fn: () => T): T {
  const scope = scopeStorage.getStore();
  const runId = (runManager as { runId?: unknown } | undefined)?.runId;
  if (!scope || typeof runId !== 'string' || !scope.runIds.has(runId)) return fn();
  let captures = scope.capturesByRun.get(runId);
  if (!captures) {
    captures = [];
    scope.capturesByRun.set(runId, captures);
  }
  const target = captures;
  const { sink, release } = releasableCaptureSink((capture) => {
    target.push(capture);
  });
  scope.sinkReleases.push(release);
  const span = scope.spansByRun.get(runId);
  const run = () => runWithRouteCapture(sink, fn);
  return span ? context.with(trace.setSpan(context.active(), span), run) : run();
}

type AnyFunction = (this: object, ...args: unknown[]) => unknown;

function safely(fn: () => void): void {
  try {
    fn();
  } catch (error) {
    diag.error('@servedby/langchain: could not wrap a model class', error);
  }
}

const PATCHED = Symbol.for('servedby.langchain.patched');

function wrapPromiseMethod(prototype: Record<string | symbol, unknown>, name: string): void {
  const original = prototype[name] as AnyFunction | undefined;
  if (typeof original !== 'function' || (original as unknown as Record<symbol, unknown>)[PATCHED]) return;
  const wrapped = function (this: object, ...args: unknown[]): unknown {
    safely(() => instrumentProviderMethods(this, prototype));
    const scope = createScope(this);
    const result = runInScope(scope, () => original.apply(this, args)) as Promise<unknown>;
    // The scope settles after LangChain has already called handleLLMEnd/handleLLMError; it only
    // ends spans a callback never ended, so it must not change the result.
    void Promise.resolve(result).then(
      () => settle(scope),
      () => settle(scope),
    );
    return result;
  };
  Object.defineProperty(wrapped, PATCHED, { value: original });
  prototype[name] = wrapped;
}

function wrapStreamMethod(prototype: Record<string | symbol, unknown>, name: string): void {
  const original = prototype[name] as AnyFunction | undefined;
  if (typeof original !== 'function' || (original as unknown as Record<symbol, unknown>)[PATCHED]) return;
  const wrapped = async function* (this: object, ...args: unknown[]): AsyncGenerator<unknown, unknown, unknown> {
    safely(() => instrumentProviderMethods(this, prototype));
    const scope = createScope(this, true);
    const iterator = runInScope(scope, () => original.apply(this, args)) as AsyncIterator<unknown, unknown, unknown>;
    let finished = false;
    let idle: IdleWatch | undefined;
    try {
      while (true) {
        // Until the first chunk, each step re-enters the scope: the generator body (and the SDK's
        // fetch, with its retries) runs inside next(). Once a chunk came, the request is made and
        // later steps only read its body: they run as they are, at no cost per chunk.
        const step = scope.firstChunkAt === undefined ? await runInScope(scope, () => iterator.next()) : await iterator.next();
        if (step.done) {
          finished = true;
          return step.value;
        }
        scope.firstChunkAt ??= performance.now();
        // A caller that stops asking for chunks without closing the stream (never iterates it, or
        // keeps it suspended) would leave the model span open forever: give up after the idle time.
        idle ??= watchForIdleCaller(scope);
        idle.waiting = true;
        yield step.value;
        idle.waiting = false;
        idle.pulls += 1;
      }
    } catch (error) {
      finished = true;
      throw error;
    } finally {
      idle?.stop();
      if (!finished) {
        // The caller stopped reading: close the model's stream so the HTTP body is released.
        await runInScope(scope, async () => iterator.return?.(undefined)).catch(() => undefined);
      }
      settle(scope);
    }
  };
  Object.defineProperty(wrapped, PATCHED, { value: original });
  prototype[name] = wrapped;
}

/** Whether the caller of a stream keeps asking for chunks. */
interface IdleWatch {
  /** `true` while the stream waits for the caller to ask for the next chunk. */
  waiting: boolean;
  /** Chunks the caller asked for so far. */
  pulls: number;
  stop(): void;
}

/**
 * One unref'd timer per stream (not one per chunk): when it fires and the stream has been waiting
 * for its caller since the previous check, the caller has stopped reading — `scope` settles (its
 * spans end as abandoned). The interval is the capture's idle time (`routeCaptureSettings()`,
 * default 30 s), so a stream is given up between one and two idle times after the caller's last read.
 */
function watchForIdleCaller(scope: ModelCallScope): IdleWatch {
  const idleTimeoutMs = routeCaptureSettings().idleTimeoutMs;
  const watch: IdleWatch = { waiting: false, pulls: 0, stop() {} };
  if (!(idleTimeoutMs > 0) || !Number.isFinite(idleTimeoutMs)) return watch;
  let pullsAtLastCheck = -1;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const check = () => {
    timer = undefined;
    if (watch.waiting && watch.pulls === pullsAtLastCheck) {
      settle(scope);
      return;
    }
    pullsAtLastCheck = watch.pulls;
    timer = setTimeout(check, idleTimeoutMs);
    timer.unref?.();
  };
  check();
  watch.stop = () => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
  };
  return watch;
}

function wrapProviderPromiseMethod(prototype: Record<string | symbol, unknown>, name: string): void {
  const original = Object.getOwnPropertyDescriptor(prototype, name)?.value as AnyFunction | undefined;
  if (typeof original !== 'function' || (original as unknown as Record<symbol, unknown>)[PATCHED]) return;
  const wrapped = function (this: object, ...args: unknown[]): unknown {
    return runForRun(args[2], () => original.apply(this, args));
  };
  Object.defineProperty(wrapped, PATCHED, { value: original });
  prototype[name] = wrapped;
}

function wrapProviderStreamMethod(prototype: Record<string | symbol, unknown>, name: string): void {
  const original = Object.getOwnPropertyDescriptor(prototype, name)?.value as AnyFunction | undefined;
  if (typeof original !== 'function' || (original as unknown as Record<symbol, unknown>)[PATCHED]) return;
  const wrapped = function (this: object, ...args: unknown[]): AsyncIterable<unknown> {
    const iterable = runForRun(args[2], () => original.apply(this, args)) as AsyncIterable<unknown> & AsyncIterator<unknown>;
    const runManager = args[2];
    const iterator = typeof iterable[Symbol.asyncIterator] === 'function' ? iterable[Symbol.asyncIterator]() : iterable;
    // Until a chunk came, each step re-enters the sink: the generator body (and the SDK's fetch,
    // with its retries) runs inside next(). Later steps only read the body already requested.
    let chunkSeen = false;
    const stepping: AsyncIterableIterator<unknown> = {
      next: (value?: unknown) => {
        if (chunkSeen) return iterator.next(value);
        const step = runForRun(runManager, () => iterator.next(value));
        return step.then((result) => {
          if (!result.done) chunkSeen = true;
          return result;
        });
      },
      return: (value?: unknown) =>
        iterator.return ? runForRun(runManager, () => iterator.return!(value)) : Promise.resolve({ done: true, value }),
      throw: (error?: unknown) =>
        iterator.throw ? runForRun(runManager, () => iterator.throw!(error)) : Promise.reject(error),
      [Symbol.asyncIterator]() {
        return this;
      },
    };
    return stepping;
  };
  Object.defineProperty(wrapped, PATCHED, { value: original });
  prototype[name] = wrapped;
}

const instrumentedPrototypes = new WeakSet<object>();

/** Wraps the provider methods of a model's class chain (below the base classes), once per class. */
function instrumentProviderMethods(model: object, base: object): void {
  let prototype = Object.getPrototypeOf(model) as object | null;
  while (prototype && prototype !== base && prototype !== Object.prototype) {
    if (instrumentedPrototypes.has(prototype)) return;
    instrumentedPrototypes.add(prototype);
    const record = prototype as Record<string | symbol, unknown>;
    wrapProviderPromiseMethod(record, '_generate');
    wrapProviderStreamMethod(record, '_streamResponseChunks');
    prototype = Object.getPrototypeOf(prototype) as object | null;
  }
}

let installed = false;

/**
 * Wraps the entry points of LangChain's base model classes (once per process) so every model call
 * runs in a {@link ModelCallScope}. The wrappers only add an async-local scope: arguments, results,
 * errors and chunks pass through untouched.
 */
export function installModelCallScopes(options?: Pick<ServedbyOptions, 'propagateToGateways'>): void {
  try {
    // The SDK's HTTP exchanges reach the run's capture sink from Node's diagnostics channels: no
    // `fetch` option needed, also for models built before the handler. Every handler's options
    // count (propagation to gateways is process-wide once asked for).
    enableRouteCapture(options?.propagateToGateways ? { propagateToGateways: options.propagateToGateways } : {});
  } catch (error) {
    diag.warn('@servedby/langchain: could not observe HTTP exchanges', error);
  }
  if (installed) return;
  installed = true;
  try {
    const chatPrototype = BaseChatModel.prototype as unknown as Record<string | symbol, unknown>;
    wrapPromiseMethod(chatPrototype, 'generate');
    wrapStreamMethod(chatPrototype, '_streamIterator');
    const llmPrototype = BaseLLM.prototype as unknown as Record<string | symbol, unknown>;
    wrapPromiseMethod(llmPrototype, 'generate');
    wrapStreamMethod(llmPrototype, '_streamIterator');
  } catch (error) {
    diag.error('@servedby/langchain: could not wrap LangChain model classes', error);
  }
}

let globalFetchInstalled = false;

/**
 * Replaces `globalThis.fetch` (once per process) with a wrapper that captures the route of
 * requests made inside a model call scope and calls the original fetch directly everywhere else.
 * For SDKs that use the global fetch and take no fetch option (`ChatOpenRouter`), and for OpenAI
 * and Anthropic clients created after this call without `captureRouteFetch`.
 */
export function installGlobalFetchCapture(): void {
  if (globalFetchInstalled || typeof globalThis.fetch !== 'function') return;
  globalFetchInstalled = true;
  const originalFetch = globalThis.fetch;
  const capturingFetch = captureRouteFetch(originalFetch);
  const scopedFetch: typeof globalThis.fetch = (input, init) =>
    (scopeStorage.getStore()?.runIds.size ?? 0) > 0 ? capturingFetch(input, init) : originalFetch(input, init);
  globalThis.fetch = scopedFetch;
}
