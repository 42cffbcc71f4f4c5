// The SDK 2 lane's module resolve hook: `@opentelemetry/api` (and its subpaths) resolve to api 1.9
// (`otel-sdk2-api`) for every `import` and `require` Node performs itself. Loaded by `lane-setup.ts`
// in vitest workers, and through NODE_OPTIONS=--import by any Node child process a test starts.
// Plain JavaScript: Node loads it before any TypeScript transform.
import { registerHooks } from 'node:module';

const API = /^@opentelemetry\/api(\/.*)?$/;
const SDK2_API_PACKAGE = 'otel-sdk2-api'; // keep in step with lane.ts
const flag = Symbol.for('servedby.test-otel.sdk2-hooks');

if (!globalThis[flag]) {
  globalThis[flag] = true;
  const parentURL = import.meta.url;
  registerHooks({
    resolve(specifier, context, nextResolve) {
      const match = API.exec(specifier);
      if (!match) return nextResolve(specifier, context);
      return nextResolve(SDK2_API_PACKAGE + (match[1] ?? ''), { ...context, parentURL });
    },
  });
}
