export { createRouteCallbackHandler, ROUTE_CALLBACK_HANDLER_NAME, type RouteCallbackOptions } from './handler';
export { registerRouteCallbacks } from './register';
export { VERSION } from './version';
