import { ChatOpenAI } from '@langchain/openai';
import { enableRouteCapture } from '@servedby/conventions';
import { startGatewaySim, type GatewaySim } from '@servedby/gateway-sim';
import { createTestTracing, type ReadableSpan } from '@servedby/test-otel';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRouteCallbackHandler } from './index';

// Reproduces the leak of issue 12: of 400 concurrent streams, those never iterated (and those
// left suspended) kept their `chat` span open forever. The capture's idle time ends them.
enableRouteCapture({ idleTimeoutMs: 150 });
const open = new Map<string, string>();
const ended: ReadableSpan[] = [];
const tracing = createTestTracing({
  spanProcessors: [
    {
      onStart: (span) => void open.set(span.spanContext().spanId, span.name),
      onEnd: (span) => {
        open.delete(span.spanContext().spanId);
        ended.push(span);
      },
      forceFlush: async () => {},
      shutdown: async () => {},
    },
  ],
});
let sim: GatewaySim;
beforeAll(async () => {
  sim = await startGatewaySim({ port: 0, seed: 5 });
});
afterAll(async () => {
  await sim?.close();
});

async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const start = Date.now();
  while (!condition() && Date.now() - start < timeoutMs) await new Promise((resolve) => setTimeout(resolve, 20));
}

describe('LangChain chat spans always end', () => {
  it('400 concurrent streams: read to the end, broken after the first chunk, aborted, or never iterated', async () => {
    const handler = createRouteCallbackHandler({ tracerProvider: tracing.tracerProvider });
    const model = new ChatOpenAI({ model: 'openai/gpt-4o-mini', apiKey: 'sk-test', maxRetries: 0, configuration: { baseURL: sim.baseUrls.openrouter } });
    const kinds = ['full', 'break', 'abort', 'never'] as const;
    const kept: unknown[] = [];
    await Promise.all(
      Array.from({ length: 400 }, async (_, index) => {
        const kind = kinds[index % kinds.length]!;
        try {
          if (kind === 'full') {
            for await (const _chunk of await model.stream('Hi', { callbacks: [handler] })) {
              // read to the end
            }
          } else if (kind === 'break') {
            for await (const _chunk of await model.stream('Tell me a long story', { callbacks: [handler] })) break;
          } else if (kind === 'abort') {
            const controller = new AbortController();
            for await (const _chunk of await model.stream('Tell me a long story', { callbacks: [handler], signal: controller.signal })) {
              controller.abort();
            }
          } else {
            // Kept referenced, never iterated: only the idle give-up can end its span.
            kept.push(await model.stream('Tell me a long story', { callbacks: [handler] }));
          }
        } catch {
          // The aborted ones reject; that is the caller's business.
        }
      }),
    );
    await until(() => open.size === 0);
    const chatSpans = ended.filter((span) => span.name.startsWith('chat'));
    expect(open.size).toBe(0);
    expect(chatSpans).toHaveLength(400);
    // Every span still carries its route, also the given-up ones (the headers came before).
    expect(chatSpans.every((span) => span.attributes['gen_ai.route.gateway'] === 'openrouter')).toBe(true);
    expect(kept).toHaveLength(100);
  }, 60_000);
});
