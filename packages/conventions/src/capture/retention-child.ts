// Run by retention.test.ts in a child process with --expose-gc: one exchange whose body is a single
// 50 MB chunk, the capture kept alive by its sink, the caller done with the body. Prints whether
// the chunk was collected (it must be: only the bounded look-ahead's own copy may remain).
import { captureRouteFetch, runWithRouteCapture, type RouteCapture, type RouteCaptureSink } from '../capture-route-fetch';
import { releasableCaptureSink } from './storage';
import { createLookAhead } from './look-ahead';

declare const gc: () => void;

const CHUNK_BYTES = 50 * 1024 * 1024;
const collected = new Set<string>();
const registry = new FinalizationRegistry<string>((name) => collected.add(name));
const captures: RouteCapture[] = [];
const lookAheads: Array<ReturnType<typeof createLookAhead>> = [];

// The chunk lives only in this function's closures, never in the sink's (a V8 closure keeps its
// whole scope alive, so a sink written next to the chunk would hold it).
function fetchOfOneChunk(contentType: string): typeof fetch {
  const chunk = new Uint8Array(CHUNK_BYTES).fill(0x61);
  chunk.set(new TextEncoder().encode('{"provider":"Together","pad":"'));
  // The buffer, not the view: a `subarray` of the chunk would keep the buffer alive without the view.
  registry.register(chunk.buffer, `wrapper ${contentType}`);
  let pending: Uint8Array | undefined = chunk;
  return async () =>
    new Response(
      new ReadableStream<Uint8Array>({
        pull(controller) {
          if (pending) controller.enqueue(pending);
          else controller.close();
          pending = undefined;
        },
      }),
      { headers: { 'content-type': contentType } },
    );
}

async function throughFetchWrapper(contentType: string): Promise<void> {
  const response = await runWithRouteCapture(
    (capture) => captures.push(capture),
    () => captureRouteFetch(fetchOfOneChunk(contentType))('https://api.openai.com/v1/chat/completions', { method: 'POST', body: '{"model":"m"}' }),
  );
  const reader = response.body!.getReader();
  while (!(await reader.read()).done);
}

async function throughLookAhead(contentEncoding: string | undefined): Promise<void> {
  const chunk = new Uint8Array(CHUNK_BYTES).fill(0x62);
  registry.register(chunk.buffer, `look-ahead ${contentEncoding ?? 'identity'}`);
  const lookAhead = createLookAhead({ limit: 64 * 1024, contentEncoding });
  lookAhead.push(chunk);
  lookAhead.end();
  lookAheads.push(lookAhead);
}

// A sink that stays reachable (as a model call's async context keeps it after the call) lets go
// of the call it forwarded to once released; one never released keeps it.
const heldSinks: RouteCaptureSink[] = [];
function sinkOverCallState(name: string, release: boolean): void {
  const callState = new Uint8Array(8 * 1024 * 1024);
  registry.register(callState.buffer, name);
  const releasable = releasableCaptureSink(() => {
    callState[0] = 1;
  });
  heldSinks.push(releasable.sink);
  if (release) releasable.release();
}

sinkOverCallState('released sink', true);
sinkOverCallState('sink never released', false);
await throughFetchWrapper('application/json');
await throughFetchWrapper('text/event-stream');
await throughLookAhead(undefined);
await throughLookAhead('gzip');
for (const capture of captures) await capture.done;
for (let round = 0; round < 50 && collected.size < 5; round += 1) {
  gc();
  await new Promise((resolve) => setTimeout(resolve, 10));
}
process.stdout.write(
  JSON.stringify({
    collected: [...collected].sort(),
    // Still held, so the test knows the captures were alive while the chunks were collected.
    lookAheadLengths: captures.map((capture) => capture.bodyText().length),
    lookAheadSizes: lookAheads.map((lookAhead) => lookAhead.size),
    heldSinks: heldSinks.length,
  }),
);
