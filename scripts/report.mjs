#!/usr/bin/env node
// `npm run report -- <file>`: the demo's drift and eval cross-tab as text, from a file of OTLP JSON
// lines. Builds the demo first when it has not been built.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runOnSupportedNode } from './node-runtime.mjs';

runOnSupportedNode(import.meta.url);

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cli = join(root, 'apps/demo/dist/report-cli.js');
if (!existsSync(cli)) {
  const build = spawnSync('npx', ['turbo', 'run', 'build', '--filter=@servedby/demo...', '--output-logs=errors-only'], {
    cwd: root,
    stdio: 'inherit',
  });
  if (build.status !== 0) process.exit(build.status ?? 1);
}
const result = spawnSync(process.execPath, [cli, ...process.argv.slice(2)], { cwd: process.cwd(), stdio: 'inherit' });
process.exit(result.status ?? 1);
