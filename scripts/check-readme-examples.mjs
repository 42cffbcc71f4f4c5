#!/usr/bin/env node
// Keeps every README's code blocks equal to the programs under `examples/` that the test suite runs,
// and every install line complete. Fails (exit 1) with one line per problem.
//
//   node scripts/check-readme-examples.mjs          check
//   node scripts/check-readme-examples.mjs --fix    rewrite README blocks from their example files
//   node scripts/check-readme-examples.mjs --list   print every block and what it is bound to
//
// A block is bound to a file by an HTML comment on the line right above its fence:
//   <!-- example: examples/langchain/register-callbacks.ts -->          the whole file
//   <!-- example: examples/backends/clickhouse.sql#calls-by-upstream --> the region `#region calls-by-upstream`
// Rules:
// - ts/js blocks (programs) and sql/traceql/promql/yaml/json blocks must be bound; text blocks
//   (printed output) and sh blocks (commands) need not be;
// - a bound block equals its file (or region) byte for byte, apart from the final newline;
// - a bound program's bare imports are all named by the nearest `npm install` line above it in the
//   same README (packages of a private README, e.g. gateway-sim, are exempt: they are not installed);
// - every program under examples/<area>/ is shown by some README, so none drifts unseen;
// - `<!-- example-exempt: why -->` above a block exempts it (reported on every run).
import { readFileSync, readdirSync, existsSync, writeFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { builtinModules } from 'node:module';

// SERVEDBY_README_ROOT points the check at another tree (its own tests use a temporary one).
const root = process.env.SERVEDBY_README_ROOT ? resolve(process.env.SERVEDBY_README_ROOT) : resolve(dirname(fileURLToPath(import.meta.url)), '..');
const mode = process.argv.includes('--fix') ? 'fix' : process.argv.includes('--list') ? 'list' : 'check';

const PROGRAM_LANGUAGES = new Set(['ts', 'typescript', 'js', 'javascript', 'mjs', 'tsx']);
const BOUND_LANGUAGES = new Set([...PROGRAM_LANGUAGES, 'sql', 'traceql', 'promql', 'yaml', 'yml', 'json']);
const FREE_LANGUAGES = new Set(['text', 'sh', 'bash', 'shell', 'console']);
const MARKER = /^<!--\s*example:\s*(\S+?)(?:#([\w-]+))?\s*-->\s*$/;
// A block that cannot be a program of its own (contributor code compiled inside a package) says why.
const EXEMPT = /^<!--\s*example-exempt:\s*(.+?)\s*-->\s*$/;
const INSTALL = /^\s*(?:\$\s*)?npm\s+(?:install|i|add)\s+(.*)$/;

/** READMEs and docs the check covers. */
export function documentFiles() {
  const files = ['README.md'];
  for (const parent of ['packages', 'apps']) {
    if (!existsSync(join(root, parent))) continue;
    for (const name of readdirSync(join(root, parent))) {
      const readme = join(parent, name, 'README.md');
      if (existsSync(join(root, readme))) files.push(readme);
    }
  }
  if (existsSync(join(root, 'docs'))) {
    for (const name of readdirSync(join(root, 'docs'))) if (name.endsWith('.md') && name !== 'DESIGN.md') files.push(join('docs', name));
  }
  return files.sort();
}

/** Fenced blocks of a markdown text, with their language, body, marker and line numbers. */
export function parseBlocks(text) {
  const lines = text.split('\n');
  const blocks = [];
  for (let index = 0; index < lines.length; index += 1) {
    const open = /^(\s*)(`{3,}|~{3,})\s*([\w+-]*)\s*$/.exec(lines[index]);
    if (!open) continue;
    const fence = open[2];
    let end = index + 1;
    while (end < lines.length && !new RegExp(`^\\s*${fence[0]}{${fence.length},}\\s*$`).test(lines[end])) end += 1;
    const markerLine = index > 0 ? MARKER.exec(lines[index - 1].trim()) : null;
    const exemptLine = index > 0 ? EXEMPT.exec(lines[index - 1].trim()) : null;
    blocks.push({
      exempt: exemptLine?.[1],
      language: open[3].toLowerCase(),
      openLine: index, // 0-based line of the opening fence
      closeLine: end,
      body: lines.slice(index + 1, end).join('\n'),
      file: markerLine?.[1],
      region: markerLine?.[2],
    });
    index = end;
  }
  return blocks;
}

/** The text a marker points at: the whole file, or one `#region name` … `#endregion`, dedented. */
export function boundText(file, region) {
  const text = readFileSync(join(root, file), 'utf8').replace(/\n$/, '');
  if (!region) return text;
  const lines = text.split('\n');
  const start = lines.findIndex((line) => new RegExp(`(//|--|#)\\s*#region\\s+${region}\\s*$`).test(line.trim()));
  if (start < 0) throw new Error(`no "#region ${region}" in ${file}`);
  const end = lines.findIndex((line, index) => index > start && /(\/\/|--|#)\s*#endregion\b/.test(line.trim()));
  if (end < 0) throw new Error(`"#region ${region}" in ${file} has no #endregion`);
  const body = lines.slice(start + 1, end);
  const indent = Math.min(...body.filter((line) => line.trim()).map((line) => /^\s*/.exec(line)[0].length));
  return body.map((line) => line.slice(Number.isFinite(indent) ? indent : 0)).join('\n');
}

/** Package names a program imports (bare specifiers; `node:` and builtins excluded). */
export function importedPackages(source) {
  const names = new Set();
  const patterns = [
    /\bimport\s+(?:type\s+)?(?:[\w*{}\s,]+?\s+from\s+)?['"]([^'"]+)['"]/g,
    /\bexport\s+[\w*{}\s,]+?\s+from\s+['"]([^'"]+)['"]/g,
    /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g,
    /\brequire\(\s*['"]([^'"]+)['"]\s*\)/g,
  ];
  for (const pattern of patterns) {
    for (const match of source.matchAll(pattern)) {
      const specifier = match[1];
      if (specifier.startsWith('.') || specifier.startsWith('/') || specifier.startsWith('node:')) continue;
      const name = specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0];
      if (builtinModules.includes(name)) continue;
      names.add(name);
    }
  }
  return [...names].sort();
}

/** Package names an `npm install` line names (versions and flags dropped). */
export function installedPackages(argumentsText) {
  return argumentsText
    .replace(/#.*$/, '')
    .split(/\s+/)
    .filter((word) => word && !word.startsWith('-') && word !== '\\')
    .map((word) => (word.startsWith('@') ? '@' + word.slice(1).split('@')[0] : word.split('@')[0]))
    .filter(Boolean);
}

/** Whether the README's own package is private (its programs need no install line). */
function isPrivateReadme(readme) {
  const manifest = join(root, dirname(readme), 'package.json');
  if (readme === 'README.md' || !existsSync(manifest)) return false;
  return JSON.parse(readFileSync(manifest, 'utf8')).private === true;
}

/** Example programs that READMEs must show: examples/<area>/*.ts, minus harness and tests. */
function examplePrograms() {
  const programs = [];
  const base = join(root, 'examples');
  if (!existsSync(base)) return programs;
  for (const area of readdirSync(base)) {
    const directory = join(base, area);
    if (!statSync(directory).isDirectory() || ['node_modules', 'harness', 'tarballs', 'test-output'].includes(area)) continue;
    for (const name of readdirSync(directory)) {
      if (/\.(ts|mts)$/.test(name) && !name.endsWith('.test.ts')) programs.push(`examples/${area}/${name}`);
    }
  }
  return programs.sort();
}

function main() {
  const problems = [];
  const exempted = [];
  const shown = new Set();
  for (const readme of documentFiles()) {
    const path = join(root, readme);
    let text = readFileSync(path, 'utf8');
    const blocks = parseBlocks(text);
    const lines = text.split('\n');
    const privateReadme = isPrivateReadme(readme);
    const replacements = [];
    for (const block of blocks) {
      const where = `${readme}:${block.openLine + 1}`;
      if (mode === 'list') console.log(`${where}\t${block.language || '(none)'}\t${block.file ? block.file + (block.region ? '#' + block.region : '') : block.exempt ? 'exempt: ' + block.exempt : '-'}`);
      if (block.exempt) {
        exempted.push(`${where}: ${block.exempt}`);
        continue;
      }
      if (!block.file) {
        if (BOUND_LANGUAGES.has(block.language)) problems.push(`${where}: ${block.language} block has no <!-- example: examples/… --> marker`);
        else if (!FREE_LANGUAGES.has(block.language)) problems.push(`${where}: block without a language (use text, sh, or bind it to an example)`);
        continue;
      }
      if (!block.file.startsWith('examples/')) problems.push(`${where}: example files live under examples/ (${block.file})`);
      if (!existsSync(join(root, block.file))) {
        problems.push(`${where}: ${block.file} does not exist`);
        continue;
      }
      shown.add(block.file);
      let expected;
      try {
        expected = boundText(block.file, block.region);
      } catch (error) {
        problems.push(`${where}: ${error.message}`);
        continue;
      }
      if (block.body !== expected) {
        if (mode === 'fix') replacements.push({ block, expected });
        else problems.push(`${where}: block differs from ${block.file}${block.region ? '#' + block.region : ''} (run node scripts/check-readme-examples.mjs --fix to copy the file in)`);
      }
      if (PROGRAM_LANGUAGES.has(block.language) && !privateReadme) {
        const install = lines
          .slice(0, block.openLine)
          .map((line, index) => ({ match: INSTALL.exec(line), index }))
          .filter(({ match, index }) => match && isInShellBlock(blocks, index))
          .at(-1);
        // A region shows part of a program: its install line must cover what the reader copies.
        const imports = importedPackages(block.region ? expected : readFileSync(join(root, block.file), 'utf8'));
        if (!install) {
          problems.push(`${where}: no npm install line above this program (it imports ${imports.join(', ')})`);
        } else {
          const named = new Set(installedPackages(install.match[1]));
          const missing = imports.filter((name) => !named.has(name));
          if (missing.length > 0) problems.push(`${readme}:${install.index + 1}: install line lacks ${missing.join(', ')}, which ${block.file} imports`);
        }
      }
    }
    if (mode === 'fix' && replacements.length > 0) {
      for (const { block, expected } of replacements.reverse()) lines.splice(block.openLine + 1, block.closeLine - block.openLine - 1, ...expected.split('\n'));
      text = lines.join('\n');
      writeFileSync(path, text);
      console.log(`${readme}: ${replacements.length} block(s) copied from their examples`);
    }
  }
  for (const program of examplePrograms()) {
    if (!shown.has(program)) problems.push(`${program}: shown by no README (bind a block to it or delete it)`);
  }
  if (mode === 'list') return;
  if (problems.length > 0) {
    console.error(problems.join('\n'));
    console.error(`\n${problems.length} problem(s) between the READMEs and examples/`);
    process.exit(1);
  }
  console.log(`README examples: ${documentFiles().length} documents, ${shown.size} example files bound, install lines complete` +
    (exempted.length > 0 ? `; ${exempted.length} exempt block(s):\n  ${exempted.join('\n  ')}` : ''));
}

function isInShellBlock(blocks, lineIndex) {
  return blocks.some((block) => FREE_LANGUAGES.has(block.language) && block.language !== 'text' && lineIndex > block.openLine && lineIndex < block.closeLine);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main();
