#!/usr/bin/env node
// Sums the vitest JSON reports every workspace writes to test-output/vitest*.json and prints one
// line per CI lane plus the total, so CI (and people) see the whole suite's count at a glance.
// Reports of the OTel SDK 2 lane end in `-sdk2.json` (see @servedby/test-otel's vitest plugin).
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';

const lanes = new Map([
  ['lane 1 (Node 24 + OTel SDK 3)', { passed: 0, failed: 0, skipped: 0, reports: 0 }],
  ['lane 2 (Node 22 + OTel SDK 2)', { passed: 0, failed: 0, skipped: 0, reports: 0 }],
]);
const [mainLane, sdk2Lane] = [...lanes.values()];
const missing = [];
// Workspaces: every folder under packages/ and apps/, plus the top-level examples/ workspace.
const workspaceDirs = [
  ...['packages', 'apps'].flatMap((parent) => (existsSync(parent) ? readdirSync(parent).map((name) => join(parent, name)) : [])),
  'examples',
];
for (const dir of workspaceDirs) {
  const manifest = join(dir, 'package.json');
  if (!existsSync(manifest)) continue;
  const scripts = JSON.parse(readFileSync(manifest, 'utf8')).scripts ?? {};
  if (!scripts.test || !scripts.test.includes('vitest')) continue;
  const outputDir = join(dir, 'test-output');
  const reports = existsSync(outputDir)
    ? readdirSync(outputDir).filter((file) => /^vitest.*\.json$/.test(file))
    : [];
  if (!reports.some((file) => !file.endsWith('-sdk2.json'))) missing.push(dir);
  for (const report of reports) {
    const result = JSON.parse(readFileSync(join(outputDir, report), 'utf8'));
    const lane = report.endsWith('-sdk2.json') ? sdk2Lane : mainLane;
    lane.reports += 1;
    lane.passed += result.numPassedTests ?? 0;
    lane.failed += result.numFailedTests ?? 0;
    lane.skipped += (result.numPendingTests ?? 0) + (result.numTodoTests ?? 0);
  }
}
for (const dir of missing) console.log(`no test report from ${dir}`);
let passed = 0;
let failed = 0;
let skipped = 0;
for (const [name, lane] of lanes) {
  if (lane.reports === 0) continue;
  console.log(`${name}: ${lane.passed} passed, ${lane.failed} failed, ${lane.skipped} skipped (${lane.reports} reports)`);
  passed += lane.passed;
  failed += lane.failed;
  skipped += lane.skipped;
}
console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 || missing.length > 0 || passed === 0 ? 1 : 0);
