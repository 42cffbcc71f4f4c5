export { routeSpanProcessor } from './route-span-processor';
export type { MastraRouteOptions, RouteSpanOutputProcessor } from './route-span-processor';
export { routeCaptureFetch } from './model-capture';
export { VERSION } from './version';
