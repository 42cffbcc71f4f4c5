import type { BaseCallbackHandler } from '@langchain/core/callbacks/base';
import { CallbackManager } from '@langchain/core/callbacks/manager';
import { registerConfigureHook, setContextVariable } from '@langchain/core/context';
import { diag } from '@opentelemetry/api';
import { createRouteCallbackHandler, type RouteCallbackOptions } from './handler';

const CONTEXT_VARIABLE = 'servedby_route_handler';

// The handler of the latest registration, attached to every run the process configures.
let registeredHandler: BaseCallbackHandler | undefined;
let configureWrapped = false;

type ConfigureSync = typeof CallbackManager._configureSync;

/**
 * LangChain keeps configure hooks in its async-local context, so a hook registered at start-up
 * never reaches runs started from async contexts created earlier (a queue consumer, an IPC or
 * socket handler). Every run's callbacks are configured by `CallbackManager._configureSync`
 * (`configure`, `getCallbackManagerForConfig` and `runnables/config` all call it), so the handler
 * is added there, once, for the whole process.
 */
function wrapConfigureOnce(): void {
  if (configureWrapped) return;
  configureWrapped = true;
  const original: ConfigureSync | undefined = CallbackManager._configureSync;
  if (typeof original !== 'function') {
    diag.warn('@servedby/langchain: CallbackManager._configureSync not found; registerRouteCallbacks reaches only runs in the registering async context');
    return;
  }
  const wrapped = function configureSyncWithRoute(this: typeof CallbackManager, ...parameters: Parameters<ConfigureSync>) {
    const manager = original.apply(this, parameters);
    const handler = registeredHandler;
    if (handler === undefined) return manager;
    try {
      const withHandler = manager ?? new CallbackManager();
      if (!withHandler.handlers.some((existing) => existing.name === handler.name)) withHandler.addHandler(handler, true);
      return withHandler;
    } catch (error) {
      diag.error('@servedby/langchain: could not attach the route handler to a run', error);
      return manager;
    }
  } as ConfigureSync;
  CallbackManager._configureSync = wrapped;
}

/**
 * Attaches a route callback handler to every LangChain run in the process: one line at
 * application start, no `callbacks` to pass around.
 *
 * Runs see it whatever async context they start in, including clients and event sources created
 * before this call (a queue consumer, an IPC handler). Calling it again replaces the handler; a
 * handler also passed in `callbacks` is never added twice. It applies to the copy of
 * `@langchain/core` this package resolves (the one your app uses when npm dedupes it).
 *
 * @returns the handler, e.g. to pass it explicitly to code that builds its own callback manager.
 *
 * @example
 * ```ts
 * registerRouteCallbacks();
 * await new ChatOpenAI({ model: 'gpt-4o' }).invoke('Hello');
 * ```
 */
export function registerRouteCallbacks(options?: RouteCallbackOptions): BaseCallbackHandler {
  const handler = createRouteCallbackHandler(options);
  registeredHandler = handler;
  // Also through LangChain's own hook, for runs of a second @langchain/core copy that shares its context.
  setContextVariable(CONTEXT_VARIABLE, handler);
  registerConfigureHook({ contextVar: CONTEXT_VARIABLE, inheritable: true });
  wrapConfigureOnce();
  return handler;
}
