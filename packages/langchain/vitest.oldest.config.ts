import { otelLanePlugin } from '@servedby/test-otel/vitest';
import { defineConfig } from 'vitest/config';

// The handler's network-free tests again, against the oldest supported @langchain/core
// (installed as the `langchain-core-oldest` alias). Integration packages (@langchain/openai …)
// pin their own core, so only tests that need nothing but core run here.
export default defineConfig({
  plugins: [otelLanePlugin()],
  resolve: {
    alias: [{ find: /^@langchain\/core(\/.*)?$/, replacement: 'langchain-core-oldest$1' }],
  },
  test: {
    include: ['src/**/*.unit.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    reporters: ['default', 'json'],
    outputFile: { json: 'test-output/vitest-oldest-core.json' },
  },
});
