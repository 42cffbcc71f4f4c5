#!/usr/bin/env node
// Sums the vitest JSON reports every workspace writes to test-output/vitest*.json and prints
// one closing line, so CI (and people) see the whole suite's count at a glance.
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';

let passed = 0;
let failed = 0;
let skipped = 0;
const missing = [];
for (const parent of ['packages', 'apps']) {
  if (!existsSync(parent)) continue;
  for (const name of readdirSync(parent)) {
    const dir = join(parent, name);
    const manifest = join(dir, 'package.json');
    if (!existsSync(manifest)) continue;
    const scripts = JSON.parse(readFileSync(manifest, 'utf8')).scripts ?? {};
    if (!scripts.test || !scripts.test.includes('vitest')) continue;
    const outputDir = join(dir, 'test-output');
    const reports = existsSync(outputDir)
      ? readdirSync(outputDir).filter((file) => /^vitest.*\.json$/.test(file))
      : [];
    if (reports.length === 0) {
      missing.push(dir);
      continue;
    }
    for (const report of reports) {
      const result = JSON.parse(readFileSync(join(outputDir, report), 'utf8'));
      passed += result.numPassedTests ?? 0;
      failed += result.numFailedTests ?? 0;
      skipped += (result.numPendingTests ?? 0) + (result.numTodoTests ?? 0);
    }
  }
}
for (const dir of missing) console.log(`no test report from ${dir}`);
console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 || missing.length > 0 || passed === 0 ? 1 : 0);
