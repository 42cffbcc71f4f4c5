/**
 * The `otel_traces` table as the OpenTelemetry Collector's ClickHouse exporter creates it, so the
 * viewer's queries run unchanged on a table a Collector already fills.
 *
 * Source: open-telemetry/opentelemetry-collector-contrib,
 * `exporter/clickhouseexporter/internal/sql_templates/traces_table.sql`
 * at commit ff7a94656bd04ce95228ff4282554a233ed93434 (columns, codecs, indexes, partitioning and
 * ORDER BY copied; `%s` placeholders filled below). Row shape (what the exporter writes into each
 * column) from `exporter/clickhouseexporter/exporter_traces.go` at commit
 * 6cc07cc5360f6ecc8c0616064231b08d0be25a50 and `internal/coreinternal/traceutil/traceutil.go`:
 * hex ids (empty string when unset), `SpanKind` `SPAN_KIND_CLIENT`…, `StatusCode`
 * `STATUS_CODE_ERROR`…, `Duration` in nanoseconds, every attribute value as its string form
 * (`pcommon.Value.AsString`: numbers as decimal text, booleans `true`/`false`, arrays as JSON).
 *
 * The viewer's own table adds MATERIALIZED columns (computed by the engine on insert from
 * `SpanAttributes`) for the attributes every view groups by: reading one LowCardinality column is
 * far cheaper than reading the whole attribute map of every span. On a Collector-filled table
 * the same queries read `SpanAttributes[...]` instead ({@link columnExpressions}).
 */

/** The operations that are calls to a model (as opposed to agent, tool or eval spans). */
export const MODEL_OPERATIONS = ['chat', 'text_completion', 'embeddings', 'generate_content'] as const;

/** Attribute names the views read, so every query spells them the same way. */
export const ATTRIBUTE = {
  operationName: 'gen_ai.operation.name',
  requestModel: 'gen_ai.request.model',
  responseModel: 'gen_ai.response.model',
  system: 'gen_ai.system',
  providerName: 'gen_ai.provider.name',
  gateway: 'gen_ai.route.gateway',
  upstream: 'gen_ai.route.upstream',
  upstreams: 'gen_ai.route.upstreams',
  fallback: 'gen_ai.route.fallback',
  cost: 'gen_ai.usage.cost',
  policy: 'gen_ai.route.policy',
  policyHash: 'gen_ai.route.policy_hash',
  errorSource: 'gen_ai.route.error_source',
  cacheHit: 'gen_ai.route.cache_hit',
  evaluationName: 'gen_ai.evaluation.name',
  evaluationScore: 'gen_ai.evaluation.score.value',
  evaluationLabel: 'gen_ai.evaluation.score.label',
  evaluationRunId: 'servedby.demo.eval.run_id',
  evaluationItemId: 'servedby.demo.eval.item_id',
} as const;

/** A viewer-owned materialized column: its name, type and the attribute it is computed from. */
interface MaterializedColumn {
  name: string;
  type: string;
  /** The expression over `SpanAttributes` (also what a Collector table is queried with). */
  expression: string;
}

const attribute = (key: string) => `SpanAttributes['${key}']`;

/** The columns the viewer adds to its own table; keys are the names queries use. */
export const MATERIALIZED_COLUMNS = {
  operation: { name: 'GenAiOperation', type: 'LowCardinality(String)', expression: attribute(ATTRIBUTE.operationName) },
  gateway: { name: 'RouteGateway', type: 'LowCardinality(String)', expression: attribute(ATTRIBUTE.gateway) },
  upstream: { name: 'RouteUpstream', type: 'LowCardinality(String)', expression: attribute(ATTRIBUTE.upstream) },
  requestModel: { name: 'GenAiRequestModel', type: 'LowCardinality(String)', expression: attribute(ATTRIBUTE.requestModel) },
  cost: { name: 'UsageCost', type: 'Nullable(Float64)', expression: `toFloat64OrNull(${attribute(ATTRIBUTE.cost)})` },
  policy: { name: 'RoutePolicy', type: 'LowCardinality(String)', expression: attribute(ATTRIBUTE.policy) },
  policyHash: { name: 'RoutePolicyHash', type: 'LowCardinality(String)', expression: attribute(ATTRIBUTE.policyHash) },
  errorSource: { name: 'RouteErrorSource', type: 'LowCardinality(String)', expression: attribute(ATTRIBUTE.errorSource) },
  evalScore: { name: 'EvalScore', type: 'Nullable(Float64)', expression: `toFloat64OrNull(${attribute(ATTRIBUTE.evaluationScore)})` },
  // One 8-byte key per span (and per parent), so the marks side table is matched without reading
  // the 48 bytes of trace and span id of every row.
  spanKey: { name: 'SpanKey', type: 'UInt64', expression: 'cityHash64(TraceId, SpanId)' },
  traceKey: { name: 'TraceKey', type: 'UInt64', expression: 'cityHash64(TraceId)' },
  isRoot: { name: 'IsRoot', type: 'UInt8', expression: "ParentSpanId = ''" },
  parentKey: { name: 'ParentKey', type: 'UInt64', expression: 'cityHash64(TraceId, ParentSpanId)' },
} as const satisfies Record<string, MaterializedColumn>;

/** Names the queries use for the materialized facts. */
export type ColumnKey = keyof typeof MATERIALIZED_COLUMNS;

/** How each fact is read: the materialized column on the viewer's table, the map lookup elsewhere. */
export type ColumnExpressions = Record<ColumnKey, string>;

/** Column expressions for a table with (true) or without (false) the viewer's materialized columns. */
export function columnExpressions(materialized: boolean): ColumnExpressions {
  const result = {} as ColumnExpressions;
  for (const [key, column] of Object.entries(MATERIALIZED_COLUMNS) as Array<[ColumnKey, MaterializedColumn]>) {
    result[key] = materialized ? column.name : column.expression;
  }
  return result;
}

/** A quoted ClickHouse identifier (`db`.`table`); names are validated before they get here. */
export function identifier(name: string): string {
  return `\`${name.replaceAll('`', '``')}\``;
}

/** Database and table names the CLI accepts: letters, digits, underscores (no quoting games). */
export function isSafeName(name: string): boolean {
  return /^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(name);
}

/**
 * The exporter's `CREATE TABLE` for `otel_traces`, with the viewer's materialized columns and an
 * optional TTL (the exporter's `ttl` option renders the same `TTL toDateTime(Timestamp) + …`).
 */
export function createTracesTableSql(options: { database: string; table: string; ttlSeconds?: number; materialized?: boolean }): string {
  const materialized = options.materialized === false
    ? ''
    : Object.values(MATERIALIZED_COLUMNS)
        .map((column) => `    ${column.name} ${column.type} MATERIALIZED ${column.expression},\n`)
        .join('');
  const ttl = options.ttlSeconds ? `TTL toDateTime(Timestamp) + toIntervalSecond(${Math.floor(options.ttlSeconds)})` : '';
  return `CREATE TABLE IF NOT EXISTS ${identifier(options.database)}.${identifier(options.table)} (
    Timestamp DateTime64(9) CODEC(Delta, ZSTD(1)),
    TraceId String CODEC(ZSTD(1)),
    SpanId String CODEC(ZSTD(1)),
    ParentSpanId String CODEC(ZSTD(1)),
    TraceState String CODEC(ZSTD(1)),
    SpanName LowCardinality(String) CODEC(ZSTD(1)),
    SpanKind LowCardinality(String) CODEC(ZSTD(1)),
    ServiceName LowCardinality(String) CODEC(ZSTD(1)),
    ResourceAttributes Map(LowCardinality(String), String) CODEC(ZSTD(1)),
    ScopeName String CODEC(ZSTD(1)),
    ScopeVersion String CODEC(ZSTD(1)),
    SpanAttributes Map(LowCardinality(String), String) CODEC(ZSTD(1)),
    Duration UInt64 CODEC(ZSTD(1)),
    StatusCode LowCardinality(String) CODEC(ZSTD(1)),
    StatusMessage String CODEC(ZSTD(1)),
    Events Nested (
        Timestamp DateTime64(9),
        Name LowCardinality(String),
        Attributes Map(LowCardinality(String), String)
    ) CODEC(ZSTD(1)),
    Links Nested (
        TraceId String,
        SpanId String,
        TraceState String,
        Attributes Map(LowCardinality(String), String)
    ) CODEC(ZSTD(1)),
${materialized}    INDEX idx_trace_id TraceId TYPE bloom_filter(0.001) GRANULARITY 1,
    INDEX idx_res_attr_key mapKeys(ResourceAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_res_attr_value mapValues(ResourceAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_span_attr_key mapKeys(SpanAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_span_attr_value mapValues(SpanAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_duration Duration TYPE minmax GRANULARITY 1
    ) ENGINE = MergeTree()
    PARTITION BY toDate(Timestamp)
    ORDER BY (ServiceName, SpanName, toDateTime(Timestamp))
    ${ttl}
    SETTINGS index_granularity=8192, ttl_only_drop_parts = 1`;
}

/**
 * The viewer's side table of spans its structure rules keep out of the model-call counts
 * (`marks.ts`): wrappers of other model calls, and gateway-emitted spans nested under a client
 * model span. Small: one row per marked span.
 */
export function createMarksTableSql(options: { database: string; table: string; ttlSeconds?: number }): string {
  const ttl = options.ttlSeconds ? `TTL toDateTime(Timestamp) + toIntervalSecond(${Math.floor(options.ttlSeconds)})` : '';
  return `CREATE TABLE IF NOT EXISTS ${identifier(options.database)}.${identifier(marksTable(options.table))} (
    Timestamp DateTime64(9),
    TraceId String,
    SpanId String,
    Mark LowCardinality(String),
    SpanKey UInt64 MATERIALIZED cityHash64(TraceId, SpanId),
    ${MARK_DIMENSION_COLUMNS.map((column) => `${column} DEFAULT ${/UInt8|Int64|Decimal|Float64/.test(column) ? '0' : "''"}`).join(',\n    ')}
  ) ENGINE = ReplacingMergeTree() ORDER BY (TraceId, SpanId) ${ttl}`;
}

/**
 * What a mark carries besides its ids: the rollup dimensions, so marked model calls can be
 * subtracted from the rollup, and the parent and named upstream, so the gateway-span view reads
 * the gateway's side from this small table.
 */
export const MARK_DIMENSION_COLUMNS = [
  'ParentSpanId String',
  'NamedUpstream String',
  'ClientSpanId String',
  'ClientUpstream String',
  'ClientGateway String',
  'ClientStartMs Float64',
  'ServiceName LowCardinality(String)',
  'IsModelCall UInt8',
  'Gateway LowCardinality(String)',
  'RequestModel LowCardinality(String)',
  'Upstream LowCardinality(String)',
  'PolicyHash LowCardinality(String)',
  'ErrorSource LowCardinality(String)',
  'IsError UInt8',
  'CacheHit UInt8',
  'CostCalls Int64',
  'Cost Decimal128(12)',
] as const;

/**
 * `ALTER TABLE … ADD COLUMN IF NOT EXISTS` for every materialized column, so a table created by an
 * older viewer gains the new ones (older parts compute them on read until merged).
 */
export function addMaterializedColumnsSql(options: { database: string; table: string }): string[] {
  return Object.values(MATERIALIZED_COLUMNS).map(
    (column) =>
      `ALTER TABLE ${identifier(options.database)}.${identifier(options.table)} ADD COLUMN IF NOT EXISTS ${column.name} ${column.type} MATERIALIZED ${column.expression}`,
  );
}

/** Name of the marks side table of a traces table. */
export function marksTable(table: string): string {
  return `${table}_servedby_marks`;
}

/** Name of the per-minute rollup of a traces table. */
export function rollupTable(table: string): string {
  return `${table}_servedby_minutes`;
}

/** The rollup's dimensions, in key order. */
export const ROLLUP_DIMENSIONS = ['Minute', 'ServiceName', 'IsModelCall', 'IsRoot', 'Gateway', 'RequestModel', 'Upstream', 'PolicyHash', 'ErrorSource', 'IsError', 'CacheHit'] as const;

/**
 * A per-minute rollup of the viewer's own table, filled by a MATERIALIZED VIEW on every insert:
 * span, root-span and model-call counts and exact cost sums per service, gateway, requested model,
 * upstream, policy hash, error source, error and cache hit. Topology, drift (windows of whole
 * minutes), cost, errors, policies and the summary read it instead of every span: a day is
 * 1,440 minutes whatever the traffic. Spans the structure rules mark later are subtracted from
 * it with the marks table (which carries the same dimensions).
 */
export function createRollupSql(options: { database: string; table: string; ttlSeconds?: number }): string[] {
  const rollup = `${identifier(options.database)}.${identifier(rollupTable(options.table))}`;
  const source = `${identifier(options.database)}.${identifier(options.table)}`;
  const ttl = options.ttlSeconds ? `TTL Minute + toIntervalSecond(${Math.floor(options.ttlSeconds)})` : '';
  const operations = MODEL_OPERATIONS.map((operation) => `'${operation}'`).join(', ');
  return [
    `CREATE TABLE IF NOT EXISTS ${rollup} (
      Minute DateTime,
      ServiceName LowCardinality(String),
      IsModelCall UInt8,
      IsRoot UInt8,
      Gateway LowCardinality(String),
      RequestModel LowCardinality(String),
      Upstream LowCardinality(String),
      PolicyHash LowCardinality(String),
      ErrorSource LowCardinality(String),
      IsError UInt8,
      CacheHit UInt8,
      Policy LowCardinality(String),
      Spans Int64,
      CostCalls Int64,
      Cost Decimal128(12)
    ) ENGINE = SummingMergeTree((Spans, CostCalls, Cost)) ORDER BY (${ROLLUP_DIMENSIONS.join(', ')}) ${ttl}`,
    `CREATE MATERIALIZED VIEW IF NOT EXISTS ${identifier(options.database)}.${identifier(`${rollupTable(options.table)}_mv`)} TO ${rollup} AS
      ${rollupSelect(source, operations)}`,
  ];
}

/** The rollup's SELECT over a traces table (the MV's body, and the backfill of existing rows). */
export function rollupSelect(source: string, operations = MODEL_OPERATIONS.map((operation) => `'${operation}'`).join(', ')): string {
  return `SELECT toStartOfMinute(Timestamp) AS Minute, ServiceName, GenAiOperation IN (${operations}) AS IsModelCall, ParentSpanId = '' AS IsRoot,
             RouteGateway AS Gateway, GenAiRequestModel AS RequestModel, RouteUpstream AS Upstream, RoutePolicyHash AS PolicyHash,
             RouteErrorSource AS ErrorSource, StatusCode IN ('STATUS_CODE_ERROR', 'Error') AS IsError,
             SpanAttributes['${ATTRIBUTE.cacheHit}'] = 'true' AS CacheHit, any(RoutePolicy) AS Policy,
             count() AS Spans, countIf(UsageCost IS NOT NULL) AS CostCalls, sum(toDecimal128(ifNull(UsageCost, 0), 12)) AS Cost
      FROM ${source}
      GROUP BY ${ROLLUP_DIMENSIONS.join(', ')}`;
}

/** Name of the eval-items table of a traces table. */
export function evalsTable(table: string): string {
  return `${table}_servedby_evals`;
}

/**
 * The scored eval items of the viewer's own table, kept apart by a MATERIALIZED VIEW on insert, so
 * the eval view reads a few thousand rows instead of every span's score column.
 */
export function createEvalsSql(options: { database: string; table: string; ttlSeconds?: number }): string[] {
  const evals = `${identifier(options.database)}.${identifier(evalsTable(options.table))}`;
  const ttl = options.ttlSeconds ? `TTL toDateTime(Timestamp) + toIntervalSecond(${Math.floor(options.ttlSeconds)})` : '';
  return [
    `CREATE TABLE IF NOT EXISTS ${evals} (
      Timestamp DateTime64(9),
      TraceId String,
      SpanId String,
      Score Float64,
      RunId String,
      ItemId String,
      LinkedTraceIds Array(String)
    ) ENGINE = MergeTree() ORDER BY Timestamp ${ttl}`,
    `CREATE MATERIALIZED VIEW IF NOT EXISTS ${identifier(options.database)}.${identifier(`${evalsTable(options.table)}_mv`)} TO ${evals} AS
      ${evalsSelect(`${identifier(options.database)}.${identifier(options.table)}`)}`,
  ];
}

/** The eval-items SELECT over a traces table (the MV's body, and the backfill). */
export function evalsSelect(source: string): string {
  return `SELECT Timestamp, TraceId, SpanId, assumeNotNull(EvalScore) AS Score,
             SpanAttributes['${ATTRIBUTE.evaluationRunId}'] AS RunId, SpanAttributes['${ATTRIBUTE.evaluationItemId}'] AS ItemId,
             \`Links.TraceId\` AS LinkedTraceIds
      FROM ${source} WHERE EvalScore IS NOT NULL`;
}
