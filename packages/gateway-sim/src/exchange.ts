import type { IncomingMessage, ServerResponse } from 'node:http';
import { constants as http2Constants, type Http2ServerRequest, type Http2ServerResponse } from 'node:http2';

/** Headers forbidden on HTTP/2 responses (connection-specific); Node adds them itself on HTTP/1.1. */
const CONNECTION_HEADERS = new Set(['connection', 'transfer-encoding', 'keep-alive', 'upgrade', 'proxy-connection']);

/** One request/response pair, the same over HTTP/1.1 and HTTP/2. */
export interface Exchange {
  method: string;
  /** Path without the query string, percent-encoding kept. */
  path: string;
  query: URLSearchParams;
  /** Lower-cased request headers. */
  headers: Record<string, string>;
  body: Buffer;
  httpVersion: string;
  /** Sends a complete response. */
  respond(status: number, headers: Record<string, string>, body: string | Buffer): void;
  /** Sends status and headers; the body follows with {@link Exchange.write}. */
  open(status: number, headers: Record<string, string>): void;
  /** Writes a body chunk; false once the client has gone. */
  write(chunk: string | Buffer): boolean;
  end(): void;
  /** Drops the connection (HTTP/1.1) or resets the stream (HTTP/2) without a response. */
  reset(): void;
  /** True once the client went away or the response ended. */
  isClosed(): boolean;
  /** Waits, ending early when the client goes away or the simulator closes. */
  sleep(milliseconds: number): Promise<void>;
  /** Resolves when the client goes away or the simulator closes. */
  closed: Promise<void>;
}

type AnyRequest = IncomingMessage | Http2ServerRequest;
type AnyResponse = ServerResponse | Http2ServerResponse;

/** Wraps a Node request/response pair (either protocol) whose body was already read. */
export function createExchange(
  request: AnyRequest,
  response: AnyResponse,
  body: Buffer,
  shutdown: AbortSignal,
): Exchange {
  const rawUrl = request.url ?? '/';
  const questionMark = rawUrl.indexOf('?');
  const path = questionMark >= 0 ? rawUrl.slice(0, questionMark) : rawUrl;
  const query = new URLSearchParams(questionMark >= 0 ? rawUrl.slice(questionMark + 1) : '');
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (name.startsWith(':') || value === undefined) continue;
    headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
  }
  const isHttp2 = request.httpVersion === '2.0';
  let finished = false;
  let resolveClosed!: () => void;
  const closed = new Promise<void>((resolve) => {
    resolveClosed = resolve;
  });
  const markClosed = (): void => {
    finished = true;
    resolveClosed();
    // The simulator's shutdown signal outlives every exchange: a listener left on it would keep
    // this exchange (request, response, body) reachable, and make each later add slower.
    shutdown.removeEventListener('abort', markClosed);
  };
  response.on('close', markClosed);
  response.on('finish', markClosed);
  if (shutdown.aborted) markClosed();
  else shutdown.addEventListener('abort', markClosed, { once: true });

  const cleanHeaders = (input: Record<string, string>): Record<string, string> => {
    if (!isHttp2) return input;
    const output: Record<string, string> = {};
    for (const [name, value] of Object.entries(input)) {
      if (!CONNECTION_HEADERS.has(name.toLowerCase())) output[name.toLowerCase()] = value;
    }
    return output;
  };

  const exchange: Exchange = {
    method: request.method ?? 'GET',
    path,
    query,
    headers,
    body,
    httpVersion: request.httpVersion,
    respond(status, responseHeaders, responseBody) {
      if (finished) return;
      const payload = typeof responseBody === 'string' ? Buffer.from(responseBody) : responseBody;
      (response as ServerResponse).writeHead(status, {
        ...cleanHeaders(responseHeaders),
        'content-length': String(payload.length),
      });
      response.end(payload);
    },
    open(status, responseHeaders) {
      if (finished) return;
      (response as ServerResponse).writeHead(status, cleanHeaders(responseHeaders));
      // Flush headers now: clients (and TTFB scenarios) must see them before the first chunk.
      (response as ServerResponse).flushHeaders?.();
    },
    write(chunk) {
      if (finished) return false;
      (response as ServerResponse).write(chunk);
      return true;
    },
    end() {
      if (finished) return;
      response.end();
    },
    reset() {
      if (isHttp2) (response as Http2ServerResponse).stream.close(http2Constants.NGHTTP2_INTERNAL_ERROR);
      else request.socket.destroy();
      markClosed();
    },
    isClosed: () => finished,
    sleep(milliseconds) {
      if (milliseconds <= 0 || finished) return Promise.resolve();
      return new Promise((resolve) => {
        const timer = setTimeout(resolve, milliseconds);
        void closed.then(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    },
    closed,
  };
  return exchange;
}

/** One server-sent event: a comment line, or `event:` + `data:` lines. */
export interface SseEvent {
  comment?: string;
  event?: string;
  data?: string;
}

/** Renders events in the exact framing providers use (`event: x\ndata: {...}\n\n`). */
export function renderSse(event: SseEvent): string {
  if (event.comment !== undefined) return `: ${event.comment}\n\n`;
  return `${event.event ? `event: ${event.event}\n` : ''}data: ${event.data ?? ''}\n\n`;
}
