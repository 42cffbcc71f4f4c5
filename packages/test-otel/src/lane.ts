/**
 * Which OpenTelemetry JS SDK line the tests run on.
 * - `sdk3` (default, the main lane): `@opentelemetry/sdk-trace` 3.x, `sdk-metrics` 3.x, api 1.10.
 * - `sdk2`: `@opentelemetry/sdk-trace-base` 2.x, `sdk-metrics` 2.x, api 1.9, as an app that has not
 *   moved to SDK 3 has them. Every import of `@opentelemetry/api` in the test process (test code,
 *   code under test, frameworks) then resolves to api 1.9 — see `vitest.ts`.
 */
export type OtelLane = 'sdk3' | 'sdk2';

/** Reads `SERVEDBY_OTEL_LANE`; anything but `sdk2` is the main lane. */
export function otelLaneOf(environment: Record<string, string | undefined> = process.env): OtelLane {
  return environment.SERVEDBY_OTEL_LANE === 'sdk2' ? 'sdk2' : 'sdk3';
}

/** The package names a lane's api resolves to (npm aliases for the SDK 2 line). */
export const SDK2_API_PACKAGE = 'otel-sdk2-api';
