import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Every test file starts its own simulator on port 0, so files can share workers; this saves
    // re-importing the SDKs (openai, AI SDK, AWS) once per file.
    isolate: false,
    reporters: ['default', 'json'],
    outputFile: { json: 'test-output/vitest.json' },
  },
});
