// Both hooks. Importing the root loads `@ai-sdk/otel` (for `routeTelemetry`); an app that only
// wraps models imports `@servedby/vercel-ai/middleware` instead.
export { routeMiddleware, ROUTE_ATTRIBUTED_KEY } from './middleware';
export type {
  RouteFactsSink,
  RouteLanguageModelMiddleware,
  RouteMiddlewareOptions,
  RouteModelLike,
} from './middleware';
export { routeTelemetry } from './telemetry';
export type { RouteTelemetryOptions } from './telemetry';
export { VERSION } from './version';
