import { defineConfig } from 'tsup';
import packageJson from './package.json';

export default defineConfig({
  entry: ['src/index.ts', 'src/register.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node22',
  // `VERSION` (the instrumentation scope version) is package.json's, fixed at build time; the
  // unbuilt source, as the tests run it, says '0.0.0-test'.
  define: { __PACKAGE_VERSION__: JSON.stringify(packageJson.version) },
});
