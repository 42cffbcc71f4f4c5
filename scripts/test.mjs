#!/usr/bin/env node
// `npm test`: every workspace's tests through turbo, one package at a time (the suites start real
// servers and SDKs; in parallel they would compete for the same two cores). Extra arguments go to
// turbo, e.g. `npm test -- --filter=@servedby/langchain`.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runOnSupportedNode } from './node-runtime.mjs';

// On Node older than 22 this runs the script again under Node 24 from the npm registry.
runOnSupportedNode(import.meta.url);

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const result = spawnSync('npx', ['turbo', 'run', 'test', '--concurrency=1', ...process.argv.slice(2)], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1', DO_NOT_TRACK: '1' },
});
process.exit(result.status ?? 1);
