// The ClickHouse queries of docs/backends.md, run on ClickHouse's embedded engine (chdb) against the
// `otel_traces` table exactly as the Collector's ClickHouse exporter creates it (its DDL, from
// @servedby/viewer, which cites the exporter's source) and rows in the exporter's shape: hex ids,
// `SPAN_KIND_CLIENT`, every attribute value a string, arrays as JSON text.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEmbeddedEngine, createTracesTableSql, type SqlEngine } from '@servedby/viewer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** The statement between `-- #region name` and `-- #endregion` in clickhouse.sql. */
function query(name: string): string {
  const text = readFileSync(new URL('./clickhouse.sql', import.meta.url), 'utf8');
  const match = new RegExp(`-- #region ${name}\\n([\\s\\S]*?)-- #endregion`).exec(text);
  if (!match) throw new Error(`no region ${name} in clickhouse.sql`);
  return match[1]!.trim().replace(/;$/, '');
}

interface SpanRow {
  hoursAgo: number;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  attributes: Record<string, string>;
  events?: Array<{ name: string; attributes: Record<string, string> }>;
}

const hex = (prefix: string, index: number, length: number) => `${prefix}${index.toString(16)}`.padStart(length, '0');
const quote = (value: string) => `'${value.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;
const map = (record: Record<string, string>) => `map(${Object.entries(record).flatMap(([key, value]) => [quote(key), quote(value)]).join(', ') || ''})`;

let nextTrace = 1;
let nextSpan = 1;
const rows: SpanRow[] = [];

/** One model call, its own trace unless `traceId` is given. */
function call(hoursAgo: number, gateway: string, model: string, upstream: string | undefined, extra: Partial<SpanRow> = {}): SpanRow {
  const row: SpanRow = {
    hoursAgo,
    traceId: hex('a', nextTrace++, 32),
    spanId: hex('b', nextSpan++, 16),
    name: `chat ${model}`,
    attributes: {
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': gateway,
      'gen_ai.route.gateway': gateway,
      'gen_ai.request.model': model,
      ...(upstream ? { 'gen_ai.route.upstream': upstream, 'gen_ai.route.path': JSON.stringify([gateway, upstream]) } : {}),
    },
    ...extra,
  };
  rows.push(row);
  return row;
}

/** An eval item: a root span with the score, the scored agent run below it, its model calls below that. */
function evalItem(hoursAgo: number, score: number, upstreams: string[]): void {
  const traceId = hex('e', nextTrace++, 32);
  const evalSpanId = hex('c', nextSpan++, 16);
  const agentSpanId = hex('d', nextSpan++, 16);
  rows.push({
    hoursAgo, traceId, spanId: evalSpanId, name: 'eval support-answer',
    attributes: { 'gen_ai.evaluation.name': 'support-answer', 'gen_ai.evaluation.score.value': String(score) },
  });
  rows.push({
    hoursAgo, traceId, spanId: agentSpanId, parentSpanId: evalSpanId, name: 'invoke_agent support',
    attributes: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.route.upstreams': JSON.stringify(upstreams) },
  });
  for (const upstream of upstreams) {
    call(hoursAgo, 'openrouter', 'anthropic/claude-haiku-4.5', upstream, { traceId, parentSpanId: agentSpanId });
  }
}

const SONNET = 'anthropic/claude-sonnet-4.5';

// The week before: OpenRouter serves Sonnet from Anthropic, 5 % from Amazon Bedrock.
for (let index = 0; index < 38; index += 1) call(30 + index * 3, 'openrouter', SONNET, 'anthropic');
for (let index = 0; index < 2; index += 1) call(40 + index * 10, 'openrouter', SONNET, 'amazon-bedrock');
for (let index = 0; index < 10; index += 1) call(30 + index * 5, 'litellm', 'gpt-4o', 'azure.ai.openai');
// The last day: Together appears (a change), Bedrock keeps its 5 % share (no change), one call
// revealed no upstream, a model with no baseline (never "changed"), LiteLLM as before.
const judgedByAnthropic = call(2, 'openrouter', SONNET, 'anthropic', {
  events: [{ name: 'gen_ai.evaluation.result', attributes: { 'gen_ai.evaluation.name': 'faithfulness', 'gen_ai.evaluation.score.value': '1' } }],
});
for (let index = 0; index < 5; index += 1) call(3 + index, 'openrouter', SONNET, 'anthropic');
const together = [0, 1, 2, 3].map((index) =>
  call(10 + index, 'openrouter', SONNET, 'together', index === 0
    ? { events: [{ name: 'gen_ai.evaluation.result', attributes: { 'gen_ai.evaluation.name': 'faithfulness', 'gen_ai.evaluation.score.value': '0' } }] }
    : {}),
);
call(12, 'openrouter', SONNET, 'amazon-bedrock');
call(13, 'openrouter', SONNET, undefined);
call(5, 'openrouter', 'openai/gpt-5', 'openai');
for (let index = 0; index < 3; index += 1) call(4 + index, 'litellm', 'gpt-4o', 'azure.ai.openai');
evalItem(6, 0.9, ['anthropic']);
evalItem(7, 0.8, ['anthropic']);
evalItem(8, 0.4, ['together']);
evalItem(9, 0.5, ['anthropic', 'together']);

function insertSql(row: SpanRow): string {
  const events = row.events ?? [];
  return `(now64(9) - toIntervalSecond(${Math.round(row.hoursAgo * 3600)}), ${quote(row.traceId)}, ${quote(row.spanId)}, ${quote(row.parentSpanId ?? '')}, '', ${quote(row.name)}, 'SPAN_KIND_CLIENT', 'support-agent', map('service.name', 'support-agent'), '@servedby/examples', '0.0.0', ${map(row.attributes)}, 1200000000, 'STATUS_CODE_UNSET', '', [${events.map(() => `now64(9) - toIntervalSecond(${Math.round(row.hoursAgo * 3600)})`).join(', ')}], [${events.map((event) => quote(event.name)).join(', ')}], [${events.map((event) => map(event.attributes)).join(', ')}], [], [], [], [])`;
}

let directory: string;
let engine: SqlEngine;

beforeAll(async () => {
  directory = mkdtempSync(join(tmpdir(), 'servedby-clickhouse-'));
  engine = createEmbeddedEngine(directory);
  await engine.command('CREATE DATABASE IF NOT EXISTS otel');
  await engine.command(createTracesTableSql({ database: 'otel', table: 'otel_traces', materialized: false }));
  await engine.command(
    'INSERT INTO otel.otel_traces (Timestamp, TraceId, SpanId, ParentSpanId, TraceState, SpanName, SpanKind, ServiceName, ResourceAttributes, ScopeName, ScopeVersion, SpanAttributes, Duration, StatusCode, StatusMessage, `Events.Timestamp`, `Events.Name`, `Events.Attributes`, `Links.TraceId`, `Links.SpanId`, `Links.TraceState`, `Links.Attributes`) VALUES ' +
      rows.map(insertSql).join(',\n'),
  );
}, 60_000);

afterAll(async () => {
  await engine?.close();
  if (directory) rmSync(directory, { recursive: true, force: true });
});

describe('docs/backends.md ClickHouse queries on chdb with the Collector exporter schema', () => {
  it('the table holds what was inserted', async () => {
    const [count] = await engine.query<{ spans: string }>('SELECT count() AS spans FROM otel.otel_traces');
    expect(Number(count!.spans)).toBe(rows.length);
  });

  it('calls by upstream: the last day per gateway and model, with shares', async () => {
    const result = await engine.query<{ gateway: string; model: string; upstream: string; calls: string; share: number }>(query('calls-by-upstream'));
    const sonnet = result.filter((row) => row.gateway === 'openrouter' && row.model === SONNET);
    expect(sonnet.map((row) => [row.upstream, Number(row.calls), row.share])).toEqual([
      ['anthropic', 6, 0.5],
      ['together', 4, 0.333],
      // Equal counts: ClickHouse orders ties as it likes, so compare as a set below.
      ...sonnet.slice(2).map((row) => [row.upstream, Number(row.calls), row.share]),
    ]);
    expect(new Set(sonnet.slice(2).map((row) => `${row.upstream}:${row.calls}:${row.share}`))).toEqual(new Set(['amazon-bedrock:1:0.083', ':1:0.083']));
    expect(result.find((row) => row.gateway === 'litellm')).toMatchObject({ upstream: 'azure.ai.openai', share: 1 });
    expect(Number(result.find((row) => row.gateway === 'litellm')!.calls)).toBe(3);
    // The week before is outside the window.
    expect(result.reduce((sum, row) => sum + Number(row.calls), 0)).toBe(12 + 1 + 3 + 5);
  });

  it('upstream changed: exactly the traces served by Together, new against the week before', async () => {
    const result = await engine.query<{ trace_id: string; upstream: string; baseline_share: number }>(query('upstream-changed'));
    expect(result.map((row) => row.trace_id).sort()).toEqual(together.map((row) => row.traceId).sort());
    expect(result.every((row) => row.upstream === 'together' && row.baseline_share === 0)).toBe(true);
  });

  it('eval score by upstream: the mean of the items whose scored run used each upstream set', async () => {
    const result = await engine.query<{ upstreams: string; mean_score: number; items: string }>(query('eval-by-upstream'));
    expect(result.map((row) => [row.upstreams, row.mean_score, Number(row.items)])).toEqual([
      ['together', 0.4, 1],
      ['anthropic+together', 0.5, 1],
      ['anthropic', 0.85, 2],
    ]);
  });

  it('eval score by upstream from gen_ai.evaluation.result events', async () => {
    const result = await engine.query<{ upstream: string; evaluation: string; mean_score: number; results: string }>(query('eval-events-by-upstream'));
    expect(result.map((row) => [row.upstream, row.evaluation, row.mean_score, Number(row.results)])).toEqual([
      ['together', 'faithfulness', 0, 1],
      ['anthropic', 'faithfulness', 1, 1],
    ]);
    expect(judgedByAnthropic.events).toHaveLength(1);
  });
});
