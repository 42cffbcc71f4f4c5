import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ApiError, FilterError, SummaryResponse, TraceResponse } from '../api-types';
import { parseFilter, type AttributeFilter } from '../filter';
import { UndecodableRequestError } from '../otlp/decode-json';
import type { SpanMark } from '../store/marks';
import type { TimeRange, TraceStore } from '../store/trace-store';
import { createViews, InvalidParameterError } from '../views';
import { BodyError, readBody } from './body';
import { createIngestDecoder } from './ingest-pool';
import { exportResponse } from './otlp-response';

/** Options of {@link startViewerServer}. */
export interface ViewerServerOptions {
  store: TraceStore;
  /** Port to listen on; 0 picks a free one. Default 4318 (the OTLP/HTTP port). */
  port?: number;
  /** Interface to bind; loopback by default: the viewer has no authentication. */
  host?: string;
  /** Largest request body on the wire, bytes (default 16 MiB). */
  maxWireBytes?: number;
  /** Largest request body after decompression, bytes (default 32 MiB). */
  maxBodyBytes?: number;
  /** Export requests being read or decoded before new ones get 503 (default 8). */
  maxPendingRequests?: number;
  /** Spans decoded and waiting for the engine before new requests get 503 (default 200,000). */
  maxQueuedSpans?: number;
  /**
   * Group commit: an insert waits for this many queued spans (default 16,384) or for
   * {@link insertLingerMs}, whichever comes first. Every insert has a fixed cost (a new part, the
   * rollups): inserts of 2,048 rows run at about half the rows per second of 16,384-row ones
   * (`bench/ingest-parts.mts`). Larger batches did not raise the end-to-end rate measurably and
   * hold the engine longer (it runs one statement at a time, so queries wait for an insert).
   */
  insertBatchSpans?: number;
  /** How long queued spans may wait for a fuller insert, ms (default 100; 0 inserts whatever is queued). */
  insertLingerMs?: number;
}

/** A running viewer server. */
export interface ViewerServer {
  url: string;
  port: number;
  store: TraceStore;
  /** Resolves when every accepted span is in the store (rejects if an insert failed since the last flush). */
  flush(): Promise<void>;
  close(): Promise<void>;
}

const PAGES = ['traces', 'topology', 'drift', 'eval', 'cost'] as const;
const TRACE_ID = /^[0-9a-f]{32}$/;
const FAR_FUTURE_MS = 8_000_000_000_000;

/** Finds this package's folder, from `src/server` (tests) or `dist` (built). */
function packageRoot(): string {
  let directory = dirname(fileURLToPath(import.meta.url));
  for (let depth = 0; depth < 5; depth += 1) {
    const manifest = join(directory, 'package.json');
    if (existsSync(manifest) && JSON.parse(readFileSync(manifest, 'utf8')).name === '@servedby/viewer') return directory;
    directory = dirname(directory);
  }
  throw new Error('cannot find the @servedby/viewer package folder');
}

/** The pages' script: the build's bundle, or (from source, in development) bundled on first use. */
async function browserBundle(root: string): Promise<string> {
  const built = join(root, 'dist', 'browser', 'viewer.js');
  if (existsSync(built)) return readFile(built, 'utf8');
  const { build } = await import('esbuild');
  const result = await build({
    entryPoints: [join(root, 'src', 'browser', 'main.ts')],
    bundle: true,
    format: 'iife',
    target: 'es2022',
    platform: 'browser',
    write: false,
  });
  return result.outputFiles[0]!.text;
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  });
  response.end(JSON.stringify(body));
}

function sendError(response: ServerResponse, status: number, error: string, extra: Partial<ApiError> = {}): void {
  sendJson(response, status, { error, ...extra } satisfies ApiError);
}

/** Reads an integer parameter within bounds; throws InvalidParameterError otherwise. */
function integerParameter(parameters: URLSearchParams, name: string, bounds: { min: number; max: number }): number | undefined {
  const text = parameters.get(name);
  if (text === null || text === '') return undefined;
  if (!/^-?\d{1,16}$/.test(text)) throw new InvalidParameterError(`${name} must be an integer`);
  const value = Number(text);
  if (value < bounds.min || value > bounds.max) throw new InvalidParameterError(`${name} must be between ${bounds.min} and ${bounds.max}`);
  return value;
}

function rangeParameters(parameters: URLSearchParams): TimeRange {
  const fromMs = integerParameter(parameters, 'from', { min: 0, max: FAR_FUTURE_MS });
  const toMs = integerParameter(parameters, 'to', { min: 1, max: FAR_FUTURE_MS });
  if (fromMs !== undefined && toMs !== undefined && toMs <= fromMs) throw new InvalidParameterError('to must be after from');
  return { ...(fromMs === undefined ? {} : { fromMs }), ...(toMs === undefined ? {} : { toMs }) };
}

/** `application/x-protobuf` or `application/json` (parameters such as charset allowed); else undefined. */
function otlpFormat(contentType: string | undefined): 'json' | 'protobuf' | undefined {
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === 'application/x-protobuf' || type === 'application/protobuf') return 'protobuf';
  if (type === 'application/json') return 'json';
  return undefined;
}

/**
 * Starts the viewer: an OTLP/HTTP trace receiver (`POST /v1/traces`) over a {@link TraceStore},
 * the pages (Traces, Topology, Drift, Eval, Cost) and their JSON API.
 */
export async function startViewerServer(options: ViewerServerOptions): Promise<ViewerServer> {
  const store = options.store;
  const views = createViews(store);
  const root = packageRoot();
  const pageTemplate = await readFile(join(root, 'public', 'page.html'), 'utf8');
  const require = createRequire(import.meta.url);
  const echartsFile = join(dirname(require.resolve('echarts/package.json')), 'dist', 'echarts.min.js');
  let bundle: Promise<string> | undefined;
  const limits = { maxWireBytes: options.maxWireBytes ?? 16 * 1024 * 1024, maxBodyBytes: options.maxBodyBytes ?? 32 * 1024 * 1024 };
  const maxPending = options.maxPendingRequests ?? 8;
  const decoder = createIngestDecoder();
  let metricsAndLogsRequests = 0;
  let pendingRequests = 0;

  // Rows wait in a bounded queue and go to the engine in large batches (every insert writes a new
  // part, a fixed cost that large batches amortize): like the Collector's batch processor, a request is
  // answered once its spans are decoded and queued. A full queue answers 503 + Retry-After, which
  // OTLP exporters honour, so memory stays bounded.
  const maxQueuedRows = options.maxQueuedSpans ?? 200_000;
  const queue: { lines: Uint8Array[]; spans: number; marks: SpanMark[] } = { lines: [], spans: 0, marks: [] };
  const insertBatchSpans = options.insertBatchSpans ?? 16_384;
  const insertLingerMs = options.insertLingerMs ?? 100;
  let draining: Promise<void> | undefined;
  let lastInsertError: Error | undefined;
  // Set while spans linger for a fuller insert: ends the wait early (a full batch, flush, close).
  let endLinger: (() => void) | undefined;
  let flushing = 0;
  function lingerForBatch(): Promise<void> | undefined {
    if (queue.spans >= insertBatchSpans || flushing > 0 || insertLingerMs <= 0) return undefined;
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => endLinger?.(), insertLingerMs);
      endLinger = () => {
        clearTimeout(timer);
        endLinger = undefined;
        resolve();
      };
    });
  }
  function drain(): Promise<void> {
    draining ??= (async () => {
      while (queue.spans > 0) {
        const lingering = lingerForBatch();
        if (lingering) await lingering;
        const lines = queue.lines.splice(0);
        const marks = queue.marks.splice(0);
        const spans = queue.spans;
        queue.spans = 0;
        try {
          await store.insertEncoded(lines.length === 1 ? Buffer.from(lines[0]!.buffer, lines[0]!.byteOffset, lines[0]!.byteLength) : Buffer.concat(lines), spans, marks);
        } catch (error) {
          lastInsertError = error as Error;
          console.error(`servedby viewer: storing ${spans} spans failed: ${(error as Error).message.split('\n')[0]}`);
        }
      }
    })().finally(() => {
      draining = undefined;
    });
    return draining;
  }
  function enqueue(lines: Uint8Array, spans: number, marks: SpanMark[]): void {
    queue.lines.push(lines);
    queue.spans += spans;
    for (const mark of marks) queue.marks.push(mark);
    if (queue.spans >= insertBatchSpans) endLinger?.();
    void drain();
  }

  async function receive(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const format = otlpFormat(request.headers['content-type']);
    if (!format) {
      // Also what stops a cross-site form or `text/plain` fetch from writing spans.
      response.writeHead(415, { 'content-type': 'text/plain', accept: 'application/x-protobuf, application/json', connection: 'close' });
      response.end('unsupported content-type: send application/x-protobuf or application/json');
      request.resume();
      return;
    }
    if (store.readOnly) {
      response.writeHead(405, { 'content-type': 'text/plain', connection: 'close' });
      response.end('this viewer reads a Collector-filled table and does not accept spans');
      request.resume();
      return;
    }
    if (pendingRequests >= maxPending || queue.spans >= maxQueuedRows) {
      // OTLP/HTTP: 503 is retryable; the exporter backs off.
      response.writeHead(503, { 'content-type': 'text/plain', 'retry-after': '1', connection: 'close' });
      response.end('busy: retry later');
      request.resume();
      return;
    }
    pendingRequests += 1;
    try {
      const body = await readBody(request, limits);
      const encoded = await decoder.decode(body, format);
      if (encoded.accepted > 0) enqueue(encoded.lines, encoded.accepted, encoded.marks);
      const message = encoded.rejected ? `${encoded.rejected} span(s) rejected: ${encoded.reasons.join('; ')}` : '';
      response.writeHead(200, { 'content-type': format === 'json' ? 'application/json' : 'application/x-protobuf' });
      response.end(exportResponse(format, encoded.rejected, message));
    } catch (error) {
      if (error instanceof BodyError) {
        response.writeHead(error.status, { 'content-type': 'text/plain', connection: 'close' });
        response.end(error.message);
        // Close once the answer is out: the rest of an oversized body is never read.
        response.on('finish', () => request.socket.destroySoon());
      } else if (error instanceof UndecodableRequestError) {
        response.writeHead(400, { 'content-type': 'text/plain' });
        response.end(`bad OTLP request: ${error.message.slice(0, 300)}`);
      } else throw error;
    } finally {
      pendingRequests -= 1;
    }
  }

  async function api(path: string, parameters: URLSearchParams, response: ServerResponse): Promise<void> {
    if (path === '/api/summary') {
      const summary = (await views.summary()) as Omit<SummaryResponse, 'metricsAndLogsRequests'>;
      return sendJson(response, 200, { ...summary, metricsAndLogsRequests } satisfies SummaryResponse);
    }
    if (path === '/api/traces') {
      const filterTexts = parameters.getAll('filter').filter((text) => text.trim() !== '');
      if (filterTexts.length > 10) throw new InvalidParameterError('at most 10 filters');
      const filters: AttributeFilter[] = [];
      const filterErrors: FilterError[] = [];
      for (const text of filterTexts) {
        const parsed = parseFilter(text);
        if (parsed.ok) filters.push(parsed.filter);
        else filterErrors.push({ filter: text.slice(0, 200), message: parsed.message });
      }
      if (filterErrors.length) return sendError(response, 400, 'invalid filter', { filterErrors });
      const limit = integerParameter(parameters, 'limit', { min: 1, max: 1000 }) ?? 100;
      const offset = integerParameter(parameters, 'offset', { min: 0, max: 1_000_000 }) ?? 0;
      return sendJson(response, 200, await store.traces({ filters, limit, offset }));
    }
    if (path.startsWith('/api/traces/')) {
      let traceId: string;
      try {
        traceId = decodeURIComponent(path.slice('/api/traces/'.length)).toLowerCase();
      } catch {
        throw new InvalidParameterError('the trace id is not valid percent-encoding');
      }
      if (!TRACE_ID.test(traceId)) throw new InvalidParameterError('a trace id is 32 hex characters');
      const trace = await store.trace(traceId);
      if (trace.spans.length === 0) return sendError(response, 404, `no trace ${traceId} in the store`);
      // Only a trace with the gateway's own spans can disagree with them (on a Collector table, whose
      // spans carry no marks, the query always runs).
      const mayDisagree = store.readOnly || trace.spans.some((span) => span.mark === 'gateway');
      const disagreements = mayDisagree ? (await store.gatewayDisagreements({ traceId }, 100)).disagreements : [];
      return sendJson(response, 200, { ...trace, disagreements } satisfies TraceResponse);
    }
    if (path === '/api/attributes') return sendJson(response, 200, await views.attributes());
    if (path === '/api/topology') return sendJson(response, 200, await views.topology(rangeParameters(parameters)));
    if (path === '/api/drift') {
      const range = rangeParameters(parameters);
      const bucketMs = integerParameter(parameters, 'bucket', { min: 1_000, max: 365 * 86_400_000 });
      return sendJson(response, 200, await views.drift({ ...range, ...(bucketMs === undefined ? {} : { bucketMs }) }));
    }
    if (path === '/api/eval') return sendJson(response, 200, await views.evaluation(rangeParameters(parameters)));
    if (path === '/api/cost') return sendJson(response, 200, await views.cost(rangeParameters(parameters)));
    if (path === '/api/policies') return sendJson(response, 200, await views.policies(rangeParameters(parameters)));
    if (path === '/api/errors') return sendJson(response, 200, await views.errors(rangeParameters(parameters)));
    if (path === '/api/gateway-spans') return sendJson(response, 200, await views.gatewaySpans(rangeParameters(parameters)));
    return sendError(response, 404, 'unknown endpoint');
  }

  async function serveFile(response: ServerResponse, content: Promise<string | Buffer>, contentType: string): Promise<void> {
    const body = await content;
    response.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-cache', 'x-content-type-options': 'nosniff' });
    response.end(body);
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    let url: URL;
    try {
      url = new URL(request.url ?? '/', 'http://viewer.local');
    } catch {
      return sendError(response, 400, 'bad request URL');
    }
    const path = url.pathname;
    if (path === '/v1/traces') {
      if (request.method !== 'POST') {
        response.writeHead(405, { allow: 'POST' });
        response.end();
        return;
      }
      return receive(request, response);
    }
    if (path === '/v1/metrics' || path === '/v1/logs') {
      // Accepted (and dropped) so an app exporting every signal here does not log errors.
      const format = otlpFormat(request.headers['content-type']);
      if (request.method !== 'POST' || !format) {
        response.writeHead(request.method !== 'POST' ? 405 : 415, { connection: 'close' });
        response.end();
        request.resume();
        return;
      }
      try {
        await readBody(request, limits);
      } catch (error) {
        if (!(error instanceof BodyError)) throw error;
        response.writeHead(error.status, { 'content-type': 'text/plain', connection: 'close' });
        response.end(error.message);
        return;
      }
      metricsAndLogsRequests += 1;
      response.writeHead(200, { 'content-type': format === 'json' ? 'application/json' : 'application/x-protobuf' });
      response.end(format === 'json' ? '{}' : undefined);
      return;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET' });
      response.end();
      request.resume();
      return;
    }
    if (path.startsWith('/api/')) {
      try {
        return await api(path, url.searchParams, response);
      } catch (error) {
        if (error instanceof InvalidParameterError) return sendError(response, 400, error.message);
        throw error;
      }
    }
    if (path === '/') {
      response.writeHead(302, { location: '/traces' });
      response.end();
      return;
    }
    const page = PAGES.find((name) => path === `/${name}`);
    if (page) {
      response.writeHead(200, {
        'content-type': 'text/html; charset=utf-8',
        'cache-control': 'no-cache',
        'x-content-type-options': 'nosniff',
        'content-security-policy': "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:",
      });
      response.end(pageTemplate.replaceAll('{{page}}', page));
      return;
    }
    if (path === '/vendor/echarts.min.js') return serveFile(response, readFile(echartsFile), 'text/javascript; charset=utf-8');
    if (path === '/assets/viewer.js') {
      bundle ??= browserBundle(root);
      bundle.catch(() => (bundle = undefined));
      return serveFile(response, bundle, 'text/javascript; charset=utf-8');
    }
    if (path === '/assets/viewer.css') return serveFile(response, readFile(join(root, 'public', 'viewer.css')), 'text/css; charset=utf-8');
    response.writeHead(404, { 'content-type': 'text/plain' });
    response.end('not found');
  }

  const server: Server = createServer({ requestTimeout: 60_000, headersTimeout: 10_000 }, (request, response) => {
    handle(request, response).catch((error: unknown) => {
      // Details stay in the server log; the client gets a generic answer.
      console.error('servedby viewer: request failed:', (error as Error)?.message ?? error);
      if (!response.headersSent) sendError(response, 500, 'internal error');
      else response.end();
    });
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 4318, host, () => resolveListen());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : (options.port ?? 4318);
  return {
    url: `http://${host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    store,
    flush: async () => {
      flushing += 1;
      try {
        while (pendingRequests > 0 || queue.spans > 0 || draining) {
          endLinger?.();
          if (draining) await draining;
          else await new Promise((resolve) => setTimeout(resolve, 5));
        }
      } finally {
        flushing -= 1;
      }
      if (lastInsertError) {
        const error = lastInsertError;
        lastInsertError = undefined;
        throw error;
      }
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolveClose) => server.close(() => resolveClose()));
      flushing += 1;
      endLinger?.();
      while (queue.spans > 0 || draining) await (draining ?? drain());
      await decoder.close();
    },
  };
}
