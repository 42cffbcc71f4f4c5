// The `--clickhouse` code path (queries, parameters, inserts and DDL through @clickhouse/client),
// run against chdb through its @clickhouse/client Connection (`chdb/connection`), since no
// ClickHouse server runs here. The same views must answer as on the embedded engine.
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { analyzeStore } from '../report/report';
import { generateSyntheticSpans } from '../synthetic';
import { createServerEngine } from './engine';
import { spanRow } from './rows';
import { createTracesTableSql } from './schema';
import { openTraceStore } from './trace-store';

const directory = mkdtempSync(join(tmpdir(), 'servedby-server-engine-'));
const { createChdbConnection } = createRequire(import.meta.url)('chdb/connection') as { createChdbConnection(options: { path: string }): unknown };
afterAll(() => rmSync(directory, { recursive: true, force: true }));

describe('the store through @clickhouse/client', () => {
  it('creates its table, stores spans and answers every view; reads a Collector table read-only', async () => {
    const engine = await createServerEngine({ url: 'http://127.0.0.1:8123', connection: createChdbConnection({ path: directory }) });
    try {
      const spans = generateSyntheticSpans({ traces: 2_000, endMs: Date.UTC(2026, 11, 5) });
      const own = await openTraceStore({ engine, database: 'server_own' });
      expect(own.readOnly).toBe(false);
      await own.insert(spans);
      const report = await analyzeStore(own);
      expect(report.summary.spans).toBe(spans.length);
      expect(report.drift.series.find((series) => series.gateway === 'openrouter')!.verdict).toBe('changed');
      expect(report.policies.changes).toHaveLength(1);
      expect(report.gatewaySpans.joinedCalls).toBeGreaterThan(0);

      await engine.command('CREATE DATABASE IF NOT EXISTS server_collector');
      await engine.command(createTracesTableSql({ database: 'server_collector', table: 'otel_traces', materialized: false }));
      await engine.insertJsonLines('server_collector.otel_traces', Buffer.from(`${spans.map(spanRow).join('\n')}\n`));
      const collector = await openTraceStore({ engine, database: 'server_collector' });
      expect(collector.readOnly).toBe(true);
      const collectorReport = await analyzeStore(collector);
      expect(collectorReport.drift).toEqual(report.drift);
      expect(collectorReport.cost).toEqual(report.cost);
      expect(collectorReport.evaluation).toEqual(report.evaluation);
    } finally {
      await engine.close();
    }
  });
});
