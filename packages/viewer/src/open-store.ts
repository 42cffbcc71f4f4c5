import { createEmbeddedEngine, createServerEngine, type SqlEngine } from './store/engine';
import { openTraceStore, type TraceStore } from './store/trace-store';

/** Where the viewer keeps its spans. */
export interface StoreLocation {
  /** Directory of the embedded engine (ignored with `clickhouse`). */
  directory?: string;
  /** URL of a ClickHouse server (`http://host:8123`); credentials from `CLICKHOUSE_USER` / `CLICKHOUSE_PASSWORD`. */
  clickhouse?: string;
  database?: string;
  table?: string;
  /** Retention in seconds (TTL on the table). */
  retainSeconds?: number;
}

/** Parses a retention like `7d`, `24h`, `90m`, `3600s` or `2w` into seconds. */
export function parseDuration(text: string): number {
  const match = /^(\d{1,9})\s*(s|m|h|d|w)$/i.exec(text.trim());
  if (!match) throw new Error(`"${text}" is not a duration: use e.g. 30m, 24h, 7d, 2w`);
  const factor = { s: 1, m: 60, h: 3_600, d: 86_400, w: 604_800 }[match[2]!.toLowerCase() as 's']!;
  const seconds = Number(match[1]) * factor;
  if (seconds < 60) throw new Error('retention must be at least 1 minute');
  return seconds;
}

/** Opens the store: the embedded engine in a directory by default, a ClickHouse server with `clickhouse`. */
export async function openStore(location: StoreLocation): Promise<TraceStore> {
  let engine: SqlEngine;
  if (location.clickhouse) {
    engine = await createServerEngine({ url: location.clickhouse, ...(location.database ? { database: location.database } : {}) });
  } else {
    engine = createEmbeddedEngine(location.directory ?? '.servedby-viewer');
  }
  try {
    return await openTraceStore({
      engine,
      database: location.database ?? process.env.CLICKHOUSE_DATABASE ?? 'otel',
      ...(location.table ? { table: location.table } : {}),
      ...(location.retainSeconds ? { retainSeconds: location.retainSeconds } : {}),
    });
  } catch (error) {
    await engine.close();
    throw error;
  }
}
