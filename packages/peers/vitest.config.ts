import { fileURLToPath } from 'node:url';
import { otelLanePlugin } from '@servedby/test-otel/vitest';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  plugins: [otelLanePlugin()],
  resolve: {
    // The zero-code tests exercise RouteSpanProcessor as it is in the tree, without a build step.
    // (The benchmark imports the built package, as a user would.)
    alias: { '@servedby/conventions': fileURLToPath(new URL('../conventions/src/index.ts', import.meta.url)) },
  },
  test: {
    include: ['src/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Each file installs one peer instrumentation that patches an SDK module; two peers patching
    // the same SDK must never share a module registry, so every file gets its own.
    isolate: true,
    reporters: ['default', 'json'],
    outputFile: { json: 'test-output/vitest.json' },
  },
});
