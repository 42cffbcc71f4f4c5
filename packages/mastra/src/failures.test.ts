import { Agent } from '@mastra/core/agent';
import type { Tracer, TracerProvider } from '@opentelemetry/api';
import { startGatewaySim, type GatewaySim } from '@servedby/gateway-sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMastra, createTelemetry, flush, mastraSpansOfType, modelCallSpans, type Telemetry } from '../test/harness';

let sim: GatewaySim;

beforeAll(async () => {
  sim = await startGatewaySim({ port: 0 });
  process.env.OPENROUTER_BASE_URL = sim.baseUrls.openrouter;
  process.env.OPENROUTER_API_KEY = 'sk-or-failure-test-key';
});

afterAll(async () => {
  await sim?.close();
});

const MODEL = 'openrouter/anthropic/claude-sonnet-4';

function plainAgent() {
  return new Agent({ id: 'plain', name: 'plain', instructions: 'Be brief.', model: MODEL });
}

interface Outcome {
  text?: string;
  finishReason?: string;
  error?: string;
}

/** What the user's call returned (or threw), reduced to what must not change with the plugin. */
async function generateOutcome(telemetry: Telemetry, servedby: false | object, scenario: string): Promise<Outcome> {
  const mastra = createMastra({ agents: { plain: plainAgent() }, telemetry, servedby: servedby as never });
  try {
    const result = await mastra
      .getAgent('plain')
      .generate('Hello', { modelSettings: { headers: { 'x-sim-scenario': scenario }, maxRetries: 1 } });
    return { text: result.text, finishReason: result.finishReason };
  } catch (error) {
    return { error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
  } finally {
    await flush(mastra);
  }
}

async function streamOutcome(telemetry: Telemetry, servedby: false | object, scenario: string): Promise<Outcome> {
  const mastra = createMastra({ agents: { plain: plainAgent() }, telemetry, servedby: servedby as never });
  try {
    const stream = await mastra.getAgent('plain').stream('Hello', { modelSettings: { headers: { 'x-sim-scenario': scenario }, maxRetries: 1 } });
    let text = '';
    for await (const chunk of stream.textStream) text += chunk;
    return { text, finishReason: await stream.finishReason };
  } catch (error) {
    return { error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
  } finally {
    await flush(mastra);
  }
}

describe('failures', () => {
  it('a 429 that outlasts the retries: same error for the caller, route and error.type on the span', async () => {
    const without = await generateOutcome(createTelemetry(), false, 'rate-limit');
    const telemetry = createTelemetry();
    const withPlugin = await generateOutcome(telemetry, {}, 'rate-limit');
    expect(withPlugin).toEqual(without);
    expect(withPlugin.error).toMatch(/rate-limited/);

    const [call] = modelCallSpans(telemetry.spans());
    expect(call?.status.code).toBe(2); // ERROR
    expect(call?.attributes).toMatchObject({
      'error.type': '429',
      'gen_ai.system': 'openrouter',
      'gen_ai.route.gateway': 'openrouter',
      // OpenRouter names the upstream that refused in the error body.
      'gen_ai.route.upstream': expect.any(String),
    });
    const [step] = mastraSpansOfType(telemetry.spans(), 'model_step');
    expect(step?.attributes).toMatchObject({ 'error.type': '429', 'gen_ai.route.gateway': 'openrouter' });
  });

  it('a 503 answer ends the span with error.type and keeps the gateway', async () => {
    const telemetry = createTelemetry();
    const outcome = await streamOutcome(telemetry, {}, 'unavailable');
    expect(outcome.finishReason ?? outcome.error).toBeTruthy();
    const [call] = modelCallSpans(telemetry.spans());
    expect(call?.attributes).toMatchObject({ 'error.type': '503', 'gen_ai.route.gateway': 'openrouter' });
  });

  it('a stream that breaks mid-way: same text and finish for the caller, span in error with the upstream it had', async () => {
    const without = await streamOutcome(createTelemetry(), false, 'midstream-error');
    const telemetry = createTelemetry();
    const withPlugin = await streamOutcome(telemetry, {}, 'midstream-error');
    expect(withPlugin).toEqual(without);

    const [call] = modelCallSpans(telemetry.spans());
    expect(call?.status.code).toBe(2);
    expect(call?.attributes).toMatchObject({
      'error.type': '_OTHER',
      'gen_ai.route.gateway': 'openrouter',
      'gen_ai.route.upstream': expect.any(String),
    });
  });

  it('a caller that stops reading a stream: spans still end, route known from the first chunks', async () => {
    const telemetry = createTelemetry();
    const mastra = createMastra({ agents: { plain: plainAgent() }, telemetry });
    const stream = await mastra
      .getAgent('plain')
      .stream('Hello', { modelSettings: { headers: { 'x-sim-scenario': 'slow', 'x-sim-upstream': 'Together' } } });
    for await (const _chunk of stream.textStream) break;
    await stream.finishReason.catch(() => undefined);
    await flush(mastra);
    const [call] = modelCallSpans(telemetry.spans());
    expect(call?.attributes).toMatchObject({ 'gen_ai.route.gateway': 'openrouter', 'gen_ai.route.upstream': 'together' });
    expect(mastraSpansOfType(telemetry.spans(), 'agent_run')).toHaveLength(1);
  });

  it('an aborted call: the caller sees its abort, the spans end', async () => {
    const telemetry = createTelemetry();
    const mastra = createMastra({ agents: { plain: plainAgent() }, telemetry });
    const controller = new AbortController();
    const outcome = await mastra
      .getAgent('plain')
      .stream('Hello', {
        abortSignal: controller.signal,
        modelSettings: { headers: { 'x-sim-scenario': 'slow', 'x-sim-upstream': 'Together' } },
      })
      .then(async (stream) => {
        let text = '';
        for await (const chunk of stream.textStream) {
          text += chunk;
          controller.abort();
        }
        return text;
      })
      .catch((error: unknown) => error);
    expect(outcome).toBeDefined();
    await flush(mastra);
    const spans = telemetry.spans();
    expect(mastraSpansOfType(spans, 'agent_run')).toHaveLength(1);
    const calls = modelCallSpans(spans);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.status.code).toBe(2);
    expect(calls[0]?.attributes).toMatchObject({
      'error.type': 'AbortError',
      'gen_ai.route.gateway': 'openrouter',
      'gen_ai.route.upstream': 'together',
    });
  });
});

describe('the plugin never breaks the call', () => {
  it('a tracer that throws on every span leaves the result untouched', async () => {
    const throwingTracer = {
      startSpan() {
        throw new Error('tracer exploded');
      },
      startActiveSpan() {
        throw new Error('tracer exploded');
      },
    } as unknown as Tracer;
    const throwingProvider: TracerProvider = { getTracer: () => throwingTracer };
    const headers = { 'x-sim-upstream': 'Together' };

    const baseline = createMastra({ agents: { plain: plainAgent() }, telemetry: createTelemetry(), servedby: false });
    const expected = await baseline.getAgent('plain').generate('Hello', { modelSettings: { headers } });

    const mastra = createMastra({ agents: { plain: plainAgent() }, telemetry: createTelemetry(), servedby: { tracerProvider: throwingProvider } });
    const result = await mastra.getAgent('plain').generate('Hello', { modelSettings: { headers } });
    expect(result.text).toBe(expected.text);
    expect(result.finishReason).toBe(expected.finishReason);

    const stream = await mastra.getAgent('plain').stream('Hello', { modelSettings: { headers } });
    let text = '';
    for await (const chunk of stream.textStream) text += chunk;
    expect(text).toBe(expected.text);
  });

  it('never records credentials or query strings on its spans', async () => {
    const telemetry = createTelemetry();
    const mastra = createMastra({ agents: { plain: plainAgent() }, telemetry });
    await mastra.getAgent('plain').generate('Hello');
    await flush(mastra);
    const calls = modelCallSpans(telemetry.spans());
    expect(calls.length).toBeGreaterThan(0);
    for (const call of calls) {
      const serialized = JSON.stringify(call.attributes);
      expect(serialized).not.toContain('sk-or-failure-test-key');
      expect(serialized.toLowerCase()).not.toContain('authorization');
      expect(serialized).not.toContain('?');
    }
  });
});

describe('calls that got no response', () => {
  it.each([
    ['OpenRouter', { id: 'openrouter/openai/gpt-4o' as const, url: 'http://127.0.0.1:1/api/v1', apiKey: 'sk-or-refused' }],
    ['LiteLLM', { id: 'litellm/gpt-4o' as const, url: 'http://127.0.0.1:1/v1', apiKey: 'sk-litellm-refused' }],
  ])('a refused connection to a %s base URL carries no upstream (nothing answered)', async (_name, model) => {
    const telemetry = createTelemetry();
    // Nothing listens on port 1: every attempt is refused before any response.
    const agent = new Agent({ id: 'refused', name: 'refused', instructions: 'Be brief.', model });
    const mastra = createMastra({ agents: { refused: agent }, telemetry, servedby: {} });
    try {
      await mastra.getAgent('refused').generate('Hello', { modelSettings: { maxRetries: 0 } });
    } catch {
      // The caller's error is the SDK's; only the spans matter here.
    } finally {
      await flush(mastra);
    }
    const calls = modelCallSpans(telemetry.spans());
    expect(calls.length).toBeGreaterThan(0);
    for (const call of calls) {
      expect(call.attributes['error.type']).toEqual(expect.any(String));
      expect(call.attributes['gen_ai.route.upstream']).toBeUndefined();
      expect(call.attributes['gen_ai.route.path']).toBeUndefined();
    }
    for (const step of mastraSpansOfType(telemetry.spans(), 'model_step')) {
      expect(step.attributes['gen_ai.route.upstream']).toBeUndefined();
    }
  });
});
