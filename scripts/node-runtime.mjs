// servedby's own scripts need Node.js 22 or later. On an older Node (Node 20 is end of life since
// April 2026), `npm run demo` and `npm test` fetch Node 24 from the npm registry (the `node`
// package, which ships the official binary) into a cache folder once, say so in one line, and run
// under it. Kept to what Node 18 and 20 understand: this file runs *before* the switch.
//
// Also a CLI for CI: `node scripts/node-runtime.mjs 22` prints the bin folder of a cached Node 22.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The oldest Node major the packages and tools run on. */
export const MINIMUM_NODE_MAJOR = 22;
/** The Node major fetched when this one is too old (the active LTS). */
export const FETCHED_NODE_MAJOR = 24;

const currentMajor = Number(process.versions.node.split('.')[0]);

/** Where Node `major` is cached: `$SERVEDBY_NODE_CACHE/<major>`, else `~/.cache/servedby/node/<major>`. */
export function nodeCacheFolder(major) {
  const root = process.env.SERVEDBY_NODE_CACHE || join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'servedby', 'node');
  return join(root, String(major));
}

/**
 * The bin folder of Node `major` from the npm registry, installed into the cache folder on first
 * use. The install goes to a temporary folder that is renamed into place, so an interrupted or
 * concurrent install never leaves a half-installed Node behind.
 */
export function ensureNode(major) {
  const folder = nodeCacheFolder(major);
  const bin = join(folder, 'node_modules', '.bin');
  const node = join(bin, process.platform === 'win32' ? 'node.cmd' : 'node');
  if (existsSync(node) && spawnSync(node, ['-e', ''], { stdio: 'ignore' }).status === 0) return bin;
  const staging = `${folder}.${process.pid}.tmp`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  const install = spawnSync(
    'npm',
    ['install', '--prefix', staging, '--no-save', '--no-package-lock', '--no-audit', '--no-fund', '--loglevel=error', `node@${major}`],
    { cwd: staging, stdio: ['ignore', 'ignore', 'inherit'], shell: process.platform === 'win32' },
  );
  if (install.status !== 0) {
    rmSync(staging, { recursive: true, force: true });
    throw new Error(`could not install node@${major} from the npm registry (npm exited with ${install.status})`);
  }
  rmSync(folder, { recursive: true, force: true });
  mkdirSync(dirname(folder), { recursive: true });
  renameSync(staging, folder);
  return bin;
}

/**
 * Returns when this Node is new enough. Otherwise runs `script` again under Node 24 from the
 * cache (fetching it first), with that Node first on PATH so everything it starts (npm, npx,
 * turbo's tasks) uses it too, and exits with its exit code.
 */
export function runOnSupportedNode(scriptUrl, args = process.argv.slice(2)) {
  if (currentMajor >= MINIMUM_NODE_MAJOR) return;
  const folder = nodeCacheFolder(FETCHED_NODE_MAJOR);
  console.log(
    `servedby needs Node.js ${MINIMUM_NODE_MAJOR}+ (this is ${process.version}): running under Node ${FETCHED_NODE_MAJOR} from the npm registry, cached in ${folder}`,
  );
  let bin;
  try {
    bin = ensureNode(FETCHED_NODE_MAJOR);
  } catch (error) {
    console.error(`${error.message}; install Node.js ${FETCHED_NODE_MAJOR} (https://nodejs.org) and run this again`);
    process.exit(1);
  }
  const env = { ...process.env, PATH: `${bin}${delimiter}${process.env.PATH ?? ''}` };
  const child = spawnSync(join(bin, 'node'), [fileURLToPath(scriptUrl), ...args], { stdio: 'inherit', env });
  process.exit(child.status ?? 1);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const major = Number(process.argv[2] ?? FETCHED_NODE_MAJOR);
  console.log(ensureNode(major));
}
