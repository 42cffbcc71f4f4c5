import { defineConfig } from 'vitest/config';
import { otelLanePlugin } from './src/vitest';

export default defineConfig({
  plugins: [otelLanePlugin()],
  test: {
    include: ['src/**/*.test.ts'],
    reporters: ['default', 'json'],
    outputFile: { json: 'test-output/vitest.json' },
  },
});
