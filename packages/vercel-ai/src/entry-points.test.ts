// The published entry points, as Node loads them from the built package: `/middleware` must run on
// ai 5 and 6, so it must never load `@ai-sdk/otel` (which depends on ai 7) or `ai` itself.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

const packageDir = fileURLToPath(new URL('..', import.meta.url));

/** Every module URL Node loads (ESM `import` or CJS `require`) while loading `specifier`. */
function modulesLoadedBy(specifier: string, format: 'import' | 'require'): string[] {
  const load = format === 'import' ? `await import(${JSON.stringify(specifier)});` : `createRequire(import.meta.url)(${JSON.stringify(specifier)});`;
  const script = `
    import { createRequire, registerHooks } from 'node:module';
    const urls = [];
    registerHooks({ load(url, context, nextLoad) { urls.push(url); return nextLoad(url, context); } });
    ${load}
    process.stdout.write(JSON.stringify(urls));
  `;
  const output = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: packageDir, encoding: 'utf8' });
  return JSON.parse(output) as string[];
}

const loadsAiSdkOtel = (urls: string[]) => urls.some((url) => url.includes('/node_modules/@ai-sdk/otel/'));
const loadsAi = (urls: string[]) => urls.some((url) => /\/node_modules\/ai\//.test(url));

beforeAll(() => {
  // Turbo builds the package before its tests; a bare `vitest run` on a fresh checkout builds here.
  if (!existsSync(new URL('../dist/middleware.js', import.meta.url))) {
    const build = spawnSync('npx', ['tsup'], { cwd: packageDir, stdio: 'ignore' });
    if (build.status !== 0) throw new Error('could not build @servedby/vercel-ai for the entry-point test');
  }
}, 120_000);

describe.each(['import', 'require'] as const)('entry points (%s)', (format) => {
  it('@servedby/vercel-ai/middleware loads neither @ai-sdk/otel nor ai', () => {
    const urls = modulesLoadedBy('@servedby/vercel-ai/middleware', format);
    expect(urls.some((url) => url.includes('/vercel-ai/dist/middleware.'))).toBe(true);
    expect(loadsAiSdkOtel(urls)).toBe(false);
    expect(loadsAi(urls)).toBe(false);
  });

  it('@servedby/vercel-ai/telemetry and the root load @ai-sdk/otel (the check can see it)', () => {
    expect(loadsAiSdkOtel(modulesLoadedBy('@servedby/vercel-ai/telemetry', format))).toBe(true);
    expect(loadsAiSdkOtel(modulesLoadedBy('@servedby/vercel-ai', format))).toBe(true);
  });

  it('the root, /middleware and /telemetry share one routeMiddleware and one routeTelemetry', () => {
    const check = format === 'import'
      ? `const root = await import('@servedby/vercel-ai'); const middleware = await import('@servedby/vercel-ai/middleware'); const telemetry = await import('@servedby/vercel-ai/telemetry');`
      : `const require = createRequire(import.meta.url); const root = require('@servedby/vercel-ai'); const middleware = require('@servedby/vercel-ai/middleware'); const telemetry = require('@servedby/vercel-ai/telemetry');`;
    const script = `import { createRequire } from 'node:module'; ${check}
      process.stdout.write(JSON.stringify([root.routeMiddleware === middleware.routeMiddleware, root.routeTelemetry === telemetry.routeTelemetry, root.ROUTE_ATTRIBUTED_KEY === middleware.ROUTE_ATTRIBUTED_KEY]));`;
    const output = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: packageDir, encoding: 'utf8' });
    expect(JSON.parse(output)).toEqual([true, true, true]);
  });
});
