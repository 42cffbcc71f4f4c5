import { Agent } from '@mastra/core/agent';
import { normalizeProvider } from '@servedby/conventions';
import { startGatewaySim, type GatewaySim } from '@servedby/gateway-sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMastra, createTelemetry, flush, mastraSpansOfType, modelCallSpans } from '../test/harness';

let sim: GatewaySim;

beforeAll(async () => {
  sim = await startGatewaySim({ port: 0 });
  process.env.OPENROUTER_BASE_URL = sim.baseUrls.openrouter;
  process.env.OPENROUTER_API_KEY = 'sk-or-concurrency-test';
});

afterAll(async () => {
  await sim?.close();
});

/** A distinct provider name per call, letters only (the provider fold drops trailing pool numbers). */
function upstreamName(index: number): string {
  const letters = 'abcdefghijklmnopqrstuvwxyz';
  return `Upstream ${letters[Math.floor(index / 26)]!.toUpperCase()}${letters[index % 26]}`;
}

describe('concurrency', () => {
  it('100 concurrent agent calls, each served by its own upstream, never see each other’s route', async () => {
    const telemetry = createTelemetry();
    const agent = new Agent({ id: 'plain', name: 'plain', instructions: 'Be brief.', model: 'openrouter/anthropic/claude-sonnet-4' });
    const mastra = createMastra({ agents: { plain: agent }, telemetry });
    const tracer = telemetry.tracerProvider.getTracer('test');
    const calls = 100;

    const traceOfCall = new Map<string, number>();
    await Promise.all(
      Array.from({ length: calls }, (_, index) =>
        // An outer span per call: every span of that call shares its trace id.
        tracer.startActiveSpan(`call ${index}`, async (outer) => {
          traceOfCall.set(outer.spanContext().traceId, index);
          try {
            const stream = index % 2 === 0;
            const options = { modelSettings: { headers: { 'x-sim-upstream': upstreamName(index) } } };
            if (stream) {
              const result = await mastra.getAgent('plain').stream('Hello', options);
              for await (const _chunk of result.textStream);
            } else {
              await mastra.getAgent('plain').generate('Hello', options);
            }
          } finally {
            outer.end();
          }
        }),
      ),
    );
    await flush(mastra);

    const spans = telemetry.spans();
    const modelCalls = modelCallSpans(spans);
    expect(modelCalls).toHaveLength(calls);
    const seen = new Set<number>();
    for (const call of modelCalls) {
      const index = traceOfCall.get(call.spanContext().traceId);
      expect(index).toBeDefined();
      seen.add(index!);
      expect(call.attributes['gen_ai.route.upstream']).toBe(normalizeProvider(upstreamName(index!), 'openrouter'));
    }
    expect(seen.size).toBe(calls);
    for (const agentRun of mastraSpansOfType(spans, 'agent_run')) {
      const index = traceOfCall.get(agentRun.spanContext().traceId)!;
      expect(agentRun.attributes['gen_ai.route.upstreams']).toEqual([normalizeProvider(upstreamName(index), 'openrouter')]);
    }
  }, 120_000);
});
