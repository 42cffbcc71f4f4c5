export { routeMiddleware, ROUTE_ATTRIBUTED_KEY } from './route-middleware';
export type {
  RouteFactsSink,
  RouteLanguageModelMiddleware,
  RouteMiddlewareOptions,
  RouteModelLike,
} from './route-middleware';
export { routeTelemetry } from './route-telemetry';
export type { RouteTelemetryOptions } from './route-telemetry';

export { VERSION } from './version';
