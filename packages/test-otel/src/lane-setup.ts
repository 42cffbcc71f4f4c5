// Vitest setup file of the SDK 2 lane (added by `otelLanePlugin`): Node's own module loading
// (frameworks in node_modules, `require` and `import`) resolves `@opentelemetry/api` to api 1.9,
// in this worker and in every Node child process a test starts (NODE_OPTIONS is inherited).
import './lane-hooks.mjs';

const hooks = `--import=${new URL('./lane-hooks.mjs', import.meta.url).href}`;
if (!(process.env.NODE_OPTIONS ?? '').includes(hooks)) {
  process.env.NODE_OPTIONS = `${process.env.NODE_OPTIONS ?? ''} ${hooks}`.trim();
}
