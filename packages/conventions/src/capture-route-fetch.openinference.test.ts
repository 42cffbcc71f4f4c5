import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { context } from '@opentelemetry/api';
import {
  createContextManager,
  createInMemorySpanExporter,
  createSimpleSpanProcessor,
  createTracerProvider,
} from '@servedby/test-otel';
import { OpenAIInstrumentation } from '@arizeai/openinference-instrumentation-openai';
import * as openaiModule from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureRouteFetch } from './capture-route-fetch';
import openRouterStream from './rules/openrouter/__fixtures__/openrouter-chat-stream-sse-amazon-bedrock.json';
import openRouterJson from './rules/openrouter/__fixtures__/openrouter-chat-nonstream-amazon-bedrock.json';

const exporter = createInMemorySpanExporter();
const tracerProvider = createTracerProvider({ spanProcessors: [createSimpleSpanProcessor(exporter)] });
const contextManager = createContextManager();
const instrumentation = new OpenAIInstrumentation({ tracerProvider });
const server = createServer((request, response) => {
  const parts: Buffer[] = [];
  request.on('data', (part: Buffer) => parts.push(part));
  request.on('end', () => {
    const stream = (JSON.parse(Buffer.concat(parts).toString('utf8')) as { stream?: boolean }).stream === true;
    if (stream) {
      response.writeHead(200, openRouterStream.response.headers as Record<string, string>);
      response.end(openRouterStream.response.body as string);
    } else {
      response.writeHead(200, { 'content-type': 'application/json', 'x-generation-id': 'gen-1780944464-aVi4x8Mw2aEBGnCL6z99' });
      response.end(`\n  ${JSON.stringify(openRouterJson.response.body)}`);
    }
  });
});
let baseURL = '';

beforeAll(async () => {
  context.setGlobalContextManager(contextManager.enable());
  instrumentation.manuallyInstrument(openaiModule as unknown as Parameters<OpenAIInstrumentation['manuallyInstrument']>[0]);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`;
});
afterAll(async () => {
  instrumentation.disable();
  contextManager.disable();
  context.disable();
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('captureRouteFetch under the real OpenInference OpenAI instrumentation', () => {
  it('puts the route on the OpenInference span and makes no span of its own', async () => {
    exporter.reset();
    const client = new openaiModule.OpenAI({ apiKey: 'sk-test', baseURL, maxRetries: 0, fetch: captureRouteFetch(undefined, { tracerProvider }) });
    const completion = await client.chat.completions.create({
      model: 'anthropic/claude-haiku-4.5',
      messages: [{ role: 'user', content: "What's 2 + 2?" }],
    });
    expect(completion.choices[0]?.message.content).toBe('2 + 2 = 4');

    const spans = exporter.getFinishedSpans();
    expect(spans).toHaveLength(1);
    expect(spans[0]!.attributes['openinference.span.kind']).toBe('LLM');
    expect(spans[0]!.attributes).toMatchObject({
      'gen_ai.route.gateway': 'openrouter',
      'gen_ai.route.upstream': 'aws.bedrock',
      'gen_ai.route.request_id': 'gen-1780944464-aVi4x8Mw2aEBGnCL6z99',
      'gen_ai.response.model': 'anthropic/claude-4.5-haiku-20251001',
    });
  });

  it('does so for a stream too, before the OpenInference span ends', async () => {
    exporter.reset();
    const client = new openaiModule.OpenAI({ apiKey: 'sk-test', baseURL, maxRetries: 0, fetch: captureRouteFetch(undefined, { tracerProvider }) });
    const stream = await client.chat.completions.create({
      model: 'anthropic/claude-haiku-4.5',
      messages: [{ role: 'user', content: 'Count from 1 to 3' }],
      stream: true,
    });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toBe('1\n2\n3');

    const spans = exporter.getFinishedSpans();
    expect(spans).toHaveLength(1);
    expect(spans[0]!.attributes['gen_ai.route.upstream']).toBe('aws.bedrock');
    expect(spans[0]!.attributes['gen_ai.route.gateway']).toBe('openrouter');
  });
});
