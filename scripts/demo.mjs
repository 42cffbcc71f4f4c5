#!/usr/bin/env node
// One command for newcomers: `npm run demo` (or `npm run demo -- --once`). Builds the demo and
// every package it runs (turbo caches what is already built), then starts it.
import { spawn, spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runOnSupportedNode } from './node-runtime.mjs';

// On Node older than 22 this runs the script again under Node 24 from the npm registry.
runOnSupportedNode(import.meta.url);

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

console.log('building the demo and the servedby packages (cached after the first time)…');
const build = spawnSync(
  'npx',
  ['turbo', 'run', 'build', '--filter=@servedby/demo...', '--output-logs=errors-only', '--log-prefix=none'],
  { cwd: root, stdio: 'inherit', env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1', DO_NOT_TRACK: '1' } },
);
if (build.status !== 0) {
  console.error('build failed; see the errors above');
  process.exit(build.status ?? 1);
}

const child = spawn(process.execPath, [join(root, 'apps/demo/dist/cli.js'), ...process.argv.slice(2)], {
  cwd: process.cwd(),
  stdio: 'inherit',
});
// Ctrl-C reaches the demo directly (same process group); this wrapper just waits for it to exit.
process.on('SIGINT', () => {});
process.on('SIGTERM', () => child.kill('SIGTERM'));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
