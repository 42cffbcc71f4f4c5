import { diag } from '@opentelemetry/api';
import type { Exchange } from './exchange';
import type { FetchClaim } from './storage';

/**
 * Returns a `Response` whose body passes the original's chunks through unchanged, one read of the
 * caller at a time (no read-ahead, nothing buffered), and shows each chunk to `exchange` on the
 * way: the fallback where no diagnostics channel shows response bodies. The end, an error or a
 * cancel of the caller's stream ends the exchange; a body nobody reads is given up by the
 * exchange's idle timer.
 * @internal
 */
export function observeFetchResponse(response: Response, exchange: Exchange): Response {
  const body = response.body;
  if (!body) {
    safely(() => exchange.complete());
    return response;
  }
  const reader = body.getReader();
  const observedBody = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        let result: ReadableStreamReadResult<Uint8Array>;
        try {
          result = await reader.read();
        } catch (error) {
          safely(() => exchange.fail(error));
          controller.error(error);
          return;
        }
        if (result.done) {
          safely(() => exchange.complete());
          controller.close();
          return;
        }
        const chunk = result.value;
        if (chunk instanceof Uint8Array) {
          try {
            exchange.receiveBody(chunk);
          } catch (error) {
            diag.warn('servedby: peeking at the response body failed', error);
          }
        }
        controller.enqueue(chunk);
      },
      cancel(reason) {
        safely(() => (reason instanceof Error ? exchange.fail(reason) : exchange.cancel()));
        return reader.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
  const observedResponse = new Response(observedBody, {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  });
  // Keep what a Response built from a stream cannot be given in its init.
  // Getters, not values: the original serialises its URL on every read, so only pay if asked.
  Object.defineProperties(observedResponse, {
    url: { get: () => response.url, enumerable: true },
    redirected: { get: () => response.redirected, enumerable: true },
    type: { get: () => response.type, enumerable: true },
  });
  return observedResponse;
}

// The capture's own failure must never reach the caller's stream.
function safely(step: () => void): void {
  try {
    step();
  } catch (error) {
    diag.warn('servedby: ending the capture failed', error);
  }
}

/**
 * After a fetch under `claim` resolved: the exchanges before the last were redirects, already
 * received; the last one's body is the response's. Returns the exchange whose body the wrapper
 * must feed, if any.
 * @internal
 */
export function exchangeToFeed(claim: FetchClaim): Exchange | undefined {
  const exchanges = claim.exchanges;
  for (let index = 0; index < exchanges.length - 1; index += 1) {
    const earlier = exchanges[index]!;
    if (!earlier.finished && earlier.bodySource === 'wrapper') earlier.complete();
  }
  const last = exchanges[exchanges.length - 1];
  return last && !last.finished && last.bodySource === 'wrapper' ? last : undefined;
}
