// The tarball test: what a user gets from npm, run as the READMEs say.
//
// 1. builds and `npm pack`s every publishable package (packages/* without "private");
// 2. for every install line a publishable package's README shows (the SDK 3 line and the SDK 2 line),
//    makes an empty project (`"type": "module"`), runs that line with npm's default resolution and no
//    overrides — the @servedby/* names replaced by the tarballs, plus the tarballs of the @servedby
//    packages they depend on (what the registry would serve once published);
// 3. copies in each README program that line belongs to, runs it with `node` against gateway-sim
//    and checks the spans it exported, exactly as the in-repo test does.
//
//   node tarballs/run.ts                 both SDK lines
//   node tarballs/run.ts --lane sdk3     one line (sdk3 | sdk2; or SERVEDBY_OTEL_LANE)
//   node tarballs/run.ts --keep          keep the temp projects (printed) for inspection
//
// Needs the npm registry. Takes minutes (one npm install per install line and lane).
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startGatewaySim } from '@servedby/gateway-sim';
import { exampleExpectations, simulatorConfig, spansFor, type ExampleExpectation } from '../expectations.ts';
import { runExample } from '../harness/run-example.ts';

type Lane = 'sdk3' | 'sdk2';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const argv = process.argv.slice(2);
const laneArgument = argv.includes('--lane') ? argv[argv.indexOf('--lane') + 1] : undefined;
// `--lane` wins; else SERVEDBY_OTEL_LANE (as the other suites read it); else both lines.
const laneChoice = laneArgument ?? process.env.SERVEDBY_OTEL_LANE;
const lanes: Lane[] = laneChoice === 'sdk3' || laneChoice === 'sdk2' ? [laneChoice] : ['sdk3', 'sdk2'];
const keep = argv.includes('--keep');
// `--only vercel-ai` keeps the install lines of READMEs whose path contains that text.
const only = argv.includes('--only') ? argv[argv.indexOf('--only') + 1] : undefined;
log(`lanes: ${lanes.join(', ')}`);
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
/** One README install: normally 10–60 s here; a stalled one is killed at this bound and tried again. */
const INSTALL_TIMEOUT_MS = 180_000;
const INSTALL_ATTEMPTS = 2;

interface Manifest {
  name: string;
  private?: boolean;
  dependencies?: Record<string, string>;
}

/** One install line of a README and the programs bound below it (up to the next install block). */
interface InstallCase {
  readme: string;
  lane: Lane;
  line: string;
  programs: string[];
}

function log(message: string): void {
  console.log(`[tarballs ${new Date().toISOString().slice(11, 19)}] ${message}`);
}

/**
 * The environment for the README's npm install: this process's, minus every `npm_config_*` (and
 * npm's other run-script variables). Started through `npm run`, npm exports the repository's
 * .npmrc into them — `legacy-peer-deps=true` there would change how a user's install resolves.
 */
function cleanNpmEnvironment(): NodeJS.ProcessEnv {
  const environment: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (/^npm_(config|package|lifecycle)_/i.test(name) || name === 'npm_command' || name === 'npm_execpath') continue;
    environment[name] = value;
  }
  return environment;
}

function publishablePackages(): Array<{ directory: string; manifest: Manifest }> {
  return readdirSync(join(root, 'packages'))
    .map((name) => join(root, 'packages', name))
    .filter((directory) => existsSync(join(directory, 'package.json')))
    .map((directory) => ({ directory, manifest: JSON.parse(readFileSync(join(directory, 'package.json'), 'utf8')) as Manifest }))
    .filter(({ manifest }) => manifest.private !== true);
}

/** The install lines of a README: sh blocks' `npm install` lines, each with the programs after it. */
export function installCases(readme: string, text: string): InstallCase[] {
  const cases: InstallCase[] = [];
  const lines = text.split('\n');
  let inShell = false;
  let inOther = false;
  let current: InstallCase[] = [];
  for (let index = 0; index < lines.length; index += 1) {
    const line = lines[index]!;
    const fence = /^```\s*([\w-]*)\s*$/.exec(line);
    if (fence) {
      if (inShell || inOther) {
        inShell = inOther = false;
      } else if (['sh', 'bash', 'shell'].includes(fence[1]!)) {
        inShell = true;
        current = [];
      } else {
        inOther = true;
        const marker = /^<!--\s*example:\s*examples\/(\S+?\.(?:ts|mts))\s*-->$/.exec(lines[index - 1]?.trim() ?? '');
        if (marker) for (const installCase of current) installCase.programs.push(marker[1]!);
      }
      continue;
    }
    if (inShell) {
      const install = /^\s*npm\s+(?:install|i)\s+(.*)$/.exec(line);
      if (install) {
        const installCase: InstallCase = {
          readme,
          lane: /@opentelemetry\/api@~?1\.9/.test(install[1]!) ? 'sdk2' : 'sdk3',
          line: install[1]!.trim(),
          programs: [],
        };
        current.push(installCase);
        cases.push(installCase);
      }
    }
  }
  return cases.filter((installCase) => installCase.programs.length > 0);
}

/** The @servedby tarballs a set of @servedby names needs, dependencies included. */
function tarballClosure(names: string[], tarballs: Map<string, string>, manifests: Map<string, Manifest>): string[] {
  const needed = new Set<string>();
  const visit = (name: string) => {
    if (needed.has(name)) return;
    if (!tarballs.has(name)) throw new Error(`${name} is named by a README but is not a publishable package`);
    needed.add(name);
    for (const dependency of Object.keys(manifests.get(name)?.dependencies ?? {})) if (dependency.startsWith('@servedby/')) visit(dependency);
  };
  names.forEach(visit);
  return [...needed].map((name) => tarballs.get(name)!);
}

function checkRun(expectation: ExampleExpectation, run: Awaited<ReturnType<typeof runExample>>): string[] {
  const problems: string[] = [];
  if (run.exitCode !== 0) problems.push(`exit code ${run.exitCode}: ${run.stderr.slice(-2000)}`);
  if (!run.stdout.includes(expectation.stdout)) problems.push(`stdout lacks ${JSON.stringify(expectation.stdout)}: ${run.stdout.slice(0, 500)}`);
  if (!expectation.span.name) return problems;
  const spans = spansFor(expectation, run.spans);
  if (spans.length !== 1) {
    problems.push(`expected one span ${expectation.span.scope ?? ''} | ${expectation.span.name}, got ${spans.length} of: ${run.spans.map((span) => `${span.scope} | ${span.name}`).join(', ')}`);
    return problems;
  }
  const attributes = spans[0]!.attributes;
  for (const [name, value] of Object.entries(expectation.attributes)) {
    if (JSON.stringify(attributes[name]) !== JSON.stringify(value)) problems.push(`${name} = ${JSON.stringify(attributes[name])}, expected ${JSON.stringify(value)}`);
  }
  for (const name of expectation.absent ?? []) if (name in attributes) problems.push(`${name} should be unset, is ${JSON.stringify(attributes[name])}`);
  return problems;
}

async function main(): Promise<void> {
  const started = Date.now();
  const packages = publishablePackages();
  log(`building ${packages.map(({ manifest }) => manifest.name).join(', ')}`);
  execFileSync('npx', ['turbo', 'run', 'build', ...packages.map(({ manifest }) => `--filter=${manifest.name}`)], { cwd: root, stdio: 'inherit' });

  const work = mkdtempSync(join(tmpdir(), 'servedby-tarballs-'));
  const packDirectory = join(work, 'packed');
  mkdirSync(packDirectory);
  const tarballs = new Map<string, string>();
  const manifests = new Map<string, Manifest>();
  for (const { directory, manifest } of packages) {
    const output = execFileSync(npm, ['pack', '--json', '--pack-destination', packDirectory], { cwd: directory, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
    const [packed] = JSON.parse(output) as Array<{ filename: string; files: Array<{ path: string }> }>;
    tarballs.set(manifest.name, join(packDirectory, packed!.filename));
    manifests.set(manifest.name, manifest);
    log(`packed ${packed!.filename} (${packed!.files.length} files)`);
  }

  const cases = packages.flatMap(({ directory }) => {
    const readme = join(directory, 'README.md');
    return existsSync(readme) ? installCases(readme.slice(root.length + 1), readFileSync(readme, 'utf8')) : [];
  }).filter((installCase) => lanes.includes(installCase.lane) && (only === undefined || installCase.readme.includes(only)));

  // The installs must resolve as a user's would: refuse to run when npm would use legacy peer deps.
  const legacyPeerDeps = execFileSync(npm, ['config', 'get', 'legacy-peer-deps'], { cwd: work, env: cleanNpmEnvironment(), encoding: 'utf8' }).trim();
  if (legacyPeerDeps !== 'false') throw new Error(`npm resolves with legacy-peer-deps=${legacyPeerDeps} here (a user .npmrc?); the tarball test needs npm's default`);
  log(`npm ${execFileSync(npm, ['--version'], { cwd: work, env: cleanNpmEnvironment(), encoding: 'utf8' }).trim()}, legacy-peer-deps=false`);

  const sim = await startGatewaySim({ port: 0, config: simulatorConfig });
  const failures: string[] = [];
  let passed = 0;
  try {
    for (const installCase of cases) {
      const project = join(work, `${basename(dirname(installCase.readme))}-${installCase.lane}-${cases.indexOf(installCase)}`);
      mkdirSync(project);
      writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'tarball-test', private: true, type: 'module' }, null, 2));
      const words = installCase.line.split(/\s+/).filter(Boolean);
      const servedby = words.filter((word) => word.startsWith('@servedby/')).map((word) => word.replace(/^(@servedby\/[^@]+).*$/, '$1'));
      const others = words.filter((word) => !word.startsWith('@servedby/'));
      const installArguments = ['install', '--no-audit', '--no-fund', ...tarballClosure(servedby, tarballs, manifests), ...others];
      const installStarted = Date.now();
      log(`${installCase.readme} [${installCase.lane}]: npm install ${installCase.line}`);
      // The registry is a network dependency: an install that stalls (seen once in CI: 8 min at 0 % CPU
      // while the registry answered other requests) is killed and tried again from a clean project.
      let installError: string | undefined;
      for (let attempt = 1; attempt <= INSTALL_ATTEMPTS; attempt += 1) {
        try {
          execFileSync(npm, installArguments, { cwd: project, env: cleanNpmEnvironment(), stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', timeout: INSTALL_TIMEOUT_MS });
          installError = undefined;
          break;
        } catch (error) {
          const { stderr, signal } = error as { stderr?: string; signal?: string };
          installError = `${signal ? `killed (${signal}) after ${INSTALL_TIMEOUT_MS / 1000} s` : 'failed'}\n${stderr?.slice(-3000) ?? ''}`;
          log(`  attempt ${attempt} of ${INSTALL_ATTEMPTS}: ${installError.split('\n')[0]}`);
          rmSync(join(project, 'node_modules'), { recursive: true, force: true });
          rmSync(join(project, 'package-lock.json'), { force: true });
        }
      }
      if (installError !== undefined) {
        // A registry that never answers is the network, not the README: say so loudly, don't fail the lane.
        // An install npm itself rejects (resolution, peers) still fails it.
        if (installError.startsWith('killed')) {
          log(`  SKIPPED: the registry stalled on every attempt; ${installCase.readme} [${installCase.lane}] was not checked this run`);
          continue;
        }
        failures.push(`${installCase.readme} [${installCase.lane}] npm install ${installCase.line}: ${installError}`);
        continue;
      }
      const api = JSON.parse(readFileSync(join(project, 'node_modules/@opentelemetry/api/package.json'), 'utf8')).version as string;
      const expectedApi = installCase.lane === 'sdk2' ? '1.9.' : '1.10.';
      log(`  installed in ${((Date.now() - installStarted) / 1000).toFixed(1)} s, @opentelemetry/api ${api}`);
      if (!api.startsWith(expectedApi)) failures.push(`${installCase.readme} [${installCase.lane}]: @opentelemetry/api ${api} installed, the ${installCase.lane} line needs ${expectedApi}x`);
      for (const program of installCase.programs) {
        const expectation = exampleExpectations.find((candidate) => candidate.file === program);
        if (!expectation) {
          failures.push(`${program}: no expectation in examples/expectations.ts`);
          continue;
        }
        const file = join(project, basename(program));
        copyFileSync(join(root, 'examples', program), file);
        const run = await runExample(file, sim, { cwd: project });
        const problems = checkRun(expectation, run);
        if (problems.length > 0) failures.push(`${installCase.readme} [${installCase.lane}] ${program}:\n  ${problems.join('\n  ')}`);
        else passed += 1;
        log(`  ${program}: ${problems.length === 0 ? 'ok' : `FAILED\n    ${problems.join('\n    ')}`}`);
      }
      // Each project's node_modules goes as soon as its programs ran (hundreds of MB each): removing
      // them all at the end took over a minute on a loaded machine and looked like a hang.
      if (!keep) rmSync(project, { recursive: true, force: true });
    }
  } finally {
    // Never hang on the way out: the simulator gets 10 s to close.
    await Promise.race([sim.close(), new Promise((resolve) => setTimeout(resolve, 10_000).unref())]);
    if (keep) log(`projects kept in ${work}`);
    else {
      log('removing the packed tarballs');
      rmSync(work, { recursive: true, force: true });
    }
  }
  const seconds = ((Date.now() - started) / 1000).toFixed(0);
  if (failures.length > 0) {
    console.error(`\n${failures.join('\n\n')}\n\ntarball test: ${failures.length} failure(s), ${passed} program run(s) passed, ${seconds} s`);
    process.exit(1);
  }
  log(`tarball test passed: ${passed} program runs over ${cases.length} install lines (${lanes.join(', ')}), ${seconds} s`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await main();
  // Exit even if a stray handle (a keep-alive socket of an example) would keep the loop alive.
  process.exit(0);
}
