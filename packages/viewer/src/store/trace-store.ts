import { normalizeProvider, type ProviderNameSource } from '@servedby/conventions';
import type {
  ApiSpan,
  AttributesResponse,
  CostResponse,
  ErrorsResponse,
  GatewayDisagreement,
  PolicyChange,
  PoliciesResponse,
  SummaryResponse,
  TraceResponse,
  TracesResponse,
  TraceSummary,
} from '../api-types';
import type { AttributeFilter } from '../filter';
import type { SpanRecord } from '../otlp/span-record';
import type { QueryParameters, SqlEngine } from './engine';
import { createStructureTracker, type SpanMark } from './marks';
import { msToNanosText, spanFact, spanKindNumber, spanRowCompact, statusCodeNumber, TRACE_COLUMNS } from './rows';
import {
  ATTRIBUTE,
  MATERIALIZED_COLUMNS,
  MODEL_OPERATIONS,
  columnExpressions,
  addMaterializedColumnsSql,
  createMarksTableSql,
  createRollupSql,
  createEvalsSql,
  evalsSelect,
  evalsTable,
  MARK_DIMENSION_COLUMNS,
  rollupSelect,
  rollupTable,
  createTracesTableSql,
  identifier,
  isSafeName,
  marksTable,
  type ColumnExpressions,
} from './schema';

/** Options of {@link openTraceStore}. */
export interface TraceStoreOptions {
  engine: SqlEngine;
  database?: string;
  table?: string;
  /** Retention: rows older than this are dropped by the engine (TTL), in seconds. */
  retainSeconds?: number;
}

/** A time range in epoch milliseconds, `[fromMs, toMs)`. */
export interface TimeRange {
  fromMs?: number;
  toMs?: number;
}

/** Counts of one ingest. */
export interface IngestResult {
  accepted: number;
  marks: number;
}

/** Model calls per gateway, requested model, upstream and window: what the drift rule reads. */
export interface DriftCountRow {
  gateway: string;
  requestModel: string;
  upstream: string;
  bucket: number;
  calls: number;
}

/** A span of time in which an upstream counts as "new" for one series (see the drift rule). */
export interface ChangedSegment {
  gateway: string;
  requestModel: string;
  upstream: string;
  fromMs: number;
  toMs: number;
  previousUpstream: string;
}

/** One eval item as the eval query returns it. */
export interface EvalItemRow {
  traceId: string;
  spanId: string;
  itemId: string;
  runId: string;
  startMs: number;
  score: number;
  upstream: string;
  cost: number | null;
  /** Failed model calls in the scored run(s), as `{gateway}:{error source}` (`not recorded` when unset). */
  refusals: string[];
}

const FAR_FUTURE_MS = 8_000_000_000_000;
/**
 * How long before its trace's root a span may start and still be counted in the trace list and
 * matched by its filters (clock skew between services): an hour. The trace view itself has no bound.
 */
const SPAN_SKEW_MS = 3_600_000;

/** The conventions' naming table for a gateway's own spans, by the service name it exports under. */
function providerNameSource(serviceName: string): ProviderNameSource | undefined {
  const known: readonly ProviderNameSource[] = ['openrouter', 'vercel', 'litellm', 'portkey'];
  const lowered = serviceName.toLowerCase();
  return known.find((source) => lowered.includes(source));
}

/**
 * The viewer's data: spans in an `otel_traces` table (the Collector exporter's schema) and one SQL
 * query per view. On the viewer's own table the queries read materialized columns; on a table a
 * Collector fills they read `SpanAttributes[...]` and the store is read-only.
 */
export interface TraceStore {
  readonly description: string;
  readonly readOnly: boolean;
  readonly database: string;
  readonly table: string;
  /** Bumped by every ingest; the server caches answers per version. */
  readonly version: number;
  insert(spans: readonly SpanRecord[]): Promise<IngestResult>;
  /** Inserts rows already encoded as `otel_traces` JSONCompactEachRow lines ({@link spanRowCompact}), with the marks found for them (the receiver's path). */
  insertEncoded(lines: Buffer, spanCount: number, marks: readonly SpanMark[]): Promise<IngestResult>;
  summary(): Promise<Omit<SummaryResponse, 'metricsAndLogsRequests'>>;
  traces(options: { filters: AttributeFilter[]; limit: number; offset: number }): Promise<TracesResponse>;
  trace(traceId: string, limit?: number): Promise<Omit<TraceResponse, 'disagreements'>>;
  attributes(): Promise<AttributesResponse>;
  topologyRows(range: TimeRange): Promise<Array<{ requestModel: string; gateway: string; upstream: string; calls: number; errors: number }>>;
  driftCounts(range: { fromMs: number; toMs: number; bucketMs: number }): Promise<DriftCountRow[]>;
  changedTraces(segments: ChangedSegment[], limit: number): Promise<{ total: number; traces: Array<ChangedSegment & { traceId: string; spanId: string; startMs: number }> }>;
  evalItems(range: TimeRange, limit: number): Promise<EvalItemRow[]>;
  cost(range: TimeRange): Promise<CostResponse>;
  policies(range: TimeRange): Promise<PoliciesResponse>;
  errors(range: TimeRange): Promise<ErrorsResponse>;
  gatewayDisagreements(range: TimeRange & { traceId?: string }, limit: number): Promise<{ joinedCalls: number; disagreements: GatewayDisagreement[] }>;
  /** Deletes every span (the demo starts each run from an empty day). */
  clear(): Promise<void>;
  close(): Promise<void>;
}

const MODEL_OPERATION_LIST = MODEL_OPERATIONS.map((operation) => `'${operation}'`).join(', ');
const ERROR_STATUS = `StatusCode IN ('STATUS_CODE_ERROR', 'Error')`;
const nanosToMs = (column: string) => `toFloat64(toUnixTimestamp64Nano(${column})) / 1e6`;
const rangeOn = (timestamp: string) => `${timestamp} >= fromUnixTimestamp64Milli({fromMs:Int64}) AND ${timestamp} < fromUnixTimestamp64Milli({toMs:Int64})`;
const rangeCondition = rangeOn('Timestamp');

function rangeParameters(range: TimeRange): { fromMs: number; toMs: number } {
  return { fromMs: Math.max(0, Math.floor(range.fromMs ?? 0)), toMs: Math.min(FAR_FUTURE_MS, Math.ceil(range.toMs ?? FAR_FUTURE_MS)) };
}

/** Opens (creating when missing) the traces table and returns its views. */
export async function openTraceStore(options: TraceStoreOptions): Promise<TraceStore> {
  const engine = options.engine;
  const database = options.database ?? 'otel';
  const table = options.table ?? 'otel_traces';
  for (const name of [database, table]) {
    if (!isSafeName(name)) throw new Error(`"${name}" is not a plain database/table name (letters, digits, _)`);
  }
  await engine.command(`CREATE DATABASE IF NOT EXISTS ${identifier(database)}`);
  const existing = await engine.query<{ name: string }>(
    'SELECT name FROM system.columns WHERE database = {database:String} AND table = {table:String}',
    { database, table },
  );
  const existingNames = new Set(existing.map((column) => column.name));
  // A table without the viewer's materialized columns is someone else's (a Collector's): read it, never write.
  const readOnly = existing.length > 0 && !existingNames.has(MATERIALIZED_COLUMNS.upstream.name);
  if (existing.length === 0) {
    await engine.command(createTracesTableSql({ database, table, ...(options.retainSeconds ? { ttlSeconds: options.retainSeconds } : {}) }));
  } else if (!readOnly && options.retainSeconds) {
    await engine.command(`ALTER TABLE ${identifier(database)}.${identifier(table)} MODIFY TTL toDateTime(Timestamp) + toIntervalSecond(${Math.floor(options.retainSeconds)})`);
  }
  if (!readOnly && existing.length > 0) {
    for (const statement of addMaterializedColumnsSql({ database, table })) await engine.command(statement);
  }
  if (!readOnly) {
    await engine.command(createMarksTableSql({ database, table, ...(options.retainSeconds ? { ttlSeconds: options.retainSeconds } : {}) }));
    const marksName = `${identifier(database)}.${identifier(marksTable(table))}`;
    await engine.command(`ALTER TABLE ${marksName} ADD COLUMN IF NOT EXISTS SpanKey UInt64 MATERIALIZED cityHash64(TraceId, SpanId)`);
    for (const definition of MARK_DIMENSION_COLUMNS) await engine.command(`ALTER TABLE ${marksName} ADD COLUMN IF NOT EXISTS ${definition}`);
    const tableExists = async (name: string) =>
      (await engine.query<{ name: string }>('SELECT name FROM system.tables WHERE database = {database:String} AND name = {name:String}', { database, name })).length > 0;
    const rollupExisted = await tableExists(rollupTable(table));
    const evalsExisted = await tableExists(evalsTable(table));
    const ttl = options.retainSeconds ? { ttlSeconds: options.retainSeconds } : {};
    for (const statement of [...createRollupSql({ database, table, ...ttl }), ...createEvalsSql({ database, table, ...ttl })]) await engine.command(statement);
    // A table filled before these existed (an older viewer): derive them from what is there, once.
    const source = `${identifier(database)}.${identifier(table)}`;
    if (!rollupExisted && existing.length > 0) await engine.command(`INSERT INTO ${identifier(database)}.${identifier(rollupTable(table))} ${rollupSelect(source)}`);
    if (!evalsExisted && existing.length > 0) await engine.command(`INSERT INTO ${identifier(database)}.${identifier(evalsTable(table))} ${evalsSelect(source)}`);
  }
  return createTraceStore({ engine, database, table, readOnly });
}

/** The views over an existing table (see {@link openTraceStore}). */
export function createTraceStore(options: { engine: SqlEngine; database: string; table: string; readOnly: boolean }): TraceStore {
  const { engine, database, table, readOnly } = options;
  const column: ColumnExpressions = columnExpressions(!readOnly);
  const from = `${identifier(database)}.${identifier(table)}`;
  const marks = `${identifier(database)}.${identifier(marksTable(table))}`;
  const tracker = createStructureTracker();
  let version = 0;

  const isModelCall = `${column.operation} IN (${MODEL_OPERATION_LIST})`;
  // Marked spans (wrappers, gateway spans) are found at ingest. A Collector table has no marks:
  // there a model call nested under another model call (a gateway's own spans) is left out at query
  // time; wrappers (Mastra) cannot be told apart without the ingest-time structure and are counted.
  const notMarked = readOnly
    ? `(TraceId, ParentSpanId) NOT IN (SELECT TraceId, SpanId FROM ${from} WHERE ${isModelCall} AND ${rangeCondition})`
    : `${column.spanKey} NOT IN (SELECT SpanKey FROM ${marks})`;
  const gatewayOf = `if(${column.gateway} = '', 'direct', ${column.gateway})`;
  const upstreamOf = `if(${column.upstream} = '', 'unknown', ${column.upstream})`;
  const requestModelOf = `if(${column.requestModel} = '', 'unknown', ${column.requestModel})`;
  /** The model calls of a time range, as a CTE body. */
  const modelCalls = (extraColumns = '') => `
    SELECT TraceId, SpanId, ParentSpanId, Timestamp, ServiceName, ${gatewayOf} AS gateway, ${upstreamOf} AS upstream,
           ${requestModelOf} AS requestModel, ${ERROR_STATUS} AS isError${extraColumns}
    FROM ${from}
    WHERE ${isModelCall} AND ${rangeCondition} AND ${notMarked}`;

  const query = <Row>(sql: string, parameters?: QueryParameters) => engine.query<Row>(sql, parameters);

  const rollup = `${identifier(database)}.${identifier(rollupTable(table))}`;
  const evals = `${identifier(database)}.${identifier(evalsTable(table))}`;
  const minuteOf = (column: string) => `toUnixTimestamp(${column})`;
  const minuteRange = (column: string) =>
    `${minuteOf(column)} >= intDiv({fromMs:Int64}, 60000) * 60 AND ${minuteOf(column)} < intDiv({toMs:Int64} + 59999, 60000) * 60`;
  /**
   * Model calls per minute and dimension from the rollup, minus the marked ones (each marked model
   * call once, as a row of -1), as a CTE body with the viewer's labels (direct, unknown).
   */
  const rollupCalls = `
    SELECT if(Gateway = '', 'direct', Gateway) AS gateway, if(Upstream = '', 'unknown', Upstream) AS upstream,
           if(RequestModel = '', 'unknown', RequestModel) AS requestModel, ServiceName, PolicyHash, ErrorSource, IsError, CacheHit,
           Minute, n, costCalls, cost
    FROM (
      SELECT Gateway, Upstream, RequestModel, ServiceName, PolicyHash, ErrorSource, IsError, CacheHit, Minute,
             Spans AS n, CostCalls AS costCalls, Cost AS cost
      FROM ${rollup} WHERE IsModelCall = 1 AND ${minuteRange('Minute')}
      UNION ALL
      SELECT Gateway, Upstream, RequestModel, ServiceName, PolicyHash, ErrorSource, IsError, CacheHit, toStartOfMinute(Timestamp) AS Minute,
             -1 AS n, -CostCalls AS costCalls, -Cost AS cost
      FROM ${marks} FINAL WHERE IsModelCall = 1 AND ${minuteRange('toStartOfMinute(Timestamp)')}
    )`;


  /** SQL condition on one span for a filter, with its values bound as parameters. */
  function spanCondition(filter: AttributeFilter, index: number, parameters: QueryParameters): string {
    const keyName = `filterKey${index}`;
    const valueName = `filterValue${index}`;
    parameters[keyName] = filter.key;
    if (filter.value !== undefined) parameters[valueName] = filter.value;
    if (filter.key === 'name') return filter.operator === 'exists' ? '1' : `SpanName = {${valueName}:String}`;
    if (filter.key === 'service.name') return filter.operator === 'exists' ? '1' : `ServiceName = {${valueName}:String}`;
    if (filter.key === 'status') {
      if (filter.operator === 'exists') return '1';
      const spelled = { error: ['STATUS_CODE_ERROR', 'Error'], ok: ['STATUS_CODE_OK', 'Ok'], unset: ['STATUS_CODE_UNSET', 'Unset'] }[filter.value as 'error'] ?? [];
      return `StatusCode IN (${spelled.map((name) => `'${name}'`).join(', ')})`;
    }
    if (filter.operator === 'exists') return `mapContains(SpanAttributes, {${keyName}:String})`;
    // A materialized column answers the common route filters without reading the attribute map.
    const materialized = Object.entries(MATERIALIZED_COLUMNS).find(([, definition]) => definition.expression === `SpanAttributes['${filter.key}']`);
    const value = materialized && !readOnly ? materialized[1].name : `SpanAttributes[{${keyName}:String}]`;
    // Arrays are stored as JSON text (`["openrouter","together"]`): match an element too.
    return `(${value} = {${valueName}:String} OR (startsWith(${value}, '[') AND has(JSONExtract(${value}, 'Array(String)'), {${valueName}:String})))`;
  }

  const store: TraceStore = {
    description: `${engine.description}, table ${database}.${table}${readOnly ? ' (read-only: a Collector-filled table)' : ''}`,
    readOnly,
    database,
    table,
    get version() {
      return version;
    },

    async insert(spans) {
      const lines: string[] = new Array(spans.length);
      for (let index = 0; index < spans.length; index += 1) lines[index] = spanRowCompact(spans[index]!);
      if (readOnly) throw new Error('the store is read-only (a Collector-filled table)');
      return store.insertEncoded(Buffer.from(lines.length ? `${lines.join('\n')}\n` : ''), spans.length, tracker.add(spans.map(spanFact)));
    },

    async insertEncoded(lines, spanCount, found) {
      if (readOnly) throw new Error('the store is read-only (a Collector-filled table)');
      if (spanCount === 0) return { accepted: 0, marks: 0 };
      await engine.insertJsonLines(`${database}.${table}`, lines, TRACE_COLUMNS);
      if (found.length > 0) {
        const markLines = found.map((mark) =>
          JSON.stringify({
            Timestamp: msToNanosText(mark.startMs),
            TraceId: mark.traceId,
            SpanId: mark.spanId,
            Mark: mark.kind,
            ParentSpanId: mark.parentSpanId,
            NamedUpstream: mark.namedUpstream,
            ServiceName: mark.serviceName,
            IsModelCall: mark.dimensions ? 1 : 0,
            ...(mark.dimensions ? { ...mark.dimensions, Cost: mark.dimensions.Cost.toFixed(12) } : {}),
            IsError: mark.isError ? 1 : 0,
            ...(mark.client
              ? { ClientSpanId: mark.client.spanId, ClientUpstream: mark.client.upstream, ClientGateway: mark.client.gateway, ClientStartMs: mark.client.startMs }
              : {}),
          }),
        );
        await engine.insertJsonLines(`${database}.${marksTable(table)}`, Buffer.from(`${markLines.join('\n')}\n`));
      }
      version += 1;
      return { accepted: spanCount, marks: found.length };
    },

    async summary() {
      // Both shapes give the range to the minute (the rollup's grain), so both stores agree.
      const sql = readOnly
        ? `SELECT count() AS spans, countIf(ParentSpanId = '') AS traces,
                  countIf(${isModelCall} AND ${notMarked}) AS modelCalls,
                  if(modelCalls = 0, NULL, toUnixTimestamp(toStartOfMinute(minIf(Timestamp, ${isModelCall}))) * 1000) AS fromMs,
                  if(modelCalls = 0, NULL, toUnixTimestamp(toStartOfMinute(maxIf(Timestamp, ${isModelCall}))) * 1000 + 59999) AS toMs
           FROM ${from}`
        : `SELECT sum(Spans) AS spans, sumIf(Spans, IsRoot = 1) AS traces,
                  sumIf(Spans, IsModelCall = 1) - (SELECT count() FROM ${marks} FINAL WHERE IsModelCall = 1) AS modelCalls,
                  if(modelCalls <= 0, NULL, toUnixTimestamp(minIf(Minute, IsModelCall = 1)) * 1000) AS fromMs,
                  if(modelCalls <= 0, NULL, toUnixTimestamp(maxIf(Minute, IsModelCall = 1)) * 1000 + 59999) AS toMs
           FROM ${rollup}`;
      const [row] = await query<{ spans: string; traces: string; modelCalls: string; fromMs: number | string | null; toMs: number | string | null }>(sql, rangeParameters({}));
      return {
        spans: Number(row?.spans ?? 0),
        traces: Number(row?.traces ?? 0),
        modelCalls: Math.max(0, Number(row?.modelCalls ?? 0)),
        ...(row?.fromMs != null ? { fromMs: Number(row.fromMs), toMs: Number(row.toMs) } : {}),
        store: store.description,
        readOnly,
      };
    },

    async traces({ filters, limit, offset }) {
      const wanted = offset + limit;
      const rootCondition = readOnly ? "ParentSpanId = ''" : `${column.isRoot} = 1`;
      // The page is found first, then the spans of its traces. Both are bounded in time where that is
      // safe, so a 10 M-span table is not read end to end for 200 traces (ORDER BY starts with
      // ServiceName, SpanName, then time: a lower time bound skips most granules of every part).
      // `pageToMs` (bounded searches only): no root after it can match, since its matching spans
      // would start more than SPAN_SKEW_MS before it. `matchesTo`: filter index → the newest span
      // it matches, so its subquery stops there instead of reading to the end of the table.
      const pageOf = async (pageFromMs: number | undefined, pageToMs?: number, matchesTo?: Map<number, number>) => {
        const parameters: QueryParameters = { limit, offset };
        // A filter matches a trace by any of its spans; those start at most SPAN_SKEW_MS before the root.
        const spanBound = pageFromMs === undefined ? '' : ` AND Timestamp >= fromUnixTimestamp64Milli({spanFromMs:Int64})`;
        const rootBounds: string[] = [];
        if (pageFromMs !== undefined) {
          parameters.pageFromMs = Math.floor(pageFromMs);
          parameters.spanFromMs = Math.floor(pageFromMs) - SPAN_SKEW_MS;
          rootBounds.push('Timestamp >= fromUnixTimestamp64Milli({pageFromMs:Int64})');
          if (pageToMs !== undefined) {
            parameters.pageToMs = Math.ceil(pageToMs);
            rootBounds.push('Timestamp <= fromUnixTimestamp64Milli({pageToMs:Int64})');
          }
        }
        const conditions = filters.map((filter, index) => {
          const condition = spanCondition(filter.operator === '!=' ? { ...filter, operator: '=' } : filter, index, parameters);
          // On the viewer's table an 8-byte trace key is matched instead of the 32-character id.
          const key = readOnly ? 'TraceId' : column.traceKey;
          const matchTo = pageFromMs === undefined ? undefined : matchesTo?.get(index);
          if (matchTo !== undefined) parameters[`matchToMs${index}`] = Math.floor(matchTo) + 1;
          const matchBound = matchTo === undefined ? '' : ` AND Timestamp < fromUnixTimestamp64Milli({matchToMs${index}:Int64})`;
          return `${key} ${filter.operator === '!=' ? 'NOT IN' : 'IN'} (SELECT ${key} FROM ${from} WHERE ${condition}${spanBound}${matchBound})`;
        });
        const where = [...rootBounds, ...conditions, '1'].join(' AND ');
        return query<{ TraceId: string; startMs: string }>(
          `SELECT TraceId, toUnixTimestamp64Milli(Timestamp) AS startMs FROM ${from} PREWHERE ${rootCondition} WHERE ${where} ORDER BY Timestamp DESC LIMIT {limit:UInt32} OFFSET {offset:UInt32}`,
          parameters,
        );
      };
      const countOf = async () => {
        // Unfiltered, the number of traces (root spans) is in the rollup; filtered, it is counted.
        if (!readOnly && filters.length === 0) {
          const [row] = await query<{ total: string }>(`SELECT sumIf(Spans, IsRoot = 1) AS total FROM ${rollup}`);
          return Number(row?.total ?? 0);
        }
        const parameters: QueryParameters = {};
        const conditions = filters.map((filter, index) => {
          const condition = spanCondition(filter.operator === '!=' ? { ...filter, operator: '=' } : filter, index, parameters);
          const key = readOnly ? 'TraceId' : column.traceKey;
          return `${key} ${filter.operator === '!=' ? 'NOT IN' : 'IN'} (SELECT ${key} FROM ${from} WHERE ${condition})`;
        });
        // Root spans are a fraction of the rows: their flag is read first, the trace keys only where it holds.
        const [row] = await query<{ total: string }>(`SELECT count() AS total FROM ${from} PREWHERE ${rootCondition} WHERE ${[...conditions, '1'].join(' AND ')}`, parameters);
        return Number(row?.total ?? 0);
      };
      const findPage = async () => {
        if (readOnly) return pageOf(undefined);
        // A filter on a cheap column (not the attribute map) bounds the page by its own matches: the
        // newest matching traces' roots start no earlier than an hour (SPAN_SKEW_MS) before the
        // newest `wanted` × 10 matching spans, and no later than an hour after the newest match
        // (matches older than that are outside the skew rule), so only that stretch of roots is read.
        let rootsToMs: number | undefined;
        const matchesTo = new Map<number, number>();
        for (const [index, filter] of filters.entries()) {
          if (filter.operator === '!=') continue;
          const parameters: QueryParameters = {};
          const condition = spanCondition(filter, index, parameters);
          if (condition.includes('SpanAttributes')) continue;
          const [matches] = await query<{ found: string; newestMs: string; oldestMs: string }>(
            `SELECT count() AS found, toUnixTimestamp64Milli(max(Timestamp)) AS newestMs, toUnixTimestamp64Milli(min(Timestamp)) AS oldestMs
             FROM (SELECT Timestamp FROM ${from} WHERE ${condition} ORDER BY Timestamp DESC LIMIT {take:UInt64})`,
            { ...parameters, take: wanted * 10 },
          );
          const found = Number(matches?.found ?? 0);
          // Every filter must hold: no span matches this one, so no trace matches.
          if (found === 0) return [];
          // Milliseconds are truncated: the newest match is before newestMs + 1.
          matchesTo.set(index, Number(matches!.newestMs));
          rootsToMs = Number(matches!.newestMs) + 1 + SPAN_SKEW_MS;
          if (found < wanted * 10) break;
          const page = await pageOf(Number(matches!.oldestMs) - SPAN_SKEW_MS, rootsToMs, matchesTo);
          if (page.length >= limit) return page;
          break;
        }
        // The rollup counts root spans per minute: the newest minute from which at least `wanted` roots
        // (times a margin for a filter's selectivity) start bounds the page. A bounded search that
        // comes back short is widened, finally to the whole table, so the answer never depends on it.
        for (const factor of filters.length === 0 ? [1] : [100, 10_000]) {
          const [bound] = await query<{ minuteMs: string }>(
            `SELECT toUnixTimestamp(Minute) * 1000 AS minuteMs FROM (
               SELECT Minute, sum(roots) OVER (ORDER BY Minute DESC ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS since
               FROM (SELECT Minute, sum(Spans) AS roots FROM ${rollup} WHERE IsRoot = 1${rootsToMs === undefined ? '' : ' AND Minute <= toDateTime(intDiv({rootsToMs:Int64}, 1000))'} GROUP BY Minute))
             WHERE since >= {wanted:UInt64} ORDER BY Minute DESC LIMIT 1`,
            { wanted: wanted * factor, ...(rootsToMs === undefined ? {} : { rootsToMs: Math.ceil(rootsToMs) }) },
          );
          if (!bound) break;
          const page = await pageOf(Number(bound.minuteMs), rootsToMs, matchesTo);
          if (page.length >= limit) return page;
        }
        return pageOf(undefined);
      };
      // The embedded engine runs one query at a time, so the count goes after the page search
      // (it is not needed to find the page) and beside the detail query.
      const pageFound = findPage();
      const counted = pageFound.then(countOf, countOf);
      counted.catch(() => {});
      const page = await pageFound;
      if (page.length === 0) return { total: await counted, traces: [] };
      const pageStart = Math.min(...page.map((row) => Number(row.startMs)));
      const rows = await query<{
        traceId: string; rootName: string; serviceName: string; startMs: number; durationMs: number; spanCount: string;
        modelCalls: string; errors: string; gateways: string[]; upstreams: string[]; requestModels: string[];
        evalScore: number | null; cost: number | null;
      }>(
        `SELECT TraceId AS traceId,
                argMinIf(SpanName, Timestamp, ParentSpanId = '') AS rootName,
                argMinIf(ServiceName, Timestamp, ParentSpanId = '') AS serviceName,
                ${nanosToMs('min(Timestamp)')} AS startMs,
                (max(toInt64(toUnixTimestamp64Nano(Timestamp)) + toInt64(Duration)) - min(toInt64(toUnixTimestamp64Nano(Timestamp)))) / 1e6 AS durationMs,
                count() AS spanCount,
                countIf(${isModelCall} AND ${notMarked}) AS modelCalls,
                countIf(${ERROR_STATUS}) AS errors,
                arraySort(groupUniqArrayIf(${column.gateway}, ${isModelCall} AND ${column.gateway} != '')) AS gateways,
                arraySort(groupUniqArrayIf(${column.upstream}, ${isModelCall} AND ${column.upstream} != '' AND ${notMarked})) AS upstreams,
                arraySort(groupUniqArrayIf(${column.requestModel}, ${isModelCall} AND ${column.requestModel} != '')) AS requestModels,
                anyIf(${column.evalScore}, ${column.evalScore} IS NOT NULL) AS evalScore,
                toFloat64(sumIf(toDecimal128(${column.cost}, 12), ${isModelCall} AND ${notMarked})) AS cost
         FROM ${from}
         ${readOnly ? '' : `PREWHERE ${column.traceKey} IN (SELECT cityHash64(arrayJoin({traceIds:Array(String)})))`}
         WHERE Timestamp >= fromUnixTimestamp64Milli({spanFromMs:Int64})
           AND TraceId IN {traceIds:Array(String)}
         GROUP BY TraceId
         ORDER BY startMs DESC`,
        { ...rangeParameters({}), traceIds: page.map((row) => row.TraceId), spanFromMs: pageStart - SPAN_SKEW_MS },
      );
      const total = Math.max(await counted, offset + rows.length);
      const traces: TraceSummary[] = rows.map((row) => ({
        traceId: row.traceId,
        rootName: row.rootName,
        serviceName: row.serviceName,
        startMs: row.startMs,
        durationMs: row.durationMs,
        spanCount: Number(row.spanCount),
        modelCalls: Number(row.modelCalls),
        errors: Number(row.errors),
        gateways: row.gateways,
        upstreams: row.upstreams,
        requestModels: row.requestModels,
        ...(row.evalScore != null ? { evalScore: row.evalScore } : {}),
        ...(row.cost ? { cost: row.cost } : {}),
      }));
      return { total, traces };
    },

    async trace(traceId, limit = 5_000) {
      const rows = await query<{
        SpanId: string; ParentSpanId: string; SpanName: string; SpanKind: string; startMs: number; durationNanos: string;
        StatusCode: string; StatusMessage: string; ServiceName: string; ScopeName: string;
        SpanAttributes: Record<string, string>; ResourceAttributes: Record<string, string>;
        eventTimes: number[]; eventNames: string[]; eventAttributes: Array<Record<string, string>>;
        linkTraceIds: string[]; linkSpanIds: string[]; linkAttributes: Array<Record<string, string>>; mark: string;
      }>(
        `SELECT t.SpanId AS SpanId, t.ParentSpanId AS ParentSpanId, t.SpanName AS SpanName, t.SpanKind AS SpanKind,
                ${nanosToMs('t.Timestamp')} AS startMs, t.Duration AS durationNanos,
                t.StatusCode AS StatusCode, t.StatusMessage AS StatusMessage, t.ServiceName AS ServiceName, t.ScopeName AS ScopeName,
                t.SpanAttributes AS SpanAttributes, t.ResourceAttributes AS ResourceAttributes,
                arrayMap(time -> ${nanosToMs('time')}, t.\`Events.Timestamp\`) AS eventTimes, t.\`Events.Name\` AS eventNames, t.\`Events.Attributes\` AS eventAttributes,
                t.\`Links.TraceId\` AS linkTraceIds, t.\`Links.SpanId\` AS linkSpanIds, t.\`Links.Attributes\` AS linkAttributes,
                ${readOnly ? "''" : 'm.Mark'} AS mark
         FROM ${from} AS t
         ${readOnly ? '' : `LEFT JOIN (SELECT SpanId, any(Mark) AS Mark FROM ${marks} WHERE TraceId = {traceId:String} GROUP BY SpanId) AS m ON m.SpanId = t.SpanId`}
         WHERE t.TraceId = {traceId:String}
         ORDER BY t.Timestamp
         LIMIT {limit:UInt32}`,
        { traceId, limit: limit + 1 },
      );
      const spans: ApiSpan[] = rows.slice(0, limit).map((row) => ({
        traceId,
        spanId: row.SpanId,
        ...(row.ParentSpanId ? { parentSpanId: row.ParentSpanId } : {}),
        name: row.SpanName,
        kind: spanKindNumber(row.SpanKind),
        startMs: row.startMs,
        endMs: row.startMs + Number(row.durationNanos) / 1e6,
        statusCode: statusCodeNumber(row.StatusCode),
        ...(row.StatusMessage ? { statusMessage: row.StatusMessage } : {}),
        serviceName: row.ServiceName,
        scopeName: row.ScopeName,
        attributes: row.SpanAttributes,
        resourceAttributes: row.ResourceAttributes,
        events: row.eventNames.map((name, index) => ({ name, timeMs: row.eventTimes[index] ?? 0, attributes: row.eventAttributes[index] ?? {} })),
        links: row.linkTraceIds.map((linkTraceId, index) => ({ traceId: linkTraceId, spanId: row.linkSpanIds[index] ?? '', attributes: row.linkAttributes[index] ?? {} })),
        ...(row.mark === 'wrapper' || row.mark === 'gateway' ? { mark: row.mark } : {}),
      }));
      return { spans, truncated: rows.length > limit };
    },

    async attributes() {
      // The keys of (at most 20,000 of) the spans of the last 10 minutes of data: enough to suggest
      // filters, and only the granules of that time are read for their attribute maps.
      const rows = await query<{ key: string; count: string; values: Array<[string, string]> }>(
        `SELECT key, sum(valueCount) AS count,
                if(uniqExact(value) > 50, [], arraySlice(arraySort(pair -> -toInt64(pair.2), groupArray((value, toString(valueCount)))), 1, 50)) AS values
         FROM (
           SELECT key, value, count() AS valueCount FROM (
             SELECT SpanAttributes FROM ${from}
             PREWHERE Timestamp >= (SELECT max(Timestamp) FROM ${from}) - INTERVAL 10 MINUTE
             LIMIT 20000
           ) ARRAY JOIN mapKeys(SpanAttributes) AS key, mapValues(SpanAttributes) AS value
           WHERE length(value) <= 80
           GROUP BY key, value
         )
         GROUP BY key
         ORDER BY key`,
      );
      return {
        attributes: rows.map((row) => ({
          key: row.key,
          count: Number(row.count),
          values: row.values.map(([value, count]) => ({ value, count: Number(count) })),
        })),
      };
    },

    async topologyRows(range) {
      const sql = readOnly
        ? `WITH calls AS (${modelCalls()})
           SELECT requestModel, gateway, upstream, count() AS calls, countIf(isError) AS errors
           FROM calls GROUP BY requestModel, gateway, upstream
           ORDER BY calls DESC, requestModel, gateway, upstream LIMIT 10000`
        : `WITH calls AS (${rollupCalls})
           SELECT requestModel, gateway, upstream, sum(n) AS calls, sumIf(n, IsError = 1) AS errors
           FROM calls GROUP BY requestModel, gateway, upstream HAVING calls > 0
           ORDER BY calls DESC, requestModel, gateway, upstream LIMIT 10000`;
      const rows = await query<{ requestModel: string; gateway: string; upstream: string; calls: string; errors: string }>(sql, rangeParameters(range));
      return rows.map((row) => ({ ...row, calls: Number(row.calls), errors: Number(row.errors) }));
    },

    async driftCounts({ fromMs, toMs, bucketMs }) {
      // Windows of whole minutes come from the rollup; finer ones from the spans.
      const fromRollup = !readOnly && bucketMs % 60_000 === 0 && fromMs % 60_000 === 0;
      const sql = fromRollup
        ? `WITH calls AS (${rollupCalls}),
                busiest AS (SELECT gateway, requestModel FROM calls GROUP BY gateway, requestModel ORDER BY sum(n) DESC, gateway, requestModel LIMIT 50)
           SELECT gateway, requestModel, upstream, intDiv(toUnixTimestamp(Minute) * 1000 - {fromMs:Int64}, {bucketMs:Int64}) AS bucket, sum(n) AS calls
           FROM calls WHERE (gateway, requestModel) IN (SELECT gateway, requestModel FROM busiest)
           GROUP BY gateway, requestModel, upstream, bucket HAVING calls > 0
           LIMIT 200000`
        : `WITH calls AS (${modelCalls()}),
                -- The 50 busiest series and at most 200,000 rows: an answer stays small whatever the data.
                busiest AS (SELECT gateway, requestModel FROM calls GROUP BY gateway, requestModel ORDER BY count() DESC, gateway, requestModel LIMIT 50)
           SELECT gateway, requestModel, upstream,
                  intDiv(toUnixTimestamp64Milli(Timestamp) - {fromMs:Int64}, {bucketMs:Int64}) AS bucket, count() AS calls
           FROM calls WHERE (gateway, requestModel) IN (SELECT gateway, requestModel FROM busiest)
           GROUP BY gateway, requestModel, upstream, bucket
           LIMIT 200000`;
      const rows = await query<{ gateway: string; requestModel: string; upstream: string; bucket: string; calls: string }>(sql, {
        fromMs: Math.floor(fromMs),
        toMs: Math.ceil(toMs),
        bucketMs: Math.floor(bucketMs),
      });
      return rows.map((row) => ({ gateway: row.gateway, requestModel: row.requestModel, upstream: row.upstream, bucket: Number(row.bucket), calls: Number(row.calls) }));
    },

    async changedTraces(segments, limit) {
      if (segments.length === 0) return { total: 0, traces: [] };
      const parameters: QueryParameters = {
        fromMs: Math.min(...segments.map((segment) => segment.fromMs)),
        toMs: Math.max(...segments.map((segment) => segment.toMs)),
        limit,
        gateways: segments.map((segment) => segment.gateway),
        models: segments.map((segment) => segment.requestModel),
        upstreams: segments.map((segment) => segment.upstream),
        starts: segments.map((segment) => Math.floor(segment.fromMs)),
        ends: segments.map((segment) => Math.ceil(segment.toMs)),
      };
      // Only calls by one of the segments' upstreams can match: that cheap column is read first
      // (PREWHERE), the ids only for the granules that hold such calls.
      const rows = await query<{ traceId: string; spanId: string; startMs: number; segment: string; total: string }>(
        `WITH matched AS (
                SELECT TraceId, SpanId, Timestamp,
                       arrayFirstIndex((gatewayName, model, upstreamName, start, finish) ->
                         gatewayName = ${gatewayOf} AND model = ${requestModelOf} AND upstreamName = ${upstreamOf}
                         AND toUnixTimestamp64Milli(Timestamp) >= start AND toUnixTimestamp64Milli(Timestamp) < finish,
                         {gateways:Array(String)}, {models:Array(String)}, {upstreams:Array(String)}, {starts:Array(Int64)}, {ends:Array(Int64)}) AS segment
                FROM ${from}
                PREWHERE ${column.upstream} IN {upstreams:Array(String)} AND ${rangeCondition}
                WHERE ${isModelCall} AND ${notMarked}),
              perTrace AS (SELECT TraceId, argMin(SpanId, Timestamp) AS firstSpanId, min(Timestamp) AS firstCall, argMin(segment, Timestamp) AS firstSegment
                           FROM matched WHERE segment > 0 GROUP BY TraceId)
         SELECT TraceId AS traceId, firstSpanId AS spanId, ${nanosToMs('firstCall')} AS startMs, firstSegment AS segment, count() OVER () AS total
         FROM perTrace ORDER BY firstCall, traceId LIMIT {limit:UInt32}`,
        parameters,
      );
      return {
        total: rows.length ? Number(rows[0]!.total) : 0,
        traces: rows.map((row) => ({ ...segments[Number(row.segment) - 1]!, traceId: row.traceId, spanId: row.spanId, startMs: row.startMs })),
      };
    },

    async evalItems(range, limit) {
      // An eval item's upstream: the model calls in its own trace and in the traces it links to.
      // The scored traces are few: their ids are matched first (PREWHERE), where the TraceId bloom
      // filter index skips the granules that hold none of them.
      const rows = await query<EvalItemRow>(
        `WITH items AS (${readOnly
                ? `SELECT TraceId, SpanId, Timestamp, ${column.evalScore} AS score,
                       SpanAttributes['${ATTRIBUTE.evaluationRunId}'] AS runId, SpanAttributes['${ATTRIBUTE.evaluationItemId}'] AS itemId,
                       arrayDistinct(arrayPushFront(Links.TraceId, TraceId)) AS traces
                FROM ${from}
                WHERE ${column.evalScore} IS NOT NULL AND ${rangeCondition}
                ORDER BY Timestamp LIMIT {limit:UInt32}`
                : `SELECT TraceId, SpanId, Timestamp, Score AS score, RunId AS runId, ItemId AS itemId,
                       arrayDistinct(arrayPushFront(LinkedTraceIds, TraceId)) AS traces
                FROM ${evals}
                WHERE ${rangeCondition}
                ORDER BY Timestamp LIMIT {limit:UInt32}`}),
              itemTraces AS (SELECT SpanId, arrayJoin(traces) AS scoredTrace FROM items),
              calls AS (
                SELECT TraceId, ${upstreamOf} AS upstream, ${column.cost} AS cost, ${ERROR_STATUS} AS failed,
                       concat(${gatewayOf}, ':', if(${column.errorSource} = '', 'not recorded', ${column.errorSource})) AS refusal
                FROM ${from}
                PREWHERE TraceId IN (SELECT scoredTrace FROM itemTraces)
                WHERE ${isModelCall} AND ${notMarked}),
              perItem AS (
                SELECT itemTraces.SpanId AS SpanId, groupUniqArrayIf(calls.upstream, calls.TraceId != '') AS upstreams,
                       toFloat64(sumIf(toDecimal128(calls.cost, 12), calls.TraceId != '')) AS cost, countIf(calls.cost IS NOT NULL) AS costed,
                       groupArrayIf(calls.refusal, calls.TraceId != '' AND calls.failed) AS refusals
                FROM itemTraces LEFT JOIN calls ON calls.TraceId = itemTraces.scoredTrace
                GROUP BY itemTraces.SpanId)
         SELECT items.TraceId AS traceId, items.SpanId AS spanId, if(items.itemId = '', items.SpanId, items.itemId) AS itemId,
                if(items.runId = '', items.TraceId, items.runId) AS runId, ${nanosToMs('items.Timestamp')} AS startMs, items.score AS score,
                if(empty(perItem.upstreams), 'unknown', arrayStringConcat(arraySort(perItem.upstreams), '+')) AS upstream,
                if(perItem.costed = 0, NULL, perItem.cost) AS cost, perItem.refusals AS refusals
         FROM items LEFT JOIN perItem ON perItem.SpanId = items.SpanId
         ORDER BY items.Timestamp`,
        { ...rangeParameters(range), limit },
      );
      return rows;
    },

    async cost(range) {
      const sql = readOnly
        ? `WITH calls AS (${modelCalls(`, ${column.cost} AS cost`)})
           SELECT gateway, upstream, count() AS calls, countIf(cost IS NOT NULL) AS callsWithCost,
                  toFloat64(ifNull(sum(toDecimal128(cost, 12)), 0)) AS totalCost
           FROM calls GROUP BY gateway, upstream ORDER BY totalCost DESC, calls DESC, gateway, upstream LIMIT 10000`
        : `WITH calls AS (${rollupCalls})
           SELECT gateway, upstream, sum(n) AS calls, sum(costCalls) AS callsWithCost, toFloat64(sum(cost)) AS totalCost
           FROM calls GROUP BY gateway, upstream HAVING calls > 0 ORDER BY totalCost DESC, calls DESC, gateway, upstream LIMIT 10000`;
      const rows = await query<{ gateway: string; upstream: string; calls: string; callsWithCost: string; totalCost: number }>(sql, rangeParameters(range));
      const result = rows.map((row) => ({
        gateway: row.gateway,
        upstream: row.upstream,
        calls: Number(row.calls),
        callsWithCost: Number(row.callsWithCost),
        totalCost: row.totalCost,
        // Sums are exact (Decimal128), so the mean is the same however the engine splits the work.
        ...(Number(row.callsWithCost) > 0 ? { meanCost: row.totalCost / Number(row.callsWithCost) } : {}),
      }));
      return { rows: result, totalCost: Number(result.reduce((total, row) => total + row.totalCost, 0).toFixed(12)), currency: 'USD' };
    },

    async policies(range) {
      // Per service and gateway, the policies in force minute by minute; consecutive minutes with
      // the same hash form a period, and each change of hash between periods is a policy change.
      const policyText = column.policy;
      // Periods are to the minute (the rollup's grain) on both kinds of table.
      const sql = readOnly
        ? `SELECT ServiceName AS serviceName, ${gatewayOf} AS gateway, ${column.policyHash} AS hash, any(${policyText}) AS policy,
                  toUnixTimestamp(toStartOfMinute(Timestamp)) * 1000 AS fromMs, fromMs + 59999 AS toMs, count() AS calls
           FROM ${from}
           WHERE ${column.policyHash} != '' AND ${rangeCondition}
           GROUP BY serviceName, gateway, hash, fromMs
           ORDER BY serviceName, gateway, fromMs, hash
           LIMIT 100000`
        : `SELECT ServiceName AS serviceName, if(Gateway = '', 'direct', Gateway) AS gateway, PolicyHash AS hash, any(Policy) AS policy,
                  toUnixTimestamp(Minute) * 1000 AS fromMs, fromMs + 59999 AS toMs, sum(Spans) AS calls
           FROM ${rollup}
           WHERE PolicyHash != '' AND ${minuteRange('Minute')}
           GROUP BY serviceName, gateway, hash, fromMs
           ORDER BY serviceName, gateway, fromMs, hash
           LIMIT 100000`;
      const rows = await query<{ serviceName: string; gateway: string; hash: string; policy: string; fromMs: number | string; toMs: number | string; calls: string }>(sql, rangeParameters(range));
      const seriesMap = new Map<string, PoliciesResponse['series'][number]>();
      const changes: PolicyChange[] = [];
      for (const row of rows) {
        const key = `${row.serviceName}\u0000${row.gateway}`;
        let series = seriesMap.get(key);
        if (!series) seriesMap.set(key, (series = { serviceName: row.serviceName, gateway: row.gateway, periods: [] }));
        const last = series.periods.at(-1);
        const fromMs = Number(row.fromMs);
        const toMs = Number(row.toMs);
        if (last && last.hash === row.hash) {
          last.toMs = Math.max(last.toMs, toMs);
          last.calls += Number(row.calls);
          continue;
        }
        if (last) {
          changes.push({
            serviceName: row.serviceName,
            gateway: row.gateway,
            atMs: fromMs,
            fromHash: last.hash,
            toHash: row.hash,
            fromPolicy: last.policy,
            toPolicy: row.policy,
          });
        }
        series.periods.push({ hash: row.hash, policy: row.policy, fromMs, toMs, calls: Number(row.calls) });
      }
      return { series: [...seriesMap.values()], changes: changes.sort((a, b) => a.atMs - b.atMs) };
    },

    async errors(range) {
      const cacheHit = `SpanAttributes['${ATTRIBUTE.cacheHit}'] = 'true'`;
      const sql = readOnly
        ? `WITH calls AS (${modelCalls(`, ${column.errorSource} AS errorSource, ${cacheHit} AS cacheHit`)})
           SELECT gateway, if(isError, if(errorSource = '', 'not recorded', errorSource), if(cacheHit, 'cache', '')) AS source,
                  countIf(isError) AS errors, countIf(cacheHit) AS cacheHits, count() AS calls
           FROM calls WHERE isError OR cacheHit
           GROUP BY gateway, source ORDER BY gateway, errors DESC, source LIMIT 10000`
        : `WITH calls AS (${rollupCalls})
           SELECT gateway, if(IsError = 1, if(ErrorSource = '', 'not recorded', ErrorSource), if(CacheHit = 1, 'cache', '')) AS source,
                  sumIf(n, IsError = 1) AS errors, sumIf(n, CacheHit = 1) AS cacheHits, sum(n) AS calls
           FROM calls WHERE IsError = 1 OR CacheHit = 1
           GROUP BY gateway, source HAVING calls > 0 ORDER BY gateway, errors DESC, source LIMIT 10000`;
      const rows = await query<{ gateway: string; source: string; errors: string; cacheHits: string; calls: string }>(sql, rangeParameters(range));
      return { rows: rows.map((row) => ({ gateway: row.gateway, source: row.source, errors: Number(row.errors), cacheHits: Number(row.cacheHits), calls: Number(row.calls) })) };
    },

    async gatewayDisagreements(range, limit) {
      // The gateway's spans (marked at ingest; on a Collector table: spans of another service
      // nested under a model call) joined to the client model call they hang under. The gateway's
      // upstream is the one its latest successful span names.
      const gatewayUpstream = `multiIf(SpanAttributes['${ATTRIBUTE.upstream}'] != '', SpanAttributes['${ATTRIBUTE.upstream}'], SpanAttributes['${ATTRIBUTE.providerName}'] != '', SpanAttributes['${ATTRIBUTE.providerName}'], SpanAttributes['${ATTRIBUTE.system}'])`;
      const traceCondition = range.traceId ? 'AND TraceId = {traceId:String}' : '';
      const gatewaySpans = readOnly
        ? `SELECT g.TraceId AS TraceId, g.ParentSpanId AS clientSpanId, g.Timestamp AS Timestamp, g.ServiceName AS gatewayService,
                  ${gatewayUpstream.replaceAll('SpanAttributes', 'g.SpanAttributes')} AS gatewayUpstream, g.StatusCode AS StatusCode
           FROM ${from} AS g INNER JOIN (SELECT TraceId, SpanId, ServiceName FROM ${from} WHERE ${isModelCall} AND ${rangeCondition} ${traceCondition}) AS c
             ON g.TraceId = c.TraceId AND g.ParentSpanId = c.SpanId
           WHERE g.ServiceName != c.ServiceName AND ${rangeOn('g.Timestamp')}`
        : // The gateway's side comes from the marks table alone (a few rows per joined call).
          `SELECT TraceId, ParentSpanId AS clientSpanId, Timestamp, ServiceName AS gatewayService, NamedUpstream AS gatewayUpstream,
                  if(IsError = 1, 'STATUS_CODE_ERROR', 'STATUS_CODE_UNSET') AS StatusCode
           FROM ${marks} FINAL
           WHERE Mark = 'gateway' ${traceCondition}
             AND cityHash64(TraceId, ParentSpanId) NOT IN (SELECT SpanKey FROM ${marks} WHERE Mark = 'gateway' ${traceCondition})
             AND ${rangeCondition}`;
      // Gateways spell upstreams their own way ("Together", "Amazon Bedrock"): the names seen are
      // normalized with the conventions' tables and passed to the detection query.
      const names = await query<{ gatewayService: string; gatewayUpstream: string }>(
        `SELECT DISTINCT gatewayService, gatewayUpstream FROM (${gatewaySpans}) WHERE gatewayUpstream != '' LIMIT 1000`,
        { ...rangeParameters(range), ...(range.traceId ? { traceId: range.traceId } : {}) },
      );
      const rawNames = names.map((name) => name.gatewayUpstream);
      const ids = names.map((name) => normalizeProvider(name.gatewayUpstream, providerNameSource(name.gatewayService)) || name.gatewayUpstream.toLowerCase());
      const parameters = { ...rangeParameters(range), ...(range.traceId ? { traceId: range.traceId } : {}), rawNames, ids, limit };
      // On the viewer's table both sides come from the marks table: the client call was known when
      // its gateway spans were marked. On a Collector table the client side is joined from the spans.
      const joinedSql = readOnly
        ? `WITH gatewaySide AS (
                SELECT TraceId, clientSpanId, count() AS gatewaySpans,
                       argMaxIf(gatewayUpstream, Timestamp, gatewayUpstream != '' AND StatusCode NOT IN ('STATUS_CODE_ERROR', 'Error')) AS gatewayUpstream
                FROM (${gatewaySpans}) GROUP BY TraceId, clientSpanId),
              clientSide AS (
                SELECT TraceId, SpanId, Timestamp, ${gatewayOf} AS gateway, ${column.upstream} AS clientUpstream FROM ${from}
                WHERE ${isModelCall} AND ${rangeCondition} ${traceCondition} AND ${column.spanKey} IN (SELECT cityHash64(TraceId, clientSpanId) FROM gatewaySide))
           SELECT clientSide.TraceId AS traceId, clientSide.SpanId AS spanId, ${nanosToMs('clientSide.Timestamp')} AS startMs, clientSide.gateway AS gateway,
                  clientSide.clientUpstream AS clientUpstream, gatewaySide.gatewayUpstream AS gatewayUpstream, gatewaySide.gatewaySpans AS gatewaySpans
           FROM clientSide INNER JOIN gatewaySide ON gatewaySide.TraceId = clientSide.TraceId AND gatewaySide.clientSpanId = clientSide.SpanId`
        : `SELECT TraceId AS traceId, ClientSpanId AS spanId, any(ClientStartMs) AS startMs, if(any(ClientGateway) = '', 'direct', any(ClientGateway)) AS gateway,
                  any(ClientUpstream) AS clientUpstream, count() AS gatewaySpans,
                  argMaxIf(gatewayUpstream, Timestamp, gatewayUpstream != '' AND StatusCode NOT IN ('STATUS_CODE_ERROR', 'Error')) AS gatewayUpstream
           FROM (SELECT TraceId, ClientSpanId, ClientStartMs, ClientGateway, ClientUpstream, Timestamp, gatewayUpstream, StatusCode
                 FROM (${gatewaySpans.replace('SELECT TraceId, ParentSpanId AS clientSpanId,', 'SELECT TraceId, ParentSpanId AS clientSpanId, ClientSpanId, ClientStartMs, ClientGateway, ClientUpstream,')}))
           WHERE ClientSpanId != ''
           GROUP BY TraceId, ClientSpanId`;
      const rows = await query<{ traceId: string; spanId: string; startMs: number; gateway: string; clientUpstream: string; gatewayUpstream: string; gatewayUpstreamId: string; gatewaySpans: string; joined: string }>(
        `WITH joined AS (${joinedSql})
         SELECT *, transform(gatewayUpstream, {rawNames:Array(String)}, {ids:Array(String)}, lower(gatewayUpstream)) AS gatewayUpstreamId, count() OVER () AS joined
         FROM joined
         ORDER BY (clientUpstream != '' AND gatewayUpstream != '' AND clientUpstream != gatewayUpstreamId) DESC, startMs, traceId
         LIMIT {limit:UInt32}`,
        parameters,
      );
      const disagreements = rows
        .filter((row) => row.clientUpstream !== '' && row.gatewayUpstream !== '' && row.clientUpstream !== row.gatewayUpstreamId)
        .map((row) => ({
          traceId: row.traceId,
          spanId: row.spanId,
          startMs: Math.round(Number(row.startMs) * 1000) / 1000,
          gateway: row.gateway,
          clientUpstream: row.clientUpstream,
          gatewayUpstream: row.gatewayUpstream,
          gatewayUpstreamId: row.gatewayUpstreamId,
          gatewaySpans: Number(row.gatewaySpans),
        }));
      return { joinedCalls: rows.length ? Number(rows[0]!.joined) : 0, disagreements };
    },

    async clear() {
      if (readOnly) throw new Error('the store is read-only (a Collector-filled table)');
      await engine.command(`TRUNCATE TABLE ${from}`);
      await engine.command(`TRUNCATE TABLE ${marks}`);
      await engine.command(`TRUNCATE TABLE ${rollup}`);
      await engine.command(`TRUNCATE TABLE ${evals}`);
      version += 1;
    },

    close: () => engine.close(),
  };
  return store;
}
