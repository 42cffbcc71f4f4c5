// Runs without the network against LangChain's own fake models, so it also runs against the
// oldest supported @langchain/core (vitest.oldest.config.ts).
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { FakeListChatModel, FakeLLM } from '@langchain/core/utils/testing';
import { RunnableLambda } from '@langchain/core/runnables';
import { tool } from '@langchain/core/tools';
import { beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createRouteCallbackHandler } from './index';
import { createTestTelemetry, modelSpans } from './test-support';

const telemetry = createTestTelemetry();
const handler = (captureContent = false) =>
  createRouteCallbackHandler({
    tracerProvider: telemetry.tracerProvider,
    meterProvider: telemetry.meterProvider,
    captureContent,
  });

beforeEach(() => telemetry.reset());

describe('createRouteCallbackHandler with LangChain fake models', () => {
  it('makes a CLIENT span per model call, named after the operation and model', async () => {
    const model = new FakeListChatModel({ responses: ['Hi there'] });
    const result = await model.invoke('Hello', { callbacks: [handler()] });
    expect(result.content).toBe('Hi there');
    const [span] = modelSpans(telemetry.spans());
    expect(span?.kind).toBe(SpanKind.CLIENT);
    expect(span?.attributes['gen_ai.operation.name']).toBe('chat');
    expect(span?.attributes['gen_ai.system']).toEqual(expect.any(String));
    expect(span?.status.code).not.toBe(SpanStatusCode.ERROR);
  });

  it('makes a text_completion span for a plain LLM', async () => {
    const llm = new FakeLLM({ response: 'completed' });
    expect(await llm.invoke('Complete this', { callbacks: [handler()] })).toBe('completed');
    const [span] = modelSpans(telemetry.spans());
    expect(span?.kind).toBe(SpanKind.CLIENT);
    expect(span?.attributes['gen_ai.operation.name']).toBe('text_completion');
  });

  it('records no prompt or completion text unless asked, and both when asked', async () => {
    const model = new FakeListChatModel({ responses: ['secret answer', 'secret answer'] });
    await model.invoke('secret prompt', { callbacks: [handler()] });
    expect(JSON.stringify(telemetry.spans().map((span) => span.attributes))).not.toContain('secret');
    telemetry.reset();
    await model.invoke('secret prompt', { callbacks: [handler(true)] });
    const [span] = modelSpans(telemetry.spans());
    expect(span?.attributes['gen_ai.input.messages']).toContain('secret prompt');
    expect(span?.attributes['gen_ai.output.messages']).toContain('secret answer');
  });

  it('nests chain, tool and model spans like the LangChain run tree', async () => {
    const model = new FakeListChatModel({ responses: ['from the tool'] });
    const lookup = tool(async ({ query }: { query: string }) => (await model.invoke(query)).content as string, {
      name: 'lookup',
      description: 'Looks something up',
      schema: z.object({ query: z.string() }),
    });
    const pipeline = RunnableLambda.from(async (input: string) => lookup.invoke({ query: input })).withConfig({
      runName: 'pipeline',
    });
    const output = await pipeline.invoke('question', { callbacks: [handler()] });
    expect(output).toBe('from the tool');
    const spans = telemetry.spans();
    const chain = spans.find((span) => span.name === 'pipeline')!;
    const toolSpan = spans.find((span) => span.name === 'execute_tool lookup')!;
    const [call] = modelSpans(spans);
    expect(chain).toBeDefined();
    expect(toolSpan.parentSpanContext?.spanId).toBe(chain.spanContext().spanId);
    expect(call?.parentSpanContext?.spanId).toBe(toolSpan.spanContext().spanId);
    expect(toolSpan.attributes).toMatchObject({ 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'lookup' });
  });

  it('ends chain and tool spans with error.type when they throw, and rethrows the same error', async () => {
    const failure = new TypeError('tool broke');
    const broken = tool(
      async () => {
        throw failure;
      },
      { name: 'broken', description: 'Always fails', schema: z.object({}) },
    );
    await expect(broken.invoke({}, { callbacks: [handler()] })).rejects.toBe(failure);
    const span = telemetry.spans().find((candidate) => candidate.name === 'execute_tool broken')!;
    expect(span.attributes['error.type']).toBe('TypeError');
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
  });

  it('ends the model span when the caller abandons a stream', async () => {
    const model = new FakeListChatModel({ responses: ['a long streamed answer'], sleep: 1 });
    for await (const _chunk of await model.stream('Hello', { callbacks: [handler()] })) {
      break;
    }
    const spans = modelSpans(telemetry.spans());
    expect(spans).toHaveLength(1);
    expect(spans[0]?.attributes['gen_ai.request.stream']).toBe(true);
  });
});
