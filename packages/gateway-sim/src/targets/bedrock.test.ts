import { createAmazonBedrock } from '@ai-sdk/amazon-bedrock';
import {
  BedrockRuntimeClient,
  ConverseCommand,
  ConverseStreamCommand,
  InvokeModelCommand,
  InvokeModelWithResponseStreamCommand,
  ThrottlingException,
  ValidationException,
} from '@aws-sdk/client-bedrock-runtime';
import { generateText, isStepCount, streamText, tool } from 'ai';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { startGatewaySim } from '../server';
import type { GatewaySim } from '../types';

let sim: GatewaySim;
let clients: BedrockRuntimeClient[] = [];
beforeAll(async () => {
  sim = await startGatewaySim({ port: 0 });
});
afterEach(() => {
  for (const client of clients) client.destroy();
  clients = [];
});
afterAll(async () => {
  await sim.close();
});

/** The unmodified SDK client: only endpoint, region and dummy credentials (HTTP/2 by default). */
function bedrockClient(region = 'us-east-1'): BedrockRuntimeClient {
  const client = new BedrockRuntimeClient({ endpoint: sim.baseUrls.bedrock, region, credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
  clients.push(client);
  return client;
}

const claudeBody = JSON.stringify({ anthropic_version: 'bedrock-2023-05-31', max_tokens: 100, messages: [{ role: 'user', content: 'hi' }] });

describe('Bedrock Runtime', () => {
  it('answers Converse over HTTP/2 with usage and metrics, the model id percent-encoded in the path', async () => {
    const output = await bedrockClient().send(
      new ConverseCommand({ modelId: 'us.anthropic.claude-haiku-4-5-20251001-v1:0', messages: [{ role: 'user', content: [{ text: 'hi' }] }] }),
    );
    expect(output.output?.message?.content?.[0]?.text).toBe('Hello from the gateway simulator.');
    expect(output.usage?.inputTokens).toBeGreaterThan(0);
    expect(output.metrics?.latencyMs).toBeGreaterThan(0);
    expect(output.$metadata.requestId).toMatch(/^[0-9a-f-]{36}$/);
    const request = sim.requests().at(-1)!;
    expect(request.httpVersion).toBe('2.0');
    expect(request.path).toBe('/bedrock/model/us.anthropic.claude-haiku-4-5-20251001-v1%3A0/converse');
  });

  it('streams ConverseStream in event-stream framing; usage reaches the metadata event', async () => {
    const output = await bedrockClient().send(
      new ConverseStreamCommand({ modelId: 'anthropic.claude-3-5-sonnet-20240620-v1:0', messages: [{ role: 'user', content: [{ text: 'hi' }] }] }),
    );
    const kinds: string[] = [];
    let text = '';
    let usage: { inputTokens?: number; outputTokens?: number } | undefined;
    for await (const event of output.stream!) {
      kinds.push(Object.keys(event).find((key) => key !== '$unknown')!);
      text += event.contentBlockDelta?.delta?.text ?? '';
      if (event.metadata) usage = event.metadata.usage;
    }
    expect(kinds).toEqual(['messageStart', 'contentBlockDelta', 'contentBlockDelta', 'contentBlockDelta', 'contentBlockStop', 'messageStop', 'metadata']);
    expect(text).toBe('Hello from the gateway simulator.');
    expect(usage?.outputTokens).toBeGreaterThan(0);
  });

  it('answers InvokeModel with an Anthropic-shaped msg_bdrk_ body and the X-Amzn-Bedrock-* headers', async () => {
    const output = await bedrockClient().send(new InvokeModelCommand({ modelId: 'anthropic.claude-3-5-sonnet-20240620-v1:0', body: claudeBody }));
    const body = JSON.parse(new TextDecoder().decode(output.body)) as { id: string; model: string; usage: { output_tokens: number } };
    expect(body.id).toMatch(/^msg_bdrk_01/);
    expect(body.model).toBe('claude-3-5-sonnet-20240620');
    const raw = await fetch(`${sim.baseUrls.bedrock}/model/anthropic.claude-3-5-sonnet-20240620-v1%3A0/invoke`, { method: 'POST', body: claudeBody });
    expect(raw.headers.get('x-amzn-bedrock-output-token-count')).toBe(String(body.usage.output_tokens));
    expect(raw.headers.get('x-amzn-bedrock-input-token-count')).toMatch(/^\d+$/);
    expect(raw.headers.get('x-amzn-bedrock-invocation-latency')).toMatch(/^\d+$/);
  });

  it('streams InvokeModelWithResponseStream chunks of base64 bytes ending with invocation metrics', async () => {
    const output = await bedrockClient().send(
      new InvokeModelWithResponseStreamCommand({ modelId: 'eu.anthropic.claude-3-5-sonnet-20240620-v1:0', body: claudeBody }),
    );
    const events: Array<Record<string, unknown>> = [];
    for await (const part of output.body!) events.push(JSON.parse(new TextDecoder().decode(part.chunk!.bytes!)));
    expect(events[0]!.type).toBe('message_start');
    expect(events.at(-1)!.type).toBe('message_stop');
    expect(events.at(-1)!['amazon-bedrock-invocationMetrics']).toMatchObject({ outputTokenCount: expect.any(Number) });
  });

  it('accepts ARNs (percent-encoded slashes) and reports the prompt router’s pick in trace', async () => {
    const router = 'arn:aws:bedrock:us-east-1:123456789012:default-prompt-router/anthropic.claude:1';
    const output = await bedrockClient().send(new ConverseCommand({ modelId: router, messages: [{ role: 'user', content: [{ text: 'hi' }] }] }));
    expect(output.trace?.promptRouter?.invokedModelId).toBe(
      'arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-3-5-haiku-20241022-v1:0',
    );
    expect(sim.requests().at(-1)!.path).toContain('default-prompt-router%2Fanthropic.claude%3A1');
    const profile = 'arn:aws:bedrock:eu-west-1:123456789012:application-inference-profile/a1b2c3d4e5f6';
    const invoked = await bedrockClient('eu-west-1').send(new InvokeModelCommand({ modelId: profile, body: claudeBody }));
    expect(JSON.parse(new TextDecoder().decode(invoked.body)).id).toMatch(/^msg_bdrk_/);
  });

  it('answers AWS errors the SDK maps to its exception classes, and mid-stream exceptions', async () => {
    const client = bedrockClient();
    const messages = [{ role: 'user' as const, content: [{ text: 'hi' }] }];
    await expect(client.send(new ConverseCommand({ modelId: 'not a model', messages }))).rejects.toBeInstanceOf(ValidationException);
    const throttled = new BedrockRuntimeClient({
      endpoint: sim.baseUrls.bedrock,
      region: 'us-east-1',
      credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
      maxAttempts: 1,
    });
    clients.push(throttled);
    throttled.middlewareStack.add((next) => (args) => {
      (args.request as { headers: Record<string, string> }).headers['x-sim-scenario'] = 'rate-limit';
      return next(args);
    }, { step: 'build', name: 'simScenario' });
    await expect(throttled.send(new ConverseCommand({ modelId: 'anthropic.claude-3-haiku-20240307-v1:0', messages }))).rejects.toBeInstanceOf(ThrottlingException);
    const failing = new BedrockRuntimeClient({ endpoint: sim.baseUrls.bedrock, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
    clients.push(failing);
    failing.middlewareStack.add((next) => (args) => {
      (args.request as { headers: Record<string, string> }).headers['x-sim-scenario'] = 'midstream-error';
      return next(args);
    }, { step: 'build', name: 'simScenario' });
    const output = await failing.send(new ConverseStreamCommand({ modelId: 'anthropic.claude-3-haiku-20240307-v1:0', messages }));
    const seen: string[] = [];
    await expect(
      (async () => {
        for await (const event of output.stream!) seen.push(Object.keys(event)[0]!);
      })(),
    ).rejects.toMatchObject({ name: 'ModelStreamErrorException' });
    expect(seen[0]).toBe('messageStart');
  });

  it('resets the HTTP/2 stream on "reset" and hangs on "hang" until the SDK aborts', async () => {
    const messages = [{ role: 'user' as const, content: [{ text: 'hi' }] }];
    for (const [scenario, expected] of [
      ['reset', /NGHTTP2_INTERNAL_ERROR/],
      ['hang', /aborted/],
    ] as const) {
      const client = new BedrockRuntimeClient({ endpoint: sim.baseUrls.bedrock, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' }, maxAttempts: 1 });
      clients.push(client);
      client.middlewareStack.add((next) => (args) => {
        (args.request as { headers: Record<string, string> }).headers['x-sim-scenario'] = scenario;
        return next(args);
      }, { step: 'build', name: 'simScenario' });
      const controller = new AbortController();
      const call = client.send(new ConverseCommand({ modelId: 'amazon.nova-lite-v1:0', messages }), { abortSignal: controller.signal });
      if (scenario === 'hang') {
        while (!sim.requests().some((request) => request.headers['x-sim-scenario'] === 'hang')) await new Promise((resolve) => setTimeout(resolve, 5));
        controller.abort();
      }
      await expect(call).rejects.toThrow(expected);
    }
  });

  it('serves @ai-sdk/amazon-bedrock: an agent loop with one tool, a stream, the prompt router trace', async () => {
    const bedrock = createAmazonBedrock({ region: 'us-west-2', accessKeyId: 'x', secretAccessKey: 'y', baseURL: sim.baseUrls.bedrock });
    const result = await generateText({
      model: bedrock('us.amazon.nova-lite-v1:0'),
      prompt: 'weather?',
      maxRetries: 0,
      stopWhen: isStepCount(4),
      tools: { weather: tool({ inputSchema: z.object({ city: z.string() }), execute: async ({ city }) => `fog in ${city}` }) },
    });
    expect(result.steps).toHaveLength(2);
    expect(result.text).toBe('The tool returned: fog in Paris');
    const streamed = streamText({ model: bedrock('anthropic.claude-3-5-haiku-20241022-v1:0'), prompt: 'hi', maxRetries: 0 });
    expect(await streamed.text).toBe('Hello from the gateway simulator.');
    expect((await streamed.usage).outputTokens).toBeGreaterThan(0);
    const routed = await generateText({
      model: bedrock('arn:aws:bedrock:us-west-2:123456789012:default-prompt-router/anthropic.claude:1'),
      prompt: 'hi',
      maxRetries: 0,
    });
    const trace = routed.providerMetadata?.bedrock?.trace as { promptRouter?: { invokedModelId?: string } } | undefined;
    expect(trace?.promptRouter?.invokedModelId).toContain('inference-profile/us.anthropic.claude-3-5-haiku');
  });
});
