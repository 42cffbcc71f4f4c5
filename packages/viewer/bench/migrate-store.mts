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

// Marks written before they carried the parent and the named upstream: re-derive them from the spans.
const marksEngine = createEmbeddedEngine(directory!);
const marks = `\`${database}\`.otel_traces_servedby_marks`;
started = performance.now();
await marksEngine.command(`INSERT INTO ${marks} (Timestamp, TraceId, SpanId, Mark, ParentSpanId, NamedUpstream, ServiceName, IsModelCall, Gateway, RequestModel, Upstream, PolicyHash, ErrorSource, IsError, CacheHit, CostCalls, Cost)
  SELECT t.Timestamp, t.TraceId, t.SpanId, m.Mark, t.ParentSpanId,
         multiIf(t.SpanAttributes['gen_ai.route.upstream'] != '', t.SpanAttributes['gen_ai.route.upstream'], t.SpanAttributes['gen_ai.provider.name'] != '', t.SpanAttributes['gen_ai.provider.name'], t.SpanAttributes['gen_ai.system']),
         t.ServiceName, m.IsModelCall, m.Gateway, m.RequestModel, m.Upstream, m.PolicyHash, m.ErrorSource, t.StatusCode IN ('STATUS_CODE_ERROR', 'Error'), m.CacheHit, m.CostCalls, m.Cost
  FROM \`${database}\`.otel_traces AS t
  INNER JOIN (SELECT SpanKey, any(Mark) AS Mark, any(IsModelCall) AS IsModelCall, any(Gateway) AS Gateway, any(RequestModel) AS RequestModel, any(Upstream) AS Upstream,
                     any(PolicyHash) AS PolicyHash, any(ErrorSource) AS ErrorSource, any(CacheHit) AS CacheHit, any(CostCalls) AS CostCalls, any(Cost) AS Cost
              FROM ${marks} FINAL GROUP BY SpanKey) AS m ON t.SpanKey = m.SpanKey
  WHERE t.SpanKey IN (SELECT SpanKey FROM ${marks})`);
await marksEngine.command(`OPTIMIZE TABLE ${marks} FINAL`);
console.log(`re-derived marks in ${(performance.now() - started).toFixed(0)} ms`);
await marksEngine.close();
