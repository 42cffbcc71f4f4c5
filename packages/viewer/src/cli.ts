#!/usr/bin/env node
// `servedby-viewer`: an OTLP/HTTP receiver and the routing views over ClickHouse.
import { parseArgs } from 'node:util';
import { openStore, parseDuration } from './open-store';
import { startViewerServer } from './server/server';
import { EmbeddedEngineUnavailableError } from './store/engine';

const usage = `servedby-viewer: an OTLP/HTTP trace receiver with routing topology, upstream drift, eval,
cost and routing-policy views, over ClickHouse.

  servedby-viewer [options]
    --port <port>          listen port (default 4318, the OTLP/HTTP port)
    --host <host>          interface (default 127.0.0.1; the viewer has no authentication)
    --store <dir>          data directory of the embedded engine (default ./.servedby-viewer)
    --clickhouse <url>     use a ClickHouse server instead (http://host:8123); CLICKHOUSE_USER and
                           CLICKHOUSE_PASSWORD give the credentials. A table the OpenTelemetry
                           Collector's ClickHouse exporter fills is read, never written.
    --database <name>      database (default otel, or CLICKHOUSE_DATABASE)
    --table <name>         traces table (default otel_traces)
    --retain <duration>    drop spans older than this (e.g. 7d, 24h)

  Point any app at it: OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318`;

let values;
try {
  ({ values } = parseArgs({
    args: process.argv.slice(2).filter((argument) => argument !== '--'),
    options: {
      port: { type: 'string', default: '4318' },
      host: { type: 'string', default: '127.0.0.1' },
      store: { type: 'string' },
      clickhouse: { type: 'string' },
      database: { type: 'string' },
      table: { type: 'string' },
      retain: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  }));
} catch (error) {
  console.error(`${(error as Error).message}\n\n${usage}`);
  process.exit(2);
}
if (values.help) {
  console.log(usage);
  process.exit(0);
}
const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`--port must be a port number, not "${values.port}"`);
  process.exit(2);
}

try {
  const store = await openStore({
    ...(values.store ? { directory: values.store } : {}),
    ...(values.clickhouse ? { clickhouse: values.clickhouse } : {}),
    ...(values.database ? { database: values.database } : {}),
    ...(values.table ? { table: values.table } : {}),
    ...(values.retain ? { retainSeconds: parseDuration(values.retain) } : {}),
  });
  const viewer = await startViewerServer({ store, port, host: values.host });
  const summary = await store.summary();
  console.log(`servedby viewer on ${viewer.url}  (${summary.spans.toLocaleString('en')} spans; ${store.description})`);
  if (!store.readOnly) console.log(`  OTLP/HTTP receiver: ${viewer.url}/v1/traces`);
  const stop = async () => {
    setTimeout(() => process.exit(0), 2_000).unref();
    await viewer.close();
    await store.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
} catch (error) {
  if (error instanceof EmbeddedEngineUnavailableError) {
    console.error(`servedby-viewer: ${error.message}`);
    process.exit(1);
  }
  console.error(`servedby-viewer: ${(error as Error).message}`);
  process.exit(1);
}
