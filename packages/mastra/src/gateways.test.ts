import { createAmazonBedrock } from '@ai-sdk/amazon-bedrock';
import { createAzure } from '@ai-sdk/azure';
import { Agent } from '@mastra/core/agent';
import { ModelsDevGateway } from '@mastra/core/llm';
import { createTool } from '@mastra/core/tools';
import { startGatewaySim, type GatewaySim } from '@servedby/gateway-sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createMastra, createTelemetry, flush, mastraSpansOfType, modelCallSpans, type Telemetry } from '../test/harness';

let sim: GatewaySim;

beforeAll(async () => {
  sim = await startGatewaySim({ port: 0 });
  // Router strings go through Mastra's models.dev gateway, which reads `<PROVIDER>_BASE_URL`.
  process.env.OPENAI_BASE_URL = sim.baseUrls.openai;
  process.env.OPENAI_API_KEY = 'sk-openai-test';
  process.env.ANTHROPIC_BASE_URL = sim.baseUrls.anthropic;
  process.env.ANTHROPIC_API_KEY = 'sk-ant-test';
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

type AgentModel = ConstructorParameters<typeof Agent>[0]['model'];

/** Runs a one-tool agent (generate or stream) and returns the telemetry it produced. */
async function runAgent(
  model: AgentModel,
  mode: 'generate' | 'stream',
  headers: Record<string, string> = {},
  servedby: Parameters<typeof createMastra>[0]['servedby'] = {},
  gateways?: Parameters<typeof createMastra>[0]['gateways'],
): Promise<{ telemetry: Telemetry; text: string }> {
  const telemetry = createTelemetry();
  const agent = new Agent({ id: 'weather', name: 'weather', instructions: 'Answer about the weather.', model, tools: { weather: weatherTool } });
  const mastra = createMastra({ agents: { weather: agent }, telemetry, servedby, gateways });
  let text = '';
  if (mode === 'generate') {
    text = (await mastra.getAgent('weather').generate('Weather in Paris?', { modelSettings: { headers } })).text;
  } else {
    const stream = await mastra.getAgent('weather').stream('Weather in Paris?', { modelSettings: { headers } });
    for await (const chunk of stream.textStream) text += chunk;
  }
  await flush(mastra);
  return { telemetry, text };
}

/** Every model call span carries `expected`, and the agent span lists the upstream. */
function expectRoute(telemetry: Telemetry, expected: Record<string, unknown>, upstream: string): void {
  const spans = telemetry.spans();
  const calls = modelCallSpans(spans);
  expect(calls).toHaveLength(2);
  for (const call of calls) {
    expect(call.kind).toBe(2); // CLIENT
    expect(call.name).toBe(`chat ${String(expected['gen_ai.request.model'])}`);
    expect(call.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'server.address': '127.0.0.1',
      'server.port': sim.port,
      ...expected,
    });
    expect(call.attributes['error.type']).toBeUndefined();
  }
  const [agentRun] = mastraSpansOfType(spans, 'agent_run');
  expect(agentRun?.attributes['gen_ai.route.upstreams']).toEqual([upstream]);
}

for (const mode of ['generate', 'stream'] as const) {
  describe(`Mastra agent (${mode})`, () => {
    it('through simulated LiteLLM (router config with url)', async () => {
      const { telemetry, text } = await runAgent(
        { id: 'litellm/gpt-4o', url: sim.baseUrls.litellm, apiKey: 'sk-litellm-test' },
        mode,
        { 'x-sim-upstream': 'together' },
      );
      expect(text).toBeTruthy();
      expectRoute(
        telemetry,
        {
          'gen_ai.system': 'litellm',
          'gen_ai.provider.name': 'litellm',
          'gen_ai.request.model': 'gpt-4o',
          'gen_ai.route.gateway': 'litellm',
          'gen_ai.route.upstream': 'together',
          'gen_ai.route.path': ['litellm', 'together'],
          'gen_ai.route.request_id': expect.any(String),
          'gen_ai.route.deployment': expect.any(String),
        },
        'together',
      );
    });

    it('through the simulated Vercel AI Gateway OpenAI-compatible route', async () => {
      const { telemetry, text } = await runAgent(
        { id: 'vercel/anthropic/claude-sonnet-4', url: sim.baseUrls.vercel, apiKey: 'vck-test' },
        mode,
        { 'x-sim-upstream': 'bedrock' },
      );
      expect(text).toBeTruthy();
      // The upstream is only in the body's provider_metadata: seen by the fetch capture, streamed or not.
      expectRoute(
        telemetry,
        {
          'gen_ai.system': 'vercel',
          'gen_ai.provider.name': 'vercel',
          'gen_ai.request.model': 'anthropic/claude-sonnet-4',
          'gen_ai.response.model': expect.any(String),
          'gen_ai.route.gateway': 'vercel',
          'gen_ai.route.upstream': 'aws.bedrock',
          'gen_ai.route.request_id': expect.stringMatching(/^gen_/),
        },
        'aws.bedrock',
      );
    });

    it('through the simulated Vercel AI Gateway native protocol (router string, @ai-sdk/gateway)', async () => {
      // Mastra's bundled registry gives `vercel` no URL, so `VERCEL_BASE_URL` alone is ignored: a
      // models.dev gateway whose `vercel` config has one (what models.dev's own listing would carry)
      // sends `vercel/…` strings through Mastra's real `createGatewayProvider` path to the simulator.
      const modelsDev = new ModelsDevGateway({
        vercel: {
          url: `${sim.url}/vercel/v3/ai`,
          apiKeyEnvVar: 'AI_GATEWAY_API_KEY',
          name: 'Vercel AI Gateway',
          models: ['anthropic/claude-sonnet-4'],
          gateway: 'models.dev',
        },
      });
      process.env.AI_GATEWAY_API_KEY = 'vck-test';
      const { telemetry, text } = await runAgent('vercel/anthropic/claude-sonnet-4', mode, { 'x-sim-upstream': 'bedrock' }, {}, {
        'models.dev': modelsDev,
      });
      expect(text).toBeTruthy();
      expect(sim.requests().at(-1)?.path).toBe('/vercel/v3/ai/language-model');
      expectRoute(
        telemetry,
        {
          'gen_ai.system': 'vercel',
          'gen_ai.provider.name': 'vercel',
          'gen_ai.request.model': 'anthropic/claude-sonnet-4',
          'gen_ai.response.model': 'claude-sonnet-4-20250514',
          'gen_ai.route.gateway': 'vercel',
          'gen_ai.route.upstream': 'aws.bedrock',
          'gen_ai.route.path': ['vercel', 'aws.bedrock', 'anthropic'],
          'gen_ai.route.request_id': expect.stringMatching(/^gen_/),
        },
        'aws.bedrock',
      );
    });

    it('through simulated Azure OpenAI (AI SDK provider instance)', async () => {
      const model = createAzure({
        baseURL: `${sim.baseUrls.azure}/openai`,
        apiKey: 'azure-test-key',
        useDeploymentBasedUrls: true,
        apiVersion: '2024-10-21',
      }).chat('gpt-4o-eastus');
      const { telemetry, text } = await runAgent(model, mode);
      expect(text).toBeTruthy();
      expectRoute(
        telemetry,
        {
          'gen_ai.system': 'azure.ai.openai',
          'gen_ai.provider.name': 'azure.ai.openai',
          'gen_ai.request.model': 'gpt-4o-eastus',
          'gen_ai.response.model': expect.stringMatching(/^gpt-4o/),
          'gen_ai.route.gateway': 'azure.ai.openai',
          'gen_ai.route.upstream': 'openai',
          'gen_ai.route.deployment': 'gpt-4o-eastus',
          'cloud.region': expect.any(String),
        },
        'openai',
      );
      // Mastra's generation span, bridged, says the same system.
      const [generation] = mastraSpansOfType(telemetry.spans(), 'model_generation');
      expect(generation?.attributes['gen_ai.provider.name']).toBe('azure.ai.openai');
    });

    it('through simulated Bedrock Runtime (AI SDK provider instance, cross-region profile)', async () => {
      const model = createAmazonBedrock({
        region: 'us-east-1',
        baseURL: sim.baseUrls.bedrock,
        accessKeyId: 'AKIAEXAMPLEEXAMPLE',
        secretAccessKey: 'bedrock-test-secret',
      })('us.anthropic.claude-sonnet-4-20250514-v1:0');
      const { telemetry, text } = await runAgent(model, mode);
      expect(text).toBeTruthy();
      expectRoute(
        telemetry,
        {
          'gen_ai.system': 'aws.bedrock',
          'gen_ai.provider.name': 'aws.bedrock',
          'gen_ai.request.model': 'us.anthropic.claude-sonnet-4-20250514-v1:0',
          'gen_ai.response.model': 'anthropic.claude-sonnet-4-20250514-v1:0',
          'gen_ai.route.gateway': 'aws.bedrock',
          'gen_ai.route.upstream': 'anthropic',
          'gen_ai.route.path': ['aws.bedrock', 'anthropic'],
          'gen_ai.route.region_scope': 'us',
          'gen_ai.route.request_id': expect.any(String),
        },
        'anthropic',
      );
      // A geography profile never gets an invented serving region.
      expect(modelCallSpans(telemetry.spans())[0]?.attributes['cloud.region']).toBeUndefined();
    });

    it("router string 'openai/gpt-4o' (Responses API) against simulated OpenAI", async () => {
      const { telemetry, text } = await runAgent('openai/gpt-4o', mode);
      expect(text).toBeTruthy();
      expectRoute(
        telemetry,
        {
          'gen_ai.system': 'openai',
          'gen_ai.provider.name': 'openai',
          'gen_ai.request.model': 'gpt-4o',
          'gen_ai.response.model': expect.stringMatching(/^gpt-4o-/),
          'gen_ai.route.upstream': 'openai',
          'gen_ai.route.request_id': expect.stringMatching(/^req_/),
        },
        'openai',
      );
    });

    it("router string 'anthropic/…' against simulated Anthropic", async () => {
      const { telemetry, text } = await runAgent('anthropic/claude-sonnet-4-5', mode);
      expect(text).toBeTruthy();
      expectRoute(
        telemetry,
        {
          'gen_ai.system': 'anthropic',
          'gen_ai.provider.name': 'anthropic',
          'gen_ai.request.model': 'claude-sonnet-4-5',
          'gen_ai.response.model': expect.stringMatching(/^claude-sonnet-4-5-/),
          'gen_ai.route.upstream': 'anthropic',
          'gen_ai.route.request_id': expect.any(String),
        },
        'anthropic',
      );
    });

    it('through simulated OpenAI direct (router config with url: chat completions)', async () => {
      const { telemetry, text } = await runAgent({ id: 'openai/gpt-4o', url: sim.baseUrls.openai, apiKey: 'sk-test' }, mode);
      expect(text).toBeTruthy();
      expectRoute(
        telemetry,
        {
          'gen_ai.system': 'openai',
          'gen_ai.provider.name': 'openai',
          'gen_ai.request.model': 'gpt-4o',
          'gen_ai.response.model': expect.stringMatching(/^gpt-4o-/),
          'gen_ai.route.upstream': 'openai',
          'gen_ai.route.request_id': expect.any(String),
        },
        'openai',
      );
      expect(modelCallSpans(telemetry.spans())[0]?.attributes['gen_ai.route.gateway']).toBeUndefined();
    });
  });
}
