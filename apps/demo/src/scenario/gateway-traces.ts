import { appendFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeOtlpJson, type OtlpTraceRequest } from '../otlp/decode-json';
import { encodeSpanRecords } from '@servedby/viewer';
import type { SpanRecord } from '../otlp/span-record';

/** Where the gateway's own spans (OpenRouter Broadcast from gateway-sim) are received and sent on. */
export interface GatewayTraceReceiver {
  /** OTLP/HTTP base URL to give gateway-sim as `otlpEndpoint`. */
  url: string;
  /** Spans received so far. */
  received(): number;
  close(): Promise<void>;
}

/** Options of {@link startGatewayTraceReceiver}. */
export interface GatewayTraceReceiverOptions {
  /** The shift (virtual − real, ms) in force when a span started in real time, so gateway spans land on the same virtual clock as the app's. */
  offsetAt(realMs: number): number;
  onSpans?: (spans: SpanRecord[]) => void;
  /** The demo's OTLP JSON-lines file: gateway spans are appended beside the app's. */
  outFile?: string;
}

const MAX_BODY_BYTES = 8 * 1024 * 1024;

/**
 * An OTLP/HTTP JSON receiver on loopback for the gateway's own spans. A real gateway stamps its
 * spans with the wall clock; the demo plays a day in a minute, so each span is moved by the same
 * shift as the app spans that started in the same tick, then handed to the viewer and the file.
 */
export async function startGatewayTraceReceiver(options: GatewayTraceReceiverOptions): Promise<GatewayTraceReceiver> {
  let count = 0;
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    request.on('end', () => {
      try {
        if (request.method !== 'POST' || size > MAX_BODY_BYTES) {
          response.writeHead(size > MAX_BODY_BYTES ? 413 : 405).end();
          return;
        }
        const spans = decodeOtlpJson(JSON.parse(Buffer.concat(chunks).toString('utf8')) as OtlpTraceRequest).map((span) => {
          const offset = options.offsetAt(span.startMs);
          return { ...span, startMs: span.startMs + offset, endMs: span.endMs + offset, events: span.events.map((event) => ({ ...event, timeMs: event.timeMs + offset })) };
        });
        count += spans.length;
        if (spans.length) {
          options.onSpans?.(spans);
          if (options.outFile) appendFileSync(options.outFile, `${encodeSpanRecords(spans)}\n`);
        }
        response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      } catch {
        response.writeHead(400).end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received: () => count,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
