// `@servedby/vercel-ai/middleware`: the language model middleware alone, for ai 5, 6 and 7 and the
// frameworks that run AI SDK models. It never loads `@ai-sdk/otel` (which depends on ai 7), so an
// ai 5 or 6 app gets no second copy of `ai`.
export { routeMiddleware, ROUTE_ATTRIBUTED_KEY } from './route-middleware';
export type {
  RouteFactsSink,
  RouteLanguageModelMiddleware,
  RouteMiddlewareOptions,
  RouteModelLike,
} from './route-middleware';
export { VERSION } from './version';
