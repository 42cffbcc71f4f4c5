import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, startViewerServer, type TraceStore, type ViewerServer } from '@servedby/viewer';

/** Options of {@link startViewer}. */
export interface ViewerOptions {
  /** Port to listen on; 0 picks a free one. Default 4318 (the OTLP/HTTP port). */
  port?: number;
  /** Interface to bind; loopback by default, the viewer has no authentication. */
  host?: string;
  /** Data directory of the embedded engine; a temporary one (deleted on close) by default. */
  store?: string;
  /** Database inside it (the demo keeps its day in `demo`). */
  database?: string;
  /** Start from an empty table (a demo run replaces the previous day). */
  clear?: boolean;
}

/** A running viewer: the @servedby/viewer server over its store. */
export interface Viewer extends ViewerServer {
  store: TraceStore;
}

/**
 * Starts the servedby viewer (`@servedby/viewer`, the same code as the `servedby-viewer` bin)
 * for the demo: an OTLP/HTTP receiver over ClickHouse (embedded chdb) with the pages and API.
 */
export async function startViewer(options: ViewerOptions = {}): Promise<Viewer> {
  const temporary = options.store ? undefined : mkdtempSync(join(tmpdir(), 'servedby-viewer-'));
  const store = await openStore({ directory: options.store ?? temporary!, database: options.database ?? 'demo' });
  if (options.clear) await store.clear();
  let server: ViewerServer;
  try {
    server = await startViewerServer({ store, port: options.port ?? 4318, host: options.host ?? '127.0.0.1' });
  } catch (error) {
    await store.close();
    if (temporary) rmSync(temporary, { recursive: true, force: true });
    throw error;
  }
  return {
    ...server,
    store,
    async close() {
      await server.close();
      await store.close();
      if (temporary) rmSync(temporary, { recursive: true, force: true });
    },
  };
}
