import { Agent } from '@mastra/core/agent';
import { createTool } from '@mastra/core/tools';
import { createStep, createWorkflow } from '@mastra/core/workflows';
import type { AnySpan } from '@mastra/core/observability';
import { startGatewaySim, type GatewaySim } from '@servedby/gateway-sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { routeSpanProcessor } from './index';
import {
  createMastra,
  createTelemetry,
  flush,
  mastraSpansOfType,
  modelCallSpans,
  parentId,
  spanNamed,
} from '../test/harness';

let sim: GatewaySim;

beforeAll(async () => {
  sim = await startGatewaySim({ port: 0 });
  // Mastra's models.dev gateway reads `<PROVIDER>_BASE_URL` and the provider's key variable.
  process.env.OPENROUTER_BASE_URL = sim.baseUrls.openrouter;
  process.env.OPENROUTER_API_KEY = 'sk-or-test-key';
});

afterAll(async () => {
  await sim?.close();
});

const weatherTool = createTool({
  id: 'weather',
  description: 'Current weather in a city',
  inputSchema: z.object({ city: z.string() }),
  execute: async () => ({ sky: 'sunny', celsius: 21 }),
});

function weatherAgent(model: ConstructorParameters<typeof Agent>[0]['model'], tools = { weather: weatherTool }) {
  return new Agent({ id: 'weather', name: 'weather', instructions: 'Answer about the weather.', model, tools });
}

describe('routeSpanProcessor with a router string through simulated OpenRouter', () => {
  it('attributes both model calls of an agent run (JSON)', async () => {
    const telemetry = createTelemetry();
    const mastra = createMastra({ agents: { weather: weatherAgent('openrouter/anthropic/claude-sonnet-4') }, telemetry });
    const result = await mastra
      .getAgent('weather')
      .generate('Weather in Paris?', { modelSettings: { headers: { 'x-sim-upstream': 'Together' } } });
    await flush(mastra);
    expect(result.text).toBeTruthy();

    const spans = telemetry.spans();
    const calls = modelCallSpans(spans);
    expect(calls).toHaveLength(2);
    for (const call of calls) {
      expect(call.name).toBe('chat anthropic/claude-sonnet-4');
      expect(call.kind).toBe(2); // SpanKind.CLIENT
      expect(call.attributes).toMatchObject({
        'gen_ai.operation.name': 'chat',
        'gen_ai.system': 'openrouter',
        'gen_ai.provider.name': 'openrouter',
        'gen_ai.request.model': 'anthropic/claude-sonnet-4',
        'gen_ai.route.gateway': 'openrouter',
        'gen_ai.route.upstream': 'together',
        'server.address': '127.0.0.1',
      });
      expect(call.attributes['gen_ai.route.request_id']).toEqual(expect.stringMatching(/^gen-/));
      expect(call.attributes['gen_ai.usage.input_tokens']).toEqual(expect.any(Number));
    }

    // Mastra's own spans, bridged to OTel, carry the route under the canonical names.
    const steps = mastraSpansOfType(spans, 'model_step');
    expect(steps).toHaveLength(2);
    for (const step of steps) {
      expect(step.attributes['gen_ai.route.upstream']).toBe('together');
      // …and as Mastra metadata, which every Mastra exporter ships (not only the bridge).
      expect(step.attributes['mastra.metadata.gen_ai.route.upstream']).toBe('together');
    }
    // Each client span sits under its step.
    expect(calls.map(parentId).sort()).toEqual(steps.map((step) => step.spanContext().spanId).sort());

    const [generation] = mastraSpansOfType(spans, 'model_generation');
    expect(generation?.attributes).toMatchObject({
      'gen_ai.provider.name': 'openrouter',
      'gen_ai.route.gateway': 'openrouter',
      'gen_ai.route.upstream': 'together',
      'gen_ai.route.upstreams': ['together'],
    });
    const [agentRun] = mastraSpansOfType(spans, 'agent_run');
    expect(agentRun?.attributes['gen_ai.route.upstreams']).toEqual(['together']);
  });

  it('attributes a streamed agent run from the stream itself', async () => {
    const telemetry = createTelemetry();
    const mastra = createMastra({ agents: { weather: weatherAgent('openrouter/anthropic/claude-sonnet-4') }, telemetry });
    const stream = await mastra
      .getAgent('weather')
      .stream('Weather in Paris?', { modelSettings: { headers: { 'x-sim-upstream': 'Amazon Bedrock' } } });
    let text = '';
    for await (const chunk of stream.textStream) text += chunk;
    await flush(mastra);
    expect(text).toBeTruthy();

    const calls = modelCallSpans(telemetry.spans());
    expect(calls).toHaveLength(2);
    for (const call of calls) {
      expect(call.attributes).toMatchObject({
        'gen_ai.system': 'openrouter',
        'gen_ai.route.gateway': 'openrouter',
        'gen_ai.route.upstream': 'aws.bedrock',
      });
    }
    const [agentRun] = mastraSpansOfType(telemetry.spans(), 'agent_run');
    expect(agentRun?.attributes['gen_ai.route.upstreams']).toEqual(['aws.bedrock']);
  });

  it('shows every upstream of a run on the agent span when its two calls are served differently', async () => {
    const telemetry = createTelemetry();
    const start = Date.parse('2026-06-01T00:00:00Z');
    sim.setClock(start);
    // OpenRouter moves the model from Together to Fireworks while the tool runs.
    const switchingTool = createTool({
      id: 'weather',
      description: 'Current weather in a city',
      inputSchema: z.object({ city: z.string() }),
      execute: async () => {
        sim.advanceClock(120_000);
        return { sky: 'sunny' };
      },
    });
    const scenario = JSON.stringify({
      timeline: [
        { start, durationMs: 60_000, upstream: 'Together' },
        { start: start + 60_000, durationMs: 600_000, upstream: 'Fireworks' },
      ],
    });
    const mastra = createMastra({
      agents: { weather: weatherAgent('openrouter/anthropic/claude-sonnet-4', { weather: switchingTool }) },
      telemetry,
    });
    await mastra.getAgent('weather').generate('Weather in Paris?', { modelSettings: { headers: { 'x-sim-scenario': scenario } } });
    await flush(mastra);

    const spans = telemetry.spans();
    expect(modelCallSpans(spans).map((span) => span.attributes['gen_ai.route.upstream'])).toEqual(['together', 'fireworks']);
    const [agentRun] = mastraSpansOfType(spans, 'agent_run');
    expect(agentRun?.attributes['gen_ai.route.upstreams']).toEqual(['together', 'fireworks']);
    expect(spanNamed(spans, /^invoke_agent/)).toHaveLength(1);
  });
});

describe('workflows', () => {
  it('a workflow with an agent step nests the model calls and carries their upstreams', async () => {
    const telemetry = createTelemetry();
    const agent = weatherAgent({ id: 'openrouter/anthropic/claude-sonnet-4', headers: { 'x-sim-upstream': 'Together' } });
    const workflow = createWorkflow({
      id: 'forecast',
      inputSchema: z.object({ prompt: z.string() }),
      outputSchema: z.object({ text: z.string() }),
    })
      .then(createStep(agent))
      .commit();
    const mastra = createMastra({ agents: { weather: agent }, workflows: { forecast: workflow }, telemetry });
    const run = await mastra.getWorkflow('forecast').createRun();
    const result = await run.start({ inputData: { prompt: 'Weather in Paris?' } });
    await flush(mastra);
    expect(result.status).toBe('success');

    const spans = telemetry.spans();
    const byId = new Map(spans.map((span) => [span.spanContext().spanId, span]));
    const ancestorsOf = (span: (typeof spans)[number]) => {
      const chain: string[] = [];
      for (let parent = byId.get(parentId(span) ?? ''); parent; parent = byId.get(parentId(parent) ?? '')) {
        chain.push(String(parent.attributes['mastra.span.type'] ?? parent.name));
      }
      return chain;
    };
    const calls = modelCallSpans(spans);
    expect(calls).toHaveLength(2);
    for (const call of calls) {
      expect(call.attributes['gen_ai.route.upstream']).toBe('together');
      expect(ancestorsOf(call)).toEqual(['model_step', 'model_generation', 'agent_run', 'workflow_step', 'workflow_run']);
    }
    for (const type of ['agent_run', 'workflow_step', 'workflow_run']) {
      const [span] = mastraSpansOfType(spans, type);
      expect(span?.attributes['gen_ai.route.upstreams'], type).toEqual(['together']);
    }
  });
});

describe('metrics and idempotency', () => {
  it('records the route metrics for every model call', async () => {
    const telemetry = createTelemetry();
    const mastra = createMastra({ agents: { weather: weatherAgent('openrouter/anthropic/claude-sonnet-4') }, telemetry });
    await mastra.getAgent('weather').generate('Weather in Paris?', { modelSettings: { headers: { 'x-sim-upstream': 'Together' } } });
    await flush(mastra);
    const metrics = (await telemetry.collectMetrics()).scopeMetrics.flatMap((scope) => scope.metrics);
    const duration = metrics.find((metric) => metric.descriptor.name === 'gen_ai.client.operation.duration');
    const tokens = metrics.find((metric) => metric.descriptor.name === 'gen_ai.client.token.usage');
    expect(duration?.dataPoints).toHaveLength(1);
    const [point] = duration!.dataPoints;
    expect(point?.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': 'anthropic/claude-sonnet-4',
      'gen_ai.route.gateway': 'openrouter',
      'gen_ai.route.upstream': 'together',
    });
    expect((point?.value as { count: number }).count).toBe(2);
    expect(tokens?.dataPoints.map((dataPoint) => dataPoint.attributes['gen_ai.token.type']).sort()).toEqual(['input', 'output']);
  });

  it('acts once per step however often Mastra hands it the same span', async () => {
    const telemetry = createTelemetry();
    const processor = routeSpanProcessor({ tracerProvider: telemetry.tracerProvider, meterProvider: telemetry.meterProvider });
    const repeating = {
      name: 'repeat',
      process(span?: AnySpan) {
        processor.process(span);
        processor.process(span);
        return processor.process(span);
      },
      shutdown: () => processor.shutdown(),
    };
    const { Mastra } = await import('@mastra/core');
    const { Observability } = await import('@mastra/observability');
    const { OtelBridge } = await import('@mastra/otel-bridge');
    const mastra = new Mastra({
      agents: { weather: weatherAgent('openrouter/anthropic/claude-sonnet-4') },
      logger: false,
      observability: new Observability({
        configs: {
          default: {
            serviceName: 'idempotency',
            bridge: new OtelBridge({ tracerProvider: telemetry.tracerProvider }),
            spanOutputProcessors: [repeating],
          },
        },
      }),
    });
    await mastra.getAgent('weather').generate('Weather in Paris?', { modelSettings: { headers: { 'x-sim-upstream': 'Together' } } });
    await flush(mastra);
    await processor.shutdown();
    expect(modelCallSpans(telemetry.spans())).toHaveLength(2);
    const [agentRun] = mastraSpansOfType(telemetry.spans(), 'agent_run');
    expect(agentRun?.attributes['gen_ai.route.upstreams']).toEqual(['together']);
  });
});

describe('streams and semconv modes', () => {
  it('hands the first chunk over before the stream has ended (the capture never buffers)', async () => {
    const telemetry = createTelemetry();
    const agent = new Agent({ id: 'plain', name: 'plain', instructions: 'Be brief.', model: 'openrouter/anthropic/claude-sonnet-4' });
    const mastra = createMastra({ agents: { plain: agent }, telemetry });
    const stream = await mastra
      .getAgent('plain')
      .stream('Hello', { modelSettings: { headers: { 'x-sim-scenario': 'slow', 'x-sim-upstream': 'Together' } } });
    let finished = false;
    void stream.finishReason.then(() => (finished = true));
    const chunks: string[] = [];
    for await (const chunk of stream.textStream) {
      if (chunks.length === 0) expect(finished).toBe(false);
      chunks.push(chunk);
    }
    expect(chunks.length).toBeGreaterThan(1);
    await flush(mastra);
    expect(modelCallSpans(telemetry.spans())[0]?.attributes['gen_ai.route.upstream']).toBe('together');
  });

  it("semconv 'latest' emits gen_ai.provider.name only", async () => {
    const telemetry = createTelemetry();
    const agent = new Agent({ id: 'plain', name: 'plain', instructions: 'Be brief.', model: 'openrouter/anthropic/claude-sonnet-4' });
    const mastra = createMastra({ agents: { plain: agent }, telemetry, servedby: { semconv: 'latest' } });
    await mastra.getAgent('plain').generate('Hello');
    await flush(mastra);
    const [call] = modelCallSpans(telemetry.spans());
    expect(call?.attributes['gen_ai.provider.name']).toBe('openrouter');
    expect(call?.attributes['gen_ai.system']).toBeUndefined();
  });
});

describe('without the OTel bridge', () => {
  it('any Mastra exporter receives the route as span metadata', async () => {
    const telemetry = createTelemetry();
    const ended: Array<{ type: string; metadata?: Record<string, unknown> }> = [];
    const exporter = {
      name: 'in-memory',
      async exportTracingEvent(event: { type: string; exportedSpan: { type: string; metadata?: Record<string, unknown> } }) {
        if (event.type === 'span_ended') ended.push({ type: event.exportedSpan.type, metadata: event.exportedSpan.metadata });
      },
      async flush() {},
      async shutdown() {},
    };
    const { Mastra } = await import('@mastra/core');
    const { Observability } = await import('@mastra/observability');
    const mastra = new Mastra({
      agents: { weather: weatherAgent('openrouter/anthropic/claude-sonnet-4') },
      logger: false,
      observability: new Observability({
        configs: {
          default: {
            serviceName: 'exporter-only',
            exporters: [exporter],
            spanOutputProcessors: [routeSpanProcessor({ tracerProvider: telemetry.tracerProvider, meterProvider: telemetry.meterProvider })],
          },
        },
      }),
    });
    await mastra.getAgent('weather').generate('Weather in Paris?', { modelSettings: { headers: { 'x-sim-upstream': 'Together' } } });
    await flush(mastra);

    const steps = ended.filter((span) => span.type === 'model_step');
    expect(steps).toHaveLength(2);
    for (const step of steps) {
      expect(step.metadata).toMatchObject({
        'gen_ai.system': 'openrouter',
        'gen_ai.route.gateway': 'openrouter',
        'gen_ai.route.upstream': 'together',
        'gen_ai.route.path': ['openrouter', 'together'],
      });
    }
    expect(ended.find((span) => span.type === 'model_generation')?.metadata).toMatchObject({
      'gen_ai.route.upstream': 'together',
      'gen_ai.route.upstreams': ['together'],
    });
    expect(ended.find((span) => span.type === 'agent_run')?.metadata?.['gen_ai.route.upstreams']).toEqual(['together']);
    // The servedby client spans still reach the OTel provider.
    expect(modelCallSpans(telemetry.spans())).toHaveLength(2);
  });
});

describe('nested agents', () => {
  it('a sub-agent called as a tool: each agent span lists the upstreams of the calls beneath it', async () => {
    const telemetry = createTelemetry();
    const helper = new Agent({
      id: 'helper',
      name: 'helper',
      description: 'Knows the weather',
      instructions: 'Answer about the weather.',
      model: { id: 'openrouter/anthropic/claude-sonnet-4', headers: { 'x-sim-upstream': 'Fireworks' } },
    });
    const lead = new Agent({
      id: 'lead',
      name: 'lead',
      instructions: 'Delegate weather questions.',
      model: { id: 'openrouter/openai/gpt-4o', headers: { 'x-sim-upstream': 'Together' } },
      agents: { helper },
    });
    const mastra = createMastra({ agents: { lead, helper }, telemetry });
    await mastra.getAgent('lead').generate('Weather in Paris?');
    await flush(mastra);

    const spans = telemetry.spans();
    const agentRuns = mastraSpansOfType(spans, 'agent_run');
    const upstreamsOf = (name: string) => agentRuns.find((span) => span.name === `invoke_agent ${name}`)?.attributes['gen_ai.route.upstreams'];
    expect(upstreamsOf('helper')).toEqual(['fireworks']);
    expect(upstreamsOf('lead')).toEqual(['fireworks', 'together']);
    const [toolCall] = mastraSpansOfType(spans, 'tool_call');
    expect(toolCall?.attributes['gen_ai.route.upstreams']).toEqual(['fireworks']);
    expect(modelCallSpans(spans).map((span) => span.attributes['gen_ai.route.upstream']).sort()).toEqual([
      'fireworks',
      'together',
      'together',
    ]);
  });
});
