import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { readFile } from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync, inflateSync } from 'node:zlib';
import { diag } from '@opentelemetry/api';
import { decodeOtlpJson, type OtlpTraceRequest } from '../otlp/decode-json';
import { decodeOtlpProtobuf } from '../otlp/decode-protobuf';
import { changeWindows } from '../report/format-report';
import { createSpanStore, parseFilter, type AttributeFilter, type SpanStore } from '../store/span-store';

/** Options of {@link startViewer}. */
export interface ViewerOptions {
  /** Port to listen on; 0 picks a free one. Default 4318 (the OTLP/HTTP port). */
  port?: number;
  /** Interface to bind; loopback by default, the viewer has no authentication. */
  host?: string;
  /** An existing store (e.g. one the demo fills in-process); a new one by default. */
  store?: SpanStore;
}

/** A running viewer. */
export interface Viewer {
  url: string;
  port: number;
  store: SpanStore;
  close(): Promise<void>;
}

const PAGES = ['traces', 'topology', 'drift', 'eval'] as const;
const MAX_BODY_BYTES = 64 * 1024 * 1024;

/** Finds the demo's package folder, from `src/viewer` (tests) or `dist` (built). */
function packageRoot(): string {
  let directory = dirname(fileURLToPath(import.meta.url));
  for (let depth = 0; depth < 5; depth += 1) {
    const manifest = join(directory, 'package.json');
    if (existsSync(manifest) && JSON.parse(readFileSync(manifest, 'utf8')).name === '@servedby/demo') return directory;
    directory = dirname(directory);
  }
  throw new Error('cannot find the @servedby/demo package folder');
}

function echartsPath(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('echarts/package.json')), 'dist', 'echarts.min.js');
}

function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolveBody, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error('body too large'));
        request.destroy();
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolveBody(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  response.end(text);
}

function numberParameter(parameters: URLSearchParams, name: string): number | undefined {
  const value = parameters.get(name);
  if (value === null || value === '') return undefined;
  const number = Number(value);
  return Number.isFinite(number) ? number : undefined;
}

/**
 * Starts the viewer: an OTLP/HTTP trace receiver (`POST /v1/traces`, JSON or protobuf, optionally
 * gzip) and the Traces, Topology, Drift and Eval pages with their JSON API.
 */
export async function startViewer(options: ViewerOptions = {}): Promise<Viewer> {
  const store = options.store ?? createSpanStore();
  const root = packageRoot();
  const publicDirectory = join(root, 'public');
  const vendorFiles: Record<string, string> = { 'echarts.min.js': echartsPath() };
  const pageTemplate = await readFile(join(publicDirectory, 'page.html'), 'utf8');
  let metricsAndLogsRequests = 0;

  async function receive(request: IncomingMessage, response: ServerResponse): Promise<void> {
    let body = await readBody(request);
    const encoding = (request.headers['content-encoding'] ?? '').toLowerCase();
    if (encoding === 'gzip') body = gunzipSync(body);
    else if (encoding === 'deflate') body = inflateSync(body);
    const contentType = (request.headers['content-type'] ?? '').toLowerCase();
    const isProtobuf = contentType.includes('protobuf');
    try {
      const spans = isProtobuf
        ? decodeOtlpProtobuf(body)
        : decodeOtlpJson(JSON.parse(body.toString('utf8')) as OtlpTraceRequest);
      store.add(spans);
    } catch (error) {
      diag.debug('servedby viewer: bad OTLP request', error);
      response.writeHead(400, { 'content-type': 'text/plain' });
      response.end(`bad OTLP request: ${(error as Error).message}`);
      return;
    }
    // An empty ExportTraceServiceResponse: {} in JSON, zero bytes in protobuf.
    if (isProtobuf) {
      response.writeHead(200, { 'content-type': 'application/x-protobuf' });
      response.end();
    } else sendJson(response, 200, {});
  }

  function api(path: string, parameters: URLSearchParams, response: ServerResponse): void {
    if (path === '/api/summary') {
      sendJson(response, 200, { ...store.summary(), metricsAndLogsRequests });
    } else if (path === '/api/traces') {
      const filters = parameters
        .getAll('filter')
        .map(parseFilter)
        .filter((filter): filter is AttributeFilter => filter !== undefined);
      sendJson(
        response,
        200,
        store.traces({ filters, limit: numberParameter(parameters, 'limit') ?? 100, offset: numberParameter(parameters, 'offset') ?? 0 }),
      );
    } else if (path.startsWith('/api/traces/')) {
      const spans = store.trace(decodeURIComponent(path.slice('/api/traces/'.length)));
      if (spans.length === 0) sendJson(response, 404, { error: 'trace not found' });
      else sendJson(response, 200, { spans });
    } else if (path === '/api/attributes') {
      sendJson(response, 200, { attributes: store.attributeKeys() });
    } else if (path === '/api/topology') {
      const fromMs = numberParameter(parameters, 'from');
      const toMs = numberParameter(parameters, 'to');
      sendJson(response, 200, store.topology({ ...(fromMs === undefined ? {} : { fromMs }), ...(toMs === undefined ? {} : { toMs }) }));
    } else if (path === '/api/drift') {
      const bucketMs = numberParameter(parameters, 'bucket');
      const drift = store.drift(bucketMs ? { bucketMs } : {});
      sendJson(response, 200, { ...drift, windows: changeWindows(drift) });
    } else if (path === '/api/eval') {
      const evaluation = store.evalCrossTab();
      sendJson(response, 200, { ...evaluation, items: evaluation.items.slice(0, 2000), windowsOfChange: changeWindows(store.drift()) });
    } else sendJson(response, 404, { error: 'unknown endpoint' });
  }

  async function serveFile(response: ServerResponse, file: string, contentType: string): Promise<void> {
    try {
      const content = await readFile(file);
      response.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-cache' });
      response.end(content);
    } catch {
      response.writeHead(404, { 'content-type': 'text/plain' });
      response.end('not found');
    }
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://viewer.local');
    const path = url.pathname;
    if (path === '/v1/metrics' || path === '/v1/logs') {
      // Accepted so an app exporting all signals here does not log errors; only traces are shown.
      await readBody(request);
      metricsAndLogsRequests += 1;
      if ((request.headers['content-type'] ?? '').includes('protobuf')) {
        response.writeHead(200, { 'content-type': 'application/x-protobuf' });
        response.end();
      } else sendJson(response, 200, {});
      return;
    }
    if (path === '/v1/traces') {
      if (request.method !== 'POST') {
        response.writeHead(405, { allow: 'POST' });
        response.end();
        return;
      }
      await receive(request, response);
      return;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET' });
      response.end();
      return;
    }
    if (path.startsWith('/api/')) return api(path, url.searchParams, response);
    if (path === '/') {
      response.writeHead(302, { location: '/traces' });
      response.end();
      return;
    }
    const page = PAGES.find((name) => path === `/${name}`);
    if (page) {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-cache' });
      response.end(pageTemplate.replaceAll('{{page}}', page));
      return;
    }
    if (path.startsWith('/vendor/')) {
      const file = vendorFiles[path.slice('/vendor/'.length)];
      if (file) return serveFile(response, file, 'text/javascript; charset=utf-8');
    }
    if (path === '/assets/viewer.js') return serveFile(response, join(publicDirectory, 'viewer.js'), 'text/javascript; charset=utf-8');
    if (path === '/assets/viewer.css') return serveFile(response, join(publicDirectory, 'viewer.css'), 'text/css; charset=utf-8');
    response.writeHead(404, { 'content-type': 'text/plain' });
    response.end('not found');
  }

  const server: Server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      diag.error('servedby viewer: request failed', error);
      if (!response.headersSent) response.writeHead(500, { 'content-type': 'text/plain' });
      response.end('internal error');
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
    url: `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`,
    port,
    store,
    close: () =>
      new Promise<void>((resolveClose) => {
        server.closeAllConnections();
        server.close(() => resolveClose());
      }),
  };
}

/** Absolute path of the viewer's static files, for tests. */
export function viewerPublicDirectory(): string {
  return resolve(packageRoot(), 'public');
}
