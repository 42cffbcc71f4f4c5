import type { Plugin } from 'vite';

/**
 * The vite plugin that puts a package's tests on the SDK line `SERVEDBY_OTEL_LANE` names
 * (`sdk3`, the default, or `sdk2`). A no-op on the main lane.
 */
export declare function otelLanePlugin(): Plugin;
