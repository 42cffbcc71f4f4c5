// `plugins: [otelLanePlugin()]` in a package's vitest config makes its tests run on the SDK line
// SERVEDBY_OTEL_LANE names. The main lane (SDK 3) needs nothing; the SDK 2 lane moves every
// import of `@opentelemetry/api` in the test process to api 1.9, as in an app on SDK 2:
// - code vite transforms (tests, sources, this package) through `resolveId` below;
// - code Node loads itself (frameworks in node_modules, CJS and ESM) through a module resolve
//   hook installed by `lane-setup.ts` before each test file.
// The api keeps its globals (context manager, providers) in one process-wide registry that
// refuses a newer minor's reader, so one api version for everything is what makes spans arrive.
import { fileURLToPath } from 'node:url';
import type { Plugin } from 'vite';
import { otelLaneOf, SDK2_API_PACKAGE } from './lane.ts';

const API = /^@opentelemetry\/api(\/.*)?$/;

/** The vite plugin; a no-op on the main lane. */
export function otelLanePlugin(): Plugin & { configureVitest(context: never): void } {
  const lane = otelLaneOf();
  const here = fileURLToPath(import.meta.url);
  return {
    name: 'servedby-otel-lane',
    enforce: 'pre',
    config() {
      if (lane !== 'sdk2') return {};
      return { test: { setupFiles: [fileURLToPath(new URL('./lane-setup.ts', import.meta.url))] } } as never;
    },
    // Vitest caches transformed modules on disk between runs, resolved imports included: the
    // lane must be part of the cache key or the other lane's api would be served.
    configureVitest({ defineCacheKeyGenerator }: { defineCacheKeyGenerator(generator: () => string): void }) {
      defineCacheKeyGenerator(() => `servedby-otel-lane:${lane}`);
    },
    async resolveId(source, importer, options) {
      if (lane !== 'sdk2') return null;
      const match = API.exec(source);
      if (!match) return null;
      return this.resolve(SDK2_API_PACKAGE + (match[1] ?? ''), here, { ...options, skipSelf: true });
    },
  };
}
