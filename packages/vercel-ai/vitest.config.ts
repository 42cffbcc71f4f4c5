import { fileURLToPath } from 'node:url';
import { otelLanePlugin } from '@servedby/test-otel/vitest';
import { defineConfig } from 'vitest/config';

// Sibling workspace packages are tested from source, so a test run never depends on a stale build.
const sourceOf = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  plugins: [otelLanePlugin()],
  resolve: {
    alias: {
      '@servedby/conventions': sourceOf('../conventions/src/index.ts'),
      '@servedby/gateway-sim': sourceOf('../gateway-sim/src/index.ts'),
    },
  },
  test: {
    include: ['src/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    reporters: ['default', 'json'],
    outputFile: { json: 'test-output/vitest.json' },
  },
});
