import { defineConfig } from 'tsup';

// The demo is an application: no declaration files (typecheck covers the types), so the first
// `npm run demo` builds faster.
export default defineConfig({
  entry: ['src/index.ts', 'src/cli.ts', 'src/report-cli.ts'],
  format: ['esm'],
  sourcemap: true,
  clean: true,
  target: 'node22',
});
