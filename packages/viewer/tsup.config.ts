import { defineConfig } from 'tsup';

export default defineConfig([
  {
    // The server, the CLIs and the ingest worker (loaded by file name beside the bundle).
    entry: { index: 'src/index.ts', cli: 'src/cli.ts', 'report-cli': 'src/report-cli.ts', 'ingest-worker': 'src/server/ingest-worker.ts' },
    format: ['esm'],
    dts: { entry: { index: 'src/index.ts', 'report-cli': 'src/report-cli.ts' } },
    sourcemap: true,
    clean: false,
    target: 'node22',
    external: ['chdb', '@clickhouse/client', 'esbuild'],
  },
  {
    // The pages' script, sharing the API's types with the server (src/api-types.ts).
    entry: { viewer: 'src/browser/main.ts' },
    outDir: 'dist/browser',
    format: ['iife'],
    platform: 'browser',
    target: 'es2022',
    sourcemap: true,
    minify: false,
    clean: false,
    outExtension: () => ({ js: '.js' }),
  },
]);
