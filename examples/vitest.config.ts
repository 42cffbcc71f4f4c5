import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    exclude: ['node_modules/**', 'tarballs/.work/**'],
    testTimeout: 90_000,
    hookTimeout: 30_000,
    // One example process at a time: the machine is shared and each starts a whole SDK.
    fileParallelism: false,
    reporters: ['default', 'json'],
    outputFile: { json: 'test-output/vitest.json' },
  },
});
