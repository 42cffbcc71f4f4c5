// Vitest setup file of the SDK 2 lane (added by `otelLanePlugin`): Node's own module loading
// (frameworks in node_modules, `require` and `import`) resolves `@opentelemetry/api` to api 1.9.
import { registerHooks } from 'node:module';
import { SDK2_API_PACKAGE } from './lane';

const API = /^@opentelemetry\/api(\/.*)?$/;
const flag = Symbol.for('servedby.test-otel.sdk2-hooks');
const registry = globalThis as Record<symbol, boolean | undefined>;

if (!registry[flag]) {
  registry[flag] = true;
  const parentURL = import.meta.url;
  registerHooks({
    resolve(specifier, context, nextResolve) {
      const match = API.exec(specifier);
      if (!match) return nextResolve(specifier, context);
      return nextResolve(SDK2_API_PACKAGE + (match[1] ?? ''), { ...context, parentURL });
    },
  });
}
