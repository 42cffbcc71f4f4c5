// The README check itself: it must fail on every kind of drift it exists to catch, on a small tree
// of its own (SERVEDBY_README_ROOT), and pass on a consistent one.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, expect, it } from 'vitest';

const script = fileURLToPath(new URL('../scripts/check-readme-examples.mjs', import.meta.url));
const program = "import { NodeSDK } from '@opentelemetry/sdk-node';\nimport { thing } from '@servedby/x';\n\nnew NodeSDK().start();\nthing();\n";
const fence = '```';
let tree: string | undefined;

function check(files: Record<string, string>): { status: number | null; output: string } {
  tree = mkdtempSync(join(tmpdir(), 'servedby-readme-check-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(tree, path)), { recursive: true });
    writeFileSync(join(tree, path), text);
  }
  const result = spawnSync(process.execPath, [script], { env: { ...process.env, SERVEDBY_README_ROOT: tree }, encoding: 'utf8' });
  return { status: result.status, output: result.stdout + result.stderr };
}

const readme = (install: string, block: string, marker = '<!-- example: examples/x/app.ts -->') =>
  `# x\n\n${fence}sh\nnpm install ${install}\n${fence}\n\n${marker}\n${fence}ts\n${block}${fence}\n`;

afterEach(() => {
  if (tree) rmSync(tree, { recursive: true, force: true });
  tree = undefined;
});

it('passes when the block equals its program and the install line names every import', () => {
  const result = check({ 'README.md': readme('@servedby/x @opentelemetry/sdk-node@^0.223.0', program), 'examples/x/app.ts': program });
  expect(result.output).toContain('install lines complete');
  expect(result.status).toBe(0);
});

it('fails when the README block and its file drift apart', () => {
  const result = check({ 'README.md': readme('@servedby/x @opentelemetry/sdk-node', program.replace('thing();', 'thing(1);')), 'examples/x/app.ts': program });
  expect(result.status).toBe(1);
  expect(result.output).toMatch(/README\.md:\d+: block differs from examples\/x\/app\.ts/);
});

it('fails when the install line lacks a package the program imports', () => {
  const result = check({ 'README.md': readme('@servedby/x', program), 'examples/x/app.ts': program });
  expect(result.status).toBe(1);
  expect(result.output).toContain('install line lacks @opentelemetry/sdk-node');
});

it('fails on a ts block without a marker, and on a program no README shows', () => {
  const result = check({ 'README.md': readme('@servedby/x @opentelemetry/sdk-node', program, ''), 'examples/x/app.ts': program });
  expect(result.status).toBe(1);
  expect(result.output).toContain('ts block has no <!-- example: examples/… --> marker');
  expect(result.output).toContain('examples/x/app.ts: shown by no README');
});

it('checks a region against the marked part of the file, and the region’s own imports', () => {
  const file = `// #region one\nimport '@servedby/x/register';\n// #endregion\n${program}`;
  const ok = check({
    'README.md': `# x\n\n${fence}sh\nnpm install @servedby/x\n${fence}\n\n<!-- example: examples/x/app.ts#one -->\n${fence}ts\nimport '@servedby/x/register';\n${fence}\n`,
    'examples/x/app.ts': file,
  });
  expect(ok.status, ok.output).toBe(0);
});
