import { defineConfig } from 'vitest/config';

export default defineConfig({
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
