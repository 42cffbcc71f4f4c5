import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A span as an OTLP/HTTP JSON export carries it (the fields tests compare). */
export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name?: string;
  attributes?: Array<{ key: string; value: Record<string, unknown> }>;
}

/** A loopback OTLP/HTTP JSON receiver that keeps what it is sent (see {@link startOtlpReceiver}). */
export interface OtlpReceiver {
  /** `http://127.0.0.1:{port}`: give it as the simulator's `otlpEndpoint`. */
  endpoint: string;
  /** Every span received so far, in arrival order. */
  spans(): ReceivedSpan[];
  /** Forgets what was received. */
  reset(): void;
  close(): Promise<void>;
}

/**
 * Starts a loopback receiver for the simulator's gateway spans (`otlpEndpoint`), so tests can
 * check where a gateway's own spans landed in the caller's trace. Test support: it trusts its
 * input and keeps everything in memory.
 */
export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const bodies: unknown[] = [];
  const server = createServer((request, response) => {
    const parts: Buffer[] = [];
    request.on('data', (part: Buffer) => parts.push(part));
    request.on('end', () => {
      bodies.push(JSON.parse(Buffer.concat(parts).toString('utf8')));
      response.end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    spans() {
      const spans: ReceivedSpan[] = [];
      for (const body of bodies as Array<{ resourceSpans: Array<{ scopeSpans: Array<{ spans: ReceivedSpan[] }> }> }>) {
        for (const resourceSpans of body.resourceSpans) for (const scopeSpans of resourceSpans.scopeSpans) spans.push(...scopeSpans.spans);
      }
      return spans;
    },
    reset() {
      bodies.length = 0;
    },
    close() {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
