// Brings a store filled by an older viewer build up to date: opening it adds the new
// materialized columns and fills the rollup; this also writes the new columns into old parts.
//   node --import tsx bench/migrate-store.mts <dir> <database>
import { openStore } from '../src/open-store';
import { createEmbeddedEngine } from '../src/store/engine';

const [directory, database] = process.argv.slice(2);
let started = performance.now();
const store = await openStore({ directory: directory!, database: database! });
console.log(`opened (rollup backfilled when missing) in ${(performance.now() - started).toFixed(0)} ms`);
await store.close();
const engine = createEmbeddedEngine(directory!);
for (const name of ['TraceKey', 'IsRoot']) {
  started = performance.now();
  await engine.command(`ALTER TABLE \`${database}\`.otel_traces MATERIALIZE COLUMN ${name} SETTINGS mutations_sync = 1`);
  console.log(`materialized ${name} in ${(performance.now() - started).toFixed(0)} ms`);
}
await engine.close();
