import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { Readable } from 'node:stream';

/** Query parameters bound server-side (`{name:Type}` placeholders), never spliced into SQL text. */
export type QueryParameters = Record<string, string | number | boolean | readonly string[] | readonly number[]>;

/**
 * The one thing that varies between the embedded engine and a ClickHouse server: how SQL is sent.
 * Every view is written once against this interface.
 */
export interface SqlEngine {
  /** Where the data lives, for messages (`embedded /path`, `http://host:8123`). */
  readonly description: string;
  /** Runs a SELECT and returns its rows (JSONEachRow: 64-bit integers come back as strings). */
  query<Row>(sql: string, parameters?: QueryParameters): Promise<Row[]>;
  /** Runs a statement without a result (DDL, INSERT … SELECT). */
  command(sql: string): Promise<void>;
  /**
   * Inserts rows already encoded as JSON lines into `database.table` (plain, validated names):
   * JSONEachRow objects, or JSONCompactEachRow arrays in the order of `columns`.
   */
  insertJsonLines(table: string, lines: Buffer, compactColumns?: readonly string[]): Promise<void>;
  close(): Promise<void>;
}

/** Thrown where chdb does not ship (Windows, musl): the CLI prints its message and points to --clickhouse. */
export class EmbeddedEngineUnavailableError extends Error {
  override readonly name = 'EmbeddedEngineUnavailableError';
}

interface ChdbResult {
  text(): string;
}
interface ChdbSession {
  queryAsync(query: string, options?: { format?: string }): Promise<ChdbResult>;
  queryBindAsync(query: string, parameters: object, options?: { format?: string }): Promise<ChdbResult>;
  insert(parameters: { table: string; values: Buffer; format: 'JSONEachRow' | 'JSONCompactEachRow'; columns?: readonly string[] }): Promise<unknown>;
  close(): void;
}
interface ChdbModule {
  Session: new (path?: string, options?: { installSignalHandlers?: boolean; connectionArgs?: readonly string[] }) => ChdbSession;
}

function parseRows<Row>(text: string): Row[] {
  const rows: Row[] = [];
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    if (end > start) rows.push(JSON.parse(text.slice(start, end)) as Row);
    start = end + 1;
  }
  return rows;
}

function loadChdb(): ChdbModule {
  if (process.platform === 'win32') {
    throw new EmbeddedEngineUnavailableError(
      'the embedded ClickHouse engine (chdb) does not ship for Windows: run the viewer in WSL2, or point it at a ClickHouse server with --clickhouse <url>',
    );
  }
  try {
    return createRequire(import.meta.url)('chdb') as ChdbModule;
  } catch (error) {
    throw new EmbeddedEngineUnavailableError(
      `the embedded ClickHouse engine (chdb) cannot load on ${process.platform}-${process.arch} (${(error as Error).message.split('\n')[0]}): point the viewer at a ClickHouse server with --clickhouse <url>`,
    );
  }
}

// chdb allows one data directory per process; every store in this process shares that session
// (tests and the demo use separate databases inside it).
let shared: { path: string; session: ChdbSession; users: number } | undefined;

/** Options of {@link createEmbeddedEngine}. */
export interface EmbeddedEngineOptions {
  /**
   * Memory the engine may use, bytes (default 1 GiB, or `SERVEDBY_VIEWER_ENGINE_MEMORY`): a query
   * past it fails with MEMORY_LIMIT_EXCEEDED instead of growing the process. The engine's own
   * defaults (90% of RAM, 5 GiB caches) suit a database server, not a viewer beside an app.
   */
  maxMemoryBytes?: number;
}

/**
 * The embedded engine: chdb (ClickHouse in-process) with its data in `directory`, which survives
 * restarts. Queries run off the event loop (`queryAsync`). One directory per process.
 */
export function createEmbeddedEngine(directory: string, options: EmbeddedEngineOptions = {}): SqlEngine {
  const path = resolve(directory);
  if (shared && shared.path !== path) {
    throw new Error(`the embedded engine already uses ${shared.path} in this process; chdb allows one data directory per process`);
  }
  if (!shared) {
    const chdb = loadChdb();
    mkdirSync(path, { recursive: true });
    // The viewer installs its own SIGINT/SIGTERM handlers and closes the store itself.
    const maxMemory = Math.floor(options.maxMemoryBytes ?? (Number(process.env.SERVEDBY_VIEWER_ENGINE_MEMORY) || 1024 ** 3));
    const cache = Math.max(16 * 1024 ** 2, Math.floor(maxMemory / 8));
    const connectionArgs = [
      `--max_server_memory_usage=${maxMemory}`,
      `--mark_cache_size=${cache}`,
      `--primary_index_cache_size=${cache}`,
      `--index_mark_cache_size=${Math.floor(cache / 2)}`,
    ];
    shared = { path, session: new chdb.Session(path, { installSignalHandlers: false, connectionArgs }), users: 0 };
  }
  shared.users += 1;
  const session = shared.session;
  let closed = false;
  return {
    description: `embedded ClickHouse (chdb) in ${path}`,
    async query<Row>(sql: string, parameters?: QueryParameters) {
      const result = parameters
        ? await session.queryBindAsync(sql, parameters, { format: 'JSONEachRow' })
        : await session.queryAsync(sql, { format: 'JSONEachRow' });
      return parseRows<Row>(result.text());
    },
    async command(sql) {
      await session.queryAsync(sql);
    },
    async insertJsonLines(table, lines, compactColumns) {
      if (lines.length === 0) return;
      await session.insert(
        compactColumns ? { table, values: lines, format: 'JSONCompactEachRow', columns: compactColumns } : { table, values: lines, format: 'JSONEachRow' },
      );
    },
    async close() {
      if (closed) return;
      closed = true;
      if (shared && shared.session === session && --shared.users === 0) {
        shared = undefined;
        session.close();
      }
    },
  };
}

/** Connection settings of a ClickHouse server. */
export interface ServerEngineOptions {
  url: string;
  username?: string;
  password?: string;
  database?: string;
  /**
   * A `@clickhouse/client` Connection to use instead of HTTP (tests run this code path against
   * chdb's `createChdbConnection`).
   */
  connection?: unknown;
}

/**
 * A ClickHouse server or cluster through `@clickhouse/client` (HTTP). Credentials default to the
 * standard variables `CLICKHOUSE_USER` (or `CLICKHOUSE_USERNAME`) and `CLICKHOUSE_PASSWORD`.
 */
export async function createServerEngine(options: ServerEngineOptions): Promise<SqlEngine> {
  const { createClient } = await import('@clickhouse/client');
  const username = options.username ?? process.env.CLICKHOUSE_USER ?? process.env.CLICKHOUSE_USERNAME;
  const password = options.password ?? process.env.CLICKHOUSE_PASSWORD;
  const client = createClient({
    url: options.url,
    ...(username ? { username } : {}),
    ...(password ? { password } : {}),
    ...(options.database ? { database: options.database } : {}),
    ...(options.connection ? { connection: options.connection as never } : {}),
    clickhouse_settings: { output_format_json_quote_64bit_integers: 1 },
  });
  const redacted = new URL(options.url);
  redacted.username = '';
  redacted.password = '';
  return {
    description: `ClickHouse server ${redacted.origin}`,
    async query<Row>(sql: string, parameters?: QueryParameters) {
      const result = await client.query({ query: sql, format: 'JSONEachRow', ...(parameters ? { query_params: parameters } : {}) });
      return (await result.json()) as Row[];
    },
    async command(sql) {
      await client.command({ query: sql });
    },
    async insertJsonLines(table, lines, compactColumns) {
      if (lines.length === 0) return;
      const target = compactColumns ? `${table} (${compactColumns.map((column) => `\`${column}\``).join(', ')}) FORMAT JSONCompactEachRow` : `${table} FORMAT JSONEachRow`;
      const result = await client.exec({ query: `INSERT INTO ${target}`, values: Readable.from([lines]) });
      result.stream.destroy();
    },
    close: () => client.close(),
  };
}
