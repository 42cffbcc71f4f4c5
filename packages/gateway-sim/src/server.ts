import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import {
  createServer as createHttp2Server,
  type Http2ServerRequest,
  type Http2ServerResponse,
  type Http2Session,
} from 'node:http2';
import { createServer as createNetServer, type Socket } from 'node:net';
import { createBroadcastExporter } from './broadcast';
import type { TargetContext, TargetHandler } from './common';
import { createExchange } from './exchange';
import { createRandom, hashSeed } from './random';
import { chooseUpstream, downUpstreams, parseTime, ScenarioError, scenarioForRequest, SEED_HEADER, TIME_HEADER } from './scenario';
import { handleAnthropic } from './targets/anthropic';
import { handleAzure } from './targets/azure';
import { handleBedrock } from './targets/bedrock';
import { handleKong } from './targets/kong';
import { handleLiteLlm } from './targets/litellm';
import { handleOpenAi } from './targets/openai';
import { handleOpenRouter } from './targets/openrouter';
import { handleVercel } from './targets/vercel';
import {
  SIM_TARGETS,
  type GatewaySim,
  type GatewaySimOptions,
  type SimConfig,
  type SimRequestRecord,
  type SimTarget,
} from './types';

const HANDLERS: Record<SimTarget, TargetHandler> = {
  openrouter: handleOpenRouter,
  litellm: handleLiteLlm,
  azure: handleAzure,
  bedrock: handleBedrock,
  vercel: handleVercel,
  openai: handleOpenAi,
  anthropic: handleAnthropic,
  kong: handleKong,
};

/** The path each target's SDK base URL ends with. */
const BASE_PATHS: Record<SimTarget, string> = {
  openrouter: '/openrouter/api/v1',
  litellm: '/litellm/v1',
  azure: '/azure',
  bedrock: '/bedrock',
  vercel: '/vercel/v1',
  openai: '/openai/v1',
  anthropic: '/anthropic/v1',
  kong: '/kong/openai-route',
};

const MAX_BODY_BYTES = 20 * 1024 * 1024;
const MAX_RECORDS = 2000;
/** The connection preface every HTTP/2 prior-knowledge client sends first (RFC 9113 §3.4). */
const HTTP2_PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');

/**
 * Starts the simulator on one port: HTTP/1.1 and cleartext HTTP/2 (prior knowledge, as the
 * Bedrock Runtime client speaks it), told apart by each connection's first bytes.
 */
export async function startGatewaySim(options: GatewaySimOptions = {}): Promise<GatewaySim> {
  let config: SimConfig = options.config ?? {};
  const seed = options.seed ?? config.seed ?? 1;
  let frozenClock: number | undefined = config.clock !== undefined ? parseTime(config.clock) : undefined;
  const now = (): number => frozenClock ?? Date.now();
  const counters = new Map<SimTarget, number>();
  const records: SimRequestRecord[] = [];
  const shutdown = new AbortController();
  const sockets = new Set<Socket>();
  const sessions = new Set<Http2Session>();
  const broadcast = options.otlpEndpoint ? createBroadcastExporter({ endpoint: options.otlpEndpoint }) : undefined;

  const handle = async (request: IncomingMessage | Http2ServerRequest, response: ServerResponse | Http2ServerResponse) => {
    try {
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of request as AsyncIterable<Buffer>) {
        size += chunk.length;
        if (size > MAX_BODY_BYTES) throw new Error('request body too large');
        chunks.push(chunk);
      }
      const exchange = createExchange(request, response, Buffer.concat(chunks), shutdown.signal);
      const segments = exchange.path.split('/');
      const target = segments[1] as SimTarget;
      if (!SIM_TARGETS.includes(target)) {
        if (exchange.method === 'GET' && exchange.path === '/') {
          exchange.respond(200, { 'content-type': 'application/json' }, JSON.stringify({ baseUrls: baseUrls() }));
        } else {
          exchange.respond(404, { 'content-type': 'application/json' }, JSON.stringify({ error: { message: `no simulated target at ${exchange.path}` } }));
        }
        return;
      }
      const subPath = exchange.path.slice(target.length + 1) || '/';
      let scenario;
      try {
        scenario = scenarioForRequest(config, target, exchange.headers);
      } catch (error) {
        if (!(error instanceof ScenarioError)) throw error;
        exchange.respond(400, { 'content-type': 'application/json' }, JSON.stringify({ error: { message: error.message, type: 'sim_scenario_error' } }));
        return;
      }
      const count = counters.get(target) ?? 0;
      counters.set(target, count + 1);
      const requestSeed = exchange.headers[SEED_HEADER];
      const random = createRandom(requestSeed ? hashSeed(seed, target, requestSeed) : hashSeed(seed, target, count));
      const timeHeader = exchange.headers[TIME_HEADER];
      const requestTime = timeHeader ? parseTime(timeHeader) : now();
      const record: SimRequestRecord = {
        target,
        method: exchange.method,
        path: exchange.path,
        httpVersion: exchange.httpVersion,
        headers: exchange.headers,
        body: exchange.body.toString('utf8'),
      };
      records.push(record);
      if (records.length > MAX_RECORDS) records.shift();
      const context: TargetContext = {
        target,
        scenario,
        random,
        now: requestTime,
        chosenUpstream: chooseUpstream(scenario, requestTime, random),
        down: downUpstreams(scenario, requestTime),
        reportUpstream: (upstream) => {
          record.upstream = upstream;
        },
        broadcast,
      };
      await HANDLERS[target](exchange, context, subPath);
    } catch (error) {
      // Never let one bad request take the simulator down.
      if (!response.headersSent && !response.writableEnded) {
        const message = error instanceof Error ? error.message : String(error);
        (response as ServerResponse).writeHead(500, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ error: { message: `gateway-sim internal error: ${message}`, type: 'sim_error' } }));
      } else if (!response.writableEnded) {
        response.end();
      }
    }
  };

  const http1 = createHttpServer((request, response) => void handle(request, response));
  http1.keepAliveTimeout = 5_000;
  const http2 = createHttp2Server({}, (request, response) => void handle(request, response));
  http2.on('session', (session) => {
    sessions.add(session);
    session.on('close', () => sessions.delete(session));
  });
  // A stream the client resets must not surface as an unhandled error.
  http2.on('sessionError', () => {});

  const server = createNetServer((socket) => {
    // http.createServer would set this itself; sockets handed over by hand need it, or Nagle's
    // algorithm holds back small SSE chunks (~40 ms each).
    socket.setNoDelay(true);
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    socket.once('data', (first: Buffer) => {
      socket.pause();
      socket.unshift(first);
      const prefix = first.subarray(0, Math.min(first.length, HTTP2_PREFACE.length));
      const isHttp2 = prefix.length >= 3 && HTTP2_PREFACE.subarray(0, prefix.length).equals(prefix);
      if (isHttp2) {
        // The HTTP/2 session takes over the socket handle and reads the unshifted bytes itself.
        http2.emit('connection', socket);
      } else {
        http1.emit('connection', socket);
        // pause() left the stream non-flowing; the HTTP/1 parser's 'data' listener alone would not restart it.
        socket.resume();
      }
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : (options.port ?? 0);
  const host = options.host && options.host !== '0.0.0.0' && options.host !== '::' ? options.host : '127.0.0.1';
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  const baseUrls = (): Record<SimTarget, string> =>
    Object.fromEntries(SIM_TARGETS.map((target) => [target, `${url}${BASE_PATHS[target]}`])) as Record<SimTarget, string>;

  return {
    url,
    port,
    baseUrls: baseUrls(),
    setClock(time) {
      frozenClock = parseTime(time);
    },
    advanceClock(milliseconds) {
      frozenClock = now() + milliseconds;
    },
    now,
    configure(next) {
      config = next;
    },
    requests: () => [...records],
    flushTraces: () => broadcast?.flush() ?? Promise.resolve(),
    traceStats: () => broadcast?.stats() ?? { queued: 0, sent: 0, dropped: 0 },
    async close() {
      shutdown.abort();
      await broadcast?.close();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const session of sessions) session.destroy();
      for (const socket of sockets) socket.destroy();
      http1.closeAllConnections?.();
      await closed;
    },
  };
}
