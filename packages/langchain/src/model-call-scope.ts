import { AsyncLocalStorage } from 'node:async_hooks';
import { diag } from '@opentelemetry/api';
import { BaseChatModel } from '@langchain/core/language_models/chat_models';
import { BaseLLM } from '@langchain/core/language_models/llms';
import { captureRouteFetch, runWithRouteCapture, type RouteCapture } from '@servedby/conventions';

/**
 * One model call as seen from inside LangChain: the model instance, the HTTP exchanges its SDK made
 * (when the SDK's fetch is `captureRouteFetch`), and listeners for the end of the call.
 *
 * Callbacks cannot see the model instance or its HTTP traffic, and `runWithRouteCapture` cannot wrap
 * callbacks, so the model's own entry points (`generate`, `_streamIterator`) open this scope and the
 * awaited callback handler claims it from `handleChatModelStart`, which runs inside it.
 */
export interface ModelCallScope {
  /** The model instance (`this` of the call): configured base URL, region, model id, deployment. */
  readonly model: object;
  /** Every HTTP exchange of this call, in order (retries included). */
  readonly captures: RouteCapture[];
  /** The LangChain runs started inside this scope (more than one only for batched `generate`). */
  readonly runIds: Set<string>;
  /** Called once when the call settles or the caller abandons a stream. */
  readonly onSettled: Set<() => void>;
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
  return { model, captures: [], runIds: new Set(), onSettled: new Set(), streaming };
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
}

function runInScope<T>(scope: ModelCallScope, fn: () => T): T {
  return scopeStorage.run(scope, () =>
    runWithRouteCapture((capture: RouteCapture) => {
      scope.captures.push(capture);
    }, fn),
  );
}

type AnyFunction = (this: object, ...args: unknown[]) => unknown;

const PATCHED = Symbol.for('servedby.langchain.patched');

function wrapPromiseMethod(prototype: Record<string | symbol, unknown>, name: string): void {
  const original = prototype[name] as AnyFunction | undefined;
  if (typeof original !== 'function' || (original as unknown as Record<symbol, unknown>)[PATCHED]) return;
  const wrapped = function (this: object, ...args: unknown[]): unknown {
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
    const scope = createScope(this, true);
    const iterator = runInScope(scope, () => original.apply(this, args)) as AsyncIterator<unknown, unknown, unknown>;
    let finished = false;
    try {
      while (true) {
        // Each step re-enters the scope: the generator body (and the SDK's fetch) runs inside next().
        const step = await runInScope(scope, () => iterator.next());
        if (step.done) {
          finished = true;
          return step.value;
        }
        scope.firstChunkAt ??= performance.now();
        yield step.value;
      }
    } catch (error) {
      finished = true;
      throw error;
    } finally {
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

let installed = false;

/**
 * Wraps the entry points of LangChain's base model classes (once per process) so every model call
 * runs in a {@link ModelCallScope}. The wrappers only add an async-local scope: arguments, results,
 * errors and chunks pass through untouched.
 */
export function installModelCallScopes(): void {
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
    scopeStorage.getStore() ? capturingFetch(input, init) : originalFetch(input, init);
  globalThis.fetch = scopedFetch;
}
