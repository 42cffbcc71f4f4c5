import { otelLanePlugin } from '@servedby/test-otel/vitest';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  plugins: [otelLanePlugin()],
  test: {
    include: ['src/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    reporters: ['default', 'json'],
    outputFile: { json: 'test-output/vitest.json' },
  },
});
