export { createRouteCallbackHandler, ROUTE_CALLBACK_HANDLER_NAME, type RouteCallbackOptions } from './handler';
export { registerRouteCallbacks } from './register';
export { VERSION } from './version';
// Re-exported so one import sets a model up: `configuration: { fetch: captureRouteFetch() }`.
export { captureRouteFetch } from '@servedby/conventions';
