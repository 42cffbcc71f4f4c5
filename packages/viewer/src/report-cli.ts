#!/usr/bin/env node
// `servedby-report <file>`: the viewer's views of a file of OTLP JSON lines, as text.
import { readFileSync } from 'node:fs';
import { decodeOtlpJsonLines } from './otlp/decode-json';
import { analyzeSpans, formatReport } from './report/report';
import { EmbeddedEngineUnavailableError } from './store/engine';

const [file, ...rest] = process.argv.slice(2).filter((argument) => argument !== '--');
if (!file || file === '--help' || file === '-h') {
  console.log('usage: servedby-report <file.jsonl> [--bucket-minutes N] [--traces N]');
  console.log('Reads OTLP JSON lines (what `npm run demo` writes, or the Collector file exporter) and prints calls per');
  console.log('gateway → upstream, the upstream drift with its change points, routing policy, cost, errors and the eval cross-tab.');
  process.exit(file ? 0 : 2);
}
function option(name: string): number | undefined {
  const index = rest.indexOf(name);
  if (index < 0) return undefined;
  const value = Number(rest[index + 1]);
  if (!Number.isInteger(value) || value <= 0) {
    console.error(`${name} takes a positive whole number`);
    process.exit(2);
  }
  return value;
}
let text: string;
try {
  text = readFileSync(file, 'utf8');
} catch (error) {
  console.error(`cannot read ${file}: ${(error as Error).message}`);
  process.exit(1);
}
const bucketMinutes = option('--bucket-minutes');
try {
  const data = await analyzeSpans(decodeOtlpJsonLines(text), bucketMinutes ? { bucketMs: bucketMinutes * 60_000 } : {});
  console.log(formatReport(data, { changedTraceLines: option('--traces') ?? 5 }));
} catch (error) {
  console.error(error instanceof EmbeddedEngineUnavailableError ? error.message : `report failed: ${(error as Error).message}`);
  process.exit(1);
}
