#!/usr/bin/env node
// `npm run demo`: serves the viewer. The scenario run is wired in as the plugins land.
import { readFileSync } from 'node:fs';
import { decodeOtlpJsonLines } from './otlp/decode-json';
import { generateSyntheticSpans } from './synthetic/synthetic-spans';
import { startViewer } from './viewer/server';

const argv = process.argv.slice(2);
function option(name: string): string | undefined {
  const index = argv.indexOf(name);
  return index >= 0 ? argv[index + 1] : undefined;
}
const viewer = await startViewer({ port: Number(option('--port') ?? 4318) });
const load = option('--load');
if (load) viewer.store.add(decodeOtlpJsonLines(readFileSync(load, 'utf8')));
const synthetic = option('--synthetic');
if (synthetic) viewer.store.add(generateSyntheticSpans({ traces: Number(synthetic) }));
console.log(`servedby viewer on ${viewer.url}/traces (OTLP/HTTP receiver at ${viewer.url}/v1/traces)`);
