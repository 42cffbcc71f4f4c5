// `plugins: [otelLanePlugin()]` in a package's vitest config makes its tests run on the SDK line
// SERVEDBY_OTEL_LANE names. The main lane (SDK 3) needs nothing; the SDK 2 lane moves every
// import of `@opentelemetry/api` in the test process to api 1.9, as in an app on SDK 2:
// - code vite transforms (tests, sources, this package) through `resolveId` below;
// - code Node loads itself (frameworks in node_modules, CJS and ESM) through a module resolve
//   hook that `lane-setup.ts` installs before each test file.
// The api keeps its globals (context manager, providers) in one process-wide registry that
// refuses a newer minor's reader, so one api version for everything is what makes spans arrive.
//
// Plain JavaScript on purpose: vite loads config files (and what they import from workspace
// packages) with Node itself, before any TypeScript transform.
import { fileURLToPath } from 'node:url';

const API = /^@opentelemetry\/api(\/.*)?$/;
// Keep in step with `lane.ts`.
const SDK2_API_PACKAGE = 'otel-sdk2-api';

/** @returns {import('vite').Plugin} */
export function otelLanePlugin() {
  const lane = process.env.SERVEDBY_OTEL_LANE === 'sdk2' ? 'sdk2' : 'sdk3';
  const here = fileURLToPath(import.meta.url);
  return {
    name: 'servedby-otel-lane',
    enforce: 'pre',
    config(userConfig) {
      if (lane !== 'sdk2') return {};
      // The lane's JSON report lands beside the main lane's (vitest.json -> vitest-sdk2.json), so
      // both runs count in the CI summary.
      const json = userConfig.test?.outputFile?.json;
      return {
        test: {
          setupFiles: [fileURLToPath(new URL('./lane-setup.ts', import.meta.url))],
          ...(typeof json === 'string' ? { outputFile: { json: json.replace(/\.json$/, '-sdk2.json') } } : {}),
        },
      };
    },
    // Vitest caches transformed modules on disk between runs, resolved imports included: the lane
    // must be part of the cache key or the other lane's api would be served.
    configureVitest({ defineCacheKeyGenerator }) {
      defineCacheKeyGenerator(() => `servedby-otel-lane:${lane}`);
    },
    async resolveId(source, _importer, options) {
      if (lane !== 'sdk2') return null;
      const match = API.exec(source);
      if (!match) return null;
      return this.resolve(SDK2_API_PACKAGE + (match[1] ?? ''), here, { ...options, skipSelf: true });
    },
  };
}
