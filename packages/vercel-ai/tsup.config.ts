import { defineConfig } from 'tsup';
import packageJson from './package.json';

export default defineConfig({
  // Three entries: `/middleware` must never load `@ai-sdk/otel`; shared modules go to chunks (also
  // for CJS) so the entries share one copy of their state.
  entry: ['src/index.ts', 'src/middleware.ts', 'src/telemetry.ts'],
  splitting: true,
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node22',
  // `VERSION` (the instrumentation scope version) is package.json's, fixed at build time; the
  // unbuilt source, as the tests run it, says '0.0.0-test'.
  define: { __PACKAGE_VERSION__: JSON.stringify(packageJson.version) },
});
