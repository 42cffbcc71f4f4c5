// Gives gateway marks written before they carried their client call (ClientSpanId …) the client,
// derived from the spans (two gateway levels: OpenRouter's generation and its attempts).
//   node --import tsx bench/migrate-client-marks.mts <dir> <database>
import { createEmbeddedEngine } from '../src/store/engine';

const [directory, database] = process.argv.slice(2);
const engine = createEmbeddedEngine(directory!);
const marks = `\`${database}\`.otel_traces_servedby_marks`;
const spans = `\`${database}\`.otel_traces`;
for (const definition of ['ClientSpanId String', 'ClientUpstream String', 'ClientGateway String', 'ClientStartMs Float64']) {
  await engine.command(`ALTER TABLE ${marks} ADD COLUMN IF NOT EXISTS ${definition}`);
}
const started = performance.now();
await engine.command(`INSERT INTO ${marks} (Timestamp, TraceId, SpanId, Mark, ParentSpanId, NamedUpstream, ServiceName, IsModelCall, Gateway, RequestModel, Upstream, PolicyHash, ErrorSource, IsError, CacheHit, CostCalls, Cost, ClientSpanId, ClientUpstream, ClientGateway, ClientStartMs)
  WITH gateway AS (SELECT * FROM ${marks} FINAL WHERE Mark = 'gateway'),
       withClient AS (
         SELECT m.*, if(p.SpanId != '', p.ParentSpanId, m.ParentSpanId) AS clientId
         FROM gateway AS m LEFT JOIN (SELECT TraceId, SpanId, ParentSpanId FROM gateway) AS p ON p.TraceId = m.TraceId AND p.SpanId = m.ParentSpanId),
       clients AS (
         SELECT SpanKey, SpanId, RouteUpstream, RouteGateway, toFloat64(toUnixTimestamp64Nano(Timestamp)) / 1e6 AS startMs FROM ${spans}
         WHERE SpanKey IN (SELECT cityHash64(TraceId, clientId) FROM withClient))
  SELECT w.Timestamp, w.TraceId, w.SpanId, w.Mark, w.ParentSpanId, w.NamedUpstream, w.ServiceName, w.IsModelCall, w.Gateway, w.RequestModel, w.Upstream,
         w.PolicyHash, w.ErrorSource, w.IsError, w.CacheHit, w.CostCalls, w.Cost, c.SpanId, c.RouteUpstream, c.RouteGateway, c.startMs
  FROM withClient AS w INNER JOIN clients AS c ON c.SpanKey = cityHash64(w.TraceId, w.clientId)`);
await engine.command(`OPTIMIZE TABLE ${marks} FINAL`);
console.log(`gateway marks given their client in ${(performance.now() - started).toFixed(0)} ms`);
await engine.close();
