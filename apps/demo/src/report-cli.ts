#!/usr/bin/env node
// `npm run report -- <file>`: the drift and eval cross-tab of a file of OTLP JSON lines, as text.
import { readFileSync } from 'node:fs';
import { decodeOtlpJsonLines } from './otlp/decode-json';
import { analyzeSpans, formatReport } from './report/format-report';

const [file, ...rest] = process.argv.slice(2).filter((argument) => argument !== '--');
if (!file || file === '--help' || file === '-h') {
  console.log('usage: npm run report -- <file.jsonl> [--bucket-minutes N] [--traces N]');
  console.log('Reads OTLP JSON lines (what `npm run demo` writes, or the Collector file exporter) and prints');
  console.log('calls per gateway → upstream, the upstream drift with its change points, and the eval cross-tab.');
  process.exit(file ? 0 : 2);
}
function option(name: string): number | undefined {
  const index = rest.indexOf(name);
  return index >= 0 && rest[index + 1] ? Number(rest[index + 1]) : undefined;
}
let text: string;
try {
  text = readFileSync(file, 'utf8');
} catch (error) {
  console.error(`cannot read ${file}: ${(error as Error).message}`);
  process.exit(1);
}
const bucketMinutes = option('--bucket-minutes');
const data = analyzeSpans(decodeOtlpJsonLines(text), bucketMinutes ? { bucketMs: bucketMinutes * 60_000 } : {});
console.log(formatReport(data, { changedTraceLines: option('--traces') ?? 5 }));
