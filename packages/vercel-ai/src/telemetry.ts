// `@servedby/vercel-ai/telemetry`: the AI SDK 7 `Telemetry` integration, built on `@ai-sdk/otel`.
export { routeTelemetry } from './route-telemetry';
export type { RouteTelemetryOptions } from './route-telemetry';
export { VERSION } from './version';
