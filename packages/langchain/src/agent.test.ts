import { SpanKind } from '@opentelemetry/api';
import { tool } from '@langchain/core/tools';
import { ChatOpenAI } from '@langchain/openai';
import { captureRouteFetch } from '@servedby/conventions';
import { startGatewaySim, type GatewaySim } from '@servedby/gateway-sim';
import { createReactAgent } from '@langchain/langgraph/prebuilt';
import { createAgent } from 'langchain';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createRouteCallbackHandler } from './index';
import { createTestTelemetry, modelSpans } from './test-support';

const telemetry = createTestTelemetry();
let sim: GatewaySim;

beforeAll(async () => {
  sim = await startGatewaySim({ port: 0, seed: 5 });
});
afterAll(async () => {
  await sim?.close();
});
beforeEach(() => telemetry.reset());

const getWeather = tool(async ({ city }: { city: string }) => `Sunny in ${city}`, {
  name: 'get_weather',
  description: 'Current weather in a city',
  schema: z.object({ city: z.string() }),
});

describe('LangGraph agent (createAgent)', () => {
  it('mirrors the run tree and puts every upstream its model calls used on the agent span', async () => {
    // The simulated model calls the offered tool first, then answers: two model calls. Each
    // request names a different upstream through the simulator's per-request header.
    let request = 0;
    const upstreams = ['Together', 'Fireworks'];
    const routedFetch: typeof fetch = (input, init) => {
      const headers = new Headers(init?.headers);
      headers.set('x-sim-upstream', upstreams[request % 2]!);
      request += 1;
      return fetch(input, { ...init, headers });
    };
    const model = new ChatOpenAI({
      model: 'openai/gpt-4o',
      apiKey: 'sk-test',
      maxRetries: 0,
      configuration: { baseURL: sim.baseUrls.openrouter, fetch: captureRouteFetch(routedFetch) },
    });
    const agent = createAgent({ model, tools: [getWeather] });
    const handler = createRouteCallbackHandler({
      tracerProvider: telemetry.tracerProvider,
      meterProvider: telemetry.meterProvider,
    });
    await agent.invoke({ messages: [{ role: 'user', content: 'Weather in Paris?' }] }, { callbacks: [handler] });

    const spans = telemetry.spans();
    const agentSpan = spans.find((span) => span.attributes['gen_ai.operation.name'] === 'invoke_agent');
    expect(agentSpan).toBeDefined();
    expect(agentSpan!.name).toBe('invoke_agent LangGraph');
    expect(agentSpan!.kind).toBe(SpanKind.INTERNAL);
    const calls = modelSpans(spans);
    expect(calls.map((span) => span.attributes['gen_ai.route.upstream'])).toEqual(['together', 'fireworks']);
    expect(agentSpan!.attributes['gen_ai.route.upstreams']).toEqual(['together', 'fireworks']);
    const toolSpan = spans.find((span) => span.name === 'execute_tool get_weather');
    expect(toolSpan?.attributes).toMatchObject({ 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'get_weather' });
    // Every span of the run belongs to the agent's trace, under the agent span.
    for (const span of spans) {
      expect(span.spanContext().traceId).toBe(agentSpan!.spanContext().traceId);
    }
    const byId = new Map(spans.map((span) => [span.spanContext().spanId, span]));
    for (const call of calls) {
      let cursor = byId.get(call.parentSpanContext?.spanId ?? '');
      while (cursor && cursor !== agentSpan) cursor = byId.get(cursor.parentSpanContext?.spanId ?? '');
      expect(cursor).toBe(agentSpan);
    }
    // LangGraph's hidden plumbing (__start__, channel writes) gets no span.
    expect(spans.some((span) => span.name === '__start__')).toBe(false);
  });
});

describe('LangGraph prebuilt ReAct agent', () => {
  it('is an invoke_agent span carrying the upstreams of its model calls', async () => {
    const model = new ChatOpenAI({
      model: 'openai/gpt-4o',
      apiKey: 'sk-test',
      maxRetries: 0,
      configuration: {
        baseURL: sim.baseUrls.openrouter,
        fetch: captureRouteFetch(),
        defaultHeaders: { 'x-sim-upstream': 'DeepInfra' },
      },
    });
    const agent = createReactAgent({ llm: model, tools: [getWeather], name: 'weather_agent' });
    const handler = createRouteCallbackHandler({
      tracerProvider: telemetry.tracerProvider,
      meterProvider: telemetry.meterProvider,
    });
    await agent.invoke({ messages: [{ role: 'user', content: 'Weather in Paris?' }] }, { callbacks: [handler] });
    const spans = telemetry.spans();
    const agentSpans = spans.filter((span) => span.attributes['gen_ai.operation.name'] === 'invoke_agent');
    expect(agentSpans).toHaveLength(1);
    expect(agentSpans[0]!.attributes).toMatchObject({
      'gen_ai.agent.name': 'weather_agent',
      'gen_ai.route.upstreams': ['deepinfra'],
    });
    expect(modelSpans(spans)).toHaveLength(2);
  });
});

describe('nested agents', () => {
  it('an agent called from a tool reports its upstreams to its own span and to the outer agent', async () => {
    const openRouterModel = (upstream: string) =>
      new ChatOpenAI({
        model: 'openai/gpt-4o',
        apiKey: 'sk-test',
        maxRetries: 0,
        configuration: {
          baseURL: sim.baseUrls.openrouter,
          fetch: captureRouteFetch(),
          defaultHeaders: { 'x-sim-upstream': upstream },
        },
      });
    const expert = createAgent({ model: openRouterModel('Fireworks'), tools: [], name: 'expert' });
    const askExpert = tool(
      async ({ question }: { question: string }) => {
        const answer = await expert.invoke({ messages: [{ role: 'user', content: question }] });
        return String(answer.messages.at(-1)?.content ?? '');
      },
      { name: 'ask_expert', description: 'Asks the expert agent', schema: z.object({ question: z.string() }) },
    );
    const coordinator = createAgent({ model: openRouterModel('Together'), tools: [askExpert], name: 'coordinator' });
    const handler = createRouteCallbackHandler({
      tracerProvider: telemetry.tracerProvider,
      meterProvider: telemetry.meterProvider,
    });
    await coordinator.invoke({ messages: [{ role: 'user', content: 'Ask the expert' }] }, { callbacks: [handler] });
    const spans = telemetry.spans();
    const outer = spans.find((span) => span.name === 'invoke_agent coordinator');
    const inner = spans.find((span) => span.name === 'invoke_agent expert');
    expect(outer?.attributes['gen_ai.route.upstreams']).toEqual(['together', 'fireworks']);
    expect(inner?.attributes['gen_ai.route.upstreams']).toEqual(['fireworks']);
    const toolSpan = spans.find((span) => span.name === 'execute_tool ask_expert');
    expect(toolSpan?.attributes['gen_ai.route.upstreams']).toEqual(['fireworks']);
    expect(inner?.parentSpanContext?.spanId).toBe(toolSpan?.spanContext().spanId);
  });
});
