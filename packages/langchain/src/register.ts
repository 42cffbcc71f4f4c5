import type { BaseCallbackHandler } from '@langchain/core/callbacks/base';
import { registerConfigureHook, setContextVariable } from '@langchain/core/context';
import { createRouteCallbackHandler, type RouteCallbackOptions } from './handler';

const CONTEXT_VARIABLE = 'servedby_route_handler';

/**
 * Attaches a route callback handler to every LangChain run started from here on, through
 * LangChain's configure hook: one line at application start, no `callbacks` to pass around.
 *
 * LangChain keeps configure hooks in its async-local context, so call this at the top level of the
 * entry module (or inside the async scope whose runs should be traced); runs started in unrelated
 * async contexts created earlier do not see it. Calling it again replaces the handler.
 *
 * @returns the handler, e.g. to pass it explicitly where a run is started outside that context.
 *
 * @example
 * ```ts
 * registerRouteCallbacks();
 * await new ChatOpenAI({ model: 'gpt-4o' }).invoke('Hello');
 * ```
 */
export function registerRouteCallbacks(options?: RouteCallbackOptions): BaseCallbackHandler {
  const handler = createRouteCallbackHandler(options);
  setContextVariable(CONTEXT_VARIABLE, handler);
  registerConfigureHook({ contextVar: CONTEXT_VARIABLE, inheritable: true });
  return handler;
}
